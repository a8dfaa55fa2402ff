// libFuzzer harness for MCP's JSON-RPC framing. Built by `FUZZ_TARGET=jsonrpc Fuzz/run.sh`, which compiles
// this file with Sources/JSON, the SSE parser and Sources/MCP/JSONRPC.swift as one module (no imports).
//
// The input is an MCP server's answer body, read both as `application/json` and as `text/event-stream`.
// Invariants: nothing traps; every message found is a JSON-RPC 2.0 message of a known kind; an SSE body cut
// at any point yields a prefix of the whole body's messages (never a changed or invented one); a JSON body
// yields the same messages when read again after re-serializing what was parsed.

// The same input checks the JSON parser's selective reading (`parse(_:selecting:)`, which the provider adapters
// use for answers and stream chunks): for every selection below, the same value as `parse` then `pruned(to:)`, or
// the same error at the same byte.

/// Selections of what the provider adapters read, and of the shapes JSON-RPC messages have.
let fuzzSelections: [JSONSelection] = [
    .members([]),
    .members([("error", .all), ("usage", .all),
              ("choices", .elements(.members([("delta", .members([("content", .all), ("tool_calls", .all)])), ("finish_reason", .all)])))]),
    .members([("id", .all), ("result", .members([("content", .elements(.members([("text", .all)]))), ("tools", .all)]))]),
    .elements(.members([("jsonrpc", .all), ("method", .all)])),
]

func checkSelections(_ body: [UInt8]) {
    let whole: Result<JSONValue, JSONError> = Result { () throws(JSONError) -> JSONValue in try JSONValue.parse(body) }
    for selection in fuzzSelections {
        let selected = Result { () throws(JSONError) -> JSONValue in try JSONValue.parse(body, selecting: selection) }
        switch (selected, whole) {
        case (.success(let value), .success(let tree)):
            invariant(value == tree.pruned(to: selection), "a selective parse built another value than parse then prune")
        case (.failure(let error), .failure(let treeError)):
            invariant(error == treeError, "a selective parse failed with another error: \(error) vs \(treeError)")
        default:
            invariant(false, "a selective parse and parse disagree on whether the input is JSON")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    checkSelections(body)
    let json = JSONRPC.messages(contentType: "application/json", body: body)
    if let parsed = try? JSONValue.parse(body) {
        let again = JSONRPC.messages(contentType: "application/json", body: parsed.serialized())
        invariant(again == json, "re-serialized JSON reads as other messages")
    } else {
        invariant(json.isEmpty, "messages from a body that is not JSON")
    }
    let whole = JSONRPC.messages(contentType: "text/event-stream", body: body)
    // A few cuts (every byte would be quadratic in the input): the ends of the first lines, and the middle.
    var cuts = [size / 2, size - 1]
    for (index, byte) in body.enumerated() where byte == 0x0A && cuts.count < 8 { cuts.append(index + 1) }
    for cut in cuts where cut >= 0 && cut < size {
        let part = JSONRPC.messages(contentType: "text/event-stream", body: Array(body[..<cut]))
        invariant(part.count <= whole.count && Array(whole.prefix(part.count)) == part, "a cut SSE body changed its messages")
    }
    return 0
}
