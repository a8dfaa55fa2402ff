// Built alone with the JSON sources and the SSE parser by `FUZZ_TARGET=jsonrpc Fuzz/run.sh` (one module there).
#if canImport(JSON)
import HTTP
import JSON
#endif

/// One JSON-RPC 2.0 message as MCP servers send them (https://www.jsonrpc.org/specification).
public enum JSONRPCMessage: Sendable, Equatable {
    case result(id: JSONValue, JSONValue)
    case error(id: JSONValue, code: Int, message: String)
    case notification(method: String, params: JSONValue?)
    /// A request from the server (sampling, roots): agentd offers none of those capabilities and ignores it.
    case request(id: JSONValue, method: String, params: JSONValue?)
}

/// JSON-RPC 2.0 framing and the two answer forms of MCP's Streamable HTTP: pure functions of bytes.
public enum JSONRPC {
    /// `{"jsonrpc":"2.0","id":…,"method":…,"params":…}`.
    public static func request(id: Int, method: String, params: JSONValue? = nil) -> [UInt8] {
        var members: [(key: String, value: JSONValue)] = [("jsonrpc", "2.0"), ("id", .integer(id)), ("method", .string(method))]
        if let params { members.append(("params", params)) }
        return JSONValue.object(JSONObject(members)).serialized()
    }

    /// A notification: no id, no answer.
    public static func notification(method: String, params: JSONValue? = nil) -> [UInt8] {
        var members: [(key: String, value: JSONValue)] = [("jsonrpc", "2.0"), ("method", .string(method))]
        if let params { members.append(("params", params)) }
        return JSONValue.object(JSONObject(members)).serialized()
    }

    /// The messages of one JSON text: a message, or a batch (an array of them). Anything that is not a
    /// JSON-RPC 2.0 message is left out.
    public static func messages(_ json: JSONValue) -> [JSONRPCMessage] {
        if let batch = json.arrayValue { return batch.compactMap(message) }
        return message(json).map { [$0] } ?? []
    }

    static func message(_ json: JSONValue) -> JSONRPCMessage? {
        guard json["jsonrpc"]?.stringValue == "2.0" else { return nil }
        let id = json["id"].flatMap { $0.isNull ? nil : $0 }
        if let method = json["method"]?.stringValue {
            if let id { return .request(id: id, method: method, params: json["params"]) }
            return .notification(method: method, params: json["params"])
        }
        guard let id else { return nil }
        if let error = json["error"], let code = error["code"]?.intValue {
            return .error(id: id, code: code, message: error["message"]?.stringValue ?? "")
        }
        if let result = json["result"] { return .result(id: id, result) }
        return nil
    }

    /// The messages of an HTTP answer's body by its `Content-Type`: `application/json` is one JSON text;
    /// `text/event-stream` is SSE whose `message` events (or events without a name) each hold one. Events cut
    /// short by the end of the body, unparseable JSON and other content types give no message.
    public static func messages(contentType: String?, body: [UInt8]) -> [JSONRPCMessage] {
        let type = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: " \t").lowercased() } ?? ""
        switch type {
        case "application/json":
            guard let json = try? JSONValue.parse(body) else { return [] }
            return messages(json)
        case "text/event-stream":
            var parser = ServerSentEventParser()
            var found: [JSONRPCMessage] = []
            try? parser.feed(body) { event in
                guard event.event == nil || event.event == "message", let json = try? JSONValue.parse(Array(event.data.utf8)) else { return }
                found += messages(json)
            }
            return found
        default:
            return []
        }
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let skip = Set(set)
        var start = startIndex, end = endIndex
        while start < end, skip.contains(self[start]) { start = index(after: start) }
        while end > start, skip.contains(self[index(before: end)]) { end = index(before: end) }
        return String(self[start..<end])
    }
}
