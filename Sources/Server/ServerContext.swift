import HTTP
import Logging
import Synchronization

/// What every loop, listener and connection of one server shares: configuration, handler and counters.
/// Owner: none; immutable but for atomics.
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let handler: HTTPHandler
    let logger: Logger
    let headerTimeoutNs: UInt64
    let bodyTimeoutNs: UInt64
    let idleTimeoutNs: UInt64
    let writeTimeoutNs: UInt64

    let openConnections = Atomic<Int>(0)
    let inFlightRequests = Atomic<Int>(0)
    let rejectedConnections = Atomic<Int>(0)
    let rejectedRequests = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)
    let exchangeObserver: (any ExchangeObserver)?

    init(configuration: ServerConfiguration, handler: HTTPHandler, logger: Logger, exchangeObserver: (any ExchangeObserver)?) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.exchangeObserver = exchangeObserver
        headerTimeoutNs = UInt64(configuration.headerTimeoutMs) * 1_000_000
        bodyTimeoutNs = UInt64(configuration.bodyTimeoutMs) * 1_000_000
        idleTimeoutNs = UInt64(configuration.idleTimeoutMs) * 1_000_000
        writeTimeoutNs = UInt64(configuration.writeTimeoutMs) * 1_000_000
    }

    var isDraining: Bool { draining.load(ordering: .relaxed) }
    func beginDraining() { draining.store(true, ordering: .relaxed) }

    /// Counts a new connection if there is room under `maxConnections`.
    func reserveConnection() -> Bool {
        let count = openConnections.wrappingAdd(1, ordering: .relaxed).newValue
        if count > configuration.maxConnections {
            openConnections.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func releaseConnection() { openConnections.subtract(1, ordering: .relaxed) }

    /// A request the server answered itself (framing error, limit, timeout), for metrics and the access log.
    func onRejected(_ status: HTTPStatus, requestID: String, remoteAddress: String) {
        rejectedRequests.add(1, ordering: .relaxed)
        exchangeObserver?.exchangeFinished(ExchangeRecord(
            requestID: requestID, method: nil, route: nil, status: status.code, durationNs: 0,
            remoteAddress: remoteAddress, completed: true, note: nil
        ))
    }

    func log(_ level: LogLevel, _ message: String, _ fields: [String: String] = [:]) {
        logger.log(level, message, fields)
    }
}
