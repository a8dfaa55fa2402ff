import JSON

extension MockProvider: EmbeddingProviding {
    /// Deterministic unit vectors (`dimensions`, default 16) from each input's bytes: the same text always gets
    /// the same vector, different texts almost surely differ. A token counts four bytes, as in chat.
    public func embed(
        _ request: EmbeddingRequest, completion: @escaping @Sendable (Result<EmbeddingResponse, ProviderError>) -> Void
    ) -> ProviderCall {
        let texts: [String]
        if let items = request.input.arrayValue, items.first?.intValue == nil {
            texts = items.map { $0.stringValue ?? $0.text }
        } else {
            texts = [request.input.stringValue ?? request.input.text]
        }
        let dimensions = request.dimensions ?? 16
        var data: [JSONValue] = []
        var tokens = 0
        for (index, text) in texts.enumerated() {
            tokens += max(1, (text.utf8.count + 3) / 4)
            data.append(["object": "embedding", "index": .integer(index),
                         "embedding": .array(MockProvider.vector(text, dimensions: dimensions).map(JSONValue.double))])
        }
        completion(.success(EmbeddingResponse(data: .array(data), usage: ChatUsage(inputTokens: tokens))))
        return ProviderCall(cancel: {}, resume: {})
    }

    /// A unit vector drawn from an FNV-1a hash of the text, one xorshift step per dimension.
    static func vector(_ text: String, dimensions: Int) -> [Double] {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var values: [Double] = []
        values.reserveCapacity(dimensions)
        for _ in 0..<dimensions {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            values.append(Double(Int64(bitPattern: state) >> 11) / Double(1 << 52))
        }
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? values.map { ($0 / norm * 1e6).rounded() / 1e6 } : values
    }
}

extension MockProvider: TokenCounting {
    /// The mock's input count, as its answers report it: about four characters a token.
    public func countTokens(_ request: ChatRequest, completion: @escaping @Sendable (Result<Int, ProviderError>) -> Void) -> ProviderCall {
        completion(.success(MockProvider.answer(request).usage.inputTokens))
        return ProviderCall(cancel: {}, resume: {})
    }
}
