// libFuzzer harness for the RESP parser and encoder. Built by `FUZZ_TARGET=resp Fuzz/run.sh`, which compiles
// this file together with Sources/Redis/RESP*.swift as one module, so there is no `import Redis`; only what
// those files declare is used, and they must not depend on the rest of Sources/Redis.
//
// The input is a connection's byte stream from a Redis server. It is read as a pipeline of replies, once
// with the default limits and once with small limits chosen by the input, and every answer is checked
// against the parser's contract: consumed bytes within the input; every strict prefix of a reply is
// needMore; a prefix of failing input is needMore or the same error, and once failing stays failing;
// a parsed value respects the limits and reads back equal (and re-encodes to the same bytes) after
// encoding; small limits change an answer only by failing on a limit. Every invariant is a precondition
// (`invariant`, which keeps its message in -O builds), so libFuzzer reports a violation as a crash.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let first: UInt8 = size > 0 ? input[0] : 0
    let last: UInt8 = size > 0 ? input[size - 1] : 0
    let selector = first &+ last &* 31 &+ UInt8(truncatingIfNeeded: size)

    let standard = readPipeline(input, limits: .default)
    let small = smallLimits(selector)
    let limited = readPipeline(input, limits: small)
    compareUnderLimits(standard: standard, limited: limited, small: small)
    return 0
}

// MARK: Reading a pipeline

/// What one call of `parse` answered, at which offset of the stream.
struct Answer {
    let offset: Int
    let result: RESPParseResult
}

/// Reads replies one after another, as a connection does, until the stream ends, is incomplete or fails.
/// Checks each answer on the way.
func readPipeline(_ stream: UnsafeRawBufferPointer, limits: RESPParserLimits) -> [Answer] {
    var answers: [Answer] = []
    var offset = 0
    while true {
        let pending = UnsafeRawBufferPointer(rebasing: stream[offset...])
        let result = RESPParser.parse(pending, limits: limits)
        answers.append(Answer(offset: offset, result: result))
        checkPrefixes(pending, answer: result, limits: limits)
        guard case .value(let value, let consumed) = result else { return answers }
        invariant(consumed > 0 && consumed <= pending.count, "consumed \(consumed) of \(pending.count) bytes")
        checkLimits(value, limits: limits, depth: 0)
        checkRoundTrip(value, limits: limits)
        offset += consumed
        if offset == stream.count { return answers }
    }
}

/// The cuts at which prefixes are offered: every one for short input, a spread of them for long input.
func cuts(upTo length: Int) -> [Int] {
    if length <= 96 { return Array(0..<length) }
    var result = Array(0..<16) + Array(length - 16..<length)
    let step = max(1, length / 48)
    result += stride(from: 16, to: length - 16, by: step)
    return result.sorted()
}

/// Every strict prefix of a reply is needMore. A prefix of failing input is needMore or the same failure,
/// and once a prefix fails every longer one does. A prefix of incomplete input is incomplete.
func checkPrefixes(_ pending: UnsafeRawBufferPointer, answer: RESPParseResult, limits: RESPParserLimits) {
    switch answer {
    case .value(_, let consumed):
        for cut in cuts(upTo: consumed) {
            let result = RESPParser.parse(UnsafeRawBufferPointer(rebasing: pending[0..<cut]), limits: limits)
            invariant(result == .needMore, "prefix of \(cut)/\(consumed) bytes of a reply: \(result)")
        }
    case .failure:
        var failedAt: Int? = nil
        for cut in cuts(upTo: pending.count) {
            let result = RESPParser.parse(UnsafeRawBufferPointer(rebasing: pending[0..<cut]), limits: limits)
            if result == .needMore {
                invariant(failedAt == nil, "prefix of \(cut) bytes needs more after failing at \(failedAt!)")
                continue
            }
            invariant(result == answer, "prefix of \(cut)/\(pending.count) bytes: \(result), whole: \(answer)")
            if failedAt == nil { failedAt = cut }
        }
    case .needMore:
        for cut in cuts(upTo: pending.count) {
            let result = RESPParser.parse(UnsafeRawBufferPointer(rebasing: pending[0..<cut]), limits: limits)
            invariant(result == .needMore, "prefix of \(cut) bytes of incomplete input: \(result)")
        }
    }
}

// MARK: Values

/// A parsed value is within the limits it was parsed under.
func checkLimits(_ value: RESPValue, limits: RESPParserLimits, depth: Int) {
    func children(_ elements: [RESPValue]) {
        invariant(depth < limits.maxDepth, "aggregate at depth \(depth + 1) over maxDepth \(limits.maxDepth)")
        invariant(elements.count <= limits.maxElements, "\(elements.count) elements over maxElements \(limits.maxElements)")
        for element in elements { checkLimits(element, limits: limits, depth: depth + 1) }
    }
    switch value {
    case .bulkString(let bytes):
        invariant(bytes.count <= limits.maxBulkBytes, "bulk of \(bytes.count) bytes over maxBulkBytes")
    case .verbatim(let format, let text):
        invariant(format.utf8.count == 3 && text.count + 4 <= limits.maxBulkBytes, "verbatim over maxBulkBytes")
    case .simpleString(let text):
        invariant(!text.utf8.contains(0x0D) && !text.utf8.contains(0x0A), "line break in a simple string")
    case .array(let elements), .set(let elements), .push(let elements):
        children(elements)
    case .map(let pairs):
        invariant(depth < limits.maxDepth, "map at depth \(depth + 1) over maxDepth")
        invariant(pairs.count <= limits.maxElements, "\(pairs.count) pairs over maxElements")
        for pair in pairs {
            checkLimits(pair.key, limits: limits, depth: depth + 1)
            checkLimits(pair.value, limits: limits, depth: depth + 1)
        }
    case .error, .integer, .null, .double, .boolean, .bigNumber:
        break
    }
}

/// Encoding a parsed value and parsing it again gives an equal value, and encoding that gives the same
/// bytes. Line and bulk limits are lifted for the second parse: UTF-8 repair of a simple string or error
/// (each invalid byte becomes three) can lengthen it. Depth and element limits stay: encoding keeps both.
func checkRoundTrip(_ value: RESPValue, limits: RESPParserLimits) {
    let encoded = RESPEncoder.encode(value)
    var relaxed = limits
    relaxed.maxLineBytes = .max
    relaxed.maxBulkBytes = .max
    let reparsed = RESPParser.parse(encoded, limits: relaxed)
    invariant(reparsed == .value(value, consumed: encoded.count), "round trip: \(value) encoded reads back as \(reparsed)")
    if case .value(let again, _) = reparsed {
        invariant(RESPEncoder.encode(again) == encoded, "encoding is not stable for \(value)")
    }
}

// MARK: Limits

func smallLimits(_ selector: UInt8) -> RESPParserLimits {
    RESPParserLimits(
        maxBulkBytes: Int(selector % 13),
        maxElements: Int(selector >> 4) % 5,
        maxDepth: Int(selector % 7),
        maxLineBytes: Int(selector >> 2) % 23
    )
}

/// Small limits only ever turn an answer into a limit error, at the same offset of the stream or earlier:
/// up to the first answer they change, both reads agree.
func compareUnderLimits(standard: [Answer], limited: [Answer], small: RESPParserLimits) {
    for (index, answer) in limited.enumerated() {
        invariant(index < standard.count, "small limits read more replies than the default ones")
        let expected = standard[index]
        invariant(answer.offset == expected.offset, "small limits moved reply \(index)")
        if case .failure(let error) = answer.result, isLimitError(error) { return }
        invariant(
            answer.result == expected.result,
            "reply \(index) at \(answer.offset): \(answer.result) under \(small), \(expected.result) by default"
        )
    }
    invariant(limited.count == standard.count, "small limits read fewer replies without a limit error")
}

func isLimitError(_ error: RESPParseError) -> Bool {
    switch error {
    case .lineTooLong, .bulkTooLarge, .tooManyElements, .tooDeep: return true
    default: return false
    }
}
