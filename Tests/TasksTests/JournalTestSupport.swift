import Dispatch
import Foundation
import Glibc
import Locks
@testable import Tasks

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/agentd-journal-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The journal's directory inside this one (not created: `Journal.open` creates it).
    var dataDirectory: String { path + "/data" }
    var journalPath: String { dataDirectory + "/tasks.journal" }
    var temporaryJournalPath: String { dataDirectory + "/tasks.journal.tmp" }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

enum JournalTestSupport {
    /// Longest a test waits for one completion: far above any fsync, bounded so a lost completion fails the test.
    static let completionTimeoutSeconds = 60

    /// Runs `start` with a completion and waits (bounded) for it; nil when it never came.
    static func wait(_ start: (@escaping JournalCompletion) -> Void) -> Result<Void, JournalError>? {
        let result = Locked<Result<Void, JournalError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        start { outcome in
            result.withLock { $0 = outcome }
            done.signal()
        }
        guard done.wait(timeout: .now() + .seconds(completionTimeoutSeconds)) == .success else { return nil }
        return result.withLock { $0 }
    }

    static func append(_ journal: Journal, _ payloads: [[UInt8]]) -> Result<Void, JournalError>? {
        wait { journal.append(payloads, completion: $0) }
    }

    static func compact(_ journal: Journal, _ live: [[UInt8]], crashingAt crashPoint: CompactionCrashPoint? = nil) -> Result<Void, JournalError>? {
        wait { journal.compact(live: live, crashingAt: crashPoint, completion: $0) }
    }

    static func succeeded(_ result: Result<Void, JournalError>?) -> Bool {
        if case .success = result { return true }
        return false
    }

    static func failed(_ result: Result<Void, JournalError>?) -> Bool {
        if case .failure = result { return true }
        return false
    }

    /// Opens `directory`, closes the journal, and answers what the replay found.
    static func replay(_ directory: String) throws -> JournalReplay {
        let (journal, replay) = try Journal.open(directory: directory)
        journal.close()
        return replay
    }

    /// Payload `index` of a deterministic set: bytes that differ from record to record.
    static func payload(_ index: Int, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index &* 7 &+ 1) }
    }

    static func fileBytes(_ path: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path) ?? Data())
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) {
        try! FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true
        )
        try! Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func fileSize(_ path: String) -> Int {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_size) : -1
    }

    static func mode(_ path: String) -> mode_t {
        var status = stat()
        return stat(path, &status) == 0 ? status.st_mode & 0o777 : 0
    }

    static func fileExists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }
}
