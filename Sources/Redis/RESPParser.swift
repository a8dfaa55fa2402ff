/// The outcome of offering bytes to `RESPParser`.
public enum RESPParseResult: Sendable, Equatable {
    /// One whole reply was read from the start of the input; `consumed` bytes belong to it (a pipelined
    /// reply may follow).
    case value(RESPValue, consumed: Int)
    /// The reply is not complete yet; offer the same bytes again, from the same first byte, with more appended.
    case needMore
    /// The bytes are not RESP; the connection's framing is lost and it must be closed.
    case failure(RESPParseError)
}

/// A strict reader of one Redis reply, RESP2 or RESP3, from the start of a buffer.
///
/// The interface is picohttpparser's: stateless, no I/O, never a read past the buffer; the answer is a value
/// and the bytes it consumed, *need more*, or an error. The caller (the connection that owns the read
/// buffer) offers the pending bytes from the first byte of the reply each time more arrive, and drops
/// `consumed` bytes after a value. Every strict prefix of a reply is *need more*, never an error, and an
/// error found in a prefix is the same error on any longer input.
///
/// Errors come as early as the bytes allow: a declared length or count that is malformed, negative (other
/// than RESP2's `-1` null), or over `RESPParserLimits` fails as soon as its header line is complete, before
/// the data it announces; a line longer than `maxLineBytes` fails without waiting for its CRLF. Only CRLF
/// ends a line: a bare CR or bare LF is an error, since a reader lenient about line ends could frame a
/// reply differently from the server that wrote it.
///
/// Nesting is read with an explicit stack of open aggregates (hiredis's `read.c` keeps its task stack the
/// same way), so the call stack does not grow with depth; `maxDepth` bounds the heap stack and the recursion
/// that later compares or frees the value. RESP3 attributes (`|`) are read and dropped: the parser returns
/// the value they annotate, with the attribute's bytes counted in `consumed`.
///
/// Cost: one pass, allocating the returned value and, for an aggregate, a stack of its open levels (bulk
/// data is copied once into `[UInt8]`, never into a `String`); a *need more* answer drops what was built. Since no state is kept between calls, a reply that arrives in k reads is scanned k times: cheap
/// for the small replies of a request's hot path and for large bulk strings (whose data is not scanned),
/// quadratic only for a large aggregate trickling in.
/// Spec: https://github.com/redis/redis-specifications/blob/master/protocol/RESP3.md (RESP2 is its subset).
public enum RESPParser {
    /// Parses one complete reply from the start of `bytes`; stateless, no I/O.
    public static func parse(_ bytes: UnsafeRawBufferPointer, limits: RESPParserLimits = .default) -> RESPParseResult {
        var index = 0
        // Aggregates whose header is read and whose elements are still to come, innermost last. A scalar
        // reply never appends, so the array never allocates.
        var open: [OpenAggregate] = []
        reading: while true {
            var value: RESPValue
            switch readElement(bytes, at: &index, depth: open.count, limits: limits) {
            case .value(let scalar):
                value = scalar
            case .open(let aggregate):
                guard aggregate.isComplete else {
                    open.append(aggregate)
                    continue reading
                }
                // An empty aggregate is whole at once; an empty attribute is simply gone.
                guard let empty = aggregate.finish() else { continue reading }
                value = empty
            case .needMore:
                return .needMore
            case .failure(let error):
                return .failure(error)
            }
            // The value may be the last element of one or more aggregates: finish them, innermost first.
            while !open.isEmpty {
                let innermost = open.count - 1
                open[innermost].append(value)
                guard open[innermost].isComplete else { continue reading }
                // A finished attribute yields nothing: the next value read takes its place.
                guard let finished = open.removeLast().finish() else { continue reading }
                value = finished
            }
            return .value(value, consumed: index)
        }
    }

    /// Parses one complete reply from the start of `bytes`; stateless, no I/O.
    public static func parse(_ bytes: [UInt8], limits: RESPParserLimits = .default) -> RESPParseResult {
        bytes.withUnsafeBytes { parse($0, limits: limits) }
    }

    /// What reading one value's header (and, for a scalar, its data) produced.
    enum Step {
        case value(RESPValue)
        /// An aggregate's header: its elements are the values read next.
        case open(OpenAggregate)
        case needMore
        case failure(RESPParseError)
    }

    /// Reads the value that starts at `index`; on success moves `index` past what it read (an aggregate's
    /// header line only, a scalar whole).
    static func readElement(
        _ bytes: UnsafeRawBufferPointer, at index: inout Int, depth: Int, limits: RESPParserLimits
    ) -> Step {
        guard index < bytes.count else { return .needMore }
        // An unknown type byte is an error at once: no line after it could make it valid.
        guard let type = RESPTypeByte(rawValue: bytes[index]) else { return .failure(.unknownType(bytes[index])) }
        let lineStart = index + 1
        let lineEnd: Int
        switch scanLine(bytes, from: lineStart, limits: limits) {
        case .end(let end): lineEnd = end
        case .needMore: return .needMore
        case .failure(let error): return .failure(error)
        }
        let afterLine = lineEnd + 2

        let value: RESPValue
        switch type {
        case .simpleString:
            value = .simpleString(text(bytes, from: lineStart, to: lineEnd))
        case .simpleError:
            value = .error(text(bytes, from: lineStart, to: lineEnd))
        case .integer:
            guard let integer = integer(bytes, from: lineStart, to: lineEnd) else { return .failure(.invalidInteger) }
            value = .integer(integer)
        case .null:
            guard lineEnd == lineStart else { return .failure(.invalidNull) }
            value = .null
        case .boolean:
            guard let boolean = boolean(bytes, from: lineStart, to: lineEnd) else { return .failure(.invalidBoolean) }
            value = .boolean(boolean)
        case .double:
            guard let double = double(bytes, from: lineStart, to: lineEnd) else { return .failure(.invalidDouble) }
            value = .double(double)
        case .bigNumber:
            guard isBigNumber(bytes, from: lineStart, to: lineEnd) else { return .failure(.invalidBigNumber) }
            value = .bigNumber(text(bytes, from: lineStart, to: lineEnd))
        case .bulkString, .blobError, .verbatim:
            return readBlob(type, bytes, at: &index, lineStart: lineStart, lineEnd: lineEnd, limits: limits)
        case .array, .set, .push, .map, .attribute:
            return openAggregate(type, bytes, at: &index, lineStart: lineStart, lineEnd: lineEnd, depth: depth, limits: limits)
        }
        index = afterLine
        return .value(value)
    }

    /// Where a line ends.
    enum LineScan {
        /// The index of the line's CR; its LF follows, inside the buffer.
        case end(Int)
        case needMore
        case failure(RESPParseError)
    }

    /// Finds the CRLF that ends the line starting at `start`. Looks at no more than `maxLineBytes` + 1 bytes
    /// (the content and a CR): a longer line is an error once its first byte over the limit has arrived.
    static func scanLine(_ bytes: UnsafeRawBufferPointer, from start: Int, limits: RESPParserLimits) -> LineScan {
        let count = bytes.count
        let limit = max(0, limits.maxLineBytes)
        // Compared before adding, so that a limit near Int.max cannot overflow.
        let available = count - start
        let stop = available > limit ? start + limit + 1 : count
        var index = start
        while index < stop {
            let byte = bytes[index]
            if byte == RESPByte.cr {
                guard index + 1 < count else { return .needMore }
                guard bytes[index + 1] == RESPByte.lf else { return .failure(.bareCarriageReturn) }
                return .end(index)
            }
            if byte == RESPByte.lf { return .failure(.bareLineFeed) }
            index += 1
        }
        return index - start > limit ? .failure(.lineTooLong) : .needMore
    }
}
