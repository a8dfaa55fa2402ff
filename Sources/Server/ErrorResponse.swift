import HTTP
import Logging

/// agentd's own error body (docs/api.md, Errors) for non-OpenAI routes:
/// `{"error": {"type": …, "message": …}, "request_id": …}`.
public enum ErrorResponse {
    public static func make(
        _ status: HTTPStatus, type: String, message: String, requestID: String, headers: HTTPHeaders = HTTPHeaders()
    ) -> HTTPResponse {
        let body = "{\"error\":{\"type\":\(JSONText.quoted(type)),\"message\":\(JSONText.quoted(message))},"
            + "\"request_id\":\(JSONText.quoted(requestID))}"
        return HTTPResponse.json(status, body, headers: headers)
    }
}
