import JSON
import Testing
@testable import agentd

/// The one table of variables (`Configuration.Variable`, docs/configuration.md): every row reads back what it shows.
@Suite("the configuration table")
struct ConfigurationTableTests {
    @Test("each variable set to its shown default reads as unset; a fresh Configuration is the defaults")
    func shownDefaultsReadBack() throws {
        let defaults = try Configuration.load(from: [:]).effectiveJSON(environment: [:])
        #expect(Configuration().effectiveJSON(environment: [:]) == defaults)
        for setting in Configuration.settings where setting.read != nil && !setting.defaultValue.hasPrefix("<") {
            let configuration = try Configuration.load(from: [setting.name: setting.defaultValue])
            #expect(configuration.effectiveJSON(environment: [:]) == defaults, "\(setting.name)=\(setting.defaultValue)")
        }
    }

    @Test("a number's row shows its bounds, and the reader refuses one past each")
    func boundsAreEnforced() throws {
        var numbers = 0
        for setting in Configuration.settings {
            let bounds = setting.accepted.split(separator: "…").map(String.init)
            guard bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]) else { continue }
            numbers += 1
            #expect(throws: ConfigurationError.self, "\(setting.name) below \(low)") { try Configuration.load(from: [setting.name: String(low - 1)]) }
            #expect(throws: ConfigurationError.self, "\(setting.name) above \(high)") { try Configuration.load(from: [setting.name: String(high + 1)]) }
            // The largest retry base needs a cap as large (the one rule between two numbers).
            let cap = setting.name == "AGENTD_RETRY_BASE_MS" ? ["AGENTD_RETRY_MAX_MS": String(high)] : [:]
            #expect(throws: Never.self) { try Configuration.load(from: cap.merging([setting.name: String(high)]) { $1 }) }
        }
        #expect(numbers > 40)
    }

    @Test("a choice's row lists what it accepts; anything else is refused")
    func choicesAreEnforced() throws {
        let choices = Configuration.settings.filter { $0.accepted.contains("|") }
        #expect(choices.map(\.name).sorted() == [
            "AGENTD_ALLOW_UNAUTHENTICATED", "AGENTD_JOURNAL_SYNC", "AGENTD_LOG_BODIES", "AGENTD_LOG_FORMAT", "AGENTD_LOG_LEVEL",
            "AGENTD_REDIS_RATE_LIMIT_FALLBACK",
        ])
        for setting in choices {
            for value in setting.accepted.split(separator: "|") {
                #expect(throws: Never.self) { try Configuration.load(from: [setting.name: value.uppercased()]) }
            }
            #expect(throws: ConfigurationError.self) { try Configuration.load(from: [setting.name: "other"]) }
        }
    }
}
