import Foundation
import Testing
@testable import SmarketingCore

@Suite("The lead definition editor's form")
struct LeadDefinitionFormTests {
    func pairs(_ fields: [String: String], cells: [String] = []) -> [(String, String)] {
        fields.map { ($0.key, $0.value) } + cells.map { ("mql.grid.cells", $0) }
    }

    @Test("every definition survives being written to the form and read back", arguments: [
        LeadDefinitionStarter.example(version: 3),
        LeadDefinition(version: 2, fitRules: [FitRule(id: "tier", field: "company.cf_tier", condition: .equals("Gold"), points: 10),
                                              FitRule(id: "set", field: "phone", condition: .isSet, points: 2),
                                              FitRule(id: "old", field: "age", condition: .range(min: nil, max: 17.5), points: -40)],
                       engagementRules: [EngagementRule(id: "two", eventType: "page_view", conditions: [
                           PropertyCondition(property: "path", match: .oneOf(["/a", "/b"])),
                           PropertyCondition(property: "utm_source", match: .isSet),
                       ], points: 3)],
                       mql: .grid(MQLGrid(fitGrades: FitGradeThresholds(a: 40, b: 25, c: 10),
                                          engagementLevels: EngagementLevelThresholds(level2: 5, level3: 15.5, level4: 30),
                                          cells: [MQLCell(.a, .four), MQLCell(.a, .three), MQLCell(.b, .four)]))),
    ])
    func roundTrip(definition: LeadDefinition) throws {
        let fields = LeadDefinitionForm.fields(of: definition)
        let read = try LeadDefinitionForm.parse(pairs(fields, cells: LeadDefinitionForm.cells(of: definition)), version: definition.version).get()
        #expect(read == definition)
    }

    @Test("spare rows are skipped, removed rows dropped, and rules without an id get one from their row")
    func rows() throws {
        let read = try LeadDefinitionForm.parse(pairs([
            "fit_rules[0].field": "job_title", "fit_rules[0].op": "contains", "fit_rules[0].values": "Diretor; Director, Head", "fit_rules[0].points": "20",
            "fit_rules[1].field": "", "fit_rules[1].points": "", "fit_rules[1].op": "contains",
            "fit_rules[2].field": "age", "fit_rules[2].op": "range", "fit_rules[2].min": "25", "fit_rules[2].points": "5", "fit_rules[2].remove": "yes",
            "engagement_rules[0].event_type": "form_submitted", "engagement_rules[0].points": "25",
            "engagement_rules[0].cap.points": "50", "engagement_rules[0].cap.per": "week",
            "mql.mode": "thresholds", "mql.thresholds.fit": "30", "mql.thresholds.engagement": "12,5",
        ]), version: 1).get()
        #expect(read.fitRules == [FitRule(id: "fit_1", field: "job_title", condition: .contains(["Diretor", "Director", "Head"]), points: 20)])
        #expect(read.engagementRules.first?.cap == PointsCap(points: 50, per: .week))
        #expect(read.mql == .thresholds(fit: 30, engagement: 12.5))
    }

    @Test("a number field that is not a number is refused by its name")
    func notNumbers() {
        let result = LeadDefinitionForm.parse(pairs([
            "fit_rules[0].field": "age", "fit_rules[0].op": "range", "fit_rules[0].min": "twenty", "fit_rules[0].points": "1.5",
            "mql.mode": "thresholds", "mql.thresholds.fit": "x", "mql.thresholds.engagement": "1",
        ]), version: 1)
        guard case .failure(let failure) = result else { Issue.record("expected a failure"); return }
        #expect(Set(failure.errors.map(\.field)) == ["fit_rules[0].min", "fit_rules[0].points", "mql.thresholds.fit"])
    }

    @Test("a problem's path names the input it belongs to")
    func inputNames() {
        #expect(LeadDefinitionForm.inputName(of: "fit_rules[0].value") == "fit_rules[0].values")
        #expect(LeadDefinitionForm.inputName(of: "fit_rules[1].values[3]") == "fit_rules[1].values")
        #expect(LeadDefinitionForm.inputName(of: "engagement_rules[0].conditions[1].values[0]") == "engagement_rules[0].conditions[1].values")
        #expect(LeadDefinitionForm.inputName(of: "mql.grid") == "mql.grid.cells")
        #expect(LeadDefinitionForm.inputName(of: "sql_criteria[2].options[1]") == "sql_criteria[2].options")
        #expect(LeadDefinitionForm.inputName(of: "mql.thresholds.fit") == "mql.thresholds.fit")
    }
}

@Suite("The starter lead definition")
struct LeadDefinitionStarterTests {
    @Test("the example a workspace starts from passes every check and can make an MQL")
    func starterIsValid() {
        let starter = LeadDefinitionStarter.example()
        #expect(starter.problems(knownFields: ScoringFields.known(customFields: [])).isEmpty)
        let compiled = CompiledLeadDefinition(starter)
        let time = Date(timeIntervalSince1970: 1_795_000_000)
        let profile = ScoringProfile(["job_title": "Diretora de Marketing", "company.employee_count": "120", "age": "33"])
        let events = (0..<3).map { ScoringEvent(id: "e\($0)", type: "page_view", time: time.addingTimeInterval(Double($0) * 60), properties: ["path": "/pricing"]) }
        let result = compiled.rescore(profile: profile, events: events, now: time.addingTimeInterval(300))
        #expect(result.fit == 40)
        #expect(result.mql.isMQL)
    }
}

@Suite("Score states as text")
struct ScoreStateTextTests {
    @Test("a state after many events reads back equal from its text, caps and windows included")
    func roundTrip() throws {
        let compiled = CompiledLeadDefinition(LeadDefinitionStarter.example())
        var state = compiled.newState()
        var ledger: [ScoreEntry] = []
        let start = Date(timeIntervalSince1970: 1_795_000_000.123)
        try compiled.refit(&state, profile: ScoringProfile(["job_title": "Director", "age": "30"]), at: start, ledger: &ledger)
        for index in 0..<40 {
            let type = ["page_view", "email_opened", "email_clicked", "form_submitted"][index % 4]
            try compiled.apply(ScoringEvent(id: "e\(index)", type: type, time: start.addingTimeInterval(Double(index) * 3607.7),
                                            properties: ["path": index % 3 == 0 ? "/pricing" : "/blog"]), to: &state, ledger: &ledger)
        }
        #expect(ScoreState(text: state.text) == state)
        #expect(ScoreState(text: compiled.newState().text) == compiled.newState())
    }

    @Test("a state stored by an earlier release, with caps and a frequency window, is written back to exactly the same text")
    func storedTextIsStable() throws {
        let stored = "s1|1|20,0,0,0|20|34.52227938105431|1793310231.4717653|20753:10;-9223372036854775808:0;-9223372036854775808:0;2965:1"
            + "|1793091124.3085046,1793310231.4717653/0/2/1793660244.755221"
        let state = try #require(ScoreState(text: stored))
        #expect(state.text == stored)
        #expect(state.fit == 20 && state.caps.count == 4 && state.windows.first?.recent.count == 2)
    }

    @Test("text that is not a state reads as nothing", arguments: ["", "s1|1", "s2|1||0|0|-||", "s1|x||0|0|-||", "s1|1||0|0|-|1:2:3|",
                                                                   "s1|1||0|0|-|é:2|", "s1|1|\u{301}|0|0|-||", "s1|1||0|0|-||1/0/1/-|"])
    func refusesOtherText(text: String) {
        #expect(ScoreState(text: text) == nil)
    }
}

@Suite("Ids of new rules")
struct LeadDefinitionFormIDTests {
    @Test("a rule added in a spare row gets an id no other row of the form has")
    func newIDsAreUnique() throws {
        let read = try LeadDefinitionForm.parse([
            ("fit_rules[0].id", "fit_2"), ("fit_rules[0].field", "age"), ("fit_rules[0].op", "is_set"), ("fit_rules[0].points", "1"),
            ("fit_rules[1].field", "country"), ("fit_rules[1].op", "is_set"), ("fit_rules[1].points", "2"),
            ("mql.mode", "thresholds"), ("mql.thresholds.fit", "1"), ("mql.thresholds.engagement", "0"),
        ], version: 1).get()
        #expect(read.fitRules.map(\.id) == ["fit_2", "fit_3"])
    }
}
