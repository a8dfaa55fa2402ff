import Synchronization

/// Several transfer engines, one thread each, taking transfers in turn, so upstream work spreads over the
/// cores instead of saturating one thread (each engine also keeps its own, smaller, connection cache).
/// Owner: none; the engines own their transfers, the counter is atomic.
public final class TransferEnginePool: Sendable {
    public let engines: [TransferEngine]
    private let next = Atomic<Int>(0)

    public init(count: Int) throws(TransferError) {
        precondition(count >= 1, "a pool needs at least one engine")
        var engines: [TransferEngine] = []
        for index in 0..<count { engines.append(try TransferEngine(name: "agentd-transfers-\(index)")) }
        self.engines = engines
    }

    /// A pool of one existing engine.
    public init(_ engine: TransferEngine) { engines = [engine] }

    /// The engine for the next transfer.
    public func pick() -> TransferEngine {
        engines[next.add(1, ordering: .relaxed).newValue % engines.count]
    }

    public var activeTransfers: Int { engines.reduce(0) { $0 + $1.activeTransfers } }
    public var connectionsOpened: Int { engines.reduce(0) { $0 + $1.connectionsOpened } }

    public func shutdown() { for engine in engines { engine.shutdown() } }
}
