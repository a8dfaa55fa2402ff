import Testing
@testable import Tracing

/// W3C `traceparent`: what is read, what starts a new trace, and the header written back.
@Suite("traceparent")
struct TraceContextTests {
    static let valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    @Test("a valid header reads whole and is written back the same")
    func roundTrip() throws {
        let context = try #require(TraceContext.parse(Self.valid))
        #expect(context.traceID == "0af7651916cd43dd8448eb211c80319c" && context.spanIDText == "b7ad6b7169203331" && context.sampled)
        #expect(context.traceparent == Self.valid)
        #expect(TraceContext.parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00")?.sampled == false)
        // A later version: its first four fields, whatever follows a dash.
        #expect(TraceContext.parse("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what-comes-later")?.sampled == true)
    }

    @Test("anything else starts a new trace", arguments: [
        "", "00", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00-00000000000000000000000000000000-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
        "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
        "00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333g-01",
        "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x",
    ])
    func refused(header: String) {
        #expect(TraceContext.parse(header) == nil)
    }

    @Test("cut at every byte, no prefix of a valid header is taken")
    func cutAtEveryByte() {
        let bytes = Array(Self.valid.utf8)
        for cut in 0..<bytes.count {
            #expect(TraceContext.parse(String(decoding: bytes[..<cut], as: UTF8.self)) == nil, "cut at \(cut)")
        }
    }
}
