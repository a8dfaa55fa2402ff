@testable import Agent
import Foundation
import JSON
import Testing

/// The agents file: what it accepts, the message for each thing it refuses, and what `GET /agents` shows.
@Suite struct AgentCatalogTests {
    private func load(_ text: String, maxTokensLimit: Int = 4096) throws(AgentCatalogError) -> AgentCatalog {
        try AgentCatalog.load(json: Array(text.utf8), maxTokensLimit: maxTokensLimit)
    }

    @Test func fullProfileIsRead() throws {
        let catalog = try load(#"""
            {"support": {"model": "openai:gpt-4o-mini", "system_prompt": "Be kind.", "temperature": 0.3,
                         "max_tokens": 512, "fallback_models": ["anthropic:claude-3-5-haiku-latest", "echo"]}}
            """#)
        let expected = AgentProfile(
            name: "support", model: "openai:gpt-4o-mini", systemPrompt: "Be kind.", temperature: 0.3, maxTokens: 512,
            fallbackModels: ["anthropic:claude-3-5-haiku-latest", "echo"]
        )
        #expect(catalog.profile(named: "support") == expected)
        #expect(catalog.count == 2)
    }

    @Test func fieldsAreOptionalAndNullMeansUnset() throws {
        let catalog = try load(#"{"a": {}, "b": {"model": null, "temperature": 2, "max_tokens": 4096.0, "fallback_models": null}}"#)
        #expect(catalog.profile(named: "a") == AgentProfile(name: "a"))
        #expect(catalog.profile(named: "b") == AgentProfile(name: "b", temperature: 2, maxTokens: 4096))
    }

    @Test func defaultAgentAlwaysExists() throws {
        let empty = try load("{}")
        #expect(empty.names == ["default"])
        #expect(empty.profile(named: "default") == AgentProfile(name: "default"))
        #expect(AgentCatalog().defaultProfile == AgentProfile(name: "default"))
        let defined = try load(#"{"default": {"model": "mock:echo", "system_prompt": "Hi."}}"#)
        #expect(defined.defaultProfile == AgentProfile(name: "default", model: "mock:echo", systemPrompt: "Hi."))
        #expect(defined.count == 1)
    }

    @Test func namesAreSortedWithDefaultFirst() throws {
        let catalog = try load(#"{"zeta": {}, "Alpha": {}, "beta.v2": {}, "a_b-c": {}}"#)
        #expect(catalog.names == ["default", "Alpha", "a_b-c", "beta.v2", "zeta"])
        #expect(catalog.profile(named: "missing") == nil)
    }

    @Test(arguments: [
        (#"{"support": {"temperature": 2.5}}"#, #"agent "support": temperature must be a number from 0 to 2"#),
        (#"{"support": {"temperature": -0.1}}"#, #"agent "support": temperature must be a number from 0 to 2"#),
        (#"{"support": {"temperature": "0.3"}}"#, #"agent "support": temperature must be a number from 0 to 2"#),
        (#"{"x": {"max_tokens": 0}}"#, #"agent "x": max_tokens must be a whole number from 1 to 4096"#),
        (#"{"x": {"max_tokens": 4097}}"#, #"agent "x": max_tokens must be a whole number from 1 to 4096"#),
        (#"{"x": {"max_tokens": 12.5}}"#, #"agent "x": max_tokens must be a whole number from 1 to 4096"#),
        (#"{"x": {"max_tokens": "512"}}"#, #"agent "x": max_tokens must be a whole number from 1 to 4096"#),
        (
            #"{"x": {"temprature": 1}}"#,
            #"agent "x": unknown field "temprature"; known fields are model, system_prompt, temperature, max_tokens, fallback_models, tools, max_steps, keys, mcp_servers"#
        ),
        (#"{"x": {"model": ""}}"#, #"agent "x": model must be a model name, "provider:model" or a bare name"#),
        (#"{"x": {"model": "ollama:"}}"#, #"agent "x": model must be a model name, "provider:model" or a bare name"#),
        (#"{"x": {"model": "gpt 4"}}"#, #"agent "x": model must be a model name, "provider:model" or a bare name"#),
        (#"{"x": {"model": 4}}"#, #"agent "x": model must be a model name, "provider:model" or a bare name"#),
        (#"{"x": {"system_prompt": ""}}"#, #"agent "x": system_prompt must be a non-empty string"#),
        (#"{"x": {"system_prompt": ["a"]}}"#, #"agent "x": system_prompt must be a non-empty string"#),
        (#"{"x": {"fallback_models": "echo"}}"#, #"agent "x": fallback_models must be an array of model names"#),
        (
            #"{"x": {"fallback_models": ["echo", ":x"]}}"#,
            #"agent "x": fallback_models[1] must be a model name, "provider:model" or a bare name"#
        ),
        (
            #"{"x": "openai:gpt-4o"}"#,
            #"agent "x": must be an object of profile fields (model, system_prompt, temperature, max_tokens, fallback_models, tools, max_steps, keys, mcp_servers)"#
        ),
        (#"{"bad name": {}}"#, #"agent name "bad name" must be 1-64 characters of A-Z a-z 0-9 _ . -"#),
        (#"{"": {}}"#, #"agent name "" must be 1-64 characters of A-Z a-z 0-9 _ . -"#),
        (#"{"tab\there": {}}"#, #"agent name "tab\there" must be 1-64 characters of A-Z a-z 0-9 _ . -"#),
        (
            #"["support"]"#,
            #"the top level must be an object of profiles by name, like {"support": {"model": "openai:gpt-4o-mini"}}"#
        ),
    ])
    func invalidFileIsRefusedWithItsProblem(text: String, message: String) {
        #expect(throws: AgentCatalogError(message: message)) { try load(text) }
    }

    /// The JSON module words its own errors; the catalog only says the file is not JSON, and where.
    @Test func unparsableFileSaysItIsNotJSONAndWhere() {
        do {
            _ = try load(#"{"x": {}"#)
            Issue.record("a truncated file loaded")
        } catch {
            #expect(error.message.hasPrefix("not valid JSON: "), "\(error.message)")
            #expect(error.message.hasSuffix("at byte 8"), "\(error.message)")
        }
    }

    @Test func maxTokensLimitIsTheCallersAndNamedInTheMessage() throws {
        #expect(try load(#"{"x": {"max_tokens": 100}}"#, maxTokensLimit: 100).profile(named: "x")?.maxTokens == 100)
        #expect(throws: AgentCatalogError(message: #"agent "x": max_tokens must be a whole number from 1 to 100"#)) {
            try load(#"{"x": {"max_tokens": 101}}"#, maxTokensLimit: 100)
        }
    }

    @Test func nameLengthLimitIs64() throws {
        let longest = String(repeating: "a", count: 64)
        #expect(try load(#"{"\#(longest)": {}}"#).profile(named: longest) != nil)
        #expect(throws: AgentCatalogError.self) { try load(#"{"\#(longest)b": {}}"#) }
    }

    @Test func publicJSONListsEveryProfileWithUnsetFieldsAsNull() throws {
        let catalog = try load(#"{"support": {"model": "openai:gpt-4o-mini", "temperature": 0.5, "max_tokens": 512, "fallback_models": ["echo"]}}"#)
        let expected = #"{"object":"list","data":["#
            + #"{"name":"default","model":null,"system_prompt":null,"temperature":null,"max_tokens":null,"fallback_models":[],"tools":[],"max_steps":8},"#
            + #"{"name":"support","model":"openai:gpt-4o-mini","system_prompt":null,"temperature":0.5,"max_tokens":512,"fallback_models":["echo"],"tools":[],"max_steps":8}"#
            + "]}"
        #expect(catalog.publicJSON().text == expected)
    }

    @Test func fileIsReadAndItsErrorsNameThePath() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agent-catalog-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("agents.json").path
        let bad = directory.appendingPathComponent("bad.json").path
        try Data(#"{"support": {"system_prompt": "Be kind."}}"#.utf8).write(to: URL(fileURLWithPath: good))
        try Data(#"{"support": {"temperature": 3}}"#.utf8).write(to: URL(fileURLWithPath: bad))

        #expect(try AgentCatalog.load(path: good, maxTokensLimit: 4096).profile(named: "support")?.systemPrompt == "Be kind.")

        let refused = #expect(throws: AgentCatalogError.self) { try AgentCatalog.load(path: bad, maxTokensLimit: 4096) }
        #expect(refused?.description == #"agents file \#(bad): agent "support": temperature must be a number from 0 to 2"#)

        let missing = directory.appendingPathComponent("none.json").path
        #expect(throws: AgentCatalogError(path: missing, message: "no such file")) {
            try AgentCatalog.load(path: missing, maxTokensLimit: 4096)
        }
        #expect(throws: AgentCatalogError(path: directory.path, message: "is a directory, not a JSON file")) {
            try AgentCatalog.load(path: directory.path, maxTokensLimit: 4096)
        }
    }
}
