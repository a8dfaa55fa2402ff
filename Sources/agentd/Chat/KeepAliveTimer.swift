import Dispatch
import Locks

/// One repeating timer for the keep-alives of every open stream with the same interval, instead of a Dispatch
/// timer per stream: thousands of streams open at once would each hold a timer source and its registration,
/// and each start and end would create and cancel one.
///
/// A stream joins when it starts and leaves when it ends; the timer holds it weakly, so a stream dropped
/// without leaving is forgotten at the next tick. Each tick asks every member whether its keep-alive is due
/// (`StreamBridge.keepAlive`), outside the lock. The timer starts with the first member and then runs for the
/// process's life (a tick over no members costs nothing worth stopping for).
/// Owner: `members`, behind its lock; the timer's handler runs on its own serial queue.
final class KeepAliveTimer: Sendable {
    private struct Member {
        weak var bridge: StreamBridge?
    }

    private let intervalMs: Int
    private let members = Locked<(byID: [ObjectIdentifier: Member], timer: DispatchSourceTimer?)>(([:], nil))

    private init(intervalMs: Int) { self.intervalMs = intervalMs }

    private static let timers = Locked<[Int: KeepAliveTimer]>([:])
    private static let queue = DispatchQueue(label: "agentd.stream.keepalive")

    /// The timer that ticks every `intervalMs`, shared by every stream asking for that interval.
    static func every(_ intervalMs: Int) -> KeepAliveTimer {
        timers.withLock { timers in
            if let timer = timers[intervalMs] { return timer }
            let timer = KeepAliveTimer(intervalMs: intervalMs)
            timers[intervalMs] = timer
            return timer
        }
    }

    func join(_ bridge: StreamBridge) {
        members.withLock { state in
            state.byID[ObjectIdentifier(bridge)] = Member(bridge: bridge)
            if state.timer == nil { state.timer = startTimer() }
        }
    }

    func leave(_ bridge: StreamBridge) {
        _ = members.withLock { $0.byID.removeValue(forKey: ObjectIdentifier(bridge)) }
    }

    /// How many streams the timer holds now (tests).
    var memberCount: Int { members.withLock { $0.byID.count } }

    private func startTimer() -> DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: KeepAliveTimer.queue)
        let interval = DispatchTimeInterval.milliseconds(intervalMs)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(max(10, intervalMs / 3)))
        timer.setEventHandler { [weak self] in self?.tick() }
        timer.resume()
        return timer
    }

    private func tick() {
        let due = members.withLock { state -> [StreamBridge] in
            var live: [StreamBridge] = []
            live.reserveCapacity(state.byID.count)
            for (id, member) in state.byID {
                if let bridge = member.bridge { live.append(bridge) } else { state.byID[id] = nil }
            }
            return live
        }
        for bridge in due { bridge.keepAlive() }
    }
}
