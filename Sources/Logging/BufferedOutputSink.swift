import Dispatch
import Glibc
import Locks
import Synchronization

/// Log lines to a file descriptor (standard output by default), gathered and written in batches: at most
/// `flushDelayMs` after the first line of a batch, at once when a batch reaches `maxBatchBytes`, and on `flush()`.
///
/// An access line per request must not cost a write(2) per request on the event loops; lines appended
/// together are written with one call. Each thread appends to its own buffer (one of `bufferCount`, handed
/// out per thread), so two event loops never write the same memory: a shared buffer would move its cache lines
/// between the cores on every line. Lines stay whole; lines of different threads within one batch may come
/// out in another order than they were made (each carries its timestamp).
/// Owner: each buffer behind its own lock; writes to the descriptor happen under `writing`.
public final class BufferedOutputSink: LogSink {
    public static let defaultFlushDelayMs = 50
    public static let defaultMaxBatchBytes = 64 * 1024

    private static let bufferCount = 8

    private let fd: Int32
    private let flushDelayMs: Int
    private let maxBatchBytes: Int
    private let buffers: [Locked<[UInt8]>]
    /// A flush is scheduled (set by the line that found none scheduled).
    private let scheduled = Atomic<Bool>(false)
    private let writing = Locked<Void>(())
    private let queue = DispatchQueue(label: "agentd.log-flush")

    public init(fd: Int32 = 1, flushDelayMs: Int = defaultFlushDelayMs, maxBatchBytes: Int = defaultMaxBatchBytes) {
        self.fd = fd
        self.flushDelayMs = flushDelayMs
        self.maxBatchBytes = maxBatchBytes
        buffers = (0..<BufferedOutputSink.bufferCount).map { _ in Locked([UInt8]()) }
    }

    public func write(_ line: String) {
        var line = line
        line.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    public func writeLine(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    private func append(_ bytes: UnsafeRawBufferPointer) {
        let full = buffers[ThreadSlot.current & (BufferedOutputSink.bufferCount - 1)].withLock { pending -> Bool in
            if pending.capacity == 0 { pending.reserveCapacity(maxBatchBytes) }
            pending.append(contentsOf: bytes)
            return pending.count >= maxBatchBytes
        }
        if full {
            flush()
        } else if !scheduled.load(ordering: .relaxed) && !scheduled.exchange(true, ordering: .acquiringAndReleasing) {
            queue.asyncAfter(deadline: .now() + .milliseconds(flushDelayMs)) { [self] in flush() }
        }
    }

    /// Writes whatever is pending now (at shutdown, before exit).
    public func flush() {
        writing.withLock { _ in
            scheduled.store(false, ordering: .releasing)
            for buffer in buffers {
                var batch: [UInt8] = []
                buffer.withLock { pending in
                    guard !pending.isEmpty else { return }
                    swap(&batch, &pending)
                    pending.reserveCapacity(min(batch.capacity, maxBatchBytes))
                }
                batch.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                        if written < 0 && errno == EINTR { continue }
                        if written <= 0 { return }
                        offset += written
                    }
                }
            }
        }
    }
}
