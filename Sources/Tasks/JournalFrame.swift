/// One record on disk: `[u32 payload length LE][u32 masked CRC-32C of length and payload LE][payload]`.
///
/// The checksum covers the length field too, and is masked (rotated and offset, as LevelDB's log does): a
/// run of zero bytes, which a crash can leave where a file was extended but not yet written, is then never a
/// valid frame (the plain CRC-32C of an empty payload is 0, so eight zeros would read as an empty record).
///
/// Encoding and decoding only, no I/O. `decode` never traps on any input: it stops at the first
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
        let checksum = payload.withUnsafeBytes { frameChecksum(length: length, payload: $0) }
        for shift in stride(from: 0, to: 32, by: 8) { buffer.append(UInt8(truncatingIfNeeded: length >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { buffer.append(UInt8(truncatingIfNeeded: checksum >> UInt32(shift))) }
        buffer.append(contentsOf: payload)
    }

    /// The masked CRC-32C of the length field's four bytes followed by the payload.
    static func frameChecksum(length: UInt32, payload: UnsafeRawBufferPointer) -> UInt32 {
        var lengthBytes = length.littleEndian
        let crc = withUnsafeBytes(of: &lengthBytes) { CRC32C.checksum($0) }
        return mask(CRC32C.checksum(payload, continuing: crc))
    }

    /// LevelDB's mask: a CRC stored next to the data it covers is rotated and offset, so data that itself
    /// contains checksums does not checksum to zero trivially.
    static func mask(_ crc: UInt32) -> UInt32 { ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8 }

    /// Every intact payload from the start of `bytes`, and the offset where the intact frames end.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> (payloads: [[UInt8]], validBytes: Int) {
        var payloads: [[UInt8]] = []
        var offset = 0
        while bytes.count - offset >= headerBytes {
            let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            let storedChecksum = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
            guard length <= maxPayloadBytes, bytes.count - offset - headerBytes >= length else { break }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + headerBytes)..<(offset + headerBytes + length)])
            guard frameChecksum(length: UInt32(length), payload: payload) == storedChecksum else { break }
            payloads.append([UInt8](payload))
            offset += headerBytes + length
        }
        return (payloads, offset)
    }
}
