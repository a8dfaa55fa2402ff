/// One record on disk: `[u32 payload length LE][u32 CRC-32C of the payload LE][payload]`.
///
/// Contract: encoding and decoding only, no I/O. `decode` never traps on any input: it stops at the first
/// frame that is short (a torn tail), longer than `maxPayloadBytes`, or whose checksum does not match, and
/// reports where the intact frames end.
enum JournalFrame {
    static let headerBytes = 8
    /// The largest payload a frame may carry; a larger length on replay is corruption, not a record.
    static let maxPayloadBytes = 16 * 1024 * 1024

    /// Bytes a payload of `payloadBytes` takes on disk.
    static func encodedBytes(payloadBytes: Int) -> Int { headerBytes + payloadBytes }

    /// Appends the frame of `payload` to `buffer`.
    static func encode(_ payload: [UInt8], into buffer: inout [UInt8]) {
        precondition(payload.count <= maxPayloadBytes, "journal record above the maximum size")
        let length = UInt32(payload.count)
        let checksum = CRC32C.checksum(payload)
        for shift in stride(from: 0, to: 32, by: 8) { buffer.append(UInt8(truncatingIfNeeded: length >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { buffer.append(UInt8(truncatingIfNeeded: checksum >> UInt32(shift))) }
        buffer.append(contentsOf: payload)
    }

    /// Every intact payload from the start of `bytes`, and the offset where the intact frames end.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> (payloads: [[UInt8]], validBytes: Int) {
        var payloads: [[UInt8]] = []
        var offset = 0
        while bytes.count - offset >= headerBytes {
            let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            let storedChecksum = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
            guard length <= maxPayloadBytes, bytes.count - offset - headerBytes >= length else { break }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + headerBytes)..<(offset + headerBytes + length)])
            guard CRC32C.checksum(payload) == storedChecksum else { break }
            payloads.append([UInt8](payload))
            offset += headerBytes + length
        }
        return (payloads, offset)
    }
}
