import Testing
@testable import JSON

/// The parser's ready-made strings must be exactly the strings the bytes spell, and only those.
@Suite struct CommonStringsTests {
    func match(_ text: String) -> String? {
        Array(text.utf8).withUnsafeBufferPointer { JSONCommonStrings.match($0) }
    }

    @Test func everyCommonStringIsMatchedByItsOwnBytesOnly() {
        for string in JSONCommonStrings.all {
            #expect(match(string).map { Array($0.utf8) } == Array(string.utf8), "\(string)")
            // The same length, one byte off at the start, in the middle and at the end: no match.
            for offset in Set([0, string.utf8.count / 2, string.utf8.count - 1]) {
                var bytes = Array(string.utf8)
                bytes[offset] ^= 0x01
                let near = String(decoding: bytes, as: UTF8.self)
                #expect(match(near) == nil || JSONCommonStrings.all.contains(near), "\(near)")
            }
            #expect(match(string + "x") == nil || JSONCommonStrings.all.contains(string + "x"))
            #expect(match(String(string.dropLast())) == nil || JSONCommonStrings.all.contains(String(string.dropLast())))
        }
        #expect(match("") == nil)
    }

    @Test func parsedKeysAndValuesAreTheirBytesWhetherCommonOrNot() throws {
        let text = #"{"object":"chat.completion.chunk","objecT":"chat.completion.chunK","choices":[{"delta":{"content":"id"}}],"c\u006fntent":"role"}"#
        let value = try JSONValue.parse(text)
        #expect(value["object"] == "chat.completion.chunk")
        #expect(value["objecT"] == "chat.completion.chunK")
        #expect(value["choices"]?[0]?["delta"]?["content"] == "id")
        // An escape spells a common key: it is still that key (decoded, not matched).
        #expect(value.objectValue?.keys == ["object", "objecT", "choices", "content"])
        #expect(value["content"] == "role")
    }
}
