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
    /// The ingest writer (``IngestPipeline``): events a commit, a commit's time, and the time
    /// from a commit to its answers (the wait for the disk). Their counts and sums give commits
    /// a second, events a commit and mean times.
    let ingestCommitEvents: ValueHistogram
    let ingestCommitTime: DurationHistogram
    let ingestDurableWait: DurationHistogram

    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    static let commitBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
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
        ingestCommitEvents = registry.makeValueHistogram(
            name: "smarketing_ingest_commit_events", buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
            help: "Events the ingest writer committed together"
        )
        ingestCommitTime = registry.makeDurationHistogram(
            name: "smarketing_ingest_commit_seconds", buckets: Self.commitBuckets, help: "Time of an ingest commit (its transaction)"
        )
        ingestDurableWait = registry.makeDurationHistogram(
            name: "smarketing_ingest_durable_wait_seconds", buckets: Self.commitBuckets,
            help: "Time from an ingest commit to its answers: the wait for its flush to disk"
        )
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
