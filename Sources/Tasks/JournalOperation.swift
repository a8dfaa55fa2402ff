/// What a journal completion receives: success once the records are written and fsynced, or the error.
public typealias JournalCompletion = @Sendable (Result<Void, JournalError>) -> Void

/// Records of one `append` call, framed by the caller's thread (so checksums are computed in parallel, not on
/// the writer thread), waiting for the writer.
struct JournalAppend: Sendable {
    /// The frames, back to back.
    let frames: [UInt8]
    /// Where each record's frame ends in `frames` (for `.each` mode, which writes and syncs them one by one).
    let frameEnds: [Int]
    let completion: JournalCompletion
}

/// Where a test makes a compaction stop as if the process had died there.
enum CompactionCrashPoint: Sendable {
    /// The temporary file is written and fsynced, not yet renamed over the journal.
    case beforeRename
    /// The rename is done, the directory not yet fsynced.
    case afterRenameBeforeDirectorySync
}

/// One request to the writer thread; the writer performs them in the order they were queued.
enum JournalOperation: Sendable {
    case append(JournalAppend)
    case compact(live: [[UInt8]], crashPoint: CompactionCrashPoint?, completion: JournalCompletion)
}

/// Requests not yet taken by the writer, and whether the journal takes new ones (false once closed). One lock
/// for both, so no request slips in after the writer's last drain.
struct JournalInbox {
    var operations: [JournalOperation] = []
    var closed = false
}

/// Failures a test asks the writer to meet instead of calling write(2) or fdatasync(2) (the test seam for
/// ENOSPC and EIO, which a test cannot provoke on a real disk).
struct JournalFaultPlan {
    /// For each of the next writes: the errno to fail with, after really writing this many bytes first (a
    /// partial frame, as a full disk leaves one).
    var writeFailures: [(errorNumber: Int32, bytesWrittenFirst: Int)] = []
    /// For each of the next fdatasyncs: the errno to fail with.
    var syncFailures: [Int32] = []
}
