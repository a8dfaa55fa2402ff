@testable import Agent
import Foundation
import Testing

/// The price table: built-in lookups, dated-snapshot fallback, the prices file, and its errors.
@Suite struct PriceTableTests {
    typealias Price = PriceTable.Price

    private func load(_ text: String) throws(PriceTableError) -> PriceTable {
        try PriceTable.load(json: Array(text.utf8))
    }

    private func loadError(_ text: String) -> String? {
        do {
            _ = try load(text)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func builtInPrices() {
        let table = PriceTable.builtIn
        #expect(table.price(provider: "openai", model: "gpt-4o") == Price(inputPerMillionUSD: 2.50, outputPerMillionUSD: 10.00))
        #expect(table.price(provider: "openai", model: "gpt-4o-mini") == Price(inputPerMillionUSD: 0.15, outputPerMillionUSD: 0.60))
        #expect(table.price(provider: "openai", model: "o4-mini") == Price(inputPerMillionUSD: 1.10, outputPerMillionUSD: 4.40))
        #expect(
            table.price(provider: "anthropic", model: "claude-3-5-haiku-20241022")
                == Price(inputPerMillionUSD: 0.80, outputPerMillionUSD: 4.00)
        )
        #expect(
            table.price(provider: "anthropic", model: "claude-opus-4-20250514")
                == Price(inputPerMillionUSD: 15.00, outputPerMillionUSD: 75.00)
        )
        // 1M input at 2.50 + 500k output at 10.00.
        #expect(table.costUSD(provider: "openai", model: "gpt-4o", inputTokens: 1_000_000, outputTokens: 500_000) == 7.5)
        #expect(table.costUSD(provider: "anthropic", model: "claude-sonnet-4-20250514", inputTokens: 2_000, outputTokens: 1_000) == 0.021)
        #expect(table.costUSD(provider: "mock", model: "echo", inputTokens: 1_000, outputTokens: 1_000) == 0)
    }

    @Test func datedSnapshotsFallBackToTheLongestPrefix() {
        let table = PriceTable.builtIn
        #expect(table.price(provider: "openai", model: "gpt-4o-mini-2024-07-18") == table.price(provider: "openai", model: "gpt-4o-mini"))
        #expect(table.price(provider: "openai", model: "gpt-4o-2024-08-06") == table.price(provider: "openai", model: "gpt-4o"))
        #expect(table.price(provider: "openai", model: "gpt-4.1-nano-2025-04-14") == table.price(provider: "openai", model: "gpt-4.1-nano"))
        #expect(table.price(provider: "openai", model: "gpt-3.5-turbo-0125") == table.price(provider: "openai", model: "gpt-3.5-turbo"))
        #expect(table.price(provider: "openai", model: "gpt-4o-2024-05-13") == Price(inputPerMillionUSD: 5.00, outputPerMillionUSD: 15.00))
        // Only a dash before a digit cuts: these are other models, not snapshots.
        #expect(table.price(provider: "openai", model: "o3-mini") == nil)
        #expect(table.price(provider: "openai", model: "gpt-4o-audio-preview") == nil)
    }

    @Test func unknownCostsNothing() {
        let table = PriceTable.builtIn
        #expect(table.price(provider: "openai", model: "gpt-5-unknown") == nil)
        #expect(table.costUSD(provider: "openai", model: "davinci", inputTokens: 1_000, outputTokens: 1_000) == 0)
        // A provider of kind openai under another name gets no built-in prices.
        #expect(table.costUSD(provider: "groq", model: "gpt-4o", inputTokens: 1_000, outputTokens: 1_000) == 0)
    }

    @Test func fileOverridesAndAdds() throws {
        let table = try load(#"""
            {"openai:gpt-4o-mini": {"input_per_million": 0.1, "output_per_million": 0.5},
             "groq:llama-3.1-8b-instant": {"input_per_million": 0.05, "output_per_million": 0.08},
             "ollama:*": {"input_per_million": 0, "output_per_million": 0},
             "ollama:llama3:70b": {"input_per_million": 1, "output_per_million": 2}}
            """#)
        #expect(table.price(provider: "openai", model: "gpt-4o-mini") == Price(inputPerMillionUSD: 0.1, outputPerMillionUSD: 0.5))
        #expect(table.price(provider: "openai", model: "gpt-4o-mini-2024-07-18") == Price(inputPerMillionUSD: 0.1, outputPerMillionUSD: 0.5))
        #expect(table.price(provider: "openai", model: "gpt-4o") == Price(inputPerMillionUSD: 2.50, outputPerMillionUSD: 10.00))
        #expect(table.price(provider: "groq", model: "llama-3.1-8b-instant") == Price(inputPerMillionUSD: 0.05, outputPerMillionUSD: 0.08))
        #expect(table.price(provider: "ollama", model: "llama3:70b") == Price(inputPerMillionUSD: 1, outputPerMillionUSD: 2))
        #expect(table.price(provider: "ollama", model: "qwen2") == .free)
        #expect(table.count == PriceTable.builtIn.count + 3)
        #expect(try load("{}") == PriceTable.builtIn)
    }

    @Test func badFilesAreRefusedWithTheEntryNamed() {
        #expect(loadError("[1]")?.hasPrefix("the top level must be an object") == true)
        #expect(loadError("{")?.hasPrefix("not valid JSON") == true)
        #expect(loadError(#"{"gpt-4o": {"input_per_million": 1, "output_per_million": 1}}"#)
            == #"entry "gpt-4o": the name must be "provider:model", or "provider:*" for every model of a provider"#)
        #expect(loadError(#"{"openai:": {"input_per_million": 1, "output_per_million": 1}}"#)?.hasPrefix(#"entry "openai:": the name"#) == true)
        #expect(loadError(#"{"openai:x": 3}"#) == #"entry "openai:x": must be an object with input_per_million and output_per_million"#)
        #expect(loadError(#"{"openai:x": {"input_per_million": -1, "output_per_million": 1}}"#)
            == #"entry "openai:x": input_per_million must not be negative"#)
        #expect(loadError(#"{"openai:x": {"input_per_million": 1}}"#)
            == #"entry "openai:x": missing field output_per_million (USD per million tokens)"#)
        #expect(loadError(#"{"openai:x": {"input_per_million": "1", "output_per_million": 1}}"#)
            == #"entry "openai:x": input_per_million must be a number of USD per million tokens"#)
        #expect(loadError(#"{"openai:x": {"input_per_million": 1, "output_per_million": 1, "cached": 0.5}}"#)
            == #"entry "openai:x": unknown field "cached"; known fields are input_per_million, output_per_million"#)
    }

    @Test func fileErrorsNameThePath() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("price-table-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("prices.json").path
        #expect(throws: PriceTableError(path: path, message: "no such file")) { try PriceTable.load(path: path) }
        try Data(#"{"openai:x": {"input_per_million": 1, "output_per_million": -2}}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: PriceTableError(path: path, message: #"entry "openai:x": output_per_million must not be negative"#)) {
            try PriceTable.load(path: path)
        }
        try Data(#"{"openai:x": {"input_per_million": 1, "output_per_million": 2}}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try PriceTable.load(path: path).price(provider: "openai", model: "x") == Price(inputPerMillionUSD: 1, outputPerMillionUSD: 2))
        #expect(PriceTableError(path: path, message: "no such file").description == "prices file \(path): no such file")
    }
}
