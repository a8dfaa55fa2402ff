/// The outcomes (failed or not) of the last `capacity` calls, in a ring buffer: O(1) to add, O(1) to read the counts.
///
/// A plain value: its owner (CircuitBreaker's lock, through CircuitBreakerMachine) serialises every access.
/// The buffer is allocated once; adding and clearing never allocate.
struct OutcomeWindow {
    let capacity: Int
    private var isFailure: [Bool]
    /// Where the next outcome goes; once the ring is full, that is also the oldest outcome.
    private var nextIndex = 0
    /// Outcomes in the window, at most `capacity`.
    private(set) var count = 0
    /// Failures among them.
    private(set) var failures = 0

    init(capacity: Int) {
        precondition(capacity >= 1, "an outcome window holds at least one call")
        self.capacity = capacity
        isFailure = Array(repeating: false, count: capacity)
    }

    /// Adds the newest outcome; when the window is full, the oldest one falls out.
    mutating func add(isFailure failed: Bool) {
        if count == capacity {
            if isFailure[nextIndex] { failures -= 1 }
        } else {
            count += 1
        }
        isFailure[nextIndex] = failed
        if failed { failures += 1 }
        nextIndex += 1
        if nextIndex == capacity { nextIndex = 0 }
    }

    /// Forgets every outcome. Slots keep stale values, but each is written again before it is read.
    mutating func removeAll() {
        nextIndex = 0
        count = 0
        failures = 0
    }
}
