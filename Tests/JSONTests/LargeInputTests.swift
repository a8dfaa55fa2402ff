import Testing
@testable import JSON

/// Inputs of the size a proxy carries, and of the shapes an attacker would choose. The time limit turns an
/// accidental quadratic path (say, in finding repeated keys) into a failure rather than a hang.
@Suite(.timeLimit(.minutes(1))) struct LargeInputTests {
    @Test func aMegabyteArrayOfSmallObjects() throws {
        var text = "["
        var count = 0
        while text.utf8.count < 1_048_576 {
            if count > 0 { text += "," }
            text += #"{"id":\#(count),"name":"item-\#(count)","ok":true,"score":1.5,"tags":["a","b"]}"#
            count += 1
        }
        text += "]"
        let value = try parse(text)
        let elements = try #require(value.arrayValue)
        #expect(elements.count == count)
        #expect(count > 10_000)
        #expect(elements[0] == ["id": 0, "name": "item-0", "ok": true, "score": 1.5, "tags": ["a", "b"]])
        #expect(elements[count - 1]["id"] == .integer(count - 1))
        #expect(elements[count / 2]["name"] == .string("item-\(count / 2)"))
        #expect(value.text == text, "the compact input comes back byte for byte")
    }

    @Test func aMegabyteStringWithEscapesAndMultiByteText() throws {
        let chunk = #"plain ascii text \"quoted\" é€😀 \n\t\u00e9 "#
        let text = "\"" + String(repeating: chunk, count: 20_000) + "\""
        let decodedChunk = "plain ascii text \"quoted\" é€😀 \n\t\u{E9} "
        #expect(try parse(text) == .string(String(repeating: decodedChunk, count: 20_000)))
    }

    /// Finding repeated keys must not go quadratic: 100,000 distinct keys, then the same key 100,000 times.
    @Test func objectsWithVeryManyMembers() throws {
        let distinct = "{" + (0..<100_000).map { "\"key\($0)\":\($0)" }.joined(separator: ",") + "}"
        let object = try #require(try parse(distinct).objectValue)
        #expect(object.count == 100_000)
        #expect(object.members[99_999].key == "key99999")
        #expect(object["key54321"] == .integer(54_321))

        let repeated = "{" + (0..<100_000).map { "\"same\":\($0)" }.joined(separator: ",") + "}"
        #expect(try parse(repeated) == ["same": 99_999])
    }

    @Test func aLongArrayOfNumbers() throws {
        let numbers = (0..<100_000).map { $0 % 3 == 0 ? "\($0)" : $0 % 3 == 1 ? "-\($0).25" : "\($0)e-3" }
        let value = try parse("[" + numbers.joined(separator: ",") + "]")
        #expect(value[3] == .integer(3))
        #expect(value[4] == .double(-4.25))
        #expect(value[5] == .double(0.005))
        #expect(value[99_998] == .double(99.998))
    }
}
