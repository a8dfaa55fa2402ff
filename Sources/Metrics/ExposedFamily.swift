/// A registered family as the registry exposes it: a name, a shape, and a way to write itself.
protocol ExposedFamily: AnyObject, Sendable {
    var name: String { get }
    var type: MetricType { get }
    var labelNames: [String] { get }
    func write(into writer: inout MetricsWriter)
}
