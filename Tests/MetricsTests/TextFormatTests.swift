import Testing
@testable import Metrics

/// Numbers, escaping and names as the text format 0.0.4 spells and allows them.
@Suite struct TextFormatTests {
    @Test(arguments: [
        (0.0, "0"), (-0.0, "0"), (3, "3"), (-42, "-42"), (0.5, "0.5"), (0.1, "0.1"), (1e-06, "1e-06"),
        (2.5e20, "2.5e+20"), (9_007_199_254_740_992, "9007199254740992"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"),
    ])
    func numbers(value: Double, text: String) {
        #expect(TextFormat.number(value) == text)
    }

    @Test func labelValueEscapesBackslashQuoteAndLineFeed() {
        var bytes: [UInt8] = []
        TextFormat.appendEscapedLabelValue("a\\b\"c\nd é", to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #"a\\b\"c\nd é"#)
    }

    @Test func helpEscapesBackslashAndLineFeedButNotQuotes() {
        let header = TextFormat.header(name: "x", help: "say \"hi\"\\\nbye", type: .counter)
        #expect(String(decoding: header, as: UTF8.self) == "# HELP x say \"hi\"\\\\\\nbye\n# TYPE x counter\n")
    }

    @Test(arguments: ["a", "_", ":", "http_requests_total", "agentd:rate5m", "A9_:"])
    func validMetricNames(name: String) {
        #expect(MetricNames.isValidMetricName(name))
    }

    @Test(arguments: ["", "9a", "a-b", "a b", "é", "a.b"])
    func invalidMetricNames(name: String) {
        #expect(!MetricNames.isValidMetricName(name))
    }

    @Test(arguments: ["a", "_a", "route", "A9_"])
    func validLabelNames(name: String) {
        #expect(MetricNames.isValidLabelName(name))
    }

    @Test(arguments: ["", "__name__", "__x", "a:b", "9a", "a-b"])
    func invalidLabelNames(name: String) {
        #expect(!MetricNames.isValidLabelName(name))
    }
}
