import Testing
import Security

@Suite struct APIKeyStoreParsingTests {
    static let alphaHex = APIKeyStoreTests.alphaHex
    static let betaHex = APIKeyStoreTests.betaHex

    private func parseError(_ text: String) -> APIKeyStoreError? {
        do {
            _ = try APIKeyStore.parseFile(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func goodLinesCommentsBlanksAndCRLF() throws {
        let text = """
            # keys for the staging daemon

            ci\tsha256:\(Self.alphaHex)
              ops   sha256:\(Self.betaHex.uppercased())  \r
               # indented comment
            """
        let keys = try APIKeyStore.parseFile(text)
        #expect(keys.map(\.name) == ["ci", "ops"])
        #expect(keys.map { SHA256.hex($0.hash) } == [Self.alphaHex, Self.betaHex])
    }

    @Test func anEmptyFileHoldsNoKeys() throws {
        #expect(try APIKeyStore.parseFile("").isEmpty)
        #expect(try APIKeyStore.parseFile("# nothing yet\n\n").isEmpty)
    }

    @Test func eachProblemIsReportedWithItsLineNumber() {
        let good = "ci sha256:\(Self.alphaHex)\n"
        #expect(parseError(good + "sha256:\(Self.betaHex)") == APIKeyStoreError(lineNumber: 2, problem: .missingName))
        #expect(parseError(good + "ops") == APIKeyStoreError(lineNumber: 2, problem: .missingHash))
        #expect(
            parseError("\n\nops sha1:\(Self.betaHex)")
                == APIKeyStoreError(lineNumber: 3, problem: .wrongPrefix(name: "ops"))
        )
        #expect(
            parseError("ops \(Self.betaHex)") == APIKeyStoreError(lineNumber: 1, problem: .wrongPrefix(name: "ops"))
        )
        #expect(
            parseError("ops sha256:\(Self.betaHex.dropLast())")
                == APIKeyStoreError(lineNumber: 1, problem: .invalidHex(name: "ops", length: 63))
        )
        #expect(
            parseError("ops sha256:z\(Self.betaHex.dropFirst())")
                == APIKeyStoreError(lineNumber: 1, problem: .invalidHex(name: "ops", length: 64))
        )
        #expect(
            parseError("ops sha256:\(Self.betaHex) extra")
                == APIKeyStoreError(lineNumber: 1, problem: .extraFields(name: "ops"))
        )
        #expect(parseError("op$ sha256:\(Self.betaHex)") == APIKeyStoreError(lineNumber: 1, problem: .invalidName))
        #expect(
            parseError(good + "ci sha256:\(Self.betaHex)")
                == APIKeyStoreError(lineNumber: 2, problem: .duplicateName(name: "ci", firstLineNumber: 1))
        )
    }

    @Test func errorTextNamesTheLineButNeverItsKeyMaterial() throws {
        let pastedPlainKey = "sk-live-0123456789abcdef"
        let cases = [
            pastedPlainKey,
            "ops \(pastedPlainKey)",
            "ops sha256:\(pastedPlainKey)",
            "sha256:\(Self.betaHex)",
            "ops sha256:\(Self.betaHex) \(pastedPlainKey)",
            "ops sha256:\(Self.betaHex.dropLast())",
        ]
        for line in cases {
            let error = try #require(parseError("# header\n" + line))
            let text = error.description
            #expect(error.lineNumber == 2)
            #expect(text.hasPrefix("API keys file, line 2: "), "\(text)")
            #expect(!text.contains("sk-live"), "\(text)")
            #expect(!text.contains("0123456789abcdef"), "\(text)")
            #expect(!text.contains(Self.betaHex.prefix(8)), "\(text)")
        }
        let named = try #require(parseError("ops sha256:abc"))
        #expect(
            named.description
                == "API keys file, line 1: the hash of key ops is not 64 hex digits (3 characters); expected `name sha256:<64 hex digits>`"
        )
    }

    @Test func namesAreLimitedInLength() throws {
        let longest = String(repeating: "n", count: APIKeyStore.maxNameLength)
        #expect(try APIKeyStore.parseFile("\(longest) sha256:\(Self.alphaHex)").map(\.name) == [longest])
        #expect(parseError("\(longest)n sha256:\(Self.alphaHex)") == APIKeyStoreError(lineNumber: 1, problem: .invalidName))
    }
}
