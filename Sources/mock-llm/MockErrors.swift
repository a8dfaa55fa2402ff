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
        let status: HTTPStatus
        let body: String
        switch (fault, provider) {
        case (.hang, _), (.reset, _), (.malformed, _):
            return nil
        case (.rateLimited, .openAI):
            status = .tooManyRequests
            body = OpenAIWire.error(
                message: "Rate limit reached for requests (mock-llm fault). Please try again in \(retryAfterS ?? 1)s.",
                type: "requests", code: "rate_limit_exceeded")
        case (.rateLimited, .anthropic):
            status = .tooManyRequests
            body = anthropic("rate_limit_error", "Number of requests has exceeded your rate limit (mock-llm fault).", requestID)
        case (.insufficientQuota, .openAI):
            status = .tooManyRequests
            body = OpenAIWire.error(
                message: "You exceeded your current quota, please check your plan and billing details (mock-llm fault).",
                type: "insufficient_quota", code: "insufficient_quota")
        case (.insufficientQuota, .anthropic):
            status = .badRequest
            body = anthropic(
                "invalid_request_error",
                "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.",
                requestID)
        case (.serverError, .openAI):
            status = .internalServerError
            body = OpenAIWire.error(
                message: "The server had an error while processing your request. Sorry about that! (mock-llm fault)",
                type: "server_error", code: nil)
        case (.serverError, .anthropic):
            status = .internalServerError
            body = anthropic("api_error", "Internal server error (mock-llm fault)", requestID)
        case (.unavailable, .openAI):
            status = .serviceUnavailable
            body = OpenAIWire.error(
                message: "The engine is currently overloaded, please try again later (mock-llm fault).",
                type: "server_error", code: "service_unavailable")
        case (.unavailable, .anthropic):
            status = .serviceUnavailable
            body = anthropic("api_error", "Service unavailable (mock-llm fault)", requestID)
        case (.overloaded, .openAI):
            status = overloadedStatus
            body = OpenAIWire.error(message: "Overloaded (mock-llm fault)", type: "server_error", code: "overloaded")
        case (.overloaded, .anthropic):
            status = overloadedStatus
            body = anthropic("overloaded_error", "Overloaded (mock-llm fault)", requestID)
        case (.badRequest, _):
            return invalidRequest("Invalid request (mock-llm fault).", provider: provider, requestID: requestID)
        case (.unauthorized, _):
            return unauthorized(provider: provider, requestID: requestID)
        }
        return response(status, body, provider: provider, requestID: requestID, headers: headers)
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
