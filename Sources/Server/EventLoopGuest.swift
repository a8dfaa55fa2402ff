/// Work that shares an event loop's thread instead of running a thread of its own: an upstream transfer
/// engine whose callbacks then run next to the connections waiting for them, with no hop between threads.
///
/// The loop watches `pollFD` (level-triggered) and calls `runPass()` when it is readable or when
/// `nextDeadlineNs` has come. Every method but `pollFD` is called on the loop's thread only.
public protocol EventLoopGuest: AnyObject, Sendable {
    /// Readable when the guest has work (for instance an epoll instance of its own).
    var pollFD: Int32 { get }
    /// Called once on the loop's thread, before the first pass: the guest's owner is now this thread.
    func adoptCurrentThread()
    /// Monotonic nanoseconds at which the guest wants a pass even with `pollFD` quiet; 0 for at once.
    var nextDeadlineNs: UInt64 { get }
    /// Does whatever is ready, without blocking.
    func runPass()
    /// The loop is stopping: end all work now; the guest is not called again.
    func stopNow()
}
