/// Why an inbound request cannot be served as sent: the HTTP status, agentd's error type (docs/api.md, Errors),
/// a message that names the field at fault, and the field (OpenAI's `param`). The route renders it in its API's
/// error body.
public struct InboundError: Error, Sendable, Equatable {
    public var status: Int
    public var type: String
    public var message: String
    public var param: String?

    public init(status: Int, type: String, message: String, param: String? = nil) {
        self.status = status
        self.type = type
        self.message = message
        self.param = param
    }

    /// 400 `invalid_request`.
    public static func invalid(_ message: String, param: String? = nil) -> InboundError {
        InboundError(status: 400, type: "invalid_request", message: message, param: param)
    }
}
