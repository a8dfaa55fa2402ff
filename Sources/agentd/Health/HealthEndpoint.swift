import Agent
import Foundation
import HTTP
import JSON
import MCP
import Redis
import Resilience
import Server
import Tasks

/// `GET /health`: the detailed view (docs/api.md, GET /health). One component per provider (its circuit and when it
/// last answered or failed) and memory; `degraded` when a circuit is not closed or memory runs high,
/// `unhealthy` (503) when every upstream provider's circuit is open or memory is nearly exhausted.
/// Readiness (`/health/ready`) never looks at any of this: one provider's outage must not empty the Service.
struct HealthEndpoint: Sendable {
    let gateway: LLMGateway
    let health: ProviderHealth
    /// When this agentd started, on `gateway.clock`'s calendar.
    let startedAtUnixMs: Int64
    /// The task store's component: healthy when its journal writes, degraded otherwise (chat still works).
    var tasks: TaskService?
    /// Shared state on Redis (nil without `AGENTD_REDIS_URL`): degraded while unreachable, never unhealthy,
    /// as readiness and liveness ignore it (one shared outage must not restart or unroute every replica).
    var redis: RedisClient?
    /// The agents' MCP servers: one component each, degraded while unreachable (their tools are missing).
    var mcp: MCPToolbox?

    /// Shares of the memory limit at which memory is degraded, then unhealthy.
    static let memoryDegradedShare = 0.9
    static let memoryUnhealthyShare = 0.97

    enum Status: String { case healthy, degraded, unhealthy }

    func respond(_ request: HTTPRequest) -> HTTPResponse {
        var components: [JSONValue] = []
        var providerStates: [CircuitBreaker.State] = []
        var overall = Status.healthy
        for (provider, state) in gateway.breakerStates {
            let entry = health.entry(provider)
            var component: JSONObject = ["name": .string("provider:\(provider)")]
            let status: Status = state == .closed ? .healthy : state == .halfOpen ? .degraded : .unhealthy
            component["status"] = .string(status.rawValue)
            var message = "circuit \(state.metricName)"
            if let success = entry.lastSuccessUnixMs { message += ", last success \(ago(success)) ago" }
            if let failure = entry.lastFailureUnixMs {
                message += ", last failure \(ago(failure)) ago (\(entry.lastError ?? "error"))"
            }
            component["message"] = .string(message)
            components.append(.object(component))
            if provider != "mock" { providerStates.append(state) }
            if status != .healthy { overall = .degraded }
        }
        if !providerStates.isEmpty && providerStates.allSatisfy({ $0 == .open }) { overall = .unhealthy }
        let memory = MemoryReading.current()
        var memoryComponent: JSONObject = ["name": "memory", "status": "healthy"]
        var memoryMessage = "resident \(memory.residentBytes / 1_048_576) MiB"
        if let limit = memory.limitBytes {
            let share = Double(memory.residentBytes) / Double(limit)
            memoryMessage += " of \(limit / 1_048_576) MiB limit"
            if share >= HealthEndpoint.memoryUnhealthyShare {
                memoryComponent["status"] = "unhealthy"
                overall = .unhealthy
            } else if share >= HealthEndpoint.memoryDegradedShare {
                memoryComponent["status"] = "degraded"
                if overall == .healthy { overall = .degraded }
            }
        }
        memoryComponent["message"] = .string(memoryMessage)
        components.append(.object(memoryComponent))
        if let tasks {
            let problem = tasks.notReadyReason
            var component: JSONObject = ["name": "task_store", "status": .string(problem == nil ? "healthy" : "degraded")]
            if let store = tasks.store {
                var message = problem ?? HealthEndpoint.queueSummary(store.stats)
                // A 202 is only as durable as Redis' persistence: say so where operators look for tasks.
                if let redis, redis.isUp, !redis.persistence.isDurable {
                    message += "; acknowledged tasks can be lost if Redis crashes (\(redis.persistence))"
                }
                component["message"] = .string(message)
            } else {
                component["message"] = .string(problem ?? "not open")
            }
            if problem != nil && overall == .healthy { overall = .degraded }
            components.append(.object(component))
        }
        if let redis {
            let up = redis.isUp
            var message = "\(redis.settings.url), " + (up ? "connected" : "unreachable: \(redis.lastFailure ?? "connecting")")
            if up { message += "; state shared by every replica; \(redis.persistence)" }
            components.append(["name": "redis", "status": .string(up ? "healthy" : "degraded"), "message": .string(message)])
            if !up && overall == .healthy { overall = .degraded }
        }
        for server in mcp?.servers ?? [] {
            let status = server.status
            components.append([
                "name": .string("mcp:\(server.settings.name)"), "status": .string(status.up ? "healthy" : "degraded"),
                "message": .string(status.message),
            ])
            if !status.up && overall == .healthy { overall = .degraded }
        }
        let body: JSONValue = [
            "status": .string(overall.rawValue), "version": .string(AgentdVersion.current),
            "uptime_seconds": .integer(Int((gateway.clock.nowUnixMs - startedAtUnixMs) / 1000)), "components": .array(components),
        ]
        return .json(overall == .unhealthy ? .serviceUnavailable : .ok, body.serialized())
    }

    func ago(_ unixMs: Int64) -> String {
        let seconds = max(0, (gateway.clock.nowUnixMs - unixMs) / 1000)
        return "\(seconds) s"
    }
}

/// Resident memory from /proc and the cgroup's limit, when there is one (v2 `memory.max`, v1 `limit_in_bytes`).
struct MemoryReading {
    var residentBytes: Int
    var limitBytes: Int?

    static func current() -> MemoryReading {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        var resident = 0
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Int(fields[1]) { resident = pages * pageSize }
        }
        var limit: Int?
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
               let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), value > 0, value < Int(Int64(1) << 60) {
                limit = value
                break
            }
        }
        return MemoryReading(residentBytes: resident, limitBytes: limit)
    }
}

extension HealthEndpoint {
    /// The task component's message: `12 queued (oldest 1.2 s), 3 running here, 8 running in all`; the shared
    /// queue (Redis) says so.
    static func queueSummary(_ stats: TaskQueueStats) -> String {
        var text = "\(stats.queued) queued"
        if let age = stats.oldestPendingAgeMs { text += " (oldest \(Double(age / 100) / 10) s)" }
        text += ", \(stats.runningHere) running here"
        if stats.shared { text += ", \(stats.byStatus[.running] ?? 0) running in all replicas (one queue in Redis)" }
        return text
    }
}
