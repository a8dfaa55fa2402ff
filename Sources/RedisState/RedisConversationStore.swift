import Agent
import LLM
import Locks
import Redis

/// The Redis family's conversations: each a list of turns (`ConversationTurnCodec`) with its token total,
/// read and appended by scripts (`RedisScripts.history`, `.append`), so any replica continues any
/// conversation and two turns added at once on two replicas both land, in the order Redis ran them.
///
/// Owner: none; Redis owns the histories, `cachedCount` (a lock) the gauge's last reading. As in memory: the
/// TTL (`AGENTD_CONVERSATION_TTL_S`) is refreshed on use, whole turns are pruned from the oldest past the
/// token budget (`AGENTD_CONVERSATION_MAX_TOKENS`), the newest always kept, the system prompt never stored.
/// The count bound of the in-memory store (`AGENTD_CONVERSATIONS_MAX`) is Redis' memory policy's job here.
/// A failure to read is `SharedStateUnavailable` (the caller answers 503: never a silent fresh start).
public final class RedisConversationStore: ConversationStoring {
    public let client: RedisClient
    public let keys: RedisKeys
    public let ttlMs: Int
    public let maxHistoryTokens: Int
    private let cachedCount = Locked(0)

    public init(client: RedisClient, keys: RedisKeys, ttlMs: Int, maxHistoryTokens: Int) {
        self.client = client
        self.keys = keys
        self.ttlMs = ttlMs
        self.maxHistoryTokens = maxHistoryTokens
    }

    public func makeID() -> String { ConversationStore.makeID() }

    public func history(_ id: String, completion: @escaping @Sendable (Result<[ChatMessage]?, SharedStateUnavailable>) -> Void) {
        let names = keys.conversation(id)
        client.run(
            RedisScripts.history, keys: [names.turns, names.tokens, keys.conversationIndex], arguments: [String(ttlMs), id],
            operation: "conversation_read"
        ) { result in
            switch result {
            case .failure(let error):
                completion(.failure(SharedStateUnavailable(reason: error.description)))
            case .success(let reply):
                guard let items = reply.arrayValue else {
                    completion(.failure(SharedStateUnavailable(reason: "unexpected reply to the history script: \(reply)")))
                    return
                }
                if items.isEmpty {
                    completion(.success(nil))
                    return
                }
                var messages: [ChatMessage] = []
                for item in items {
                    guard let bytes = item.bytes, let turn = ConversationTurnCodec.decode(bytes) else { continue }
                    messages += turn
                }
                completion(.success(messages))
            }
        }
    }

    public func appendTurn(
        id: String, user: ChatMessage, assistant: [ChatMessage], completion: @escaping @Sendable (Result<Void, SharedStateUnavailable>) -> Void
    ) {
        let turn = [user] + assistant
        let tokens = turn.reduce(0) { $0 + ConversationStore.estimatedTokens($1) }
        let names = keys.conversation(id)
        client.run(
            RedisScripts.append, keys: [names.turns, names.tokens, keys.conversationIndex],
            byteArguments: [Array(String(ttlMs).utf8), Array(id.utf8), ConversationTurnCodec.encode(turn, tokens: tokens),
                            Array(String(tokens).utf8), Array(String(maxHistoryTokens).utf8)],
            operation: "conversation_append"
        ) { result in
            completion(result.map { _ in () }.mapError { SharedStateUnavailable(reason: $0.description) })
        }
    }

    /// The last count read from Redis; each read starts the next one in the background (scrape-time gauge).
    public var liveCount: Int {
        let cachedCount = self.cachedCount
        client.send(["ZCARD", keys.conversationIndex], operation: "conversation_count") { result in
            if case .success(let reply) = result, let count = reply.integerValue { cachedCount.withLock { $0 = Int(count) } }
        }
        return cachedCount.withLock { $0 }
    }
}
