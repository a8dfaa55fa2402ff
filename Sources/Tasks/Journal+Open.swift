import Glibc

/// What `Journal.open` found on disk.
public struct JournalReplay: Sendable {
    /// Every intact record's payload, in append order.
    public let payloads: [[UInt8]]
    /// Where the intact records end (the file is cut here when it can be written).
    public let validBytes: Int
    /// The torn or corrupt tail after them that was discarded (0 when the file was clean).
    public let discardedBytes: Int
}

/// How `open` left the file for the writer: a descriptor open for writing (-1 when read-only) and why not.
struct JournalOpening {
    let fd: Int32
    let validBytes: Int
    let error: JournalError?
    let directorySyncPending: Bool
}

extension Journal {
    /// Opens `<directory>/tasks.journal` (creating the directory, mode 0700, and the file, mode 0600, if
    /// needed), replays it, cuts off a torn or corrupt tail (ftruncate + fdatasync), and removes a
    /// `tasks.journal.tmp` left by a compaction that died before its rename.
    ///
    /// When the directory or the file cannot be written, it still replays what exists and returns a journal
    /// whose `isWritable` is false (its appends fail, and retry the file at most once a second). It throws
    /// only when an existing journal cannot be read, or is not a regular file.
    public static func open(directory: String, syncMode: SyncMode = .group) throws(JournalError) -> (Journal, JournalReplay) {
        try open(directory: directory, syncMode: syncMode, reopenIntervalNs: JournalWriter.defaultReopenIntervalNs)
    }

    static func open(
        directory: String, syncMode: SyncMode, reopenIntervalNs: UInt64
    ) throws(JournalError) -> (Journal, JournalReplay) {
        let path = journalPath(in: directory)
        var writeError: JournalError?
        var fd: Int32 = -1
        do {
            try JournalFile.makeDirectories(directory)
            // A tmp file is only ever a compaction that did not reach its rename: the journal is the truth.
            // Best effort: a compaction truncates it anyway, and it must not make the journal read-only.
            try? JournalFile.remove(temporaryPath(in: directory))
            // O_NONBLOCK: a FIFO in the journal's place must not hang the open (regular files ignore it).
            fd = try JournalFile.open(path, O_RDWR | O_CREAT | O_NONBLOCK)
        } catch {
            writeError = error
        }
        var writable = fd >= 0
        if !writable {
            do {
                fd = try JournalFile.open(path, O_RDONLY | O_NONBLOCK)
            } catch where error.errorNumber == ENOENT || error.errorNumber == ENOTDIR {
                // Nothing to replay and nowhere to write: an empty, read-only journal.
                return start(directory, syncMode, reopenIntervalNs, replay: ([], 0, 0), opening: JournalOpening(
                    fd: -1, validBytes: 0, error: writeError, directorySyncPending: false
                ))
            }
        }

        let replay: (payloads: [[UInt8]], validBytes: Int, discardedBytes: Int)
        do throws(JournalError) {
            guard JournalFile.isRegularFile(fd) else {
                throw JournalError(operation: "open", path: path, errorNumber: EINVAL, reason: "not a regular file")
            }
            let bytes = try JournalFile.readAll(fd, path: path)
            let decoded = bytes.withUnsafeBytes { JournalFrame.decode($0) }
            replay = (decoded.payloads, decoded.validBytes, bytes.count - decoded.validBytes)
        } catch {
            JournalFile.closeDescriptor(fd)
            throw error
        }

        if writable && replay.discardedBytes > 0 {
            do {
                try JournalFile.truncate(fd, to: replay.validBytes, path: path)
                try JournalFile.syncData(fd, path: path)
            } catch {
                // A tail that cannot be cut must not be followed by new frames: read-only until a reopen cuts it.
                writeError = error
                writable = false
            }
        }
        if !writable {
            JournalFile.closeDescriptor(fd)
            fd = -1
        }
        // The file may have just been created: make its name durable (retried before the first write if not).
        var directorySyncPending = false
        if writable {
            do { try JournalFile.syncDirectory(directory) } catch { directorySyncPending = true }
        }
        return start(directory, syncMode, reopenIntervalNs, replay: replay, opening: JournalOpening(
            fd: fd, validBytes: replay.validBytes, error: writeError, directorySyncPending: directorySyncPending
        ))
    }

    private static func start(
        _ directory: String, _ syncMode: SyncMode, _ reopenIntervalNs: UInt64,
        replay: (payloads: [[UInt8]], validBytes: Int, discardedBytes: Int), opening: JournalOpening
    ) -> (Journal, JournalReplay) {
        let writer = JournalWriter(directory: directory, syncMode: syncMode, reopenIntervalNs: reopenIntervalNs, opened: opening)
        writer.start()
        return (
            Journal(writer: writer),
            JournalReplay(payloads: replay.payloads, validBytes: replay.validBytes, discardedBytes: replay.discardedBytes)
        )
    }
}
