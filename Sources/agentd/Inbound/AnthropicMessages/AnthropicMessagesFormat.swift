import HTTP
import Inbound
import JSON

extension AnthropicMessagesFormat: InboundFormat {
    func errorResponse(_ failure: APIFailure) -> HTTPResponse { failure.anthropicResponse(requestID: requestID) }
}

extension APIFailure {
    /// Anthropic's error body: `{"type":"error","error":{"type","message"},"request_id"}`, with `Retry-After`.
    func anthropicResponse(requestID: String) -> HTTPResponse {
        var response = HTTPResponse.json(status, AnthropicMessagesFormat.errorJSON(inbound, requestID: requestID).serialized())
        if let retryAfterSeconds { response.headers.set("Retry-After", String(retryAfterSeconds)) }
        return response
    }
}
