import Synchronization

/// Several transfer engines, so upstream work spreads over the cores instead of saturating one thread (each
/// engine also keeps its own, smaller, connection cache). Either each has a thread of its own and they take
/// transfers in turn, or they are guests of the server's event loops (`startsThreads: false`, one per loop):
/// then a transfer started on a loop's thread goes to that loop's engine, so the request, its upstream call
/// and the response never change threads.
/// Owner: none; the engines own their transfers, the counter is atomic.
public final class TransferEnginePool: Sendable {
    public let engines: [TransferEngine]
    private let next = Atomic<Int>(0)

    public init(count: Int, startsThreads: Bool = true) throws(TransferError) {
        precondition(count >= 1, "a pool needs at least one engine")
        var engines: [TransferEngine] = []
        for index in 0..<count {
            engines.append(try TransferEngine(name: "agentd-transfers-\(index)", startsThread: startsThreads))
        }
        self.engines = engines
    }

    /// A pool of one existing engine.
    public init(_ engine: TransferEngine) { engines = [engine] }

    /// The engine for the next transfer: the calling thread's own engine when it has one, else the next in turn.
    public func pick() -> TransferEngine {
        for engine in engines where engine.isOwnerThread { return engine }
        return engines[next.add(1, ordering: .relaxed).newValue % engines.count]
    }

    public var activeTransfers: Int { engines.reduce(0) { $0 + $1.activeTransfers } }
    public var connectionsOpened: Int { engines.reduce(0) { $0 + $1.connectionsOpened } }

    public func shutdown() { for engine in engines { engine.shutdown() } }
}
