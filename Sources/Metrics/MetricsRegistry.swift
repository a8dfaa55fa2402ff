import Locks
import Synchronization

/// The set of metric families and collectors one process exposes, and their text exposition (format 0.0.4).
///
/// Owner: the registry's lock (`Locked`) guards the ordered list of families and collectors; it is taken
/// at registration and once per scrape to copy that list, never while a collector runs or a value updates.
/// Values live in the series' atomics. Families are registered once by name; asking again with the same
/// type and labels returns the same family, anything else is a precondition failure. Nothing is ever
/// unregistered. Families and collectors are exposed in registration order, series in creation order.
/// Format: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
public final class MetricsRegistry: Sendable {
    /// The `Content-Type` of `exposition()`.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private enum Entry {
        case family(any ExposedFamily)
        case collector(@Sendable (inout MetricsWriter) -> Void)
    }

    private struct State {
        var entries: [Entry] = []
        var familiesByName: [String: any ExposedFamily] = [:]
    }

    private let state = Locked(State())
    /// The last exposition's size, so the next one allocates its buffer once.
    private let lastExpositionBytes = Atomic<Int>(0)

    public init() {}

    /// The counter family `name`, registered on first call. Counter names should end in `_total`.
    public func counter(_ name: String, help: String, labelNames: [String] = []) -> CounterFamily {
        register(name: name, help: help, type: .counter, labelNames: labelNames) {
            CounterFamily(name: name, help: help, labelNames: labelNames)
        }
    }

    /// The gauge family `name`, registered on first call.
    public func gauge(_ name: String, help: String, labelNames: [String] = []) -> GaugeFamily {
        register(name: name, help: help, type: .gauge, labelNames: labelNames) {
            GaugeFamily(name: name, help: help, labelNames: labelNames)
        }
    }

    /// The histogram family `name` with `buckets` (finite, strictly increasing; `+Inf` is implicit),
    /// registered on first call. See `Histogram.defaultSecondsBuckets` and `Histogram.llmSecondsBuckets`.
    public func histogram(_ name: String, help: String, labelNames: [String] = [], buckets: [Double]) -> HistogramFamily {
        HistogramFamily.preconditionValid(buckets: buckets, name: name)
        precondition(
            !labelNames.contains("le"),
            "histogram '\(name)' cannot have a label named 'le': the exposition uses it for bucket bounds"
        )
        let family = register(name: name, help: help, type: .histogram, labelNames: labelNames) {
            HistogramFamily(name: name, help: help, labelNames: labelNames, buckets: buckets)
        }
        precondition(
            family.buckets == buckets,
            "histogram '\(name)' is already registered with buckets \(family.buckets), not \(buckets): "
                + "register it once and share the family"
        )
        return family
    }

    /// Adds a collector, called at every scrape (in registration order with the families) to write
    /// families whose values are read then: open connections, breaker states, process metrics.
    ///
    /// It runs on the scraping thread without the registry's lock, so it may read other locked state; it
    /// must write each family name once per scrape and no name a registered family has.
    public func addCollector(_ collect: @escaping @Sendable (inout MetricsWriter) -> Void) {
        state.withLock { $0.entries.append(.collector(collect)) }
    }

    /// The text exposition of every family and collector, as `GET /metrics` answers it.
    public func exposition() -> [UInt8] {
        let entries = state.withLock { $0.entries }
        var writer = MetricsWriter(reservingCapacity: lastExpositionBytes.load(ordering: .relaxed))
        for entry in entries {
            switch entry {
            case .family(let family): family.write(into: &writer)
            case .collector(let collect): collect(&writer)
            }
        }
        lastExpositionBytes.store(writer.bytes.count, ordering: .relaxed)
        return writer.bytes
    }

    private func register<Family: ExposedFamily>(
        name: String,
        help: String,
        type: MetricType,
        labelNames: [String],
        make: () -> Family
    ) -> Family {
        MetricNames.preconditionValid(name: name, help: help, labelNames: labelNames)
        return state.withLock { state in
            if let existing = state.familiesByName[name] {
                guard let same = existing as? Family, existing.labelNames == labelNames else {
                    preconditionFailure(
                        "metric '\(name)' is already registered as a \(existing.type.text) with labels "
                            + "\(existing.labelNames); asked again as a \(type.text) with labels \(labelNames). "
                            + "A name names one family: register it once and share it, or pick another name"
                    )
                }
                return same
            }
            let family = make()
            state.familiesByName[name] = family
            state.entries.append(.family(family))
            return family
        }
    }
}
