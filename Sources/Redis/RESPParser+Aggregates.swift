/// The parser's aggregates: reading a header line (`*`, `~`, `>`, `%`, `|`) and collecting the elements
/// that follow it on the explicit stack.
extension RESPParser {
    /// Reads an aggregate's header line `lineStart..<lineEnd`, found at nesting `depth` (the aggregates
    /// already open around it). Count and depth are checked against the limits before any element is awaited.
    static func openAggregate(
        _ type: RESPTypeByte, _ bytes: UnsafeRawBufferPointer, at index: inout Int, lineStart: Int, lineEnd: Int,
        depth: Int, limits: RESPParserLimits
    ) -> Step {
        let declared: Int64
        switch declaredLength(bytes, from: lineStart, to: lineEnd) {
        case .success(let count): declared = count
        case .failure(let error): return .failure(error)
        }
        // RESP2's null array; RESP3 sends `_` and has no negative count for its own aggregates.
        if declared == -1 && type == .array {
            index = lineEnd + 2
            return .value(.null)
        }
        guard declared >= 0 else { return .failure(.invalidLength) }
        guard depth < limits.maxDepth else { return .failure(.tooDeep) }
        // A map or attribute reads two values per pair, so its count must also double without overflow.
        guard declared <= limits.maxElements && declared <= Int64(Int.max / 2) else { return .failure(.tooManyElements) }
        index = lineEnd + 2
        return .open(OpenAggregate(type: type, count: Int(declared), availableBytes: bytes.count - index))
    }

    /// An aggregate whose header has been read and whose elements are still arriving: one entry of the
    /// parser's explicit stack (hiredis's `redisReadTask`), so nesting costs heap, not call stack. Owned by
    /// one call of `parse`, never shared.
    struct OpenAggregate {
        let type: RESPTypeByte
        /// Values still to read; a map or attribute reads two per pair.
        private(set) var remaining: Int
        private var elements: [RESPValue] = []
        private var pairs: [RESPPair] = []
        /// A map's key, waiting for its value.
        private var pendingKey: RESPValue? = nil

        /// The smallest RESP value (`_\r\n`) is three bytes: no more elements than the bytes already here
        /// could hold are reserved, so a header declaring a million elements costs nothing until they arrive.
        private static let smallestValueBytes = 3

        init(type: RESPTypeByte, count: Int, availableBytes: Int) {
            self.type = type
            let isKeyed = type == .map || type == .attribute
            remaining = isKeyed ? count * 2 : count
            let fitting = min(remaining, availableBytes / Self.smallestValueBytes)
            switch type {
            case .map: pairs.reserveCapacity(fitting / 2)
            case .attribute: break
            default: elements.reserveCapacity(fitting)
            }
        }

        var isComplete: Bool { remaining == 0 }

        mutating func append(_ value: RESPValue) {
            remaining -= 1
            switch type {
            case .map:
                if let key = pendingKey {
                    pendingKey = nil
                    pairs.append(RESPPair(key: key, value: value))
                } else {
                    pendingKey = value
                }
            case .attribute:
                // What an attribute says (key popularity, TTL hints) is not returned; only its framing counts.
                break
            default:
                elements.append(value)
            }
        }

        /// The finished value; nil for an attribute, which annotates the value after it and is dropped.
        func finish() -> RESPValue? {
            switch type {
            case .array: return .array(elements)
            case .set: return .set(elements)
            case .push: return .push(elements)
            case .map: return .map(pairs)
            case .attribute: return nil
            default: preconditionFailure("OpenAggregate holds only aggregate types, not \(type)")
            }
        }
    }
}
