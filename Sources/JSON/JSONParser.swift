import Glibc

/// A one-pass, recursive-descent reader of one JSON document (RFC 8259) held in a borrowed buffer.
///
/// Owned by the single call to `JSONValue.parse` that creates it; it never outlives the buffer and never
/// reads outside it. Each open array or object costs one level of recursion, bounded by `maxDepth`.
/// Strings, escapes and UTF-8 are in JSONParser+Strings.swift, numbers in JSONParser+Numbers.swift.
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    /// The offset of the next byte to read.
    var position = 0
    /// How many arrays and objects are open.
    var depth = 0
    /// Where strings with escapes are decoded; kept across strings so its capacity is allocated once.
    var scratch: [UInt8] = []
    /// The elements of every open array, innermost last. Each array is copied out once, at its exact size,
    /// when it closes: one allocation per array instead of one per doubling.
    var elementStack: [JSONValue] = []
    /// The members of every open object, innermost last; copied out the same way when the object closes.
    var memberStack: [(key: String, value: JSONValue)] = []

    /// Objects with more members than this get a hash index while parsing, so that finding repeated keys
    /// stays linear in the document's size even for an object with a million members.
    static let indexedObjectThreshold = 12

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Reads the whole document, building what `selection` names (`.all`: everything; see `JSONSelection`).
    mutating func parseDocument(selecting selection: JSONSelection = .all) throws(JSONError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue(selecting: selection)
        skipWhitespace()
        if position < bytes.count {
            throw failure("unexpected \(JSONError.describe(bytes[position])) after the JSON value")
        }
        return value
    }

    /// Reads the value starting at `position` (whitespace already skipped).
    mutating func parseValue() throws(JSONError) -> JSONValue {
        guard position < bytes.count else { throw unexpected("a value") }
        switch bytes[position] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw unexpected("a value")
        }
    }

    /// Reads an array, each element with `each` (nil: whole).
    mutating func parseArray(each: JSONSelection? = nil) throws(JSONError) -> JSONValue {
        if try enterContainer(closingWith: UInt8(ascii: "]")) { return .array([]) }
        if elementStack.capacity == 0 { elementStack.reserveCapacity(16) }
        let base = elementStack.count
        while true {
            let element: JSONValue
            if let each { element = try parseValue(selecting: each) } else { element = try parseValue() }
            elementStack.append(element)
            if try closes(UInt8(ascii: "]"), expecting: "',' or ']' after array element", trailingComma: "trailing comma in array") {
                return .array(elementStack.popSuffix(from: base))
            }
        }
    }

    /// Reads an object, keeping only the members `wanted` names, each with its own selection (nil: every member,
    /// whole); the others are checked by `skipValue` and left out.
    mutating func parseObject(keeping wanted: [(key: String, selection: JSONSelection)]? = nil) throws(JSONError) -> JSONValue {
        if try enterContainer(closingWith: UInt8(ascii: "}")) { return .object(JSONObject()) }
        if memberStack.capacity == 0 { memberStack.reserveCapacity(16) }
        let base = memberStack.count
        // Built only once the object outgrows a linear scan; maps each key to its place in `memberStack`.
        var index: [ExactKey: Int] = [:]
        while true {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw unexpected("a string key in object")
            }
            let key: String
            let chosen: JSONSelection?
            if let wanted, let match = matchPlainKey(in: wanted) {
                // Matched by its bytes: a kept member takes the wanted key's own string, a skipped one needs none.
                key = match >= 0 ? wanted[match].key : ""
                chosen = match >= 0 ? wanted[match].selection : nil
            } else {
                key = try parseString()
                chosen = wanted.flatMap { Self.selection(of: key, in: $0) }
            }
            try expectColon()
            if wanted != nil {
                if let chosen {
                    let value = try parseValue(selecting: chosen)
                    Self.insert(key: key, value: value, into: &memberStack, from: base, index: &index)
                } else {
                    try skipValue()
                }
            } else {
                let value = try parseValue()
                Self.insert(key: key, value: value, into: &memberStack, from: base, index: &index)
            }
            if try closes(UInt8(ascii: "}"), expecting: "',' or '}' after object member", trailingComma: "trailing comma in object") {
                return .object(JSONObject(memberStack.popSuffix(from: base)))
            }
        }
    }

    /// For a selective read, the key at `position` when it is plain (ASCII, no escape, no control byte: nearly
    /// every key), read where it lies and matched against `wanted` by its bytes, so that no string is made for
    /// it: the index of the entry naming it, or -1 when none does; `position` is then after its closing quote.
    /// nil for any other key, with `position` unchanged, for `parseString` to read (and to report its errors).
    mutating func matchPlainKey(in wanted: [(key: String, selection: JSONSelection)]) -> Int? {
        guard let end = plainStringEnd(openingAt: position) else { return nil }
        let start = position + 1
        position = end + 1
        let length = end - start
        let raw = UnsafeRawPointer(bytes.baseAddress! + start)
        for index in wanted.indices where wanted[index].key.utf8.count == length {
            let same = wanted[index].key.utf8.withContiguousStorageIfAvailable { key in
                length == 0 || memcmp(key.baseAddress!, raw, length) == 0
            }
            if same ?? wanted[index].key.utf8.elementsEqual(bytes[start..<end]) { return index }
        }
        return -1
    }

    /// After an element or a member: a comma (another must follow, so `closing` right after it is a trailing
    /// comma) is false; `closing` ends the container (true); anything else is an error.
    @inline(__always)
    mutating func closes(_ closing: UInt8, expecting: StaticString, trailingComma: String) throws(JSONError) -> Bool {
        skipWhitespace()
        guard position < bytes.count else { throw unexpected(expecting) }
        switch bytes[position] {
        case UInt8(ascii: ","):
            let comma = position
            position += 1
            skipWhitespace()
            if position < bytes.count, bytes[position] == closing { throw failure(trailingComma, at: comma) }
            return false
        case closing:
            position += 1
            depth -= 1
            return true
        default:
            throw unexpected(expecting)
        }
    }

    /// Adds a member to the object whose members start at `base` in `members`; a repeated key replaces the
    /// earlier value where it stands (the last value wins).
    static func insert(
        key: String, value: JSONValue, into members: inout [(key: String, value: JSONValue)], from base: Int,
        index: inout [ExactKey: Int]
    ) {
        let count = members.count - base
        if count < indexedObjectThreshold {
            for position in base..<members.count where JSONObject.sameKey(members[position].key, key) {
                members[position].value = value
                return
            }
            members.append((key, value))
            return
        }
        if index.isEmpty {
            index.reserveCapacity(count * 2)
            for position in base..<members.count {
                index[ExactKey(string: members[position].key)] = position
            }
        }
        let exactKey = ExactKey(string: key)
        if let position = index[exactKey] {
            members[position].value = value
        } else {
            index[exactKey] = members.count
            members.append((key, value))
        }
    }

    /// Counts one more open container, refusing the one that would pass `maxDepth`.
    /// Opens the array or object whose bracket is at `position` (one level deeper, within the depth limit) and
    /// moves past it and any whitespace. Returns true when `close` follows at once: the empty container is
    /// then read whole and its level closed again.
    @inline(__always)
    mutating func enterContainer(closingWith close: UInt8) throws(JSONError) -> Bool {
        guard depth < maxDepth else { throw failure("nesting deeper than \(maxDepth) levels") }
        depth += 1
        position += 1
        skipWhitespace()
        guard position < bytes.count, bytes[position] == close else { return false }
        position += 1
        depth -= 1
        return true
    }

    /// The colon between an object's key and its value, with the whitespace around it.
    @inline(__always)
    mutating func expectColon() throws(JSONError) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
            throw unexpected("':' after object key")
        }
        position += 1
        skipWhitespace()
    }

    /// Consumes `literal` (true, false or null) at `position`, which holds its first letter.
    mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let length = literal.utf8CodeUnitCount
        let expected = literal.utf8Start
        guard bytes.count - position >= length else { throw failure("invalid literal, expected '\(literal)'") }
        for offset in 1..<length where bytes[position + offset] != expected[offset] {
            throw failure("invalid literal, expected '\(literal)'")
        }
        position += length
    }

    /// Skips the four bytes RFC 8259 §2 calls whitespace, and nothing else.
    @inline(__always)
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    /// The error for finding the byte at `position`, or the end of the input, where `expectation` was due.
    @inline(__always)
    func unexpected(_ expectation: StaticString) -> JSONError {
        Self.unexpected(expectation, in: bytes, at: position)
    }

    /// Out of line, and given only what it reads, on purpose: message building kept in the recursive
    /// functions would swell each of their stack frames, and the depth limit's promise is made in frames.
    @inline(never)
    static func unexpected(_ expectation: StaticString, in bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> JSONError {
        guard offset < bytes.count else {
            return JSONError(offset: offset, message: "unexpected end of input, expected \(expectation)")
        }
        return JSONError(offset: offset, message: "expected \(expectation), found \(JSONError.describe(bytes[offset]))")
    }

    /// An error about the byte at `offset` (the current position unless given).
    func failure(_ message: String, at offset: Int? = nil) -> JSONError {
        JSONError(offset: offset ?? position, message: message)
    }
}

extension Array {
    /// Takes the elements from `base` on off the end of a parser stack. The copy reads the buffer through a
    /// pointer: a slice of the array would keep its buffer shared until the end of the scope, so the removal
    /// after it would copy the whole stack first. The removal is one element at a time: `removeLast(_:)` goes
    /// through the general `replaceSubrange`.
    mutating func popSuffix(from base: Int) -> [Element] {
        let suffix = withUnsafeBufferPointer { Array($0[base...]) }
        while count > base { removeLast() }
        return suffix
    }
}
