/// The append-only task journal: `<directory>/tasks.journal`, a sequence of length-prefixed, CRC-32C-checked
/// frames of opaque payloads. A record whose append completed with success is on disk (written and fsynced)
/// and comes back from `open` after a crash or a `kill -9`.
///
/// Any thread may append, compact, read the status and close. One writer thread owns the file (see
/// `JournalWriter`): it takes every queued request at once and writes the queued appends with one write and
/// one fdatasync (group commit), so 64 handlers appending at once cost about one fsync, not 64. Records land
/// in the order of the `append` calls. Completions run on the writer thread and must not block on the journal
/// (a completion that waits for another append deadlocks the writer). The journal never reports success for
/// a record that is not fsynced, and never leaves a partial frame for later appends to follow.
public final class Journal: Sendable {
    public enum SyncMode: Sendable {
        /// Everything queued is written together and fsynced once (the default).
        case group
        /// One write and one fdatasync per record: the reference the group mode is measured against.
        case each
    }

    static let journalFileName = "tasks.journal"
    static let temporaryFileName = "tasks.journal.tmp"

    static func journalPath(in directory: String) -> String { directory + "/" + journalFileName }
    static func temporaryPath(in directory: String) -> String { directory + "/" + temporaryFileName }

    public let directory: String
    public let path: String
    public let syncMode: SyncMode
    let writer: JournalWriter

    init(writer: JournalWriter) {
        self.writer = writer
        directory = writer.directory
        path = writer.path
        syncMode = writer.syncMode
    }

    deinit {
        writer.close()
    }

    /// Whether the last write succeeded (false when opened read-only, and after a failed write or fsync until
    /// a later one succeeds).
    public var isWritable: Bool { writer.isWritable.load(ordering: .acquiring) }

    /// Bytes of intact records in the file now (to decide when to compact).
    public var sizeBytes: Int { writer.sizeBytes.load(ordering: .relaxed) }

    /// fdatasyncs made for appended records so far (metrics, tests: group commit makes far fewer than records).
    public var syncCount: Int { writer.syncCount.load(ordering: .relaxed) }

    /// Times the writer tried to reopen its file after losing it (tests: at most one per interval).
    var reopenAttempts: Int { writer.reopenAttempts.load(ordering: .relaxed) }

    /// Queues `payloads`; `completion` runs on the writer thread once all of them are written and fsynced, or
    /// with the error (then the caller must treat them as not stored). A payload above
    /// `JournalFrame.maxPayloadBytes`, or an append after `close()`, fails at once on the caller's thread.
    /// In `.each` mode a failure stops at the failed record: the records of the call before it stay on disk.
    public func append(_ payloads: [[UInt8]], completion: @escaping JournalCompletion) {
        var frames: [UInt8] = []
        var frameEnds: [Int] = []
        frames.reserveCapacity(payloads.reduce(0) { $0 + JournalFrame.encodedBytes(payloadBytes: $1.count) })
        frameEnds.reserveCapacity(payloads.count)
        for payload in payloads {
            guard payload.count <= JournalFrame.maxPayloadBytes else {
                completion(.failure(.recordTooLarge(path, bytes: payload.count)))
                return
            }
            JournalFrame.encode(payload, into: &frames)
            frameEnds.append(frames.count)
        }
        enqueueOrFail(.append(JournalAppend(frames: frames, frameEnds: frameEnds, completion: completion)), completion)
    }

    /// Rewrites the journal to hold exactly `live`, the caller's live records now. Requests queued before it
    /// are written before it; appends queued after it go to the new file, so `live` must include every record
    /// the caller appended (and still needs) before calling. `completion` runs after the directory fsync.
    public func compact(live: [[UInt8]], completion: @escaping JournalCompletion) {
        compact(live: live, crashingAt: nil, completion: completion)
    }

    /// Test seam: `crashPoint` stops the compaction there as if the process had died (the files stay as they
    /// are; the journal then fails every request, as a dead process would answer none).
    func compact(live: [[UInt8]], crashingAt crashPoint: CompactionCrashPoint?, completion: @escaping JournalCompletion) {
        enqueueOrFail(.compact(live: live, crashPoint: crashPoint, completion: completion), completion)
    }

    /// Writes whatever is queued (each request completes), then stops the writer thread and closes the file.
    /// Idempotent; later appends fail. Called from a completion (on the writer thread) it does not wait.
    public func close() {
        writer.close()
    }

    /// Test seam: the next writes fail with `errorNumber` after really writing `bytesWrittenFirst` bytes.
    func injectWriteFailure(errorNumber: Int32, bytesWrittenFirst: Int = 0) {
        writer.faults.withLock { $0.writeFailures.append((errorNumber, bytesWrittenFirst)) }
    }

    /// Test seam: the next fdatasync fails with `errorNumber`.
    func injectSyncFailure(errorNumber: Int32) {
        writer.faults.withLock { $0.syncFailures.append(errorNumber) }
    }

    private func enqueueOrFail(_ operation: JournalOperation, _ completion: JournalCompletion) {
        if !writer.enqueue(operation) { completion(.failure(.closed(path))) }
    }
}
