import Agent
import HTTP
import JSON
import LLM
import Server

/// `POST /v1/embeddings`: OpenAI's wire format both ways, to OpenAI-kind providers (and the mock) through the
/// gateway's breaker and retries; metered (`agentd_llm_tokens_total`, cost), rate-limited and budgeted like chat
/// by the route's guard and the settlement. A provider kind without embeddings is the client's error (400).
struct EmbeddingsEndpoint: Sendable {
    let pipeline: InboundPipeline
    /// Inputs per request, as OpenAI allows.
    static let maxInputs = 2048

    func create(_ request: HTTPRequest, _ responder: Responder) {
        let call: EmbeddingRequest
        let resolution: ProviderRegistry.Resolution
        do throws(APIFailure) {
            let body = try JSONBody(request)
            guard let input = body.object["input"], EmbeddingsEndpoint.validInput(input) else {
                throw .invalid("input must be a non-empty string, an array of up to \(EmbeddingsEndpoint.maxInputs) non-empty strings, or token ids (0 to 2147483647)", param: "input")
            }
            let format = try body.string("encoding_format", maxLength: 16)
            if let format, format != "float" && format != "base64" {
                throw .invalid("encoding_format must be float or base64", param: "encoding_format")
            }
            resolution = try pipeline.resolve(try body.string("model", maxLength: 256))
            guard resolution.provider is any EmbeddingProviding else {
                throw .invalid("\(resolution.provider.name) is an Anthropic-kind provider, which has no embeddings; use an OpenAI-kind one", param: "model")
            }
            call = EmbeddingRequest(
                model: resolution.model, input: input, dimensions: try body.int("dimensions", in: 1...65_536),
                encodingFormat: format, user: try body.string("user", maxLength: 256),
                requestID: request.id, traceparent: request.traceparent
            )
        } catch {
            responder.respond(error.openAIResponse())
            return
        }
        let accounting = pipeline.accounting
        let providerCall = pipeline.gateway.embed(call, resolution: resolution) { result, report in
            accounting.settle(report, client: request.client, reservation: request.reservation, succeeded: (try? result.get()) != nil, responder: responder)
            switch result {
            case .success(let response):
                let body: JSONValue = [
                    "object": "list", "data": response.data, "model": .string(report.model),
                    "usage": ["prompt_tokens": .integer(response.usage.inputTokens), "total_tokens": .integer(response.usage.inputTokens)],
                ]
                responder.respond(.json(.ok, body.serialized()))
            case .failure(let error):
                responder.respond(APIFailure(error).openAIResponse())
            }
        }
        responder.onCancel { providerCall.cancel() }
    }

    static func validInput(_ input: JSONValue) -> Bool {
        if let text = input.stringValue { return !text.isEmpty }
        guard let items = input.arrayValue, !items.isEmpty, items.count <= maxInputs else { return false }
        if items.allSatisfy(isToken) { return true }
        return items.allSatisfy { item in
            if let text = item.stringValue { return !text.isEmpty }
            guard let tokens = item.arrayValue, !tokens.isEmpty else { return false }
            return tokens.allSatisfy(isToken)
        }
    }

    /// A token id: a whole number from 0 to 2^31 - 1.
    static func isToken(_ value: JSONValue) -> Bool {
        guard let id = value.intValue else { return false }
        return id >= 0 && id <= Int(Int32.max)
    }
}
