import Testing
@testable import JSON

/// `parse(_:selecting:)` must be `parse` then `pruned(to:)`: the same value, the same error at the same byte.
@Suite struct JSONSelectionTests {
    static let chunk = #"{"id":"chatcmpl-9x","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","system_fingerprint":null,"choices":[{"index":0,"delta":{"role":"assistant","content":"H\u00e9llo \"w\" 🙂","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}"#
    static let completion = #"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},"logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":8,"completion_tokens":9,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":0}}}"#

    static let selections: [JSONSelection] = [
        .all,
        .members([]),
        .members([("usage", .all)]),
        .members([("error", .all), ("usage", .all),
                  ("choices", .elements(.members([("delta", .members([("content", .all), ("tool_calls", .all)])), ("finish_reason", .all)])))]),
        .members([("choices", .elements(.members([("message", .members([("content", .all), ("tool_calls", .all)])), ("finish_reason", .all)]))), ("usage", .all)]),
        .elements(.members([("a", .all)])),
        .members([("a", .elements(.members([("b", .all)]))), ("c", .members([("d", .all)]))]),
    ]

    static let documents: [String] = [
        chunk, completion,
        #"[{"a":1,"b":2},{"b":3},[],{"a":{"x":[1,2,{"y":null}]},"a":"last"}]"#,
        #"{"a":[{"b":1,"c":2},{"b":[true,false]},3,"s"],"c":{"d":{"e":1},"f":2,"d":"again"},"e\u0301":"é","\u0061":"escaped key a"}"#,
        #"  {"a" : [ ] , "c" : { } }  "#, "[]", "{}", "1", "\"x\"", "null", "-0.5e-3",
        // Invalid: in a skipped member, in a kept one, at the top.
        #"{"skipped":[1,2,],"a":1}"#, #"{"skipped":{"k" 1},"a":1}"#, #"{"skipped":"\ud800","a":1}"#,
        #"{"skipped":"bad \u0001 control","a":1}"#, "{\"skipped\":\"\u{01}\",\"a\":1}", #"{"skipped":01,"a":1}"#,
        #"{"skipped":tru,"a":1}"#, #"{"a":[1,2,],"b":1}"#, #"{"a":1,}"#, #"{"a":1} x"#, #"{"a":1"#, "",
        #"{"skipped":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
    ]

    /// The outcome of one parse, comparable: the value or the error.
    enum Outcome: Equatable {
        case value(JSONValue)
        case error(JSONError)
    }

    func selected(_ bytes: [UInt8], _ selection: JSONSelection, maxDepth: Int = 64) -> Outcome {
        do { return .value(try JSONValue.parse(bytes, selecting: selection, limits: JSONParserLimits(maxDepth: maxDepth))) } catch { return .error(error) }
    }

    func reference(_ bytes: [UInt8], _ selection: JSONSelection, maxDepth: Int = 64) -> Outcome {
        do { return .value(try JSONValue.parse(bytes, limits: JSONParserLimits(maxDepth: maxDepth)).pruned(to: selection)) } catch { return .error(error) }
    }

    @Test func everyDocumentAndSelectionMatchesParseThenPrune() {
        for document in Self.documents {
            for selection in Self.selections {
                let bytes = Array(document.utf8)
                #expect(selected(bytes, selection) == reference(bytes, selection), "\(document)")
                #expect(selected(bytes, selection, maxDepth: 3) == reference(bytes, selection, maxDepth: 3), "\(document)")
            }
        }
    }

    @Test func theChunkAndTheAnswerCutAtEveryByteFailAlike() {
        for document in [Self.chunk, Self.completion] {
            let bytes = Array(document.utf8)
            for cut in 0..<bytes.count {
                let part = Array(bytes[..<cut])
                for selection in Self.selections {
                    let outcome = selected(part, selection)
                    #expect(outcome == reference(part, selection))
                    if case .value = outcome { Issue.record("a cut document parsed: \(cut)") }
                }
            }
        }
    }

    @Test func mutatedDocumentsMatchParseThenPrune() {
        var random = SplitMix64(seed: 19)
        let alphabet = Array(#"{}[]",:\ u0123456789abcdeflnrstux-+.eE"#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xA9, 0xFF, 0xED, 0xA0]
        for _ in 0..<3_000 {
            var bytes = Array(Self.documents[Int(random.next() % UInt64(Self.documents.count))].utf8)
            for _ in 0..<(1 + Int(random.next() % 3)) where !bytes.isEmpty {
                let at = Int(random.next() % UInt64(bytes.count))
                let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
                switch random.next() % 3 {
                case 0: bytes[at] = byte
                case 1: bytes.insert(byte, at: at)
                default: bytes.remove(at: at)
                }
            }
            for selection in Self.selections {
                #expect(selected(bytes, selection) == reference(bytes, selection), "\(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }

    @Test func skippedMembersAreLeftOutAndKeptOnesKeepTheirPlace() throws {
        let value = try JSONValue.parse(Array(Self.chunk.utf8), selecting: Self.selections[3])
        #expect(value.objectValue?.keys == ["choices", "usage"])
        #expect(value["choices"]?[0]?.objectValue?.keys == ["delta", "finish_reason"])
        #expect(value["choices"]?[0]?["delta"]?.objectValue?.keys == ["content"])
        #expect(value["choices"]?[0]?["delta"]?["content"] == "Héllo \"w\" 🙂")
    }
}

/// SplitMix64: a seeded generator, so a failure names inputs that come back on the next run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
