import Foundation
import HTTP
import Logging
import Server

/// The routes beside chat: Anthropic's `count_tokens` and OpenAI's embeddings, deterministic like the answers.
extension MockService {
    /// `POST /v1/messages/count_tokens`: a token per four bytes of the messages, system prompt and tools.
    func countTokens(_ request: HTTPRequest) -> HTTPResponse {
        stats.countRequest(path: request.path)
        guard authorized(.anthropic, request.headers) else { return MockErrors.unauthorized(provider: .anthropic, requestID: request.id) }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any],
            object["model"] is String, let messages = object["messages"] as? [Any] else {
            return MockErrors.invalidRequest("model and messages are required", provider: .anthropic, requestID: request.id)
        }
        let counted = [messages, object["system"] ?? "", object["tools"] ?? []].reduce(0) { total, part in
            total + ((try? JSONSerialization.data(withJSONObject: part, options: [.fragmentsAllowed]))?.count ?? 0)
        }
        return MockErrors.response(.ok, "{\"input_tokens\":\(max(1, (counted + 3) / 4))}", provider: .anthropic, requestID: request.id)
    }

    /// `POST /v1/embeddings`: a unit vector per input (`dimensions`, default 8) drawn from the input's bytes.
    func embeddings(_ request: HTTPRequest) -> HTTPResponse {
        stats.countRequest(path: request.path)
        guard authorized(.openAI, request.headers) else { return MockErrors.unauthorized(provider: .openAI, requestID: request.id) }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any],
            let model = object["model"] as? String, let input = object["input"] else {
            return MockErrors.invalidRequest("model and input are required", provider: .openAI, requestID: request.id)
        }
        let texts: [String]
        if let text = input as? String {
            texts = [text]
        } else if let list = input as? [Any], !list.isEmpty, list.allSatisfy({ $0 is String }) {
            texts = list.compactMap { $0 as? String }
        } else {
            return MockErrors.invalidRequest("input must be a string or an array of strings", provider: .openAI, requestID: request.id, param: "input")
        }
        let dimensions = (object["dimensions"] as? Int) ?? 8
        var data: [String] = []
        var tokens = 0
        for (index, text) in texts.enumerated() {
            tokens += max(1, (text.utf8.count + 3) / 4)
            let vector = MockService.vector(text, dimensions: dimensions).map { String($0) }.joined(separator: ",")
            data.append("{\"object\":\"embedding\",\"index\":\(index),\"embedding\":[\(vector)]}")
        }
        let body = "{\"object\":\"list\",\"data\":[\(data.joined(separator: ","))],\"model\":\(JSONText.quoted(model)),"
            + "\"usage\":{\"prompt_tokens\":\(tokens),\"total_tokens\":\(tokens)}}"
        return MockErrors.response(.ok, body, provider: .openAI, requestID: request.id)
    }

    /// FNV-1a of the text, then an xorshift step per dimension, normalised.
    static func vector(_ text: String, dimensions: Int) -> [Double] {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var values: [Double] = []
        for _ in 0..<max(1, dimensions) {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            values.append(Double(Int64(bitPattern: state) >> 11) / Double(1 << 52))
        }
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return values.map { ($0 / norm * 1e6).rounded() / 1e6 }
    }
}
