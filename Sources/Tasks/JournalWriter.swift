import Dispatch
import Foundation
import Glibc
import Locks
import Synchronization

/// The journal's one writer thread: takes every queued request at once, writes the appends among them with one
/// write and one fdatasync (group commit), then completes them; compactions in between keep their place.
///
/// Owners: `inbox` (the queue, the closed flag) and `faults` behind their locks, shared with every thread;
/// `wake` and `finished` are semaphores; `isWritable`, `sizeBytes`, `syncCount`, `reopenAttempts` and
/// `ownerThread` are atomics written by the writer thread and read anywhere. Every other `var` belongs to the
/// writer thread alone: it is set before the thread starts and touched by nothing else afterwards (hence
/// `@unchecked Sendable`). The writer never reports success for a record that is not fsynced, and never
/// writes after a partial frame: after a failed write or fdatasync it truncates back to `goodSize` or, when
/// that fails too, closes the file and truncates when it reopens it.
final class JournalWriter: @unchecked Sendable {
    /// How often, at most, a writer that lost its file tries to open it again (a read-only disk must not make
    /// every append cost an open(2)).
    static let defaultReopenIntervalNs: UInt64 = 1_000_000_000

    let path: String
    let directory: String
    let temporaryPath: String
    let syncMode: Journal.SyncMode
    let reopenIntervalNs: UInt64

    let inbox = Locked(JournalInbox())
    let faults = Locked(JournalFaultPlan())
    /// Signalled when the inbox goes from empty to not empty, and on close.
    let wake = DispatchSemaphore(value: 0)
    /// Signalled once when the writer thread has stopped (and signalled again by each waiter, for the next).
    let finished = DispatchSemaphore(value: 0)
    let isWritable: Atomic<Bool>
    let sizeBytes: Atomic<Int>
    /// fdatasyncs of appended records (not of compactions), for tests and benchmarks.
    let syncCount = Atomic<Int>(0)
    /// Times the writer tried to open its file again after losing it.
    let reopenAttempts = Atomic<Int>(0)
    /// pthread_self() of the writer thread; 0 until it runs.
    let ownerThread = Atomic<UInt>(0)

    // Writer-thread state.
    /// The journal opened for writing; -1 while the writer has none (read-only, or after a failure).
    var fd: Int32
    /// Where the last fsynced record ends: the file is cut back here after a failure.
    var goodSize: Int
    /// Why the last write failed; reported without a new attempt while a reopen would come too soon.
    var lastError: JournalError?
    var lastReopenAttemptNs: UInt64
    /// A rename or a file creation whose directory fsync failed: retried before the next write counts.
    var directorySyncPending: Bool
    /// A test stopped a compaction as if the process had died: every later request fails.
    var crashed = false
    /// Reused for the frames of a group, so a group costs no allocation once the buffer has grown.
    var groupBuffer: [UInt8] = []

    init(directory: String, syncMode: Journal.SyncMode, reopenIntervalNs: UInt64, opened: JournalOpening) {
        self.directory = directory
        path = Journal.journalPath(in: directory)
        temporaryPath = Journal.temporaryPath(in: directory)
        self.syncMode = syncMode
        self.reopenIntervalNs = reopenIntervalNs
        fd = opened.fd
        goodSize = opened.validBytes
        lastError = opened.error
        lastReopenAttemptNs = opened.fd < 0 ? JournalWriter.nowNs() : 0
        directorySyncPending = opened.directorySyncPending
        isWritable = Atomic(opened.fd >= 0)
        sizeBytes = Atomic(opened.validBytes)
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "agentd-journal"
        thread.start()
    }

    static func nowNs() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    var isOwnerThread: Bool { ownerThread.load(ordering: .acquiring) == pthread_self() }

    /// Queues `operation`, or answers false when the journal is closed.
    func enqueue(_ operation: JournalOperation) -> Bool {
        let wasEmpty = inbox.withLock { inbox -> Bool? in
            if inbox.closed { return nil }
            inbox.operations.append(operation)
            return inbox.operations.count == 1
        }
        guard let wasEmpty else { return false }
        // One wake per empty-to-busy transition: appends that find a queue already waiting ride along.
        if wasEmpty { wake.signal() }
        return true
    }

    /// Stops taking requests; the writer finishes the queued ones and stops. Waits for it unless called on the
    /// writer thread itself (from a completion), which cannot wait for itself.
    func close() {
        let first = inbox.withLock { inbox -> Bool in
            defer { inbox.closed = true }
            return !inbox.closed
        }
        if first { wake.signal() }
        guard !isOwnerThread else { return }
        finished.wait()
        finished.signal()
    }

    private func run() {
        ownerThread.store(pthread_self(), ordering: .releasing)
        while true {
            wake.wait()
            while true {
                let (operations, closed) = inbox.withLock { inbox in
                    defer { inbox.operations.removeAll(keepingCapacity: true) }
                    return (inbox.operations, inbox.closed)
                }
                if operations.isEmpty {
                    guard closed else { break }
                    stop()
                    return
                }
                perform(operations)
            }
        }
    }

    private func stop() {
        if fd >= 0 {
            JournalFile.closeDescriptor(fd)
            fd = -1
        }
        finished.signal()
    }

    /// Runs `operations` in order: consecutive appends as one group (or one by one in `.each` mode).
    private func perform(_ operations: [JournalOperation]) {
        var group: [JournalAppend] = []
        for operation in operations {
            switch operation {
            case .append(let append):
                group.append(append)
            case .compact(let live, let crashPoint, let completion):
                writeGroup(group)
                group.removeAll()
                completion(Result { () throws(JournalError) in try compact(live: live, crashingAt: crashPoint) })
            }
        }
        writeGroup(group)
    }

    private func writeGroup(_ group: [JournalAppend]) {
        guard !group.isEmpty else { return }
        switch syncMode {
        case .each:
            for append in group {
                var result: Result<Void, JournalError> = .success(())
                append.frames.withUnsafeBytes { frames in
                    var start = 0
                    for end in append.frameEnds {
                        do throws(JournalError) {
                            try writeDurably(UnsafeRawBufferPointer(rebasing: frames[start..<end]))
                        } catch {
                            result = .failure(error)
                            return
                        }
                        start = end
                    }
                }
                append.completion(result)
            }
        case .group:
            let result: Result<Void, JournalError>
            if group.allSatisfy(\.frames.isEmpty) {
                result = .success(())  // appends of no records: nothing to make durable
            } else if group.count == 1 {
                result = group[0].frames.withUnsafeBytes { frames in Result { () throws(JournalError) in try writeDurably(frames) } }
            } else {
                groupBuffer.removeAll(keepingCapacity: true)
                for append in group { groupBuffer.append(contentsOf: append.frames) }
                result = groupBuffer.withUnsafeBytes { frames in Result { () throws(JournalError) in try writeDurably(frames) } }
            }
            for append in group { append.completion(result) }
        }
    }
}
