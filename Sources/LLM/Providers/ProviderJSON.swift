import JSON

/// JSON helpers the adapters share.
enum ProviderJSON {
    /// Parses `body`, building only what `selection` names (the whole document is still checked).
    static func parse(
        _ body: [UInt8], selecting selection: JSONSelection = .all, provider: String
    ) throws(ProviderError) -> JSONValue {
        do {
            return try JSONValue.parse(body, selecting: selection)
        } catch {
            throw invalid(error, provider: provider)
        }
    }

    /// Parses the text's own UTF-8 in place (a stream event's data), without copying it to an array first.
    static func parse(
        _ text: String, selecting selection: JSONSelection = .all, provider: String
    ) throws(ProviderError) -> JSONValue {
        do {
            return try JSONValue.parse(text, selecting: selection)
        } catch {
            throw invalid(error, provider: provider)
        }
    }

    private static func invalid(_ error: JSONError, provider: String) -> ProviderError {
        ProviderError(provider: provider, kind: .invalidResponse, message: "invalid JSON: \(error)")
    }

    /// The common request headers: content type, accept, request id and trace context.
    static func headers(for request: ChatRequest, stream: Bool) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("Accept", stream ? "text/event-stream" : "application/json"),
        ]
        if let id = request.requestID { headers.append(("X-Request-ID", id)) }
        if let trace = request.traceparent { headers.append(("traceparent", trace)) }
        return headers
    }

    /// A short excerpt of an error body for messages (never the request).
    static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        return text.isEmpty ? "(empty body)" : text
    }
}
