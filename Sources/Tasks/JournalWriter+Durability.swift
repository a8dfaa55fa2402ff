import Glibc

/// Writing frames durably, and getting back to a clean file after a failure (writer thread only).
extension JournalWriter {
    /// Writes `frames` at the end of the intact records and fdatasyncs them; on success they count as good.
    /// On failure nothing of them stays in the file (it is cut back to `goodSize`) and the journal is not
    /// writable until a later write succeeds.
    func writeDurably(_ frames: UnsafeRawBufferPointer) throws(JournalError) {
        try prepareForWriting()
        do {
            try write(frames)
            try syncData()
        } catch {
            recover(from: error)
            throw error
        }
        goodSize += frames.count
        syncCount.add(1, ordering: .relaxed)
        sizeBytes.store(goodSize, ordering: .relaxed)
        isWritable.store(true, ordering: .releasing)
        lastError = nil
    }

    /// Makes sure the writer has the file open with exactly the good records in it, and that a rename or a
    /// creation in the directory is durable, before anything new is written.
    func prepareForWriting() throws(JournalError) {
        if crashed { throw JournalWriter.crashError(path) }
        if fd < 0 { try reopen() }
        if directorySyncPending {
            try JournalFile.syncDirectory(directory)
            directorySyncPending = false
        }
    }

    /// Opens the journal for writing again (at most once per `reopenIntervalNs`) and cuts it back to
    /// `goodSize`, so whatever a failed write left after the good records is gone before the next frame.
    private func reopen() throws(JournalError) {
        let now = JournalWriter.nowNs()
        if let lastError, now &- lastReopenAttemptNs < reopenIntervalNs { throw lastError }
        lastReopenAttemptNs = now
        reopenAttempts.add(1, ordering: .relaxed)
        var opened: Int32 = -1
        do throws(JournalError) {
            try JournalFile.makeDirectories(directory)
            opened = try JournalFile.open(path, O_RDWR | O_CREAT | O_NONBLOCK)
            guard JournalFile.isRegularFile(opened) else {
                throw JournalError(operation: "open", path: path, errorNumber: EINVAL, reason: "not a regular file")
            }
            var status = stat()
            guard fstat(opened, &status) == 0 else { throw JournalError.last("fstat", path) }
            let size = Int(status.st_size)
            if size > goodSize {
                try JournalFile.truncate(opened, to: goodSize, path: path)
                try JournalFile.syncData(opened, path: path)
            }
            // Shorter than the good records: someone else cut the file; append after what is there, never
            // after a hole (zeros would replay as empty records).
            goodSize = min(goodSize, size)
            sizeBytes.store(goodSize, ordering: .relaxed)
        } catch {
            if opened >= 0 { JournalFile.closeDescriptor(opened) }
            lastError = error
            throw error
        }
        fd = opened
        // The file may have just been created: its name must be durable before records in it count.
        directorySyncPending = true
    }

    /// After a failed write or fdatasync: cut the file back to the good records, give up the descriptor (after
    /// a failed fdatasync the kernel may have dropped the dirty pages and will not report it twice, so the
    /// descriptor cannot be trusted), and report not writable. The next write reopens and truncates again, so a
    /// failed truncate here leaves nothing for the next frame to follow.
    func recover(from error: JournalError) {
        lastError = error
        isWritable.store(false, ordering: .releasing)
        guard fd >= 0 else { return }
        try? JournalFile.truncate(fd, to: goodSize, path: path)
        JournalFile.closeDescriptor(fd)
        fd = -1
    }

    /// pwrite at `goodSize`, unless a test planned a failure for this write.
    private func write(_ frames: UnsafeRawBufferPointer) throws(JournalError) {
        if let failure = faults.withLock({ $0.writeFailures.isEmpty ? nil : $0.writeFailures.removeFirst() }) {
            let partial = min(failure.bytesWrittenFirst, frames.count)
            try JournalFile.write(fd, UnsafeRawBufferPointer(rebasing: frames[0..<partial]), at: goodSize, path: path)
            throw JournalError(operation: "write", path: path, errorNumber: failure.errorNumber)
        }
        try JournalFile.write(fd, frames, at: goodSize, path: path)
    }

    /// fdatasync, unless a test planned a failure for this one.
    private func syncData() throws(JournalError) {
        if let failure = faults.withLock({ $0.syncFailures.isEmpty ? nil : $0.syncFailures.removeFirst() }) {
            throw JournalError(operation: "fdatasync", path: path, errorNumber: failure)
        }
        try JournalFile.syncData(fd, path: path)
    }

    static func crashError(_ path: String) -> JournalError {
        JournalError(operation: "append", path: path, errorNumber: ECANCELED, reason: "the journal stopped at a simulated crash")
    }
}
