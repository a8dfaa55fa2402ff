/// The version agentd reports in `--version`, `GET /` and `/health`.
enum AgentdVersion {
    static let current = "0.1.0"
}
