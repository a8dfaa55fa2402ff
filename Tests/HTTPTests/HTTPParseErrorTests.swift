import Testing
@testable import HTTP

/// Each parse error maps to one status and one error type (docs/api.md, Errors).
@Suite struct HTTPParseErrorTests {
    @Test(arguments: [
        (HTTPParseError.malformed("x"), 400, "invalid_request"),
        (.requestLineTooLong, 414, "uri_too_long"),
        (.headersTooLarge, 431, "headers_too_large"),
        (.bodyTooLarge, 413, "payload_too_large"),
        (.unsupportedTransferCoding("gzip"), 501, "invalid_request"),
        (.unsupportedVersion(HTTPVersion(major: 2, minor: 0)), 505, "invalid_request"),
        (.unsupportedExpectation("foo"), 417, "invalid_request"),
    ])
    func statusAndErrorType(error: HTTPParseError, status: Int, errorType: String) {
        #expect(error.status.code == status)
        #expect(error.errorType == errorType)
        #expect(!error.description.isEmpty)
    }

    @Test func malformedDescriptionIsItsReason() {
        #expect(HTTPParseError.malformed("bare CR in request head").description == "bare CR in request head")
        #expect(HTTPParseError.unsupportedTransferCoding("gzip").description == "unsupported transfer coding gzip")
    }
}
