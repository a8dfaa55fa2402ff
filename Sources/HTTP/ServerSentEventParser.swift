import Glibc

/// An incremental parser of Server-Sent Events as the HTML Living Standard defines them (§9.2.6).
///
/// Pure: bytes in, events out, no I/O. Lines end with CRLF, LF or CR, and a CRLF may be cut between two
/// reads; `data:` lines accumulate until a blank line dispatches the event; lines starting with ":" are
/// comments; one space after the colon is dropped; a stream-initial BOM is skipped. A line longer than
/// `maxLineBytes` or an event larger than `maxEventBytes` is an error: an upstream cannot make us buffer
/// without bound.
public struct ServerSentEventParser: Sendable {
    public enum Failure: Error, Sendable, Equatable {
        case lineTooLong
        case eventTooLarge
    }

    public let maxLineBytes: Int
    public let maxEventBytes: Int
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType: String?
    private var eventID: String?
    /// The last byte seen was a CR: an LF right after it (perhaps in the next read) is the same line end.
    private var previousWasCR = false
    private var isFirstLine = true

    public init(maxLineBytes: Int = 1 << 20, maxEventBytes: Int = 4 << 20) {
        self.maxLineBytes = maxLineBytes
        self.maxEventBytes = maxEventBytes
    }

    public mutating func feed(_ bytes: [UInt8], _ emit: (ServerSentEvent) -> Void) throws(Failure) {
        // withUnsafeBytes rethrows untyped errors; carry the typed one out by hand.
        var failure: Failure?
        bytes.withUnsafeBytes { raw in
            do throws(Failure) { try feed(raw, emit) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Parses `bytes`, calling `emit` for each complete event, in order.
    ///
    /// A line that lies whole in `bytes` is read where it lies, and so is the data of an event whose one `data:`
    /// line and blank line both do (a stream event usually arrives in one read): only a line or an event cut
    /// between reads is copied into the parser's buffers, so a stream waiting between events holds none.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (ServerSentEvent) -> Void) throws(Failure) {
        // The current event's data while it is a single line inside `bytes`; copied into `data` otherwise.
        var inPlaceData: UnsafeRawBufferPointer?
        var start = 0
        var searchFrom = 0
        while let index = Self.lineBreak(in: bytes, from: searchFrom) {
            let byte = bytes[index]
            searchFrom = index + 1
            if byte == 0x0A && previousWasCR && index == start && line.isEmpty {
                // The LF of a CRLF whose CR ended the previous line.
                previousWasCR = false
                start = index + 1
                continue
            }
            if line.isEmpty {
                try endLine(UnsafeRawBufferPointer(rebasing: bytes[start..<index]), stable: true, inPlace: &inPlaceData, emit)
            } else {
                // The line began in an earlier read: finish it in the buffer, then read it from there.
                try append(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
                var whole: [UInt8] = []
                swap(&whole, &line)
                var failure: Failure?
                whole.withUnsafeBytes { raw in
                    do throws(Failure) { try endLine(raw, stable: false, inPlace: &inPlaceData, emit) } catch { failure = error }
                }
                if let failure { throw failure }
                whole.removeAll(keepingCapacity: true)
                swap(&whole, &line)
            }
            previousWasCR = byte == 0x0D
            start = index + 1
        }
        if let pending = inPlaceData {
            // The event goes on in the next read: its data can no longer point into this one.
            data.append(contentsOf: pending)
        }
        if start < bytes.count {
            previousWasCR = false
            try append(UnsafeRawBufferPointer(rebasing: bytes[start...]))
        }
    }

    /// The first CR or LF at or after `from`, found with memchr (a stream event is one line of a few hundred
    /// bytes: a byte-by-byte loop was the parser's largest cost).
    private static func lineBreak(in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard from < bytes.count, let base = bytes.baseAddress else { return nil }
        let start = base + from
        let lineFeed = memchr(start, 0x0A, bytes.count - from)
        let span = lineFeed.map { start.distance(to: UnsafeRawPointer($0)) } ?? bytes.count - from
        if let carriageReturn = memchr(start, 0x0D, span) { return from + start.distance(to: UnsafeRawPointer(carriageReturn)) }
        return lineFeed.map { _ in from + span }
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
        guard !bytes.isEmpty else { return }
        guard line.count + bytes.count <= maxLineBytes else { throw .lineTooLong }
        line.append(contentsOf: bytes)
    }

    /// One line, without its end. `stable`: the line stays where it is until `feed` returns (it lies in the
    /// caller's bytes, not in the parser's buffer), so the event's data may point into it: `inPlace`.
    private mutating func endLine(
        _ whole: UnsafeRawBufferPointer, stable: Bool, inPlace: inout UnsafeRawBufferPointer?,
        _ emit: (ServerSentEvent) -> Void
    ) throws(Failure) {
        var line = whole
        if isFirstLine {
            isFirstLine = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line = UnsafeRawBufferPointer(rebasing: line[3...]) }
        }
        guard line.count <= maxLineBytes else { throw .lineTooLong }
        if line.isEmpty {
            dispatch(inPlace: &inPlace, emit)
            return
        }
        if line[0] == 0x3A { return }  // ":" comment
        let colon = line.firstIndex(of: 0x3A) ?? line.count
        var valueStart = min(colon + 1, line.count)
        if valueStart < line.count && line[valueStart] == 0x20 { valueStart += 1 }
        let value = UnsafeRawBufferPointer(rebasing: line[valueStart...])
        switch String(decoding: line[0..<colon], as: UTF8.self) {
        case "data":
            if stable && !hasData {
                inPlace = value
            } else {
                if let pending = inPlace {
                    data.append(contentsOf: pending)
                    inPlace = nil
                }
                if hasData { data.append(0x0A) }
                data.append(contentsOf: value)
            }
            hasData = true
            guard data.count + (inPlace?.count ?? 0) <= maxEventBytes else { throw .eventTooLarge }
        case "event":
            eventType = String(decoding: value, as: UTF8.self)
        case "id":
            // An id containing NUL is ignored (the standard).
            if !value.contains(0) { eventID = String(decoding: value, as: UTF8.self) }
        default:
            break  // "retry" and unknown fields are of no use to a server-side consumer.
        }
    }

    private mutating func dispatch(inPlace: inout UnsafeRawBufferPointer?, _ emit: (ServerSentEvent) -> Void) {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            eventType = nil
            inPlace = nil
        }
        guard hasData else { return }
        let text = inPlace.map { String(decoding: $0, as: UTF8.self) } ?? String(decoding: data, as: UTF8.self)
        emit(ServerSentEvent(event: eventType, data: text, id: eventID))
    }
}
