import Glibc

/// The system calls behind `ProcessCollector`: whole-file reads, descriptor counting, the descriptor limit.
/// Each answers nil on failure so the collector skips that metric.
extension ProcessCollector {
    /// procfs files report size 0, so they are read in chunks until end of file; no file we read is larger.
    static let readChunkBytes = 4096
    static let maxFileBytes = 1 << 20

    /// The whole contents of `path`, or nil when it cannot be opened or read.
    static func readFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: readChunkBytes)
        while contents.count < maxFileBytes {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            contents.append(contentsOf: chunk[0..<count])
        }
        return contents
    }

    /// The entries of the descriptor directory `path`, without `.`, `..` and the descriptor that lists it.
    static func countOpenDescriptors(in path: String) -> Int? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        let listingDescriptor = UInt64(dirfd(directory))
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            guard let number = ProcessStat.decimal(name), number != listingDescriptor else { continue }
            count += 1
        }
        return count
    }

    /// The soft limit on open descriptors; `+Inf` when unlimited, nil when `getrlimit` fails.
    static func maxOpenDescriptors() -> Double? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return limit.rlim_cur == rlim_t.max ? Double.infinity : Double(limit.rlim_cur)
    }
}
