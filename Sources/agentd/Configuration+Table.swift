/// Every variable as one Markdown table (`agentd config --table`): README.md's configuration table and
/// docs/configuration.md's are this text, which `scripts/config-table.sh` prints and a test compares.
extension Configuration {
    static var markdownTable: String {
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        var table = "| variable | default | accepted | meaning |\n|---|---|---|---|\n"
        for setting in settings {
            let defaultCell = setting.defaultValue.isEmpty ? "—" : "`\(cell(setting.defaultValue))`"
            let accepted = setting.accepted.isEmpty ? "" : cell(setting.accepted)
            table += "| `\(setting.name)` | \(defaultCell) | \(accepted) | \(cell(setting.summary)) |\n"
        }
        return table
    }
}
