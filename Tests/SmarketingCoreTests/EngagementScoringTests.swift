import Foundation
import Testing
@testable import SmarketingCore

@Suite("Engagement scoring")
struct EngagementScoringTests {
    private typealias S = ScoringSamples

    private func run(_ compiled: CompiledLeadDefinition, _ events: [ScoringEvent]) throws -> (state: ScoreState, ledger: [ScoreEntry]) {
        var state = compiled.newState()
        var ledger: [ScoreEntry] = []
        for event in events { try compiled.apply(event, to: &state, ledger: &ledger) }
        return (state, ledger)
    }

    private func definition(engagement: [EngagementRule] = [], frequency: [FrequencyRule] = [], halfLife: Double? = nil) -> CompiledLeadDefinition {
        CompiledLeadDefinition(LeadDefinition(
            version: 7, engagementRules: engagement, frequencyRules: frequency, halfLifeDays: halfLife, mql: .thresholds(fit: 0, engagement: 10)
        ))
    }

    @Test("a pricing page view gives the pricing rule's points, with the event as cause")
    func pricingView() throws {
        let time = S.at(hours: 9)
        let (state, ledger) = try run(S.undecayed, [S.pageView("e1", "/pricing/enterprise", at: time)])
        #expect(ledger == [ScoreEntry(ruleID: "pricing", kind: .engagement, points: 10, cause: .event(id: "e1", type: "page_view"), time: time, definitionVersion: 3)])
        #expect(state.engagementValue == 10)
        #expect(state.asOf == time)
        #expect(S.undecayed.engagement(of: state, at: S.at(days: 400)) == 10)
    }

    @Test("each rule of the event's type whose conditions hold fires; the others do not", arguments: [
        ("form_submitted", 25), ("email_clicked", 5), ("email_opened", 1), ("email_unsubscribed", -40), ("webinar_attended", 0),
    ])
    func eventTypes(type: String, points: Int) throws {
        let (state, ledger) = try run(S.undecayed, [S.event("e", type, at: S.at())])
        #expect(state.engagementValue == Double(points))
        #expect(ledger.map(\.points) == (points == 0 ? [] : [points]))
    }

    @Test("a page view outside /pricing gives no pricing points but still counts for the visits rule")
    func otherPage() throws {
        let (state, ledger) = try run(S.undecayed, [S.pageView("e1", "/blog/crm", at: S.at())])
        #expect(ledger.isEmpty)
        #expect(state.asOf == S.at())
        #expect(state.windows[0].filled == 1)
        let (missing, _) = try run(S.undecayed, [S.event("e2", "page_view", at: S.at())])
        #expect(missing.caps[0].used == 0)
    }

    @Test("a daily cap stops a rule at its points for the UTC day and starts again at midnight")
    func dailyCap() throws {
        let times = [S.at(hours: 1), S.at(hours: 2), S.at(hours: 3), S.at(hours: 4), S.at(hours: 23, seconds: 3599), S.at(days: 1)]
        let events = times.enumerated().map { S.pageView("e\($0.offset)", "/pricing", at: $0.element) }
        let (state, ledger) = try run(S.undecayed, events)
        let pricing = ledger.filter { $0.ruleID == "pricing" }
        #expect(pricing.map(\.points) == [10, 10, 10, 10])
        #expect(pricing.map(\.time) == [times[0], times[1], times[2], times[5]])
        #expect(ledger.filter { $0.ruleID == "visits" }.map(\.time) == [times[2]])
        #expect(state.engagementValue == 40 + 15)
    }

    @Test("a cap lets through what is left of it, and the line says what the rule asked for")
    func partialCap() throws {
        let times = [S.at(days: 0), S.at(days: 1), S.at(days: 2), S.at(days: 3, hours: 23), S.at(days: 4)]
        let events = times.enumerated().map { S.event("c\($0.offset)", "email_clicked", at: $0.element) }
        let (_, ledger) = try run(S.undecayed, events)
        // Thursday to Sunday share a week (12 points); Monday starts the next.
        #expect(ledger.map(\.points) == [5, 5, 2, 5])
        #expect(ledger.map(\.requestedPoints) == [nil, nil, 5, nil])
        #expect(ledger.last?.time == S.at(days: 4))
    }

    @Test("a cap limits negative points by their size")
    func negativeCap() throws {
        let rule = EngagementRule(id: "bounce", eventType: "email_bounced", points: -10, cap: PointsCap(points: 15, per: .day))
        let events = (0..<3).map { S.event("b\($0)", "email_bounced", at: S.at(hours: Double($0))) }
        let (state, ledger) = try run(definition(engagement: [rule]), events)
        #expect(ledger.map(\.points) == [-10, -5])
        #expect(state.engagementValue == -15)
    }

    @Test("calendar periods are UTC days and weeks starting on Monday")
    func periods() {
        let thursday = S.start.timeIntervalSince1970
        #expect(CompiledLeadDefinition.period(of: thursday, per: .day) == 20_454)
        #expect(CompiledLeadDefinition.period(of: thursday - 1, per: .day) == 20_453)
        let sunday = thursday + 3 * 86_400 + 86_399
        let monday = thursday + 4 * 86_400
        #expect(CompiledLeadDefinition.period(of: thursday, per: .week) == CompiledLeadDefinition.period(of: sunday, per: .week))
        #expect(CompiledLeadDefinition.period(of: monday, per: .week) == CompiledLeadDefinition.period(of: sunday, per: .week) + 1)
        #expect(CompiledLeadDefinition.period(of: 0, per: .week) == 0)
        #expect(CompiledLeadDefinition.period(of: -86_400 * 4, per: .week) == -1)
    }

    @Test("engagement halves every half-life, incrementally and at read time")
    func decay() throws {
        let compiled = S.compiled
        var (state, ledger) = try run(compiled, [S.event("f1", "form_submitted", at: S.at())])
        #expect(abs(compiled.engagement(of: state, at: S.at(days: 30)) - 12.5) < 1e-12)
        #expect(abs(compiled.engagement(of: state, at: S.at(days: 60)) - 6.25) < 1e-12)
        #expect(abs(compiled.engagement(of: state, at: S.at(days: 15)) - 25 / 2.0.squareRoot()) < 1e-12)
        try compiled.apply(S.event("f2", "form_submitted", at: S.at(days: 30)), to: &state, ledger: &ledger)
        #expect(abs(state.engagementValue - 37.5) < 1e-12)
        #expect(abs(compiled.ledgerTotal(ledger, at: S.at(days: 45)) - compiled.total(of: state, at: S.at(days: 45))) < 1e-12)
        #expect(compiled.decayPerSecond == log(2) / (30 * 86_400))
    }

    @Test("reading a score before its as-of time gives the value at the as-of time")
    func readBeforeAsOf() throws {
        let (state, _) = try run(S.compiled, [S.event("f1", "form_submitted", at: S.at(days: 5))])
        #expect(S.compiled.engagement(of: state, at: S.at(days: 1)) == 25)
        #expect(S.compiled.engagement(of: S.compiled.newState(), at: S.at(days: 1)) == 0)
    }

    @Test("an event older than the state is refused and changes nothing")
    func olderEvent() throws {
        var (state, ledger) = try run(S.compiled, [S.event("f1", "form_submitted", at: S.at(days: 5))])
        let before = (state, ledger)
        #expect(throws: ScoringError.eventBeforeState(event: S.at(days: 4), asOf: S.at(days: 5))) {
            try S.compiled.apply(S.event("f0", "form_submitted", at: S.at(days: 4)), to: &state, ledger: &ledger)
        }
        #expect(state == before.0)
        #expect(ledger == before.1)
        try S.compiled.apply(S.event("f2", "form_submitted", at: S.at(days: 5)), to: &state, ledger: &ledger)
        #expect(ledger.count == 2)
    }

    @Test("events no rule matches neither change the state nor make later matching events late")
    func unmatchedEvents() throws {
        var (state, ledger) = try run(S.undecayed, [S.event("f1", "form_submitted", at: S.at(days: 1))])
        let before = state
        try S.undecayed.apply(S.event("x", "webinar_attended", at: S.at(days: 9)), to: &state, ledger: &ledger)
        #expect(state == before)
        try S.undecayed.apply(S.event("f2", "form_submitted", at: S.at(days: 2)), to: &state, ledger: &ledger)
        #expect(state.engagementValue == 50)
    }

    @Test("a state from another definition is refused rather than misread")
    func otherDefinition() throws {
        var state = definition(engagement: [EngagementRule(id: "x", eventType: "page_view", points: 1)]).newState()
        var ledger: [ScoreEntry] = []
        #expect(throws: ScoringError.stateFromOtherDefinition(stateVersion: 7, definitionVersion: 3)) {
            try S.compiled.apply(S.pageView("e", "/", at: S.at()), to: &state, ledger: &ledger)
        }
        #expect(throws: ScoringError.stateFromOtherDefinition(stateVersion: 7, definitionVersion: 3)) {
            try S.compiled.refit(&state, profile: S.director, at: S.at(), ledger: &ledger)
        }
        #expect(throws: ScoringError.eventTimeNotFinite) {
            var fresh = S.compiled.newState()
            try S.compiled.apply(S.pageView("e", "/", at: Date(timeIntervalSince1970: .nan)), to: &fresh, ledger: &ledger)
        }
    }

    @Test("3 visits within 7 days give the frequency points once, at the third visit")
    func frequencyFiresOnce() throws {
        let days: [Double] = [0, 1, 2, 3, 5]
        let events = days.map { S.pageView("v\(Int($0))", "/blog", at: S.at(days: $0)) }
        let (state, ledger) = try run(S.undecayed, events)
        #expect(ledger == [ScoreEntry(ruleID: "visits", kind: .frequency, points: 15, cause: .event(id: "v2", type: "page_view"), time: S.at(days: 2), definitionVersion: 3)])
        // The last three visits (2, 3, 5) keep the statement true until day 2 + 7.
        #expect(state.windows[0].holdsUntil == S.at(days: 9).timeIntervalSince1970)
    }

    @Test("a frequency rule re-arms once its statement has stopped being true")
    func frequencyRearms() throws {
        let days: [Double] = [0, 1, 2, 3, 5, 12, 13, 14, 15]
        let events = days.map { S.pageView(String(format: "v%02d", Int($0)), "/blog", at: S.at(days: $0)) }
        let (_, ledger) = try run(S.undecayed, events)
        #expect(ledger.map(\.time) == [S.at(days: 2), S.at(days: 14)])
    }

    @Test("the window is shorter than its days: the third visit exactly 7 days after the first is too late")
    func frequencyBoundary() throws {
        let late = [S.at(), S.at(days: 3.5), S.at(days: 7)].enumerated().map { S.pageView("l\($0.offset)", "/", at: $0.element) }
        #expect(try run(S.undecayed, late).ledger.isEmpty)
        let inTime = [S.at(), S.at(days: 3.5), S.at(days: 7, seconds: -1)].enumerated().map { S.pageView("i\($0.offset)", "/", at: $0.element) }
        #expect(try run(S.undecayed, inTime).ledger.count == 1)
    }

    @Test("a frequency rule counts only the events that meet its conditions")
    func frequencyConditions() throws {
        let rule = FrequencyRule(
            id: "pricing-twice", eventType: "page_view", conditions: [PropertyCondition(property: "path", match: .startsWith("/pricing"))],
            count: 2, days: 1, points: 8
        )
        let compiled = definition(frequency: [rule])
        let events = [
            S.pageView("a", "/pricing", at: S.at(hours: 1)), S.pageView("b", "/blog", at: S.at(hours: 2)),
            S.pageView("c", "/PRICING/plans", at: S.at(hours: 3)),
        ]
        let (state, ledger) = try run(compiled, events)
        #expect(ledger.map(\.cause) == [.event(id: "c", type: "page_view")])
        #expect(state.engagementValue == 8)
    }

    @Test("conditions compare properties ignoring case and accents, and all must hold")
    func conditions() throws {
        let rule = EngagementRule(id: "demo-form", eventType: "form_submitted", conditions: [
            PropertyCondition(property: "form", match: .oneOf(["Demonstração", "Demo"])),
            PropertyCondition(property: "campaign", match: .contains(["black friday", "natal"])),
            PropertyCondition(property: "utm_source", match: .isSet),
        ], points: 40)
        let compiled = definition(engagement: [rule])
        let matching = S.event("a", "form_submitted", at: S.at(), ["form": "demonstracao", "campaign": "BLACK FRIDAY 2026", "utm_source": "google"])
        #expect(try run(compiled, [matching]).state.engagementValue == 40)
        var missing = matching
        missing.properties["utm_source"] = " "
        #expect(try run(compiled, [missing]).ledger.isEmpty)
        var other = matching
        other.properties["form"] = "Newsletter"
        #expect(try run(compiled, [other]).ledger.isEmpty)
        var equals = matching
        equals.properties["form"] = "Demo request"
        #expect(try run(compiled, [equals]).ledger.isEmpty)
    }

    @Test("replaying a history gives the same state and ledger as applying its events in time order")
    func replay() throws {
        let events = [
            S.pageView("b", "/pricing", at: S.at(days: 1)), S.pageView("a", "/pricing", at: S.at(days: 1)),
            S.event("c", "form_submitted", at: S.at(days: 3)), S.pageView("d", "/blog", at: S.at(days: 2)),
            S.event("e", "email_clicked", at: S.at(days: 0.5)),
        ]
        let sorted = events.sorted(by: ScoringEvent.historyOrder)
        #expect(sorted.map(\.id) == ["e", "a", "b", "d", "c"])
        let sequential = try run(S.compiled, sorted)
        let replayed = S.compiled.replay(events)
        #expect(replayed.state == sequential.state)
        #expect(replayed.entries == sequential.ledger)
        #expect(S.compiled.replay(events.reversed()).entries == sequential.ledger)
    }

    @Test("applying by value gives what applying in place gives")
    func applyingByValue() throws {
        let event = S.event("f", "form_submitted", at: S.at())
        let (state, entries) = try S.compiled.applying(event, to: S.compiled.newState())
        let inPlace = try run(S.compiled, [event])
        #expect(state == inPlace.state)
        #expect(entries == inPlace.ledger)
    }

    @Test("re-scoring gives the events' lines, then the fit lines dated now, and totals that match")
    func rescore() {
        let now = S.at(days: 10)
        let events = [S.event("f", "form_submitted", at: S.at(days: 9)), S.pageView("p", "/pricing", at: S.at(days: 8))]
        let result = S.compiled.rescore(profile: S.director, events: events, now: now)
        #expect(result.ledger.map(\.ruleID) == ["pricing", "form", "director", "mid-size", "age"])
        #expect(result.ledger.suffix(3).allSatisfy { $0.time == now && $0.kind == .fit })
        #expect(result.fit == 40)
        #expect(abs(result.engagement - (10 * pow(0.5, 2.0 / 30) + 25 * pow(0.5, 1.0 / 30))) < 1e-9)
        #expect(result.total == Double(result.fit) + result.engagement)
        #expect(abs(S.compiled.ledgerTotal(result.ledger, at: now) - result.total) < 1e-9)
        #expect(result.mql == MQLEvaluation(isMQL: true))
    }

    @Test("a state written as JSON and read back scores the next event exactly as the original")
    func storedState() throws {
        let (state, _) = try run(S.compiled, [S.pageView("a", "/pricing", at: S.at()), S.pageView("b", "/x", at: S.at(days: 1))])
        var stored = try JSONDecoder().decode(ScoreState.self, from: try JSONEncoder().encode(state))
        var original = state
        var ledgerA: [ScoreEntry] = []
        var ledgerB: [ScoreEntry] = []
        let next = S.pageView("c", "/pricing", at: S.at(days: 2))
        try S.compiled.apply(next, to: &original, ledger: &ledgerA)
        try S.compiled.apply(next, to: &stored, ledger: &ledgerB)
        #expect(stored == original)
        #expect(ledgerA == ledgerB)
        #expect(ledgerA.map(\.ruleID) == ["pricing", "visits"])
    }
}
