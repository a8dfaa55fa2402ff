import Agent
import JSON
import Server
import Testing
@testable import agentd

/// `GET /openapi.json`: the document is valid JSON of OpenAPI 3.1, describes exactly the routes the router
/// serves (no route left out, none promised that does not exist), its references resolve, its limits are the
/// code's defaults, and the server answers it byte for byte.
@Suite("the OpenAPI document")
struct OpenAPIDocumentTests {
    static func document() throws -> JSONValue { try JSONValue.parse(OpenAPIDocument.json) }

    /// The operation keys of an OpenAPI Path Item Object (OpenAPI 3.1 §4.8.9).
    static let operationKeys: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// `"GET /chat"` for every operation the document describes.
    static func documentedOperations(_ document: JSONValue) throws -> Set<String> {
        let paths = try #require(document["paths"]?.objectValue)
        var operations = Set<String>()
        for (path, item) in paths.members {
            for key in try #require(item.objectValue, "path item \(path)").keys where operationKeys.contains(key) {
                operations.insert("\(key.uppercased()) \(path)")
            }
        }
        return operations
    }

    /// Every `$ref` (and discriminator mapping target) in `value`, with where it was found.
    static func references(in value: JSONValue, at location: String = "#") -> [(location: String, target: String)] {
        switch value {
        case .object(let object):
            var found: [(location: String, target: String)] = []
            for (key, member) in object.members {
                if key == "$ref", let target = member.stringValue {
                    found.append((location, target))
                } else if key == "mapping", let mapping = member.objectValue {
                    found += mapping.members.compactMap { entry in entry.value.stringValue.map { ("\(location)/mapping", $0) } }
                } else {
                    found += references(in: member, at: "\(location)/\(key)")
                }
            }
            return found
        case .array(let elements):
            return elements.enumerated().flatMap { references(in: $0.element, at: "\(location)/\($0.offset)") }
        default:
            return []
        }
    }

    /// The value a local JSON Pointer reference (RFC 6901) names, or nil.
    static func resolve(_ reference: String, in document: JSONValue) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node = document
        for token in reference.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let key = String(token).replacing("~1", with: "/").replacing("~0", with: "~")
            guard let next = node[key] else { return nil }
            node = next
        }
        return node
    }

    @Test("the document is JSON of OpenAPI 3.1 with agentd's version")
    func parsesAsOpenAPI31() throws {
        let document = try Self.document()
        #expect(document.objectValue != nil)
        #expect(document["openapi"]?.stringValue?.hasPrefix("3.1") == true)
        #expect(document["info"]?["version"]?.stringValue == "__AGENTD_VERSION__")
        let served = try JSONValue.parse(OpenAPIDocument.rendered(providers: ["mock"], agents: ["default"]))
        #expect(served["info"]?["version"]?.stringValue == AgentdVersion.current)
        #expect(document["info"]?["title"]?.stringValue?.isEmpty == false)
    }

    @Test("every routed method and template is documented, and every documented operation is routed")
    func pathsMatchTheRouter() throws {
        let router = try AgentCore.router(configuration: Configuration(), lifecycle: Lifecycle())
        let routed = Set(router.routes.map { "\($0.method.rawValue) \($0.template)" })
        let documented = try Self.documentedOperations(Self.document())
        #expect(!routed.isEmpty)
        #expect(routed.subtracting(documented).isEmpty, "routed but not documented: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
    }

    @Test("every $ref resolves, and every component is used")
    func referencesResolve() throws {
        let document = try Self.document()
        let references = Self.references(in: document)
        #expect(references.count > 20)
        for reference in references {
            #expect(reference.target.hasPrefix("#/components/"), "\(reference.location): \(reference.target)")
            #expect(Self.resolve(reference.target, in: document) != nil, "\(reference.location): \(reference.target) resolves to nothing")
        }
        let targets = Set(references.map(\.target))
        let components = try #require(document["components"]?.objectValue)
        for (kind, members) in components.members {
            for name in try #require(members.objectValue, "components.\(kind)").keys {
                #expect(targets.contains("#/components/\(kind)/\(name)"), "components.\(kind).\(name) is never referenced")
            }
        }
    }

    @Test("every response of every operation declares the X-Request-ID header")
    func everyResponseCarriesTheRequestID() throws {
        let document = try Self.document()
        let paths = try #require(document["paths"]?.objectValue)
        for (path, item) in paths.members {
            for (method, operation) in try #require(item.objectValue).members where Self.operationKeys.contains(method) {
                let responses = try #require(operation["responses"]?.objectValue, "\(method) \(path) has no responses")
                #expect(responses["200"] != nil, "\(method) \(path) documents no 200")
                for (status, response) in responses.members {
                    let resolved = response["$ref"]?.stringValue.flatMap { Self.resolve($0, in: document) } ?? response
                    #expect(resolved["headers"]?["X-Request-ID"] != nil, "\(method) \(path) \(status) lacks X-Request-ID")
                }
            }
        }
    }

    @Test("the documented limits are the code's defaults")
    func limitsMatchTheDefaults() throws {
        let schemas = try #require(try Self.document()["components"]?["schemas"])
        let configuration = Configuration()
        let chat = try #require(schemas["ChatRequest"]?["properties"])
        #expect(chat["message"]?["minLength"] == 1)
        #expect(chat["message"]?["maxLength"]?.intValue == configuration.maxMessageChars)
        #expect(chat["system_prompt"]?["maxLength"]?.intValue == ChatLimits().maxSystemPromptChars)
        #expect(chat["max_tokens"]?["maximum"]?.intValue == configuration.maxTokensPerRequest)
        #expect(chat["temperature"]?["maximum"]?.doubleValue == 2)
        let openAI = try #require(schemas["ChatCompletionRequest"]?["properties"])
        #expect(openAI["max_tokens"]?["maximum"]?.intValue == configuration.maxTokensPerRequest)
        #expect(openAI["max_completion_tokens"]?["maximum"]?.intValue == configuration.maxTokensPerRequest)
        #expect(openAI["temperature"]?["maximum"]?.doubleValue == 2)
    }

    @Test("GET /openapi.json answers the document for its configuration (its models and agents), and GET / links to it")
    func servedAsIs() async throws {
        let server = try await AgentdProcess.serve()
        defer { server.kill() }

        let response = try HTTPTestClient.send("GET", "/openapi.json", port: server.port, timeoutMs: 5000)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("X-Request-ID") != nil)
        #expect(response.body == Array(OpenAPIDocument.rendered(providers: ["mock"], agents: ["default"]).utf8))
        let served = try JSONValue.parse(response.body)
        let chat = served["components"]?["schemas"]?["ChatRequest"]?["properties"]
        #expect(chat?["model"]?["pattern"] == "^(?:[^:]*|(?:mock):.+)$")
        #expect(chat?["agent"]?["enum"] == ["default", nil])

        let root = try JSONValue.parse(HTTPTestClient.send("GET", "/", port: server.port).body)
        #expect(root["links"]?["openapi"] == "/openapi.json")
    }
}
