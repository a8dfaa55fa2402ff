import Testing
@testable import HTTP

/// `HTTPHeaders`: ordered fields with case-insensitive lookup (RFC 9110 §5.1).
@Suite struct HTTPHeadersTests {
    @Test func lookupIgnoresCaseAndReturnsTheFirstValue() {
        let headers: HTTPHeaders = ["Accept": "a", "ACCEPT": "b", "Host": "h"]
        #expect(headers["accept"] == "a")
        #expect(headers.values("Accept") == ["a", "b"])
        #expect(headers.contains("HOST"))
        #expect(!headers.contains("Hos"))
        #expect(headers["missing"] == nil)
        #expect(headers.values("missing") == [])
    }

    @Test func setReplacesEveryFieldOfThatName() {
        var headers: HTTPHeaders = ["X-A": "1", "Other": "o", "x-a": "2"]
        headers.set("X-a", "3")
        #expect(headers.fields == [HTTPField(name: "Other", value: "o"), HTTPField(name: "X-a", value: "3")])
    }

    @Test func removeAndAddKeepOrder() {
        var headers = HTTPHeaders()
        headers.add("B", "1")
        headers.add("A", "2")
        headers.add("b", "3")
        headers.remove("B")
        headers.add("C", "4")
        #expect(headers.fields.map(\.name) == ["A", "C"])
        #expect(headers.count == 2)
        #expect(Array(headers).map(\.value) == ["2", "4"])
    }

    @Test func nonASCIINamesAreComparedExactly() {
        // Only ASCII letters fold; other bytes must match as they are.
        let headers: HTTPHeaders = ["X-É": "1"]
        #expect(headers["x-É"] == "1")
        #expect(headers["x-é"] == nil)
    }
}
