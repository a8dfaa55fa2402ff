/// Counts of calls and retries over a sliding time window, in a fixed ring of time buckets: O(1) memory.
///
/// The window is `bucketCount` buckets of `bucketWidthMs` each; the newest bucket holds the current time. Moving
/// to a later time empties the buckets that fell out, at most `bucketCount` of them, so every operation is
/// bounded by a constant. Granularity is one bucket: an event leaves the window between
/// (bucketCount - 1) · bucketWidthMs and bucketCount · bucketWidthMs after it happened.
///
/// A plain value: its owner (RetryBudget's lock) serialises every access.
struct RetryBudgetWindow {
    struct Bucket {
        var calls = 0
        var retries = 0
    }

    let bucketWidthMs: Int64
    let bucketCount: Int
    private var buckets: [Bucket]
    /// The bucket number (time / bucketWidthMs) of the newest bucket.
    private var newestBucketNumber: Int64
    /// Sums over all buckets, kept current so that reading them is O(1).
    private(set) var totals = Bucket()

    /// - Parameters:
    ///   - windowMs: how far back the window reaches.
    ///   - maxBucketCount: how many buckets to cut it into (fewer when the window is shorter than that many ms).
    ///   - nowMs: the current time, where the window starts empty.
    init(windowMs: Int64, maxBucketCount: Int, nowMs: Int64) {
        precondition(windowMs >= 1, "a sliding window spans at least one millisecond")
        precondition(maxBucketCount >= 1, "a sliding window needs at least one bucket")
        bucketCount = Int(min(Int64(maxBucketCount), windowMs))
        // Rounded up so that the buckets together cover at least the whole window.
        bucketWidthMs = (windowMs + Int64(bucketCount) - 1) / Int64(bucketCount)
        buckets = Array(repeating: Bucket(), count: bucketCount)
        newestBucketNumber = 0
        newestBucketNumber = bucketNumber(atMs: nowMs)
    }

    /// Adds one call at `nowMs`.
    /// Adds `count` calls made during the bucket that held `madeAtMs`, the window now at `nowMs`; calls whose
    /// bucket has already left the window are dropped (they no longer count).
    mutating func addCalls(_ count: Int, madeAtMs: Int64, nowMs: Int64) {
        slide(toMs: nowMs)
        let number = bucketNumber(atMs: madeAtMs)
        guard number > newestBucketNumber - Int64(bucketCount), number <= newestBucketNumber else { return }
        buckets[bucketIndex(number)].calls += count
        totals.calls += count
    }

    mutating func addCall(atMs nowMs: Int64) {
        let index = slide(toMs: nowMs)
        buckets[index].calls += 1
        totals.calls += 1
    }

    /// Adds one retry at `nowMs`.
    mutating func addRetry(atMs nowMs: Int64) {
        let index = slide(toMs: nowMs)
        buckets[index].retries += 1
        totals.retries += 1
    }

    /// Moves the window so that it ends at `nowMs`, emptying the buckets that fell out; returns the newest bucket's index.
    ///
    /// A reading earlier than the newest bucket (which a monotonic clock never gives) counts in the newest bucket.
    @discardableResult
    mutating func slide(toMs nowMs: Int64) -> Int {
        let target = bucketNumber(atMs: nowMs)
        if target > newestBucketNumber {
            let steps = target - newestBucketNumber
            if steps >= Int64(bucketCount) {
                for index in buckets.indices { buckets[index] = Bucket() }
                totals = Bucket()
            } else {
                for step in 1...steps {
                    let index = bucketIndex(newestBucketNumber + step)
                    totals.calls -= buckets[index].calls
                    totals.retries -= buckets[index].retries
                    buckets[index] = Bucket()
                }
            }
            newestBucketNumber = target
        }
        return bucketIndex(newestBucketNumber)
    }

    /// Floor division, so that readings before the clock's origin still fall into the right bucket.
    func bucketNumber(atMs timeMs: Int64) -> Int64 {
        timeMs >= 0 ? timeMs / bucketWidthMs : (timeMs - bucketWidthMs + 1) / bucketWidthMs
    }

    private func bucketIndex(_ number: Int64) -> Int {
        let count = Int64(bucketCount)
        return Int(((number % count) + count) % count)
    }
}
