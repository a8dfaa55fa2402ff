import Foundation
import Glibc
import Testing
@testable import Tasks

@Suite struct JournalFailureTests {
    typealias Support = JournalTestSupport

    /// A full disk after part of a frame: the caller hears failure, the partial frame is cut off, the journal
    /// is not writable until the next write succeeds, and the failed record never comes back.
    @Test func failedWriteLeavesNoPartialFrameAndRecovers() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory, syncMode: .group, reopenIntervalNs: 0)
        let first = Support.payload(1, bytes: 40)
        #expect(Support.succeeded(Support.append(journal, [first])))
        journal.injectWriteFailure(errorNumber: ENOSPC, bytesWrittenFirst: 13)
        let failed = Support.append(journal, [Support.payload(2, bytes: 40)])
        guard case .failure(let error) = failed else {
            Issue.record("the write with no space left was reported as \(String(describing: failed))")
            return
        }
        #expect(error.errorNumber == ENOSPC && error.operation == "write")
        #expect(!journal.isWritable)
        #expect(Support.fileSize(directory.journalPath) == 48)
        #expect(journal.sizeBytes == 48)

        let third = Support.payload(3, bytes: 40)
        #expect(Support.succeeded(Support.append(journal, [third])))
        #expect(journal.isWritable)
        journal.close()
        let replay = try Support.replay(directory.dataDirectory)
        #expect(replay.payloads == [first, third])
        #expect(replay.discardedBytes == 0)
    }

    @Test func failedSyncFailsTheRecordsAndTruncates() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory, syncMode: .group, reopenIntervalNs: 0)
        journal.injectSyncFailure(errorNumber: EIO)
        let failed = Support.append(journal, [Support.payload(1, bytes: 10), Support.payload(2, bytes: 10)])
        #expect(Support.failed(failed))
        #expect(!journal.isWritable)
        #expect(Support.fileSize(directory.journalPath) == 0)
        let next = Support.payload(3, bytes: 10)
        #expect(Support.succeeded(Support.append(journal, [next])))
        #expect(journal.isWritable)
        journal.close()
        #expect(try Support.replay(directory.dataDirectory).payloads == [next])
    }

    @Test func eachModeFailsOnlyFromTheFailedRecordOn() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory, syncMode: .each, reopenIntervalNs: 0)
        #expect(Support.succeeded(Support.append(journal, [[1]])))
        journal.injectWriteFailure(errorNumber: EIO, bytesWrittenFirst: 3)
        #expect(Support.failed(Support.append(journal, [[2]])))
        #expect(Support.succeeded(Support.append(journal, [[3]])))
        journal.close()
        #expect(try Support.replay(directory.dataDirectory).payloads == [[1], [3]])
    }

    /// The data directory's path is a regular file: nothing to replay and nowhere to write (as root too).
    /// Open still returns; appends fail without a reopen per append; once the path is free, a write succeeds.
    @Test func dataDirectoryThatIsAFileGivesAReadOnlyJournal() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        Support.writeFile(directory.dataDirectory, [1, 2, 3])
        let (journal, replay) = try Journal.open(directory: directory.dataDirectory)
        #expect(replay.payloads.isEmpty && replay.validBytes == 0)
        #expect(!journal.isWritable)
        for _ in 0..<3 { #expect(Support.failed(Support.append(journal, [[1]]))) }
        // Opened just now: no reopen within the interval.
        #expect(journal.reopenAttempts == 0)
        #expect(Support.failed(Support.compact(journal, [[1]])))
        journal.close()

        let (retrying, _) = try Journal.open(directory: directory.dataDirectory, syncMode: .group, reopenIntervalNs: 0)
        #expect(Support.failed(Support.append(retrying, [[1]])))
        #expect(retrying.reopenAttempts == 1)
        try FileManager.default.removeItem(atPath: directory.dataDirectory)
        #expect(Support.succeeded(Support.append(retrying, [[2]])))
        #expect(retrying.isWritable)
        retrying.close()
        #expect(try Support.replay(directory.dataDirectory).payloads == [[2]])
    }

    @Test func journalThatIsADirectoryCannotBeReadAndThrows() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.journalPath, withIntermediateDirectories: true)
        #expect(throws: JournalError.self) { _ = try Journal.open(directory: directory.dataDirectory) }
    }

    @Test func journalThatIsAFIFOIsRefusedWithoutHanging() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.dataDirectory, withIntermediateDirectories: true)
        #expect(mkfifo(directory.journalPath, 0o600) == 0)
        #expect(throws: JournalError.self) { _ = try Journal.open(directory: directory.dataDirectory) }
    }

    /// A journal whose directory and file cannot be written (chmod, or the immutable attribute when running as
    /// root, which ignores modes): replays what is there, torn tail included, cuts nothing, refuses appends.
    @Test(.enabled(if: ReadOnlyFiles.isSupported, "neither chmod nor the immutable attribute stops writes here"))
    func readOnlyJournalReplaysAndRefusesAppends() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let payloads = (0..<3).map { Support.payload($0, bytes: 25) }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory)
        #expect(Support.succeeded(Support.append(journal, payloads)))
        journal.close()
        var bytes = Support.fileBytes(directory.journalPath)
        bytes += [5, 0, 0]  // a torn frame header
        Support.writeFile(directory.journalPath, bytes)

        let restore = try #require(ReadOnlyFiles.makeUnwritable([directory.journalPath, directory.dataDirectory]))
        defer { restore() }
        let (readOnly, replay) = try Journal.open(directory: directory.dataDirectory)
        #expect(replay.payloads == payloads)
        #expect(replay.discardedBytes == 3)
        #expect(Support.fileSize(directory.journalPath) == bytes.count)
        #expect(!readOnly.isWritable)
        #expect(Support.failed(Support.append(readOnly, [[9]])))
        #expect(Support.failed(Support.compact(readOnly, [[9]])))
        #expect(!readOnly.isWritable)
        readOnly.close()
        #expect(Support.fileSize(directory.journalPath) == bytes.count)
    }
}

/// Makes files unwritable in a way that holds for the current user: modes for an ordinary user, the immutable
/// attribute (FS_IOC_SETFLAGS) for root, whose writes ignore modes.
enum ReadOnlyFiles {
    private static let getFlags: UInt = 0x8008_6601  // FS_IOC_GETFLAGS
    private static let setFlags: UInt = 0x4008_6602  // FS_IOC_SETFLAGS
    private static let immutable: Int32 = 0x10  // FS_IMMUTABLE_FL

    /// Whether `makeUnwritable` really stops writes here (probed on a scratch file).
    static let isSupported: Bool = {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path + "/probe"
        JournalTestSupport.writeFile(file, [1])
        guard let restore = makeUnwritable([file]) else { return false }
        restore()
        return true
    }()

    /// Makes `paths` unwritable; answers how to undo it, or nil (nothing changed) when writes still succeed.
    static func makeUnwritable(_ paths: [String]) -> (() -> Void)? {
        let root = geteuid() == 0
        var undo: [() -> Void] = []
        let restore = { for step in undo.reversed() { step() } }
        for path in paths {
            if root {
                guard setImmutable(path, true) else {
                    restore()
                    return nil
                }
                undo.append { _ = setImmutable(path, false) }
            } else {
                let mode = JournalTestSupport.mode(path)
                let isDirectory = (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeDirectory
                chmod(path, isDirectory ? 0o500 : 0o400)
                undo.append { chmod(path, mode) }
            }
        }
        // The probe: the first path, which is a file, must refuse to be opened for writing.
        let fd = open(paths[0], O_WRONLY)
        if fd >= 0 {
            close(fd)
            restore()
            return nil
        }
        return restore
    }

    private static func setImmutable(_ path: String, _ on: Bool) -> Bool {
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var flags: Int32 = 0
        guard ioctl(fd, getFlags, &flags) == 0 else { return false }
        flags = on ? flags | immutable : flags & ~immutable
        return ioctl(fd, setFlags, &flags) == 0
    }
}
