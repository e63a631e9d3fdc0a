import Foundation
import Testing
@testable import SmarketingCore

@Suite("Lead definitions as JSON")
struct LeadDefinitionCodingTests {
    private func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test("a definition survives a round trip through JSON unchanged")
    func roundTrip() throws {
        var definition = ScoringSamples.definition
        let data = try JSONEncoder().encode(definition)
        #expect(try JSONDecoder().decode(LeadDefinition.self, from: data) == definition)
        definition.mql = .grid(ScoringSamples.grid)
        definition.halfLifeDays = nil
        let again = try JSONDecoder().decode(LeadDefinition.self, from: try JSONEncoder().encode(definition))
        #expect(again == definition)
    }

    @Test("a fit rule is written flat, with its operator and values beside its field and points")
    func fitRuleShape() throws {
        let contains = FitRule(id: "director", field: "job_title", condition: .contains(["Diretor", "Director"]), points: 20)
        #expect(try json(contains) == #"{"field":"job_title","id":"director","op":"contains","points":20,"values":["Diretor","Director"]}"#)
        let range = FitRule(id: "size", field: "company.employee_count", condition: .range(min: 50, max: nil), points: 15)
        #expect(try json(range) == #"{"field":"company.employee_count","id":"size","min":50,"op":"range","points":15}"#)
        let isSet = FitRule(id: "phone", field: "phone", condition: .isSet, points: 2)
        #expect(try json(isSet) == #"{"field":"phone","id":"phone","op":"is_set","points":2}"#)
    }

    @Test("engagement rules, conditions, caps and the MQL rule use snake_case names")
    func engagementShape() throws {
        let rule = ScoringSamples.engagementRules[0]
        #expect(try json(rule) == #"{"cap":{"per":"day","points":30},"conditions":[{"op":"starts_with","property":"path","value":"/pricing"}],"event_type":"page_view","id":"pricing","points":10}"#)
        #expect(try json(MQLRule.thresholds(fit: 20, engagement: 30)) == #"{"thresholds":{"engagement":30,"fit":20}}"#)
    }

    @Test("grid cells are written sorted and once each, whatever order they were given in")
    func gridCells() throws {
        var grid = ScoringSamples.grid
        grid.cells = [MQLCell(.b, .four), MQLCell(.a, .four), MQLCell(.b, .four)]
        #expect(try json(grid) == #"{"cells":["A4","B4"],"engagement_levels":{"level_2":10,"level_3":30,"level_4":60},"fit_grades":{"a":40,"b":25,"c":10}}"#)
    }

    @Test("a definition written by hand decodes, with the parts that are left out read as none")
    func handWritten() throws {
        let text = #"""
        {"version": 2,
         "fit_rules": [{"id": "size", "field": "company.employee_count", "op": "range", "min": 50, "max": 500, "points": 15},
                       {"id": "tier", "field": "company.cf_tier", "op": "one_of", "values": ["Gold", "Silver"], "points": 5}],
         "engagement_rules": [{"id": "form", "event_type": "form_submitted", "points": 25}],
         "frequency_rules": [{"id": "visits", "event_type": "page_view", "count": 3, "days": 7, "points": 15}],
         "sql_criteria": [{"key": "budget", "label": "Budget", "type": "number"}],
         "mql": {"grid": {"fit_grades": {"a": 18, "b": 12, "c": 5},
                          "engagement_levels": {"level_2": 10, "level_3": 30, "level_4": 60},
                          "cells": ["a4", "A3", "B4"]}}}
        """#
        let definition = try JSONDecoder().decode(LeadDefinition.self, from: Data(text.utf8))
        #expect(definition.version == 2)
        #expect(definition.fitRules[0].condition == .range(min: 50, max: 500))
        #expect(definition.fitRules[1].condition == .oneOf(["Gold", "Silver"]))
        #expect(definition.engagementRules == [EngagementRule(id: "form", eventType: "form_submitted", points: 25)])
        #expect(definition.frequencyRules == [FrequencyRule(id: "visits", eventType: "page_view", count: 3, days: 7, points: 15)])
        #expect(definition.sqlCriteria == [SQLCriterion(key: "budget", label: "Budget", type: .number, options: [], required: true)])
        #expect(definition.halfLifeDays == nil)
        let bare = try JSONDecoder().decode(LeadDefinition.self, from: Data(#"{"version": 1, "mql": {"thresholds": {"fit": 0, "engagement": 0}}}"#.utf8))
        #expect(bare.fitRules.isEmpty && bare.engagementRules.isEmpty && bare.frequencyRules.isEmpty && bare.sqlCriteria.isEmpty)
        guard case .grid(let grid) = definition.mql else {
            Issue.record("expected a grid")
            return
        }
        #expect(grid.cells == [MQLCell(.a, .four), MQLCell(.a, .three), MQLCell(.b, .four)])
        #expect(definition.problems(knownFields: ScoringSamples.knownFields) == [])
    }

    @Test("an unknown operator or grid cell is refused when decoding", arguments: [
        #"{"version": 1, "fit_rules": [{"id": "x", "field": "age", "op": "between", "points": 1}], "mql": {"thresholds": {"fit": 0, "engagement": 0}}}"#,
        #"{"version": 1, "mql": {"grid": {"fit_grades": {"a": 3, "b": 2, "c": 1}, "engagement_levels": {"level_2": 1, "level_3": 2, "level_4": 3}, "cells": ["E5"]}}}"#,
        #"{"version": 1, "mql": {}}"#,
    ])
    func refusedWhenDecoding(text: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LeadDefinition.self, from: Data(text.utf8)) }
    }

    @Test("grid cells read A1 to D4 in either case, and nothing else")
    func cellNames() {
        #expect(MQLCell("b3") == MQLCell(.b, .three))
        #expect(MQLCell(" D1 ") == MQLCell(.d, .one))
        for text in ["E1", "A5", "A0", "A", "AA", "", "A12"] { #expect(MQLCell(text) == nil, "\(text)") }
        #expect(MQLCell.all.map(\.description) == [
            "A4", "A3", "A2", "A1", "B4", "B3", "B2", "B1", "C4", "C3", "C2", "C1", "D4", "D3", "D2", "D1",
        ])
    }

    @Test("a score state and a ledger line survive a round trip through JSON")
    func stateRoundTrip() throws {
        let compiled = ScoringSamples.compiled
        let result = compiled.rescore(
            profile: ScoringSamples.director,
            events: [ScoringSamples.pageView("e1", "/pricing", at: ScoringSamples.at(days: 1)),
                     ScoringSamples.pageView("e2", "/pricing", at: ScoringSamples.at(days: 2))],
            now: ScoringSamples.at(days: 3)
        )
        let state = try JSONDecoder().decode(ScoreState.self, from: try JSONEncoder().encode(result.state))
        #expect(state == result.state)
        #expect(compiled.owns(state))
        let ledger = try JSONDecoder().decode([ScoreEntry].self, from: try JSONEncoder().encode(result.ledger))
        #expect(ledger == result.ledger)
        let line = try json(ScoreEntry(ruleID: "pricing", kind: .engagement, points: 4, cause: .event(id: "e1", type: "page_view"),
                                       time: Date(timeIntervalSinceReferenceDate: 0), definitionVersion: 3, requestedPoints: 10))
        #expect(line == #"{"cause":{"event_id":"e1","event_type":"page_view"},"definition_version":3,"kind":"engagement","points":4,"requested_points":10,"rule_id":"pricing","time":0}"#)
    }
}
