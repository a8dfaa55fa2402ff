import Testing
@testable import JSON

/// Numbers (RFC 8259 §6): which become `.integer`, which `.double`, and the exact value of each.
@Suite struct NumberParsingTests {
    @Test(arguments: [
        ("0", 0), ("1", 1), ("-1", -1), ("10", 10), ("123456789", 123_456_789),
        ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min),
        ("9007199254740993", 9_007_199_254_740_993), ("-42", -42),
    ])
    func integersThatFitAnInt(text: String, expected: Int) throws {
        #expect(try parse(text) == .integer(expected))
    }

    @Test(arguments: [
        ("1.0", 1.0), ("1e2", 100.0), ("1E2", 100.0), ("1e+2", 100.0), ("1e-2", 0.01), ("1.5", 1.5),
        ("-1.5e3", -1500.0), ("0.1", 0.1), ("0.30000000000000004", 0.30000000000000004),
        ("123.456e-7", 123.456e-7), ("0.000001", 0.000001), ("2.5E-3", 0.0025),
        ("9223372036854775808", 9_223_372_036_854_775_808.0),
        ("-9223372036854775809", -9_223_372_036_854_775_809.0),
        ("12345678901234567890", 12_345_678_901_234_567_890.0),
        ("100000000000000000000000000000", 1e29),
        ("1.7976931348623157e308", Double.greatestFiniteMagnitude),
        ("-1.7976931348623157e308", -Double.greatestFiniteMagnitude),
        ("2.2250738585072014e-308", Double.leastNormalMagnitude),
        ("5e-324", Double.leastNonzeroMagnitude),
        ("1e-400", 0.0), ("0e400", 0.0), ("0.0", 0.0),
        ("9007199254740993.0", 9_007_199_254_740_992.0),
        // Halfway between 1 and the next Double: ties go to even; one more digit tips it up.
        ("1.00000000000000011102230246251565404236316680908203125", 1.0),
        ("1.00000000000000011102230246251565404236316680908203126", 1.0000000000000002),
        ("0.1000000000000000000000000000000000000000001", 0.1),
        ("3.14159265358979323846264338327950288", 3.141592653589793),
        ("1e22", 1e22), ("1e23", 1e23), ("4.35e-20", 4.35e-20),
    ])
    func everythingElseIsADouble(text: String, expected: Double) throws {
        let value = try parse(text)
        #expect(value == .double(expected))
    }

    /// `-0` has no fraction but would lose its sign as an Int, so it stays a Double and round-trips.
    @Test func negativeZeroKeepsItsSign() throws {
        for text in ["-0", "-0.0", "-0e5", "-0E-3"] {
            let value = try parse(text)
            guard case .double(let number) = value else {
                Issue.record("\(text) parsed as \(value)")
                continue
            }
            #expect(number == 0 && number.sign == .minus, "\(text)")
        }
        #expect(try parse("-0").text == "-0.0")
        #expect(try parse("0") == .integer(0))
    }

    /// Numbers that overflow Double are refused rather than turned into an infinity JSON cannot write back.
    @Test(arguments: ["1E400", "-1e400", "1e309", "17976931348623159e292", "1" + String(repeating: "0", count: 400)])
    func overflowToInfinityIsAnError(text: String) throws {
        let error = try #require(parseFailure(text))
        #expect(error == JSONError(offset: 0, message: "number out of range for a double"))
    }

    @Test func numbersInsideContainersEndAtTheirDelimiters() throws {
        let value = try parse(#"[0,-0.5,1e1,{"n":-12}]"#)
        #expect(value == .array([.integer(0), .double(-0.5), .double(10), .object(JSONObject([("n", .integer(-12))]))]))
    }

    /// A million digits are read in one pass and converted once.
    @Test func veryLongNumbers() throws {
        let longFraction = "0." + String(repeating: "3", count: 1_000_000)
        #expect(try parse(longFraction) == .double(0.3333333333333333))
        let longExponent = "1e-" + String(repeating: "9", count: 10_000)
        #expect(try parse(longExponent) == .double(0))
    }
}
