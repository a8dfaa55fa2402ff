import Dispatch
import Glibc
import Locks

/// Log lines to a file descriptor (standard output by default), gathered and written in batches: at most
/// `flushDelayMs` after the first line of a batch, at once when a batch reaches `maxBatchBytes`, and on `flush()`.
///
/// An access line per request must not cost a write(2) per request on the event loops; lines appended
/// together are written with one call. Owner: `pending` behind its lock; writes to the descriptor happen under
/// `writing`, so batches never interleave. Lines stay whole: a batch is a sequence of complete lines.
public final class BufferedOutputSink: LogSink {
    public static let defaultFlushDelayMs = 50
    public static let defaultMaxBatchBytes = 64 * 1024

    private struct Pending {
        var bytes: [UInt8] = []
        /// A flush is scheduled for the bytes now pending.
        var scheduled = false
    }

    private let fd: Int32
    private let flushDelayMs: Int
    private let maxBatchBytes: Int
    private let pending = Locked(Pending())
    private let writing = Locked<Void>(())
    private let queue = DispatchQueue(label: "agentd.log-flush")

    public init(fd: Int32 = 1, flushDelayMs: Int = defaultFlushDelayMs, maxBatchBytes: Int = defaultMaxBatchBytes) {
        self.fd = fd
        self.flushDelayMs = flushDelayMs
        self.maxBatchBytes = maxBatchBytes
    }

    public func write(_ line: String) {
        var line = line
        line.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    public func writeLine(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    private func append(_ bytes: UnsafeRawBufferPointer) {
        let (full, schedule) = pending.withLock { state -> (Bool, Bool) in
            if state.bytes.capacity == 0 { state.bytes.reserveCapacity(maxBatchBytes) }
            state.bytes.append(contentsOf: bytes)
            let schedule = !state.scheduled
            state.scheduled = true
            return (state.bytes.count >= maxBatchBytes, schedule)
        }
        if full {
            flush()
        } else if schedule {
            queue.asyncAfter(deadline: .now() + .milliseconds(flushDelayMs)) { [self] in flush() }
        }
    }

    /// Writes whatever is pending now (at shutdown, before exit).
    public func flush() {
        writing.withLock { _ in
            var batch: [UInt8] = []
            pending.withLock { state in
                swap(&batch, &state.bytes)
                state.bytes.reserveCapacity(min(batch.capacity, maxBatchBytes))
                state.scheduled = false
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
