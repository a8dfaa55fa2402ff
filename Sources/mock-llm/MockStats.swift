import Logging
import Synchronization
import Locks

/// What `GET /stats` reports, and the per-scenario request counts that `times=` is decided on.
///
/// Owner: one mutex around each struct. Counters change once or twice per request, never per chunk.
/// `POST /stats/reset` zeroes the counters (not the gauges of exchanges still open); scenario state survives
/// it unless asked (`?scenarios=true`), so a reset in one test cannot re-arm a fault another test relies on.
final class MockStats: Sendable {
    private struct Counters {
        var requestsTotal = 0
        var requestsByPath: [String: Int] = [:]
        var requestsByScenario: [String: Int] = [:]
        var faultsServed = 0
        var faultsByKind: [String: Int] = [:]
        var streamsActive = 0
        var streamsCompleted = 0
        var streamsCancelled = 0
        var streamsReset = 0
        var requestsPending = 0
        var requestsCancelled = 0
    }

    private let counters = Locked(Counters())
    /// Requests seen per scenario key, for `times=`.
    private let scenarios = Locked<[String: Int]>([:])

    func countRequest(path: String) {
        counters.withLock {
            $0.requestsTotal += 1
            $0.requestsByPath[path, default: 0] += 1
        }
    }

    /// Counts a request of a scenario and says whether it gets the fault: all do without `times`, else the
    /// first `times` of the scenario key.
    func admit(options: MockOptions, model: String) -> MockFault? {
        if let scenario = options.scenario { counters.withLock { $0.requestsByScenario[scenario, default: 0] += 1 } }
        guard let fault = options.fault else { return nil }
        guard let times = options.times else { return fault }
        let seen = scenarios.withLock { book -> Int in
            let key = options.scenarioKey(model: model)
            book[key, default: 0] += 1
            return book[key]!
        }
        return seen <= times ? fault : nil
    }

    func countFault(_ fault: MockFault) {
        counters.withLock {
            $0.faultsServed += 1
            $0.faultsByKind[fault.rawValue, default: 0] += 1
        }
    }

    func began(_ kind: Flight.Kind) {
        counters.withLock { if kind == .stream { $0.streamsActive += 1 } else { $0.requestsPending += 1 } }
    }

    func ended(_ kind: Flight.Kind, _ outcome: Flight.Outcome) {
        counters.withLock {
            switch kind {
            case .stream:
                $0.streamsActive -= 1
                switch outcome {
                case .completed: $0.streamsCompleted += 1
                case .cancelled: $0.streamsCancelled += 1
                case .reset: $0.streamsReset += 1
                }
            case .request:
                $0.requestsPending -= 1
                if outcome == .cancelled { $0.requestsCancelled += 1 }
            }
        }
    }

    func reset(scenarios resetScenarios: Bool) {
        counters.withLock { counters in
            let fresh = Counters(streamsActive: counters.streamsActive, requestsPending: counters.requestsPending)
            counters = fresh
        }
        if resetScenarios { scenarios.withLock { $0.removeAll() } }
    }

    /// The `/stats` body.
    func json() -> String {
        let snapshot = counters.withLock { $0 }
        func object(_ values: [String: Int]) -> String {
            "{" + values.keys.sorted().map { "\(JSONText.quoted($0)):\(values[$0]!)" }.joined(separator: ",") + "}"
        }
        return "{\"requests_total\":\(snapshot.requestsTotal),\"requests_by_path\":\(object(snapshot.requestsByPath)),"
            + "\"requests_by_scenario\":\(object(snapshot.requestsByScenario)),\"faults_served\":\(snapshot.faultsServed),"
            + "\"faults_by_kind\":\(object(snapshot.faultsByKind)),\"streams_active\":\(snapshot.streamsActive),"
            + "\"streams_completed\":\(snapshot.streamsCompleted),\"streams_cancelled\":\(snapshot.streamsCancelled),"
            + "\"streams_reset\":\(snapshot.streamsReset),\"requests_pending\":\(snapshot.requestsPending),"
            + "\"requests_cancelled\":\(snapshot.requestsCancelled)}"
    }
}

/// One exchange answered later than at once (a stream, or a delayed or hung answer): ends exactly once, as
/// completed, reset by us, or cancelled because the client went away.
///
/// Owner: none; one atomic decides the outcome, so the event loop's cancel handler and the shard's last step
/// cannot both count it.
final class Flight: Sendable {
    enum Kind: Sendable { case stream, request }
    enum Outcome: Sendable { case completed, cancelled, reset }

    let kind: Kind
    private let stats: MockStats
    private let open = Atomic<Bool>(true)

    init(_ kind: Kind, stats: MockStats) {
        self.kind = kind
        self.stats = stats
        stats.began(kind)
    }

    var isOpen: Bool { open.load(ordering: .acquiring) }

    /// Ends the flight; false if it had already ended (then the caller must not act on it).
    @discardableResult
    func end(_ outcome: Outcome) -> Bool {
        guard open.exchange(false, ordering: .acquiringAndReleasing) else { return false }
        stats.ended(kind, outcome)
        return true
    }
}
