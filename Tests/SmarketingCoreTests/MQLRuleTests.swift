import Testing
@testable import SmarketingCore

@Suite("The MQL rule and stage decisions")
struct MQLRuleTests {
    private let grid = MQLRule.grid(ScoringSamples.grid)

    @Test("thresholds need both fit and engagement at or above their values", arguments: [
        (20, 30.0, true), (19, 100.0, false), (100, 29.99, false), (20, 30.0000001, true),
    ])
    func thresholds(fit: Int, engagement: Double, expected: Bool) {
        #expect(MQLRule.thresholds(fit: 20, engagement: 30).isMQL(fit: fit, engagement: engagement) == expected)
        #expect(MQLRule.thresholds(fit: 20, engagement: 30).evaluate(fit: fit, engagement: engagement).cell == nil)
    }

    @Test("a score falls in the grade and level whose thresholds it reaches", arguments: [
        (40, 60.0, "A4"), (39, 59.9, "B3"), (25, 30.0, "B3"), (24, 29.0, "C2"), (10, 10.0, "C2"), (9, 9.99, "D1"), (-50, -3.0, "D1"),
    ])
    func gradeAndLevel(fit: Int, engagement: Double, cell: String) {
        let evaluation = grid.evaluate(fit: fit, engagement: engagement)
        #expect(evaluation.cell?.description == cell)
        #expect(evaluation.grade == MQLCell(cell)?.grade)
        #expect(evaluation.level == MQLCell(cell)?.level)
    }

    @Test("the grid's cells decide MQL: A2-A4, B3-B4 and C4 here")
    func gridCells() {
        var mql: [String] = []
        for fit in [45, 30, 15, 0] {
            for engagement in [70.0, 40, 20, 0] where grid.isMQL(fit: fit, engagement: engagement) {
                mql.append(grid.evaluate(fit: fit, engagement: engagement).cell?.description ?? "")
            }
        }
        #expect(mql == ["A4", "A3", "A2", "B4", "B3", "C4"])
    }

    @Test("a better cell dominates a worse one: at least as good a grade and at least as high a level")
    func dominance() {
        let b3 = MQLCell(.b, .three)
        #expect(b3.isDominated(by: MQLCell(.a, .three)))
        #expect(b3.isDominated(by: MQLCell(.b, .four)))
        #expect(b3.isDominated(by: b3))
        #expect(!b3.isDominated(by: MQLCell(.a, .two)))
        #expect(!b3.isDominated(by: MQLCell(.c, .four)))
    }

    @Test("only subscribers, leads and recycled contacts become MQLs automatically", arguments: LifecycleStage.allCases)
    func promotedStages(stage: LifecycleStage) {
        let decision = ScoringSamples.compiled.stageDecision(for: stage, fit: 45, engagement: 35)
        let promoted: Set<LifecycleStage> = [.subscriber, .lead, .recycled]
        if promoted.contains(stage) {
            guard case .becomeMQL(let cause) = decision else {
                Issue.record("\(stage) should become an MQL")
                return
            }
            #expect(cause.definitionVersion == 3)
            #expect(cause.fit == 45)
        } else {
            #expect(decision == .unchanged)
        }
    }

    @Test("a contact whose score falls below the rule is never demoted")
    func neverDemoted() {
        for stage in LifecycleStage.allCases {
            let decision = ScoringSamples.compiled.stageDecision(for: stage, fit: 0, engagement: 0)
            #expect(decision == .unchanged, "\(stage)")
        }
    }

    @Test("the cause says which part of the rule was met, under which version")
    func causeDescription() throws {
        guard case .becomeMQL(let cause) = ScoringSamples.compiled.stageDecision(for: .lead, fit: 45, engagement: 31.26) else {
            Issue.record("expected a promotion")
            return
        }
        #expect(cause.description == "fit 45 >= 20 and engagement 31.3 >= 30 under lead definition v3")
        var definition = ScoringSamples.definition
        definition.mql = grid
        definition.version = 4
        let compiled = CompiledLeadDefinition(definition)
        guard case .becomeMQL(let gridCause) = compiled.stageDecision(for: .recycled, fit: 41, engagement: 30) else {
            Issue.record("expected a promotion")
            return
        }
        #expect(gridCause.cell == MQLCell(.a, .three))
        #expect(gridCause.description == "cell A3 (fit 41, engagement 30) under lead definition v4")
    }

    @Test("a stage decision can read a score state at a time, with decay")
    func decisionFromState() throws {
        let compiled = ScoringSamples.compiled
        var state = compiled.newState()
        var ledger: [ScoreEntry] = []
        try compiled.refit(&state, profile: ScoringSamples.director, at: ScoringSamples.at(), ledger: &ledger)
        try compiled.apply(ScoringSamples.event("f1", "form_submitted", at: ScoringSamples.at()), to: &state, ledger: &ledger)
        try compiled.apply(ScoringSamples.event("f2", "form_submitted", at: ScoringSamples.at()), to: &state, ledger: &ledger)
        // 50 engagement points fall below 30 after about 22 days.
        #expect(compiled.evaluate(state, at: ScoringSamples.at(days: 20)).isMQL)
        #expect(!compiled.evaluate(state, at: ScoringSamples.at(days: 23)).isMQL)
        #expect(compiled.stageDecision(for: .lead, state: state, at: ScoringSamples.at(days: 1)) != .unchanged)
        #expect(compiled.stageDecision(for: .lead, state: state, at: ScoringSamples.at(days: 30)) == .unchanged)
    }
}
