import Locks

/// The series of one labelled family, one per label value tuple, kept in creation order.
///
/// Owner: the table's lock (`Locked`) guards the lookup dictionary and the ordered list; it is taken on
/// each `series(for:)` and once per scrape. Callers resolve their label sets once and keep the returned
/// handle, so the lock is off the hot path: updates go to the series' atomics. A series is never removed.
final class SeriesTable<Series: AnyObject & Sendable>: Sendable {
    private struct State {
        var seriesByLabelValues: [[String]: Series] = [:]
        var seriesInCreationOrder: [Series] = []
    }

    let familyName: String
    let labelNames: [String]
    private let state = Locked(State())
    private let makeSeries: @Sendable ([String]) -> Series

    init(familyName: String, labelNames: [String], makeSeries: @escaping @Sendable ([String]) -> Series) {
        self.familyName = familyName
        self.labelNames = labelNames
        self.makeSeries = makeSeries
    }

    /// The series for `labelValues` (one per label name, in order), created on first use.
    func series(for labelValues: [String]) -> Series {
        precondition(
            labelValues.count == labelNames.count,
            "metric '\(familyName)' has labels \(labelNames): pass exactly \(labelNames.count) value(s), "
                + "in that order, got \(labelValues)"
        )
        return state.withLock { state in
            if let existing = state.seriesByLabelValues[labelValues] { return existing }
            let created = makeSeries(labelValues)
            state.seriesByLabelValues[labelValues] = created
            state.seriesInCreationOrder.append(created)
            return created
        }
    }

    /// Every series so far, in creation order.
    func snapshot() -> [Series] {
        state.withLock { $0.seriesInCreationOrder }
    }
}
