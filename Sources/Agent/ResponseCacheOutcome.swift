/// How a `ResponseCache.fetch` was answered, for the `agentd_cache_requests_total{result}` metric and logs.
///
/// The metric has two results, hit and miss (docs/api.md, Observability surface). A miss is an upstream call made for
/// this request; everything else made none, so `.joined` counts as a hit (`metricResult`). `.bypassed` is neither: the
/// cache is off, and the caller counts nothing.
public enum CacheOutcome: Sendable, Equatable {
    /// A fresh stored answer; the completion ran at once, on the caller's thread.
    case hit
    /// This caller computed the answer (the leader of its key's single flight).
    case miss
    /// Another caller was already computing the same key; this one waited for its answer.
    case joined
    /// The cache is off (`ttlMs` 0): the answer was computed and not stored.
    case bypassed

    /// `hit` or `miss` for the metric's `result` label; nil for `.bypassed`, which is not counted.
    public var metricResult: String? {
        switch self {
        case .hit, .joined: return "hit"
        case .miss: return "miss"
        case .bypassed: return nil
        }
    }
}
