import Glibc

/// Compaction on the writer thread: the live records go to `tasks.journal.tmp`, which is fsynced, renamed over
/// the journal, and made durable by an fsync of the directory.
///
/// Crash safety comes from the order: until the rename the old journal is whole and a stale temporary file is
/// removed by the next open; after it the new file is whole. A crash between the rename and the directory
/// fsync may come back with either file, both of which hold every live record.
extension JournalWriter {
    func compact(live: [[UInt8]], crashingAt crashPoint: CompactionCrashPoint?) throws(JournalError) {
        if crashed { throw JournalWriter.crashError(path) }
        var frames: [UInt8] = []
        frames.reserveCapacity(live.reduce(0) { $0 + JournalFrame.encodedBytes(payloadBytes: $1.count) })
        for payload in live {
            guard payload.count <= JournalFrame.maxPayloadBytes else {
                throw JournalError.recordTooLarge(temporaryPath, bytes: payload.count)
            }
            JournalFrame.encode(payload, into: &frames)
        }

        let temporary = try JournalFile.open(temporaryPath, O_RDWR | O_CREAT | O_TRUNC)
        do throws(JournalError) {
            try frames.withUnsafeBytes { bytes in
                Result { () throws(JournalError) in try JournalFile.write(temporary, bytes, at: 0, path: temporaryPath) }
            }.get()
            // fsync, not fdatasync: the new file's size and its inode must be durable before the rename.
            try JournalFile.syncAll(temporary, path: temporaryPath)
            if crashPoint == .beforeRename {
                JournalFile.closeDescriptor(temporary)
                simulateCrash()
                throw JournalWriter.crashError(path)
            }
            try JournalFile.rename(temporaryPath, to: path)
        } catch {
            if !crashed {
                JournalFile.closeDescriptor(temporary)
                try? JournalFile.remove(temporaryPath)
            }
            throw error
        }

        // The journal's name now points at the new file: appends go there whatever happens next.
        if fd >= 0 { JournalFile.closeDescriptor(fd) }
        fd = temporary
        goodSize = frames.count
        sizeBytes.store(goodSize, ordering: .relaxed)
        lastError = nil
        if crashPoint == .afterRenameBeforeDirectorySync {
            simulateCrash()
            throw JournalWriter.crashError(path)
        }
        do {
            try JournalFile.syncDirectory(directory)
        } catch {
            // Until the rename is durable, an append acknowledged into the new file could vanish with it:
            // the next write retries the directory fsync first and fails if it still cannot.
            directorySyncPending = true
            isWritable.store(false, ordering: .releasing)
            throw error
        }
        directorySyncPending = false
        isWritable.store(true, ordering: .releasing)
    }

    /// Stops as a killed process would: descriptors closed, files left exactly as they are, nothing more done.
    private func simulateCrash() {
        crashed = true
        if fd >= 0 { JournalFile.closeDescriptor(fd) }
        fd = -1
        isWritable.store(false, ordering: .releasing)
    }
}
