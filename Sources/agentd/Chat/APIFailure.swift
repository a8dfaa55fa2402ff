import HTTP
import Inbound
import JSON
import LLM
import Server

/// A request that ends in an error answer: the status, agentd's error type (docs/api.md, Errors), and a message
/// for the client. Rendered in agentd's body on agentd's routes and in OpenAI's on `/v1`.
struct APIFailure: Error, Sendable {
    var status: HTTPStatus
    var type: String
    var message: String
    /// The request field at fault, for OpenAI's `param`.
    var param: String?
    var retryAfterSeconds: Int?

    static func invalid(_ message: String, param: String? = nil) -> APIFailure {
        APIFailure(status: .badRequest, type: "invalid_request", message: message, param: param)
    }

    /// The mapping of provider failures (docs/api.md, Errors): a bad request for the provider is the client's (400),
    /// a timeout is 504, anything else the upstream did wrong is 502.
    init(_ error: ProviderError) {
        switch error.kind {
        case .invalidRequest:
            self.init(status: .badRequest, type: "invalid_request", message: error.message)
        case .timeout:
            self.init(status: .gatewayTimeout, type: "upstream_timeout", message: error.description)
        case .cancelled:
            self.init(status: .serviceUnavailable, type: "unavailable", message: "the call was cancelled")
        case .status, .connection, .invalidResponse:
            self.init(status: .badGateway, type: "upstream_error", message: error.description)
        case .unavailable:
            self.init(
                status: .serviceUnavailable, type: "unavailable", message: error.description,
                retryAfterSeconds: max(1, ((error.retryAfterMs ?? 1000) + 999) / 1000)
            )
        }
    }

    /// A request its API's decoder refused.
    init(_ error: InboundError) {
        self.init(status: HTTPStatus(code: error.status), type: error.type, message: error.message, param: error.param)
    }

    /// What the wire formats' encoders render (an error event after a stream started).
    var inbound: InboundError { InboundError(status: status.code, type: type, message: message, param: param) }

    init(status: HTTPStatus, type: String, message: String, param: String? = nil, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.type = type
        self.message = message
        self.param = param
        self.retryAfterSeconds = retryAfterSeconds
    }

    private var headers: HTTPHeaders {
        var headers = HTTPHeaders()
        if let retryAfterSeconds { headers.add("Retry-After", String(retryAfterSeconds)) }
        return headers
    }

    /// `{"error": {"type", "message"}, "request_id"}`.
    func contractResponse(requestID: String) -> HTTPResponse {
        ErrorResponse.make(status, type: type, message: message, requestID: requestID, headers: headers)
    }

    /// OpenAI's error body: `{"error": {"message", "type", "code", "param"}}`.
    func openAIResponse() -> HTTPResponse {
        HTTPResponse.json(status, openAIErrorJSON.serialized(), headers: headers)
    }

    var openAIErrorJSON: JSONValue {
        ["error": ["message": .string(message), "type": .string(openAIType), "code": .string(type),
                   "param": param.map(JSONValue.string) ?? .null]]
    }

    /// OpenAI's names for the classes of error its SDKs know.
    private var openAIType: String {
        switch status.code {
        case 400, 404, 405, 413, 415: return "invalid_request_error"
        case 401: return "authentication_error"
        case 429: return "rate_limit_error"
        default: return "api_error"
        }
    }
}
