// libFuzzer harness for MCP's JSON-RPC framing. Built by `FUZZ_TARGET=jsonrpc Fuzz/run.sh`, which compiles
// this file with Sources/JSON, the SSE parser and Sources/MCP/JSONRPC.swift as one module (no imports).
//
// The input is an MCP server's answer body, read both as `application/json` and as `text/event-stream`.
// Invariants: nothing traps; every message found is a JSON-RPC 2.0 message of a known kind; an SSE body cut
// at any point yields a prefix of the whole body's messages (never a changed or invented one); a JSON body
// yields the same messages when read again after re-serializing what was parsed.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
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
