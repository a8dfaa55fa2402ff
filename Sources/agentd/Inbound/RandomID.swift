import CAgentdSystem
import Glibc
import Locks

/// Ids of the objects the inbound APIs answer with: a prefix (`msg_`, `resp_`) and 24 lower-case hex digits
/// (96 bits from the kernel's random source). Unguessable, since a stored response's id is all it takes to
/// continue it when no API keys are configured. The bits come from a pool refilled by one `getrandom` call per
/// 4 KiB rather than a call per id.
///
/// Owner: `pool`, behind its lock.
enum RandomID {
    private struct Pool {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var used = 4096
    }

    private static let pool = Locked(Pool())
    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func make(_ prefix: String) -> String {
        var id = Array(prefix.utf8)
        id.reserveCapacity(id.count + 24)
        pool.withLock { pool in
            if pool.used + 12 > pool.bytes.count { refill(&pool) }
            for byte in pool.bytes[pool.used..<(pool.used + 12)] {
                id.append(hexDigits[Int(byte >> 4)])
                id.append(hexDigits[Int(byte & 0x0F)])
            }
            pool.used += 12
        }
        return String(decoding: id, as: UTF8.self)
    }

    private static func refill(_ pool: inout Pool) {
        var filled = 0
        while filled < pool.bytes.count {
            let count = pool.bytes.withUnsafeMutableBytes { buffer in
                agentd_getrandom(buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count > 0 {
                filled += count
            } else if errno != EINTR {
                // getrandom cannot fail on Linux ≥ 3.17 with a valid buffer; never hand out a predictable id.
                fatalError("getrandom failed: errno \(errno)")
            }
        }
        pool.used = 0
    }
}
