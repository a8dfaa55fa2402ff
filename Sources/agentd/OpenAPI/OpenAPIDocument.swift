import Foundation
import JSON

/// The OpenAPI 3.1 document of every route agentd serves (`openapi.json` next to this file, embedded in the binary
/// at build time), answered by `GET /openapi.json`.
///
/// Kept by hand, next to the code, and checked by `OpenAPIDocumentTests`: it parses, every routed method and
/// template is in `paths` and nothing else is (the document never promises a route the router lacks), and
/// every `$ref` resolves. Change it with the routes, the limits or the bodies it describes. Three values are
/// filled in when the server starts (`rendered`): `info.version` from `AgentdVersion.current`, so it cannot
/// drift; and the models and agents a request may name, this configuration's (so a tool generating requests
/// from the document sends none that agentd refuses, such as a model of a provider that is not configured).
/// Follows https://spec.openapis.org/oas/v3.1.0 (schemas are JSON Schema 2020-12).
enum OpenAPIDocument {
    /// The file as embedded, placeholders and all.
    static var json: String { String(decoding: PackageResources.openapi_json, as: UTF8.self) }

    /// The document for this configuration: `model` fields match the configured providers' prefixes (or a bare
    /// name, for the default provider), `agent` fields list the configured agents.
    static func rendered(providers: [String], agents: [String]) -> String {
        let prefixes = providers.sorted().joined(separator: "|")
        let pattern = prefixes.isEmpty ? "^[^:]*$" : "^(?:[^:]*|(?:\(prefixes)):.+)$"
        let names = JSONValue.array(agents.map(JSONValue.string) + [.null]).serialized()
        return json.replacingOccurrences(of: "__AGENTD_VERSION__", with: AgentdVersion.current)
            .replacingOccurrences(of: "\"__MODEL_PATTERN__\"", with: JSONValue.string(pattern).text)
            .replacingOccurrences(of: "[\"__AGENT_NAMES__\"]", with: String(decoding: names, as: UTF8.self))
    }
}
