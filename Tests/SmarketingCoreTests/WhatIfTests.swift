import Foundation
import Testing
@testable import SmarketingCore

@Suite("What-if before activating a draft")
struct WhatIfTests {
    private let old = ScoringSamples.compiled
    private let new: CompiledLeadDefinition = {
        var draft = ScoringSamples.definition
        draft.version = 4
        draft.mql = .thresholds(fit: 30, engagement: 20)
        return CompiledLeadDefinition(draft)
    }()

    private func contact(_ number: UInt8, _ stage: LifecycleStage, before: (Int, Double), after: (Int, Double)) -> WhatIfContact {
        WhatIfContact(
            id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, number)), stage: stage,
            before: ScoreSnapshot(fit: before.0, engagement: before.1), after: ScoreSnapshot(fit: after.0, engagement: after.1)
        )
    }

    @Test("contacts the draft would promote enter MQL; MQLs it would no longer qualify leave it; others do not count")
    func enteringAndLeaving() {
        let contacts = [
            contact(1, .lead, before: (30, 25), after: (30, 25)),        // enters: qualifies only under the draft
            contact(2, .subscriber, before: (35, 22), after: (35, 22)),  // enters
            contact(3, .sal, before: (30, 25), after: (30, 25)),         // later stage: never promoted
            contact(4, .mql, before: (25, 40), after: (25, 40)),         // leaves: fit 25 < 30
            contact(5, .lead, before: (25, 40), after: (25, 40)),        // qualified before, not now, but not an MQL
            contact(6, .recycled, before: (50, 50), after: (50, 50)),    // qualifies under both
            contact(7, .lead, before: (0, 0), after: (0, 0)),
        ]
        let report = WhatIf.compare(old: old, new: new, contacts: contacts)
        #expect(report.contacts == 7)
        #expect(report.entering == 2)
        #expect(report.leaving == 1)
        #expect(report.changes.map(\.effect) == [.entersMQL, .entersMQL, .leavesMQL])
        #expect(report.changes.map(\.contactID) == [contacts[0].id, contacts[1].id, contacts[3].id])
    }

    @Test("histograms count totals before and after in fixed buckets")
    func histograms() {
        let contacts = [
            contact(1, .lead, before: (-100, 0), after: (0, 0)), contact(2, .lead, before: (5, 4.9), after: (95, 10)),
            contact(3, .lead, before: (10, 0), after: (19, 0.99)), contact(4, .lead, before: (100, 0), after: (99, 0.999)),
        ]
        let report = WhatIf.compare(old: old, new: new, contacts: contacts)
        #expect(report.before.counts == [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(report.after.counts == [0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1])
        #expect(report.before.total == 4)
        #expect(ScoreHistogram.labels == ["< 0", "0-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-89", "90-99", "100+"])
        #expect(ScoreHistogram.bucket(of: .nan) == 0)
        #expect(ScoreHistogram.bucket(of: 1e9) == 11)
    }

    @Test("the list of changes keeps the largest changes of score, at most the limit, while the counts stay complete")
    func boundedList() {
        let contacts = (1...50).map { index in
            contact(UInt8(index), .lead, before: (0, 0), after: (30, 20 + Double(index % 7)))
        }
        let report = WhatIf.compare(old: old, new: new, contacts: contacts, limit: 5)
        #expect(report.entering == 50)
        #expect(report.changes.count == 5)
        let sizes = report.changes.map { $0.after.total - $0.before.total }
        #expect(sizes == [56, 56, 56, 56, 56])
        #expect(report.changes.map(\.contactID) == [6, 13, 20, 27, 34].map { contacts[$0 - 1].id })
        #expect(WhatIf.compare(old: old, new: new, contacts: contacts, limit: 0).changes.isEmpty)
    }

    @Test("histories are scored under both definitions at the same time")
    func fromHistories() {
        let events = [ScoringSamples.event("f", "form_submitted", at: ScoringSamples.at(days: 1))]
        var profile = ScoringSamples.director
        profile["company.employee_count"] = nil
        profile["age"] = nil
        let history = ContactHistory(id: UUID(), stage: .lead, profile: profile, events: events)
        let report = WhatIf.compare(old: old, new: new, histories: [history], now: ScoringSamples.at(days: 1))
        // Fit 20, engagement 25: not an MQL under the old rule (30 engagement), not under the new (30 fit).
        #expect(report.entering == 0)
        var richer = history
        richer.profile = ScoringSamples.director
        let second = WhatIf.compare(old: old, new: new, histories: [richer], now: ScoringSamples.at(days: 1))
        #expect(second.entering == 1)
        #expect(second.changes.first?.after == ScoreSnapshot(fit: 40, engagement: 25))
    }
}

@Suite("Company scores")
struct CompanyScoreTests {
    @Test("a company's score is the best and the sum of its contacts' totals")
    func rollUp() {
        let score = CompanyScore(contactTotals: [12.5, 40, -3, .nan])
        #expect(score == CompanyScore(contactTotals: [40, -3, 12.5]))
        #expect(score.contacts == 3)
        #expect(score.maximum == 40)
        #expect(score.sum == 49.5)
        #expect(CompanyScore(contactTotals: []).maximum == nil)
        #expect(CompanyScore(contactTotals: [-5, -2]).maximum == -2)
    }

    @Test("a snapshot reads a state's fit and decayed engagement at a time")
    func snapshot() throws {
        let compiled = ScoringSamples.compiled
        var state = compiled.newState()
        var ledger: [ScoreEntry] = []
        try compiled.refit(&state, profile: ScoringSamples.director, at: ScoringSamples.at(), ledger: &ledger)
        try compiled.apply(ScoringSamples.event("f", "form_submitted", at: ScoringSamples.at()), to: &state, ledger: &ledger)
        let snapshot = compiled.snapshot(of: state, at: ScoringSamples.at(days: 30))
        #expect(snapshot.fit == 40)
        #expect(abs(snapshot.engagement - 12.5) < 1e-12)
        #expect(abs(snapshot.total - 52.5) < 1e-12)
    }
}
