import LLM
import Testing
@testable import RedisState

/// The byte encodings of the Redis family: exact round trips, and garbage refused (treated as absent).
@Suite struct CodecTests {
    @Test func completionRoundTrips() {
        let completion = ChatCompletion(
            text: "héllo\n\u{0}world", toolCalls: [ToolCall(id: "call_1", name: "lookup", arguments: "{\"q\":\"x\"}")],
            finishReason: .toolCalls, usage: ChatUsage(inputTokens: 12, outputTokens: 34)
        )
        #expect(CompletionCodec.decode(CompletionCodec.encode(completion)) == completion)
        #expect(CompletionCodec.decode(CompletionCodec.encode(ChatCompletion(text: ""))) == ChatCompletion(text: ""))
    }

    @Test func completionRefusesEveryTruncationAndTrailingBytes() {
        let bytes = CompletionCodec.encode(ChatCompletion(text: "answer", usage: ChatUsage(inputTokens: 1, outputTokens: 2)))
        for length in 0..<bytes.count { #expect(CompletionCodec.decode(Array(bytes.prefix(length))) == nil, "prefix of \(length)") }
        #expect(CompletionCodec.decode(bytes + [0]) == nil)
        var otherVersion = bytes
        otherVersion[0] = 2
        #expect(CompletionCodec.decode(otherVersion) == nil)
    }

    @Test func turnRoundTripsWithToolCallsAndParts() throws {
        let turn: [ChatMessage] = [
            .user("what is 2+2?"),
            ChatMessage(role: .assistant, toolCalls: [ToolCall(id: "c1", name: "calc", arguments: "{\"e\":\"2+2\"}")]),
            ChatMessage(role: .tool, content: .text("4"), toolCallID: "c1", name: "calc"),
            .assistant("4"),
        ]
        let encoded = ConversationTurnCodec.encode(turn, tokens: 42)
        #expect(encoded.starts(with: Array("42\n".utf8)))
        #expect(ConversationTurnCodec.decode(encoded) == turn)
        #expect(ConversationTurnCodec.decode(Array("12\nnot json".utf8)) == nil)
        #expect(ConversationTurnCodec.decode(Array("no newline".utf8)) == nil)
    }
}
