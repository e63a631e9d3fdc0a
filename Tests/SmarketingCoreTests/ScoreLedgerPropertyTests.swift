import Foundation
import Testing
@testable import SmarketingCore

/// The promise of the explanation: whatever happens to a contact, its score equals its ledger.
@Suite("The ledger explains every point")
struct ScoreLedgerPropertyTests {
    private static let types = ["page_view", "form_submitted", "email_opened", "email_clicked", "webinar_attended"]
    private static let paths = ["/pricing", "/pricing/enterprise", "/blog/crm", "/", "/PRICING"]

    /// A definition with random points, caps, frequency rules and half-life.
    private static func randomDefinition(_ random: inout SeededRandom, version: Int) -> LeadDefinition {
        var engagement: [EngagementRule] = []
        for index in 0..<Int.random(in: 1...5, using: &random) {
            let type = types.randomElement(using: &random) ?? "page_view"
            let conditions = Bool.random(using: &random)
                ? [PropertyCondition(property: "path", match: .startsWith(["/pricing", "/blog", "/"].randomElement(using: &random) ?? "/"))]
                : []
            let cap = Bool.random(using: &random)
                ? PointsCap(points: Int.random(in: 1...40, using: &random), per: Bool.random(using: &random) ? .day : .week)
                : nil
            var points = Int.random(in: -20...30, using: &random)
            if points == 0 { points = 3 }
            engagement.append(EngagementRule(id: "e\(index)", eventType: type, conditions: conditions, points: points, cap: cap))
        }
        var frequency: [FrequencyRule] = []
        for index in 0..<Int.random(in: 0...3, using: &random) {
            frequency.append(FrequencyRule(
                id: "f\(index)", eventType: types.randomElement(using: &random) ?? "page_view",
                conditions: Bool.random(using: &random) ? [PropertyCondition(property: "path", match: .contains(["pricing"]))] : [],
                count: Int.random(in: 2...5, using: &random), days: Int.random(in: 1...10, using: &random),
                points: Int.random(in: 1...25, using: &random)
            ))
        }
        let halfLife: Double? = Int.random(in: 0..<5, using: &random) == 0 ? nil : Double.random(in: 0.5...60, using: &random)
        return LeadDefinition(
            version: version, fitRules: ScoringSamples.fitRules, engagementRules: engagement, frequencyRules: frequency,
            halfLifeDays: halfLife, mql: .thresholds(fit: 20, engagement: 10)
        )
    }

    /// Events in time order: gaps from nothing (simultaneous events) to a few days.
    private static func randomHistory(_ random: inout SeededRandom, contact: Int) -> [ScoringEvent] {
        var time = ScoringSamples.start.timeIntervalSince1970 + Double.random(in: 0...86_400, using: &random)
        var events: [ScoringEvent] = []
        for index in 0..<Int.random(in: 1...80, using: &random) {
            switch Int.random(in: 0..<10, using: &random) {
            case 0: break
            case 1...6: time += Double.random(in: 0...21_600, using: &random)
            default: time += Double.random(in: 0...(5 * 86_400), using: &random)
            }
            let type = types.randomElement(using: &random) ?? "page_view"
            var properties: [String: String] = [:]
            if type == "page_view" || Bool.random(using: &random) { properties["path"] = paths.randomElement(using: &random) }
            events.append(ScoringEvent(id: "c\(contact)-\(index)", type: type, time: Date(timeIntervalSince1970: time), properties: properties))
        }
        return events
    }

    private static func randomProfile(_ random: inout SeededRandom) -> ScoringProfile {
        var profile = ScoringProfile()
        if Bool.random(using: &random) { profile["job_title"] = ["Diretor", "Student", "CEO", "Director and student"].randomElement(using: &random) }
        if Bool.random(using: &random) { profile["company.employee_count"] = String(Int.random(in: 1...2000, using: &random)) }
        if Bool.random(using: &random) { profile["age"] = String(Int.random(in: 18...70, using: &random)) }
        if Bool.random(using: &random) { profile["email_domain"] = ["rival.com", "acme.com"].randomElement(using: &random) }
        return profile
    }

    /// |a - b| within 1e-9 of the size of the terms summed (and of 1, for sums near zero).
    private static func close(_ a: Double, _ b: Double, scale: Double) -> Bool {
        abs(a - b) <= 1e-9 * max(1, scale)
    }

    @Test("on hundreds of random histories with caps, frequency rules, decay and field changes, the total equals the decayed ledger")
    func totalEqualsLedger() throws {
        var random = SeededRandom(seed: 20_260_101)
        var checks = 0
        for contact in 0..<400 {
            let compiled = CompiledLeadDefinition(Self.randomDefinition(&random, version: contact + 1))
            var state = compiled.newState()
            var ledger: [ScoreEntry] = []
            for event in Self.randomHistory(&random, contact: contact) {
                if Int.random(in: 0..<8, using: &random) == 0 {
                    try compiled.refit(&state, profile: Self.randomProfile(&random), at: event.time, ledger: &ledger)
                }
                try compiled.apply(event, to: &state, ledger: &ledger)
                let asOf = state.asOf ?? event.time
                for later in [0.0, Double.random(in: 0...(40 * 86_400), using: &random)] {
                    let now = asOf.addingTimeInterval(later)
                    let total = compiled.total(of: state, at: now)
                    let explained = compiled.ledgerTotal(ledger, at: now)
                    let scale = ledger.reduce(0.0) { $0 + abs(compiled.ledgerTotal([$1], at: now)) }
                    #expect(Self.close(total, explained, scale: scale), "contact \(contact): \(total) vs \(explained)")
                    checks += 1
                }
            }
            #expect(ledger.filter { $0.kind == .fit }.reduce(0) { $0 + $1.points } == state.fit)
            #expect(ledger.allSatisfy { $0.definitionVersion == contact + 1 && $0.points != 0 })
        }
        #expect(checks > 10_000)
    }

    @Test("re-scoring a shuffled history from scratch gives exactly the state and ledger of applying it in order")
    func replayMatchesSequential() throws {
        var random = SeededRandom(seed: 7)
        for contact in 0..<300 {
            let compiled = CompiledLeadDefinition(Self.randomDefinition(&random, version: 1))
            let history = Self.randomHistory(&random, contact: contact)
            var state = compiled.newState()
            var ledger: [ScoreEntry] = []
            for event in history.sorted(by: ScoringEvent.historyOrder) { try compiled.apply(event, to: &state, ledger: &ledger) }
            let replayed = compiled.replay(history.shuffled(using: &random))
            #expect(replayed.state == state, "contact \(contact)")
            #expect(replayed.entries == ledger, "contact \(contact)")
        }
    }

    @Test("caps are never exceeded within a calendar period, whatever the history")
    func capsHold() throws {
        var random = SeededRandom(seed: 99)
        for contact in 0..<200 {
            let definition = Self.randomDefinition(&random, version: 1)
            let compiled = CompiledLeadDefinition(definition)
            let (_, ledger) = compiled.replay(Self.randomHistory(&random, contact: contact))
            for rule in definition.engagementRules {
                guard let cap = rule.cap else { continue }
                var used: [Int64: Int] = [:]
                for entry in ledger where entry.ruleID == rule.id {
                    used[CompiledLeadDefinition.period(of: entry.time.timeIntervalSince1970, per: cap.per), default: 0] += abs(entry.points)
                    #expect(abs(entry.points) <= abs(rule.points))
                }
                #expect(used.values.allSatisfy { $0 <= cap.points }, "contact \(contact) rule \(rule.id)")
            }
        }
    }

    @Test("a frequency rule fires exactly when its statement becomes true, as a brute-force count says")
    func frequencyMatchesBruteForce() {
        var random = SeededRandom(seed: 1234)
        var fired = 0
        for contact in 0..<300 {
            let definition = Self.randomDefinition(&random, version: 1)
            let history = Self.randomHistory(&random, contact: contact).sorted(by: ScoringEvent.historyOrder)
            let (_, ledger) = CompiledLeadDefinition(definition).replay(history)
            for rule in definition.frequencyRules {
                let matching = history.filter { event in
                    event.type == rule.eventType && (rule.conditions.isEmpty
                        || ScoringText.foldedString(event.properties["path"] ?? "").contains("pricing"))
                }
                let window = Double(rule.days) * 86_400
                var expected: [String] = []
                for (index, event) in matching.enumerated() {
                    let time = event.time.timeIntervalSince1970
                    let earlier = matching[..<index].filter { time - $0.time.timeIntervalSince1970 < window }.count
                    // True now (this event and count - 1 earlier ones in the window), and not already
                    // true just before (count earlier ones in the window).
                    if earlier + 1 >= rule.count, earlier < rule.count { expected.append(event.id) }
                }
                let actual = ledger.filter { $0.ruleID == rule.id }.map { entry -> String in
                    guard case .event(let id, _) = entry.cause else { return "" }
                    return id
                }
                #expect(actual == expected, "contact \(contact) rule \(rule.id)")
                fired += actual.count
            }
        }
        #expect(fired > 100)
    }
}
