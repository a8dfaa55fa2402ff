import HTTP

/// Error responses in each provider's format: injected faults, bad requests and failed authentication.
///
/// OpenAI errors carry OpenAI's real `type`/`code` pairs (`requests`/`rate_limit_exceeded`,
/// `insufficient_quota`, `server_error`, `invalid_request_error`/`invalid_api_key`); Anthropic errors carry
/// Anthropic's error types (`rate_limit_error`, `api_error`, `overloaded_error`, `invalid_request_error`,
/// `authentication_error`). Pure: nothing here touches shared state.
enum MockErrors {
    static let overloadedStatus = HTTPStatus(code: 529, reasonPhrase: "Site is overloaded")

    /// The response for a fault that is answered with a status; nil for hang, reset and malformed.
    static func fault(_ fault: MockFault, provider: Provider, retryAfterS: Int?, requestID: String) -> HTTPResponse? {
        var headers = HTTPHeaders()
        func retryAfter(_ seconds: Int) {
            headers.add("Retry-After", String(seconds))
            headers.add("retry-after-ms", String(seconds * 1000))
        }
        switch fault {
        case .rateLimited: retryAfter(retryAfterS ?? 1)
        case .unavailable, .overloaded: if let retryAfterS { retryAfter(retryAfterS) }
        default: break
        }
        let answer: FaultAnswer
        switch fault {
        case .hang, .reset, .malformed:
            return nil
        case .badRequest:
            return invalidRequest("Invalid request (mock-llm fault).", provider: provider, requestID: requestID)
        case .unauthorized:
            return unauthorized(provider: provider, requestID: requestID)
        case .rateLimited:
            answer = FaultAnswer(
                openAI: (.tooManyRequests, "Rate limit reached for requests (mock-llm fault). Please try again in \(retryAfterS ?? 1)s.",
                         "requests", "rate_limit_exceeded"),
                anthropic: (.tooManyRequests, "rate_limit_error", "Number of requests has exceeded your rate limit (mock-llm fault)."))
        case .insufficientQuota:
            answer = FaultAnswer(
                openAI: (.tooManyRequests, "You exceeded your current quota, please check your plan and billing details (mock-llm fault).",
                         "insufficient_quota", "insufficient_quota"),
                anthropic: (.badRequest, "invalid_request_error",
                            "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."))
        case .serverError:
            answer = FaultAnswer(
                openAI: (.internalServerError, "The server had an error while processing your request. Sorry about that! (mock-llm fault)",
                         "server_error", nil),
                anthropic: (.internalServerError, "api_error", "Internal server error (mock-llm fault)"))
        case .unavailable:
            answer = FaultAnswer(
                openAI: (.serviceUnavailable, "The engine is currently overloaded, please try again later (mock-llm fault).",
                         "server_error", "service_unavailable"),
                anthropic: (.serviceUnavailable, "api_error", "Service unavailable (mock-llm fault)"))
        case .overloaded:
            answer = FaultAnswer(
                openAI: (overloadedStatus, "Overloaded (mock-llm fault)", "server_error", "overloaded"),
                anthropic: (overloadedStatus, "overloaded_error", "Overloaded (mock-llm fault)"))
        }
        switch provider {
        case .openAI:
            let (status, message, type, code) = answer.openAI
            let body = OpenAIWire.error(message: message, type: type, code: code)
            return response(status, body, provider: provider, requestID: requestID, headers: headers)
        case .anthropic:
            let (status, type, message) = answer.anthropic
            return response(status, anthropic(type, message, requestID), provider: provider, requestID: requestID, headers: headers)
        }
    }

    /// A fault's answer in each wire format: OpenAI's status, message, `type` and `code`; Anthropic's status, error
    /// type and message.
    private struct FaultAnswer {
        let openAI: (HTTPStatus, String, String, String?)
        let anthropic: (HTTPStatus, String, String)
    }

    /// 400 for a request mock-llm cannot read (or an injected 400).
    static func invalidRequest(_ message: String, provider: Provider, requestID: String, param: String? = nil) -> HTTPResponse {
        let body = provider == .openAI
            ? OpenAIWire.error(message: message, type: "invalid_request_error", code: nil, param: param)
            : anthropic("invalid_request_error", message, requestID)
        return response(.badRequest, body, provider: provider, requestID: requestID)
    }

    /// 401 as each API answers a missing or wrong key.
    static func unauthorized(provider: Provider, requestID: String) -> HTTPResponse {
        let body = provider == .openAI
            ? OpenAIWire.error(
                message: "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
                type: "invalid_request_error", code: "invalid_api_key")
            : anthropic("authentication_error", "invalid x-api-key", requestID)
        return response(.unauthorized, body, provider: provider, requestID: requestID)
    }

    /// Anthropic answers carry its `request-id` header as well.
    static func response(
        _ status: HTTPStatus, _ body: String, provider: Provider, requestID: String, headers: HTTPHeaders = HTTPHeaders()
    ) -> HTTPResponse {
        var headers = headers
        if provider == .anthropic { headers.add("request-id", requestID) }
        return HTTPResponse.json(status, body, headers: headers)
    }

    private static func anthropic(_ type: String, _ message: String, _ requestID: String) -> String {
        AnthropicWire.error(type: type, message: message, requestID: requestID)
    }
}
