/// Prometheus metrics: see MetricsRegistry.
