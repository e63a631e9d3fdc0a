import Prometheus
import Vapor

/// The application's Prometheus registry and the metrics the product reports.
final class ProductMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let databaseUp: Gauge
    let databasePoolSize: Gauge
    let databasePing: DurationHistogram
    let requestsInFlight: Gauge
    let jobsRun: Counter
    let jobsFailed: Counter

    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    init() {
        databaseUp = registry.makeGauge(name: "smarketing_database_up", help: "1 when the last readiness check reached the database")
        databasePoolSize = registry.makeGauge(
            name: "smarketing_database_pool_connections_max", help: "Connections the database pool may open in all"
        )
        databasePing = registry.makeDurationHistogram(
            name: "smarketing_database_ping_seconds", buckets: Self.latencyBuckets, help: "Round trip of the readiness query"
        )
        requestsInFlight = registry.makeGauge(name: "smarketing_http_requests_in_flight", help: "Requests being answered now")
        jobsRun = registry.makeCounter(name: "smarketing_jobs_run_total", help: "Jobs of the queue run to completion")
        jobsFailed = registry.makeCounter(name: "smarketing_jobs_failed_total", help: "Job attempts that failed (retried or given up)")
    }

    func recordRequest(method: String, route: String, status: UInt, duration: Duration) {
        registry.makeCounter(
            name: "smarketing_http_requests_total",
            labels: [("method", method), ("route", route), ("status", String(status))],
            help: "HTTP requests answered"
        ).increment()
        registry.makeDurationHistogram(
            name: "smarketing_http_request_duration_seconds",
            labels: [("method", method), ("route", route)],
            buckets: Self.latencyBuckets,
            help: "Time to answer an HTTP request"
        ).record(duration)
    }
}

extension Application {
    private struct MetricsKey: StorageKey {
        typealias Value = ProductMetrics
    }

    var metrics: ProductMetrics {
        if let metrics = storage[MetricsKey.self] { return metrics }
        let metrics = ProductMetrics()
        storage[MetricsKey.self] = metrics
        return metrics
    }
}
