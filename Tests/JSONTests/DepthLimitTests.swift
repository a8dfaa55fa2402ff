import Testing
@testable import JSON

/// The nesting limit: the parser recurses per level, so the limit is what stands between a hostile
/// `[[[[…` and a stack overflow. It must refuse at the first level too many, before reading further.
@Suite struct DepthLimitTests {
    @Test func defaultIs128() {
        #expect(JSONParserLimits().maxDepth == 128)
        #expect(JSONParserLimits.defaultMaxDepth == 128)
    }

    @Test func exactly128NestedArraysParse() throws {
        var value = try parse(nestedArrays(128))
        var depth = 0
        while case .array(let elements) = value {
            depth += 1
            value = try #require(elements.first)
        }
        #expect(depth == 128)
        #expect(value == .integer(1))
    }

    @Test func nestedArrays129DeepAreRefusedAtThe129thBracket() throws {
        let error = try #require(parseFailure(nestedArrays(129)))
        #expect(error == JSONError(offset: 128, message: "nesting deeper than 128 levels"))
    }

    @Test func nestedObjectsCountTheSame() throws {
        let open = #"{"a":"#
        _ = try parse(String(repeating: open, count: 128) + "0" + String(repeating: "}", count: 128))
        let error = try #require(parseFailure(String(repeating: open, count: 129) + "0" + String(repeating: "}", count: 129)))
        #expect(error.offset == 128 * open.utf8.count)
        #expect(error.message == "nesting deeper than 128 levels")
    }

    @Test func mixedNestingCountsEveryContainer() throws {
        let levels = 64
        let deep = String(repeating: #"[{"k":"#, count: levels) + "null" + String(repeating: "}]", count: levels)
        _ = try parse(deep)
        let tooDeep = "[" + deep + "]"
        #expect(parseFailure(tooDeep)?.message == "nesting deeper than 128 levels")
    }

    @Test func aHundredThousandOpenBracketsFailWithoutCrashing() throws {
        let error = try #require(parseFailure(String(repeating: "[", count: 100_000)))
        #expect(error.offset == 128)
        let balanced = try #require(parseFailure(nestedArrays(100_000)))
        #expect(balanced.offset == 128)
    }

    @Test func aCustomLimitApplies() throws {
        let limits = JSONParserLimits(maxDepth: 2)
        #expect(try parse("[[1]]", limits: limits) == .array([.array([.integer(1)])]))
        #expect(parseFailure("[[[1]]]", limits: limits) == JSONError(offset: 2, message: "nesting deeper than 2 levels"))
    }

    @Test func depthZeroAllowsOnlyScalars() throws {
        let limits = JSONParserLimits(maxDepth: 0)
        #expect(try parse(#""s""#, limits: limits) == .string("s"))
        #expect(parseFailure("[]", limits: limits) == JSONError(offset: 0, message: "nesting deeper than 0 levels"))
    }

    /// The ceiling is a promise about the stack: hold it on the thread the test runs on.
    @Test func theCeilingDepthParsesOnATestThread() throws {
        let ceiling = JSONParserLimits.maximumAllowedDepth
        let limits = JSONParserLimits(maxDepth: ceiling)
        let value = try parse(nestedArrays(ceiling), limits: limits)
        #expect(value.serialized().count == 2 * ceiling + 1)
        #expect(parseFailure(nestedArrays(ceiling + 1), limits: limits)?.offset == ceiling)
    }

    /// Depth goes back down as containers close: siblings do not add up.
    @Test func closedContainersGiveTheirLevelBack() throws {
        let sibling = nestedArrays(100)
        let value = try parse("[" + Array(repeating: sibling, count: 50).joined(separator: ",") + "]")
        #expect(value.arrayValue?.count == 50)
    }
}
