import Glibc

/// The system calls the journal makes, each retried on EINTR and throwing a `JournalError` that names the
/// call and the path.
///
/// Stateless: it owns no descriptor (callers open and close them). Writes are continued after a
/// short write until every byte is written or a call fails; nothing here retries a real failure.
enum JournalFile {
    static let fileMode: mode_t = 0o600
    static let directoryMode: mode_t = 0o700

    /// Opens `path` with `flags` (O_CLOEXEC added), creating it with mode 0600 when O_CREAT is given.
    static func open(_ path: String, _ flags: Int32, operation: String = "open") throws(JournalError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, fileMode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw .last(operation, path) }
        }
    }

    /// Creates `path` and its missing parents with mode 0700 (an existing directory is fine), fsyncing the
    /// parent of each one it creates: a directory whose name is lost in a crash loses every record in it.
    static func makeDirectories(_ path: String) throws(JournalError) {
        var parent = path.hasPrefix("/") ? "/" : "."
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, directoryMode) == 0 {
                try syncDirectory(parent)
            } else if errno != EEXIST {
                throw .last("mkdir", prefix)
            }
            parent = prefix
            prefix += "/"
        }
    }

    /// Writes all of `bytes` at `offset` (pwrite, so the offset never depends on the descriptor's position).
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int, path: String) throws(JournalError) {
        var done = 0
        while done < bytes.count {
            let written = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if written < 0 {
                if errno == EINTR { continue }
                throw .last("write", path)
            }
            // A zero-byte write of a non-empty buffer makes no progress: report it rather than spin.
            if written == 0 { throw JournalError(operation: "write", path: path, errorNumber: EIO, reason: "write made no progress") }
            done += written
        }
    }

    /// Reads the whole file behind `fd` from its start.
    static func readAll(_ fd: Int32, path: String) throws(JournalError) -> [UInt8] {
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .last("fstat", path) }
        // One byte more than the size, so the read that finds the end of file needs no bigger buffer; the size
        // is only a hint: the loop stops at end of file, and grows the buffer if the file grew meanwhile.
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size) + 1)
        var done = 0
        while true {
            if done == bytes.count { bytes.append(contentsOf: repeatElement(0, count: max(4096, bytes.count / 2))) }
            let count = bytes.withUnsafeMutableBytes { raw in pread(fd, raw.baseAddress! + done, raw.count - done, off_t(done)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .last("read", path)
            }
            if count == 0 { break }
            done += count
        }
        bytes.removeLast(bytes.count - done)
        return bytes
    }

    static func truncate(_ fd: Int32, to size: Int, path: String) throws(JournalError) {
        while ftruncate(fd, off_t(size)) != 0 {
            if errno != EINTR { throw .last("ftruncate", path) }
        }
    }

    /// fdatasync: the data and the size, not the timestamps (enough to read the data back after a crash).
    static func syncData(_ fd: Int32, path: String) throws(JournalError) {
        while fdatasync(fd) != 0 {
            if errno != EINTR { throw .last("fdatasync", path) }
        }
    }

    /// fsync: data and all metadata (a new file, or a directory after a rename in it).
    static func syncAll(_ fd: Int32, path: String) throws(JournalError) {
        while fsync(fd) != 0 {
            if errno != EINTR { throw .last("fsync", path) }
        }
    }

    /// fsyncs `directory`, so that names created, renamed or removed in it survive a crash.
    static func syncDirectory(_ directory: String) throws(JournalError) {
        let fd = try open(directory, O_RDONLY | O_DIRECTORY)
        defer { closeDescriptor(fd) }
        try syncAll(fd, path: directory)
    }

    static func rename(_ from: String, to: String) throws(JournalError) {
        guard Glibc.rename(from, to) == 0 else { throw .last("rename", from) }
    }

    /// Removes `path`; a missing file is not an error.
    static func remove(_ path: String) throws(JournalError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .last("unlink", path) }
    }

    /// close(2), once: on Linux the descriptor is released even when close reports EINTR, so never retried.
    static func closeDescriptor(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Whether `fd` is a regular file (a FIFO or a device would block or lie on replay).
    static func isRegularFile(_ fd: Int32) -> Bool {
        var status = stat()
        return fstat(fd, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }
}
