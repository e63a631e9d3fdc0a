import Benchmark
import Foundation
import SmarketingCore

/// The scoring engine applied to a stream of events, as ingest and re-scoring run it, against a
/// baseline that only decays a number per event (the least any engine must do).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal, .instructions], scalingFactor: .kilo,
                                           maxDuration: .seconds(5), maxIterations: 1_000)
    let compiled = CompiledLeadDefinition(LeadDefinitionStarter.example())
    let start = Date(timeIntervalSince1970: 1_795_000_000)
    let kinds = ["page_view", "page_view", "page_view", "email_opened", "email_clicked", "form_submitted", "webinar_attended"]
    let paths = ["/pricing", "/blog/smarketing", "/", "/features", "/pricing/enterprise"]
    // 1,000 events a minute apart; a benchmark iteration applies them in order to a new state.
    let events: [ScoringEvent] = (0..<1000).map { index in
        let kind = kinds[index % kinds.count]
        return ScoringEvent(id: "e\(index)", type: kind, time: start.addingTimeInterval(Double(index) * 60),
                            properties: kind == "page_view" ? ["path": paths[index % paths.count]] : [:])
    }

    Benchmark("baseline: decay a value per event") { benchmark in
        for _ in benchmark.scaledIterations {
            var value = 0.0
            var asOf = start.timeIntervalSince1970
            for event in events {
                let time = event.time.timeIntervalSince1970
                value = value * exp(-compiled.decayPerSecond * (time - asOf)) + 1
                asOf = time
            }
            blackHole(value)
        }
    }

    Benchmark("engine: apply 1,000 events to a state (with its ledger)") { benchmark in
        var ledger: [ScoreEntry] = []
        ledger.reserveCapacity(2000)
        for _ in benchmark.scaledIterations {
            var state = compiled.newState()
            ledger.removeAll(keepingCapacity: true)
            for event in events {
                try? compiled.apply(event, to: &state, ledger: &ledger)
            }
            blackHole(state)
        }
    }
}
