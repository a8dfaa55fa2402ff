// libFuzzer harness for the inbound wire formats (Anthropic Messages, OpenAI Responses). Built by
// `FUZZ_TARGET=inbound Fuzz/run.sh`, which compiles this file with Sources/JSON, Sources/LLM/Chat and
// Sources/Inbound as one module (no imports).
//
// The input is a request body, and the same bytes read as a script of stream events.
// Invariants: nothing traps; a refusal is a 400 naming a message; decoding is deterministic; a decoded
// Anthropic request passes its body through without `model` and `stream`. Whatever the events, the Anthropic
// stream follows its grammar (message_start, ping, whole blocks with increasing indexes, message_delta,
// message_stop) and the Responses stream numbers its events from 0 and ends with the object whose output has
// every item it announced done; every event's data is JSON of its named type.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let object = (try? JSONValue.parse(bytes))?.objectValue {
        checkAnthropic(object)
        checkResponses(object)
    }
    checkStreams(events(Array(bytes.prefix(48))))
    return 0
}

func checkAnthropic(_ object: JSONObject) {
    for counting in [false, true] {
        let first = Result { () throws(InboundError) in
            try AnthropicMessagesRequest(JSONFields(object), maxTokensLimit: 4096, requestID: "r", traceparent: nil, version: nil, beta: nil, forCounting: counting)
        }
        let second = Result { () throws(InboundError) in
            try AnthropicMessagesRequest(JSONFields(object), maxTokensLimit: 4096, requestID: "r", traceparent: nil, version: nil, beta: nil, forCounting: counting)
        }
        switch (first, second) {
        case (.success(let a), .success(let b)):
            invariant(a.request.messages == b.request.messages && a.request.tools == b.request.tools, "decoding is not deterministic")
            invariant(a.request.anthropic?.body["model"] == nil && a.request.anthropic?.body["stream"] == nil, "model or stream passed through")
        case (.failure(let a), .failure(let b)):
            invariant(a == b && a.status == 400 && !a.message.isEmpty, "a refusal that is not a stable 400")
        default:
            invariant(false, "decoding is not deterministic")
        }
    }
}

func checkResponses(_ object: JSONObject) {
    do {
        let decoded = try ResponsesRequest(JSONFields(object), maxTokensLimit: 4096, requestID: "r", traceparent: nil)
        invariant(!decoded.input.isEmpty, "a response request without input")
    } catch {
        invariant(error.status == 400 && !error.message.isEmpty, "a refusal that is not a 400")
    }
}

/// Each byte an event (the first 48: the grammar does not change with length): text, a tool call's start or a piece of its arguments (for one of four calls).
func events(_ bytes: [UInt8]) -> [ChatStreamEvent] {
    bytes.map { byte in
        let piece = String(decoding: [0x61 + byte % 26, byte], as: UTF8.self)
        switch byte % 3 {
        case 0: return .text(piece)
        case 1: return .toolCallStart(index: Int(byte >> 6), id: "c\(byte >> 6)", name: "f")
        default: return .toolCallArguments(index: Int(byte >> 6), fragment: piece)
        }
    }
}

/// `event: <name>` / `data: <json>` blocks.
func parse(_ bytes: [UInt8]) -> [(name: String, data: JSONValue)] {
    var blocks: [[UInt8]] = [], current: [UInt8] = []
    for (index, byte) in bytes.enumerated() {
        if byte == 0x0A && index > 0 && bytes[index - 1] == 0x0A {
            current.removeLast()
            blocks.append(current)
            current = []
        } else {
            current.append(byte)
        }
    }
    invariant(current.isEmpty, "a stream that does not end with a blank line")
    return blocks.map { block in
        let lines = String(decoding: block, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        invariant(lines.count == 2 && lines[0].hasPrefix("event: ") && lines[1].hasPrefix("data: "), "an event that is not two lines")
        let data = try? JSONValue.parse(Array(lines[1].dropFirst(6).utf8))
        invariant(data != nil, "event data that is not JSON")
        let name = String(lines[0].dropFirst(7))
        invariant(data?["type"]?.stringValue == name, "an event named otherwise than its type")
        return (name, data!)
    }
}

func checkStreams(_ script: [ChatStreamEvent]) {
    let summary = StreamSummary(finishReason: .stop, usage: ChatUsage(inputTokens: 1, outputTokens: 1))
    var answer = StreamedAnswer()
    var anthropic = AnthropicStreamEncoder(id: "m", model: "x")
    let format = ResponsesFormat(id: "resp_x", createdAt: 0, model: "x", previousResponseID: nil, store: true, echo: JSONObject())
    var responses = format.makeStreamEncoder()
    var anthropicBytes: [UInt8] = [], responsesBytes: [UInt8] = []
    for event in script {
        answer.add(event)
        anthropicBytes += anthropic.encode(event)
        responsesBytes += responses.encode(event)
    }
    anthropicBytes += anthropic.end(summary)
    responsesBytes += responses.end(summary)

    let names = parse(anthropicBytes)
    invariant(names.count >= 6 && names[0].name == "message_start" && names[1].name == "ping", "the Anthropic stream's opening")
    invariant(names[names.count - 2].name == "message_delta" && names[names.count - 1].name == "message_stop", "the Anthropic stream's end")
    var open: Int?, next = 0
    for event in names[2..<(names.count - 2)] {
        let index = event.data["index"]?.intValue ?? -1
        switch event.name {
        case "content_block_start":
            invariant(open == nil && index == next, "a block started out of order")
            open = index
            next += 1
        case "content_block_delta":
            invariant(index >= 0 && index < next, "a delta for a block not started")
        case "content_block_stop":
            invariant(open == index, "a block stopped that was not open")
            open = nil
        default:
            invariant(false, "an unexpected Anthropic event \(event.name)")
        }
    }
    invariant(open == nil && next >= 1, "a block left open, or none at all")

    let typed = parse(responsesBytes)
    invariant(typed.enumerated().allSatisfy { $0.element.data["sequence_number"]?.intValue == $0.offset }, "sequence numbers with gaps")
    let done = typed.filter { $0.name == "response.output_item.done" }.count
    invariant(typed.last?.name == "response.completed", "the Responses stream's end")
    invariant(typed.last?.data["response"]?["output"]?.arrayValue?.count == done, "the final output is not the items done")
}
