/// Which parts of a document to build, for a reader that needs a few members of a large or frequent document
/// (a stream chunk's delta, an answer's message and usage) and not the rest.
///
/// `JSONValue.parse(_:selecting:)` validates the whole document exactly as `parse` does (the same rules, limits
/// and errors), but builds only what the selection names: the members it skips cost a scan, not a tree. The
/// result is what `parse` then `pruned(to:)` gives.
///
/// A struct over arrays rather than an indirect enum: a selection is usually a `static let`, and an indirect
/// enum's boxes are held by tagged pointers that LeakSanitizer cannot follow (it reports them as leaked).
public struct JSONSelection: Sendable {
    enum Kind: Sendable { case all, members, elements }

    let kind: Kind
    /// For `.members`: the members to keep, each with its own selection.
    let wanted: [(key: String, selection: JSONSelection)]
    /// For `.elements`: the one selection every element gets.
    let each: [JSONSelection]

    /// The whole value.
    public static let all = JSONSelection(kind: .all, wanted: [], each: [])

    /// An object's named members, each with its own selection; the others are left out. Any other value is
    /// kept whole.
    public static func members(_ wanted: [(key: String, selection: JSONSelection)]) -> JSONSelection {
        JSONSelection(kind: .members, wanted: wanted, each: [])
    }

    /// Every element of an array with the same selection. Any other value is kept whole.
    public static func elements(_ each: JSONSelection) -> JSONSelection {
        JSONSelection(kind: .elements, wanted: [], each: [each])
    }
}

extension JSONValue {
    /// Parses one JSON document from `bytes` as `parse` does, building only what `selection` names.
    public static func parse(
        _ bytes: [UInt8], selecting selection: JSONSelection, limits: JSONParserLimits = JSONParserLimits()
    ) throws(JSONError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) -> JSONValue in
            try parse(buffer, selecting: selection, limits: limits)
        }
    }

    /// Parses one JSON document from the UTF-8 of `text` as `parse` does, building only what `selection` names.
    public static func parse(
        _ text: String, selecting selection: JSONSelection, limits: JSONParserLimits = JSONParserLimits()
    ) throws(JSONError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONError) -> JSONValue in try parse(buffer, selecting: selection, limits: limits) }
        }
        return try result.get()
    }

    static func parse(
        _ buffer: UnsafeBufferPointer<UInt8>, selecting selection: JSONSelection, limits: JSONParserLimits
    ) throws(JSONError) -> JSONValue {
        var parser = JSONParser(bytes: buffer, maxDepth: limits.maxDepth)
        return try parser.parseDocument(selecting: selection)
    }

    /// This value with only what `selection` names: what `parse(_:selecting:)` builds from the same document.
    public func pruned(to selection: JSONSelection) -> JSONValue {
        switch (selection.kind, self) {
        case (.members, .object(let object)):
            return .object(JSONObject(object.members.compactMap { member in
                guard let chosen = JSONParser.selection(of: member.key, in: selection.wanted) else { return nil }
                return (member.key, member.value.pruned(to: chosen))
            }))
        case (.elements, .array(let elements)):
            return .array(elements.map { $0.pruned(to: selection.each[0]) })
        default:
            return self
        }
    }
}

extension JSONParser {
    /// Reads the value at `position` (whitespace skipped), building only what `selection` names.
    mutating func parseValue(selecting selection: JSONSelection) throws(JSONError) -> JSONValue {
        guard position < bytes.count else { throw unexpected("a value") }
        switch selection.kind {
        case .members where bytes[position] == UInt8(ascii: "{"):
            return try parseObject(keeping: selection.wanted)
        case .elements where bytes[position] == UInt8(ascii: "["):
            return try parseArray(each: selection.each[0])
        default:
            return try parseValue()
        }
    }

    /// The selection `wanted` gives `key`, or nil when the member is to be skipped.
    @inline(__always)
    static func selection(of key: String, in wanted: [(key: String, selection: JSONSelection)]) -> JSONSelection? {
        // Over indices: iterating the entries would copy each one (its key and its selection) to compare a key.
        for index in wanted.indices where JSONObject.sameKey(wanted[index].key, key) { return wanted[index].selection }
        return nil
    }

    /// Checks the value at `position` as `parseValue` would, building nothing (or as little as its checks need),
    /// and leaves `position` after it. The same rules, depth limit and errors as `parseValue`.
    mutating func skipValue() throws(JSONError) {
        guard position < bytes.count else { throw unexpected("a value") }
        switch bytes[position] {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "{"): try skipObject()
        case UInt8(ascii: "["): try skipArray()
        default: _ = try parseValue()
        }
    }

    /// A string whose bytes are all ASCII and free of escapes is only scanned; any other goes through
    /// `parseString`, for the same checks (escapes, surrogates, UTF-8) and the same errors.
    mutating func skipString() throws(JSONError) {
        if let end = plainStringEnd(openingAt: position) {
            position = end + 1
            return
        }
        _ = try parseString()
    }

    mutating func skipObject() throws(JSONError) {
        if try enterContainer(closingWith: UInt8(ascii: "}")) { return }
        while true {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw unexpected("a string key in object")
            }
            try skipString()
            try expectColon()
            try skipValue()
            if try closes(UInt8(ascii: "}"), expecting: "',' or '}' after object member", trailingComma: "trailing comma in object") {
                return
            }
        }
    }

    mutating func skipArray() throws(JSONError) {
        if try enterContainer(closingWith: UInt8(ascii: "]")) { return }
        while true {
            try skipValue()
            if try closes(UInt8(ascii: "]"), expecting: "',' or ']' after array element", trailingComma: "trailing comma in array") {
                return
            }
        }
    }
}
