import Agent
import LLM
import Redis

/// The Redis family's stored responses: one string per response, `<owner>\n<tokens>\n<messages JSON>` (the
/// messages as `ConversationTurnCodec` writes a turn), written with `SET … PX <ttl>`, read with `GET`, so any
/// replica continues a response another made. Owner: none; Redis holds the responses. A failure is `SharedStateUnavailable` (the caller answers 503).
public final class RedisResponseStore: ResponseStoring {
    public let client: RedisClient
    public let keys: RedisKeys
    public let ttlMs: Int

    public init(client: RedisClient, keys: RedisKeys, ttlMs: Int) {
        self.client = client
        self.keys = keys
        self.ttlMs = ttlMs
    }

    public func load(_ id: String, completion: @escaping @Sendable (Result<StoredResponse?, SharedStateUnavailable>) -> Void) {
        client.send(["GET", keys.response(id)], operation: "response_read") { result in
            switch result {
            case .failure(let error):
                completion(.failure(SharedStateUnavailable(reason: error.description)))
            case .success(let reply):
                guard let bytes = reply.bytes else {
                    completion(.success(nil))
                    return
                }
                completion(.success(RedisResponseStore.decode(bytes)))
            }
        }
    }

    public func save(_ id: String, _ response: StoredResponse, completion: @escaping @Sendable (Result<Void, SharedStateUnavailable>) -> Void) {
        let tokens = response.messages.reduce(0) { $0 + ConversationStore.estimatedTokens($1) }
        let value = Array(response.owner.utf8) + [0x0A] + ConversationTurnCodec.encode(response.messages, tokens: tokens)
        client.send(
            byteArguments: [Array("SET".utf8), Array(keys.response(id).utf8), value, Array("PX".utf8), Array(String(ttlMs).utf8)],
            operation: "response_write"
        ) { result in
            completion(result.map { _ in () }.mapError { SharedStateUnavailable(reason: $0.description) })
        }
    }

    /// The owner line, then a stored turn; nil for a value agentd did not write.
    static func decode(_ bytes: [UInt8]) -> StoredResponse? {
        guard let newline = bytes.firstIndex(of: 0x0A),
            let messages = ConversationTurnCodec.decode(Array(bytes[(newline + 1)...])) else { return nil }
        return StoredResponse(owner: String(decoding: bytes[..<newline], as: UTF8.self), messages: messages)
    }
}
