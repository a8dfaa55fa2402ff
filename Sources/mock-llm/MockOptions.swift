import HTTP
import Server

/// A failure mock-llm can be told to serve instead of an answer.
enum MockFault: String, Sendable, CaseIterable {
    case rateLimited = "429"
    case insufficientQuota = "insufficient_quota"
    case serverError = "500"
    case unavailable = "503"
    case overloaded = "529"
    case badRequest = "400"
    case unauthorized = "401"
    /// Never answers; the connection stays open until the client leaves.
    case hang
    /// A TCP reset: mid-stream after half the chunks, or instead of a non-streamed answer.
    case reset
    /// A 200 whose JSON body is cut short; for a stream, one good chunk then `data: {not json`.
    case malformed
}

/// How one request should behave, from the options in its model name (`gpt-4o-mini?fault=503&times=2`) and
/// the `X-Mock-*` headers; a header wins over the same option in the model name.
///
/// Values only: parsing never touches shared state. A bad value is a 400 naming the option.
struct MockOptions: Sendable, Equatable {
    /// The model name without its options: what `tool` in the name is looked for in.
    var baseModel: String
    var fault: MockFault?
    /// With a scenario, only its first `times` requests get the fault.
    var times: Int?
    var scenario: String?
    var latencyMs = 0
    var chunks = 5
    var chunkDelayMs = 0
    /// Seconds for `Retry-After` (429 always, 1 unless given; 503 and 529 only when given).
    var retryAfterS: Int?
    /// nil: decided by the model name containing `tool`.
    var toolCall: Bool?
    /// Tool rounds before the answer: the first tool is called again while fewer results came back.
    var toolSteps = 1

    /// Option names, their header and what they do, for `--help`.
    static let knobs: [(option: String, header: String, summary: String)] = [
        ("fault", "X-Mock-Fault", "429|insufficient_quota|500|503|529|400|401|hang|reset|malformed"),
        ("times", "X-Mock-Times", "only the first N requests of the scenario get the fault (no scenario: keyed by model name)"),
        ("scenario", "X-Mock-Scenario", "an id grouping requests for times= and /stats"),
        ("latency_ms", "X-Mock-Latency-Ms", "wait before the first byte (and before any fault) [0]"),
        ("chunks", "X-Mock-Chunks", "content deltas a stream is cut into, by words [5]"),
        ("chunk_delay_ms", "X-Mock-Chunk-Delay-Ms", "pause between two content deltas [0]"),
        ("retry_after", "X-Mock-Retry-After", "seconds in Retry-After (also retry-after-ms) [1 on 429]"),
        ("tool", "X-Mock-Tool-Call", "1: call the first tool when the request has tools [1 if the model name contains 'tool']"),
        ("tool_steps", "X-Mock-Tool-Steps", "tool rounds before the answer: the first tool is called again while fewer results came back [1]"),
    ]

    static let headerNames: [String: String] = Dictionary(uniqueKeysWithValues: knobs.map { ($0.option, $0.header) })

    init(baseModel: String) { self.baseModel = baseModel }

    /// Reads the options of `model` (as sent) and `headers`.
    static func parse(model: String, headers: HTTPHeaders) throws(MockRequestError) -> MockOptions {
        var values: [String: String] = [:]
        var base = model
        if let mark = model.firstIndex(of: "?") {
            base = String(model[..<mark])
            for pair in model[model.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = PercentDecoding.decode(parts[0], plusAsSpace: true) ?? String(parts[0])
                let value = parts.count > 1 ? (PercentDecoding.decode(parts[1], plusAsSpace: true) ?? String(parts[1])) : ""
                values[name] = value
            }
        }
        for (option, header) in headerNames {
            if let value = headers[header] { values[option] = value.trimmingSpaces }
        }
        var options = MockOptions(baseModel: base)
        if let text = values["fault"], !text.isEmpty {
            guard let fault = MockFault(rawValue: text.lowercased()) else {
                let known = MockFault.allCases.map(\.rawValue).joined(separator: "|")
                throw MockRequestError.invalid("mock-llm: unknown fault '\(text)'; expected one of \(known)")
            }
            options.fault = fault
        }
        options.times = try integer(values, "times", in: 0...Int.max)
        if let scenario = values["scenario"], !scenario.isEmpty { options.scenario = scenario }
        options.latencyMs = try integer(values, "latency_ms", in: 0...3_600_000) ?? 0
        options.chunks = try integer(values, "chunks", in: 1...100_000) ?? 5
        options.chunkDelayMs = try integer(values, "chunk_delay_ms", in: 0...3_600_000) ?? 0
        options.retryAfterS = try integer(values, "retry_after", in: 0...86_400)
        options.toolSteps = try integer(values, "tool_steps", in: 1...1_000) ?? 1
        if let text = values["tool"] {
            switch text.lowercased() {
            case "1", "true", "yes": options.toolCall = true
            case "0", "false", "no", "": options.toolCall = false
            default: throw MockRequestError.invalid("mock-llm: option tool=\(text) is invalid; expected 1 or 0")
            }
        }
        return options
    }

    /// Whether a request with tools should be answered with a call to its first tool.
    var wantsToolCall: Bool { toolCall ?? baseModel.lowercased().contains("tool") }

    /// The key `times` counts under: the scenario, else the model name as sent.
    func scenarioKey(model: String) -> String { scenario ?? "model:" + model }

    private static func integer(
        _ values: [String: String], _ name: String, in range: ClosedRange<Int>
    ) throws(MockRequestError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw MockRequestError.invalid(
                "mock-llm: option \(name)=\(text) (or its \(headerNames[name] ?? "") header) is not an integer in \(range.lowerBound)...\(range.upperBound)"
            )
        }
        return number
    }
}

/// Why a request cannot be answered: a 400 `invalid_request_error` in the provider's format, whose message
/// names the field or option at fault.
struct MockRequestError: Error, Equatable {
    let message: String

    static func invalid(_ message: String) -> MockRequestError { MockRequestError(message: message) }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
