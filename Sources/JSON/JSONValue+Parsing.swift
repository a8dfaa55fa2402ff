extension JSONValue {
    /// Parses one JSON document (RFC 8259), strictly, from `bytes`.
    ///
    /// The whole buffer must be the document: whitespace (SP, HTAB, LF, CR) may surround the value, nothing
    /// else may. Rejected: comments, trailing commas, single quotes, NaN and Infinity, leading zeros, `+1`,
    /// `.5`, `1.`, unescaped control characters in strings, unknown escapes, unpaired UTF-16 surrogates in
    /// `\u` escapes, ill-formed UTF-8 anywhere, a byte order mark, numbers beyond Double's range, and nesting
    /// deeper than `limits.maxDepth`. Numbers without fraction or exponent that fit an Int become `.integer`;
    /// every other number becomes `.double` (`-0` too, so its sign survives a round trip). When a key
    /// repeats, the last value wins and keeps the first occurrence's place.
    ///
    /// One pass over the buffer, never reading outside it; the buffer is only borrowed for the call.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, limits: JSONParserLimits = JSONParserLimits()
    ) throws(JSONError) -> JSONValue {
        try bytes.withMemoryRebound(to: UInt8.self) { (buffer) throws(JSONError) -> JSONValue in
            try parse(buffer, limits: limits)
        }
    }

    /// Parses one JSON document from `bytes`; see `parse(_: UnsafeRawBufferPointer, limits:)`.
    public static func parse(_ bytes: [UInt8], limits: JSONParserLimits = JSONParserLimits()) throws(JSONError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) -> JSONValue in
            try parse(buffer, limits: limits)
        }
    }

    /// Parses one JSON document from `bytes`; offsets in errors count from the slice's first byte.
    public static func parse(
        _ bytes: ArraySlice<UInt8>, limits: JSONParserLimits = JSONParserLimits()
    ) throws(JSONError) -> JSONValue {
        // This closure is not typed-throws yet, so the error travels back inside a Result.
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONError) -> JSONValue in try parse(buffer, limits: limits) }
        }
        return try result.get()
    }

    /// Parses one JSON document from the UTF-8 of `text`; offsets in errors count UTF-8 bytes.
    /// Parsing bytes as they arrived is cheaper: this makes the text contiguous UTF-8 first if it is not.
    public static func parse(_ text: String, limits: JSONParserLimits = JSONParserLimits()) throws(JSONError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONError) -> JSONValue in try parse(buffer, limits: limits) }
        }
        return try result.get()
    }

    static func parse(_ buffer: UnsafeBufferPointer<UInt8>, limits: JSONParserLimits) throws(JSONError) -> JSONValue {
        var parser = JSONParser(bytes: buffer, maxDepth: limits.maxDepth)
        return try parser.parseDocument()
    }
}
