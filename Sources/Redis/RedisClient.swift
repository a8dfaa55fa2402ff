import CAgentdSystem
import Foundation
import Locks
import Synchronization

/// agentd's Redis client: a few pipelined connections (one per event loop), each driven by its owner thread,
/// and a connector thread that (re)connects them with jittered backoff.
///
/// Owner: the connections own their sockets and queues; `state` (a lock) holds what the connector and the
/// connections report (how many are ready, the last failure, whether the client is up); the connector owns its
/// schedule. A command goes to the calling thread's own connection when it has one (no hop between threads),
/// else to the next in turn. No command waits for a connection: while Redis is down they fail at once, and
/// every command has the deadline `timeoutMs` (`AGENTD_REDIS_TIMEOUT_MS`).
public final class RedisClient: Sendable {
    public struct Settings: Sendable {
        public var url: RedisURL
        public var timeoutMs = 250
        /// Connections, normally one per event loop.
        public var connections = 1
        /// The largest reply accepted (a bigger one drops the connection): 16 MiB.
        public var limits = RESPParserLimits.default
        /// PEM CA certificates for `rediss://` (`AGENTD_REDIS_CA_FILE`); nil: the system's store.
        public var caFile: String?
        /// Reconnection backoff: full jitter over base × 2^attempt, at most `reconnectMaxMs`.
        public var reconnectBaseMs = 50
        public var reconnectMaxMs = 1000
        /// Loaded (`SCRIPT LOAD`) on every new connection, so the first requests after a connect or a Redis
        /// restart do not all meet `NOSCRIPT` at once (they would each resend the source).
        public var scripts: [RedisScript] = []
        /// RESP3 push data (pub/sub messages, subscription confirmations), on the connection's thread. Without
        /// it pushes are dropped. Only a subscriber's client sets it (`RedisSubscriber`).
        public var onPush: (@Sendable ([RESPValue]) -> Void)?
        /// Every time all connections are up again (after the first connect and each reconnect), on the
        /// thread that completed the last one: a subscriber renews its subscriptions here.
        public var onReady: (@Sendable () -> Void)?

        public init(url: RedisURL) { self.url = url }
    }

    struct State {
        var ready = 0
        var up = false
        var everConnected = false
        var reportedFailure = false
        var lastFailure: String?
        var downSinceNs: UInt64 = 0
        var protocolVersion = 0
        var persistence = RedisPersistence()
    }

    public let settings: Settings
    public let connections: [RedisConnection]
    public let observer: (any RedisObserver)?
    let state = Locked(State())
    private let next = Atomic<Int>(0)
    private let connector: RedisConnector
    private let guestThreads: Locked<[RedisGuestThread]>

    /// `startsThreads`: each connection gets a thread of its own; else they wait for event loops to host them.
    public init(settings: Settings, observer: (any RedisObserver)? = nil, startsThreads: Bool = true) throws(RedisError) {
        precondition(settings.connections >= 1, "a redis client needs at least one connection")
        precondition(settings.timeoutMs >= 1, "every redis command needs a deadline of at least 1 ms")
        self.settings = settings
        self.observer = observer
        var connections: [RedisConnection] = []
        for index in 0..<settings.connections {
            connections.append(try RedisConnection(index: index, timeoutMs: settings.timeoutMs, limits: settings.limits))
        }
        self.connections = connections
        let tls = try settings.url.usesTLS ? TLSSettings(caFile: settings.caFile) : nil
        connector = RedisConnector(
            handshake: RedisHandshake(
                url: settings.url, tls: tls, timeoutMs: max(settings.timeoutMs, RedisClient.minimumConnectTimeoutMs), scripts: settings.scripts
            ),
            baseMs: settings.reconnectBaseMs, maxMs: settings.reconnectMaxMs
        )
        guestThreads = Locked(startsThreads ? connections.map(RedisGuestThread.init) : [])
        for connection in connections { connection.client = self }
        connector.client = self
    }

    /// Connecting gets at least this long, even with a short command timeout: a TLS handshake takes round trips.
    public static let minimumConnectTimeoutMs = 1000

    /// Starts connecting every connection (in the background; commands fail until they are up).
    public func start() { connector.start(connections) }

    /// Stops the connector and the client's own threads; waiting commands fail. Hosted connections are stopped
    /// by their loops.
    public func stop() {
        connector.stop()
        let threads = guestThreads.withLock { threads -> [RedisGuestThread] in
            defer { threads.removeAll() }
            return threads
        }
        for thread in threads { thread.stop() }
    }

    /// Whether every connection is up.
    public var isUp: Bool { state.withLock { $0.up } }

    /// Why Redis could not be used the last time it could not; nil once it never failed.
    public var lastFailure: String? { state.withLock { $0.lastFailure } }

    /// The calling thread's own connection, else the next one in turn.
    public func pick() -> RedisConnection {
        for connection in connections where connection.isOwnerThread { return connection }
        return connections[next.add(1, ordering: .relaxed).newValue % connections.count]
    }

    /// Runs `work` once the current pass of the calling thread's connection ends, before its output is written
    /// (so commands `work` sends leave in the same write); from a thread that owns no connection, soon on
    /// another thread. For coalescing work that many requests of one pass produce (budget settlements).
    public func atEndOfPass(_ work: @escaping @Sendable () -> Void) {
        for connection in connections where connection.isOwnerThread {
            connection.endOfPass.append(work)
            return
        }
        DispatchQueue.global().async(execute: work)
    }

    /// Sends one command; `completion` runs once, with the reply or why there is none.
    public func send(_ arguments: [String], operation: String, completion: @escaping RedisConnection.Completion) {
        var bytes: [UInt8] = []
        RESPEncoder.appendCommand(arguments, to: &bytes)
        pick().send(bytes, operation: operation, completion: completion)
    }

    /// `send` with binary-safe arguments.
    public func send(byteArguments: [[UInt8]], operation: String, completion: @escaping RedisConnection.Completion) {
        var bytes: [UInt8] = []
        RESPEncoder.appendCommand(byteArguments, to: &bytes)
        pick().send(bytes, operation: operation, completion: completion)
    }

    /// Runs `script` with `EVALSHA`, resending it as `EVAL` when Redis answers `NOSCRIPT`.
    public func run(
        _ script: RedisScript, keys: [String], arguments: [String], operation: String,
        completion: @escaping RedisConnection.Completion
    ) {
        runScript(script, keys: keys, argumentCount: arguments.count, operation: operation, completion: completion) { buffer in
            for argument in arguments { RESPEncoder.appendArgument(argument, to: &buffer) }
        }
    }

    /// `run` with binary-safe arguments (encoded answers).
    public func run(
        _ script: RedisScript, keys: [String], byteArguments: [[UInt8]], operation: String,
        completion: @escaping RedisConnection.Completion
    ) {
        runScript(script, keys: keys, argumentCount: byteArguments.count, operation: operation, completion: completion) { buffer in
            for argument in byteArguments { RESPEncoder.appendArgument(argument, to: &buffer) }
        }
    }

    /// Encodes `EVALSHA sha numkeys keys… arguments…` straight into one buffer (no array of arguments is built:
    /// this is the per-request path), and on `NOSCRIPT` the same with `EVAL source` on the same connection.
    private func runScript(
        _ script: RedisScript, keys: [String], argumentCount: Int, operation: String, completion: @escaping RedisConnection.Completion,
        appendArguments: @escaping @Sendable (inout [UInt8]) -> Void
    ) {
        let encode: @Sendable (_ verb: String, _ head: String) -> [UInt8] = { verb, head in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(128)
            RESPEncoder.appendCommandHeader(count: 3 + keys.count + argumentCount, to: &bytes)
            RESPEncoder.appendArgument(verb, to: &bytes)
            RESPEncoder.appendArgument(head, to: &bytes)
            RESPEncoder.appendArgument(String(keys.count), to: &bytes)
            for key in keys { RESPEncoder.appendArgument(key, to: &bytes) }
            appendArguments(&bytes)
            return bytes
        }
        let connection = pick()
        connection.send(encode("EVALSHA", script.sha1), operation: operation) { result in
            guard case .failure(let error) = result, error.serverErrorCode == "NOSCRIPT" else {
                completion(result)
                return
            }
            connection.send(encode("EVAL", script.source), operation: operation, completion: completion)
        }
    }

    // MARK: Reports from the connections and the connector

    func commandFinished(_ operation: String, startedNs: UInt64, failure: RedisError?) {
        guard let observer else { return }
        observer.redisCommandFinished(operation: operation, seconds: Double(agentd_monotonic_ns() &- startedNs) / 1e9, failure: failure)
    }

    func connectionReady(_ connection: RedisConnection) {
        let change = state.withLock { state -> RedisStateChange? in
            state.ready += 1
            guard state.ready == connections.count, !state.up else { return nil }
            state.up = true
            defer { state.everConnected = true }
            if state.everConnected {
                return .back(endpoint: settings.url.description, downSeconds: Double(agentd_monotonic_ns() &- state.downSinceNs) / 1e9)
            }
            return .connected(endpoint: settings.url.description, protocolVersion: state.protocolVersion, persistence: state.persistence)
        }
        if let change {
            observer?.redisStateChanged(change)
            settings.onReady?()
        }
    }

    func connectionLost(_ connection: RedisConnection, reason: String) {
        let change = state.withLock { state -> RedisStateChange? in
            state.ready = max(0, state.ready - 1)
            state.lastFailure = reason
            guard state.up else { return nil }
            state.up = false
            state.downSinceNs = agentd_monotonic_ns()
            return .lost(endpoint: settings.url.description, reason: reason)
        }
        if let change { observer?.redisStateChanged(change) }
        connector.schedule(connection)
    }

    func connectFailed(reason: String) {
        let change = state.withLock { state -> RedisStateChange? in
            state.lastFailure = reason
            guard !state.everConnected, !state.reportedFailure else { return nil }
            state.reportedFailure = true
            return .cannotConnect(endpoint: settings.url.description, reason: reason)
        }
        if let change { observer?.redisStateChanged(change) }
    }

    func connected(protocolVersion: Int, persistence: RedisPersistence) {
        state.withLock {
            $0.protocolVersion = protocolVersion
            $0.persistence = persistence
        }
    }

    /// How the server persists acknowledged writes, as last read at a connection.
    public var persistence: RedisPersistence { state.withLock { $0.persistence } }
}
