import Testing
@testable import JSON

/// Every way of handing the parser bytes reads the same document.
@Suite struct ParseOverloadTests {
    static let text = #" {"k":["v",1,2.5,true,null,"é😀\n"]} "#
    static let expected: JSONValue = ["k": ["v", 1, 2.5, true, nil, "é😀\n"]]

    @Test func fromAString() throws {
        #expect(try JSONValue.parse(Self.text) == Self.expected)
    }

    @Test func fromAnArray() throws {
        #expect(try JSONValue.parse(Array(Self.text.utf8)) == Self.expected)
    }

    @Test func fromASliceInTheMiddleOfItsStorage() throws {
        let storage = Array("garbage".utf8) + Array(Self.text.utf8) + Array("more garbage".utf8)
        let slice = storage[7..<(7 + Self.text.utf8.count)]
        #expect(try JSONValue.parse(slice) == Self.expected)
    }

    @Test func fromARawBuffer() throws {
        let value = try Array(Self.text.utf8).withUnsafeBytes { try JSONValue.parse($0) }
        #expect(value == Self.expected)
    }

    @Test func fromAnEmptyRawBuffer() {
        #expect(throws: JSONError(offset: 0, message: "unexpected end of input, expected a value")) {
            try JSONValue.parse(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    @Test func fromASubstringBackedString() throws {
        let embedded = "xx" + Self.text + "yy"
        let inner = String(embedded.dropFirst(2).dropLast(2))
        #expect(try JSONValue.parse(inner) == Self.expected)
    }
}
