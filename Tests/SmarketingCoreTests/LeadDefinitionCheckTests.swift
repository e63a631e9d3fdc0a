import Testing
@testable import SmarketingCore

@Suite("Checking a lead definition")
struct LeadDefinitionCheckTests {
    private let known = ScoringSamples.knownFields

    private func problems(_ change: (inout LeadDefinition) -> Void) -> [LeadDefinitionProblem] {
        var definition = ScoringSamples.definition
        change(&definition)
        return definition.problems(knownFields: known)
    }

    @Test("the sample definition, with thresholds or a grid, has no problem")
    func valid() throws {
        #expect(ScoringSamples.definition.problems(knownFields: known) == [])
        try ScoringSamples.definition.check(customFields: [ScoringSamples.planField, ScoringSamples.tierField])
        #expect(problems { $0.mql = .grid(ScoringSamples.grid) } == [])
    }

    @Test("a refused definition throws every problem at once as field errors named by path")
    func throwsFieldErrors() {
        var definition = ScoringSamples.definition
        definition.fitRules[2].condition = .range(min: 50, max: 10)
        definition.fitRules[0].field = "shoe_size"
        do {
            try definition.check(knownFields: known)
            Issue.record("expected a failure")
        } catch {
            #expect(error.errors == [FieldError("fit_rules[0].field", .notInList), FieldError("fit_rules[2].min", .invalid)])
        }
    }

    @Test("rules that can never match are refused", arguments: [
        (FitCondition.range(min: 500, max: 50), "fit_rules[1].min"),
        (FitCondition.range(min: nil, max: nil), "fit_rules[1].min"),
        (FitCondition.oneOf([]), "fit_rules[1].values"),
        (FitCondition.oneOf(["Gold", "  "]), "fit_rules[1].values[1]"),
        (FitCondition.contains([]), "fit_rules[1].values"),
        (FitCondition.contains([""]), "fit_rules[1].values[0]"),
        (FitCondition.equals(" "), "fit_rules[1].value"),
    ])
    func neverMatches(condition: FitCondition, path: String) {
        let found = problems { $0.fitRules[1].condition = condition }
        #expect(found == [LeadDefinitionProblem(path, .neverMatches)])
        #expect(found.first?.code == .invalid)
    }

    @Test("a range whose bounds are equal is a single value and is accepted")
    func singleValueRange() {
        #expect(problems { $0.fitRules[1].condition = .range(min: 50, max: 50) } == [])
    }

    @Test("a field that is neither built in nor a custom field of the workspace is refused")
    func unknownFields() {
        for field in ["shoe_size", "cf_unknown", "company.cf_plan", "company.shoe_size", "lifecycle_stage", "owner_email"] {
            #expect(problems { $0.fitRules[0].field = field } == [LeadDefinitionProblem("fit_rules[0].field", .unknownField)], "\(field)")
        }
        #expect(problems { $0.fitRules[0].field = " " } == [LeadDefinitionProblem("fit_rules[0].field", .required)])
        for field in ["cf_plan", "company.cf_tier", "company.industry", "company.domain", "company.country", "email_domain", "seniority", "country", "source"] {
            #expect(problems { $0.fitRules[0].field = field } == [], "\(field)")
        }
    }

    @Test("points must be non-zero and within ±1000", arguments: [(0, "noPoints"), (1001, "range"), (-1001, "range")])
    func points(value: Int, kind: String) {
        let expected: LeadDefinitionProblem.Reason = kind == "noPoints" ? .noPoints : .outOfRange(minimum: -1000, maximum: 1000)
        #expect(problems { $0.fitRules[3].points = value } == [LeadDefinitionProblem("fit_rules[3].points", expected)])
        #expect(problems { $0.engagementRules[1].points = value } == [LeadDefinitionProblem("engagement_rules[1].points", expected)])
        #expect(problems { $0.frequencyRules[0].points = value } == [LeadDefinitionProblem("frequency_rules[0].points", expected)])
        #expect(problems { $0.fitRules[3].points = -1000 } == [])
    }

    @Test("a cap must allow at least one point", arguments: [0, -5, 100_001])
    func caps(points: Int) {
        #expect(problems { $0.engagementRules[0].cap = PointsCap(points: points, per: .week) }
            == [LeadDefinitionProblem("engagement_rules[0].cap.points", .outOfRange(minimum: 1, maximum: 100_000))])
    }

    @Test("a frequency rule needs at least 2 events within 1 to 365 days")
    func frequency() {
        #expect(problems { $0.frequencyRules[0].count = 1 } == [LeadDefinitionProblem("frequency_rules[0].count", .outOfRange(minimum: 2, maximum: 1000))])
        #expect(problems { $0.frequencyRules[0].days = 0 } == [LeadDefinitionProblem("frequency_rules[0].days", .outOfRange(minimum: 1, maximum: 365))])
        #expect(problems { $0.frequencyRules[0].days = -3 }.map(\.path) == ["frequency_rules[0].days"])
        #expect(problems { $0.frequencyRules[0].count = 2; $0.frequencyRules[0].days = 365 } == [])
    }

    @Test("the half-life must be a positive number of days up to ten years", arguments: [0.0, -1, 3651, .infinity, .nan])
    func halfLife(days: Double) {
        #expect(problems { $0.halfLifeDays = days } == [LeadDefinitionProblem("half_life_days", .outOfRange(minimum: 0, maximum: 3650))])
    }

    @Test("no half-life means engagement does not decay, and is accepted")
    func noHalfLife() {
        #expect(problems { $0.halfLifeDays = nil } == [])
        #expect(problems { $0.halfLifeDays = 0.5 } == [])
    }

    @Test("event types and properties are lower-case names, and text to compare is not blank")
    func eventRules() {
        #expect(problems { $0.engagementRules[0].eventType = "Page View" } == [LeadDefinitionProblem("engagement_rules[0].event_type", .malformed)])
        #expect(problems { $0.engagementRules[0].eventType = "" } == [LeadDefinitionProblem("engagement_rules[0].event_type", .required)])
        #expect(problems { $0.engagementRules[0].eventType = "webinar_attended" } == [])
        #expect(problems { $0.engagementRules[0].conditions[0] = PropertyCondition(property: "", match: .isSet) }
            == [LeadDefinitionProblem("engagement_rules[0].conditions[0].property", .required)])
        #expect(problems { $0.engagementRules[0].conditions[0].match = .startsWith("") }
            == [LeadDefinitionProblem("engagement_rules[0].conditions[0].value", .neverMatches)])
        #expect(problems { $0.frequencyRules[0].conditions = [PropertyCondition(property: "form", match: .contains([]))] }
            == [LeadDefinitionProblem("frequency_rules[0].conditions[0].values", .neverMatches)])
        #expect(problems { $0.engagementRules[0].conditions = Array(repeating: PropertyCondition(property: "p", match: .isSet), count: 11) }
            == [LeadDefinitionProblem("engagement_rules[0].conditions", .tooMany(maximum: 10))])
    }

    @Test("rule ids are required and unique across all rules")
    func ids() {
        #expect(problems { $0.engagementRules[1].id = "director" } == [LeadDefinitionProblem("engagement_rules[1].id", .duplicate)])
        #expect(problems { $0.frequencyRules[0].id = "pricing" } == [LeadDefinitionProblem("frequency_rules[0].id", .duplicate)])
        #expect(problems { $0.fitRules[0].id = "" } == [LeadDefinitionProblem("fit_rules[0].id", .required)])
        #expect(problems { $0.fitRules[0].id = " padded" } == [LeadDefinitionProblem("fit_rules[0].id", .malformed)])
        #expect(problems { $0.fitRules[0].id = String(repeating: "x", count: 61) } == [LeadDefinitionProblem("fit_rules[0].id", .tooLong(maximum: 60))])
        #expect(LeadDefinitionProblem("x", .duplicate).code == .alreadyTaken)
    }

    @Test("MQL thresholds must be within range and reachable by the rules")
    func thresholds() {
        #expect(problems { $0.mql = .thresholds(fit: 200_000, engagement: 30) }
            == [LeadDefinitionProblem("mql.thresholds.fit", .outOfRange(minimum: -100_000, maximum: 100_000))])
        #expect(problems { $0.mql = .thresholds(fit: 20, engagement: -1) }
            == [LeadDefinitionProblem("mql.thresholds.engagement", .outOfRange(minimum: 0, maximum: 1_000_000))])
        // 20 + 15 + 5 + 10 + 2 points at most.
        #expect(ScoringSamples.definition.maximumFit == 52)
        #expect(problems { $0.mql = .thresholds(fit: 53, engagement: 30) } == [LeadDefinitionProblem("mql.thresholds.fit", .unreachable(maximum: 52))])
        #expect(problems { $0.mql = .thresholds(fit: 52, engagement: 30) } == [])
        #expect(problems {
            $0.engagementRules = [EngagementRule(id: "unsubscribed", eventType: "email_unsubscribed", points: -40)]
            $0.frequencyRules = []
        } == [LeadDefinitionProblem("mql.thresholds.engagement", .unreachable(maximum: 0))])
    }

    @Test("grade thresholds must go strictly down and level thresholds strictly up")
    func gridOrder() {
        var grid = ScoringSamples.grid
        grid.fitGrades = FitGradeThresholds(a: 40, b: 40, c: 10)
        #expect(problems { $0.mql = .grid(grid) } == [LeadDefinitionProblem("mql.grid.fit_grades", .notStrictlyOrdered)])
        grid = ScoringSamples.grid
        grid.engagementLevels = EngagementLevelThresholds(level2: 10, level3: 80, level4: 60)
        #expect(problems { $0.mql = .grid(grid) } == [LeadDefinitionProblem("mql.grid.engagement_levels", .notStrictlyOrdered)])
        grid.engagementLevels = EngagementLevelThresholds(level2: -10, level3: 30, level4: 60)
        #expect(problems { $0.mql = .grid(grid) }
            == [LeadDefinitionProblem("mql.grid.engagement_levels.level_2", .outOfRange(minimum: 0, maximum: 1_000_000))])
    }

    @Test("a grid whose MQL cells leave out a better cell is refused, naming the cells to add")
    func gridMonotone() {
        var grid = ScoringSamples.grid
        grid.cells = [MQLCell(.b, .two)]
        let expectedMissing = [MQLCell(.a, .four), MQLCell(.a, .three), MQLCell(.a, .two), MQLCell(.b, .four), MQLCell(.b, .three)]
        #expect(problems { $0.mql = .grid(grid) } == [LeadDefinitionProblem("mql.grid.cells", .notMonotone(missing: expectedMissing))])
        grid.cells = [MQLCell(.a, .two), MQLCell(.a, .three), MQLCell(.a, .four)]
        #expect(problems { $0.mql = .grid(grid) } == [])
        grid.cells = [MQLCell(.a, .two), MQLCell(.a, .four), MQLCell(.b, .four)]
        #expect(problems { $0.mql = .grid(grid) } == [LeadDefinitionProblem("mql.grid.cells", .notMonotone(missing: [MQLCell(.a, .three)]))])
        grid.cells = []
        #expect(problems { $0.mql = .grid(grid) } == [LeadDefinitionProblem("mql.grid.cells", .neverMatches)])
    }

    @Test("a grid whose MQL cells need more fit than the rules can give is refused")
    func gridReachable() {
        var grid = ScoringSamples.grid
        grid.fitGrades = FitGradeThresholds(a: 80, b: 60, c: 55)
        grid.cells = [MQLCell(.a, .four), MQLCell(.b, .four), MQLCell(.c, .four)]
        #expect(problems { $0.mql = .grid(grid) } == [LeadDefinitionProblem("mql.grid", .unreachable(maximum: 52))])
        grid.cells.append(MQLCell(.d, .four))
        #expect(problems { $0.mql = .grid(grid) } == [])
    }

    @Test("SQL criteria need a well-formed unique key, a label and options for choices")
    func sqlCriteria() {
        #expect(problems { $0.sqlCriteria[1].key = "budget" } == [LeadDefinitionProblem("sql_criteria[1].key", .duplicate)])
        #expect(problems { $0.sqlCriteria[0].key = "Budget!" } == [LeadDefinitionProblem("sql_criteria[0].key", .malformed)])
        #expect(problems { $0.sqlCriteria[0].label = " " } == [LeadDefinitionProblem("sql_criteria[0].label", .required)])
        #expect(problems { $0.sqlCriteria[1].options = [] } == [LeadDefinitionProblem("sql_criteria[1].options", .required)])
        #expect(problems { $0.sqlCriteria[1].options = ["Yes", "yes"] } == [LeadDefinitionProblem("sql_criteria[1].options", .duplicate)])
        #expect(problems { $0.sqlCriteria[1].type = .multiChoice; $0.sqlCriteria[1].options = ["a;b", "c"] }
            == [LeadDefinitionProblem("sql_criteria[1].options", .malformed)])
    }

    @Test("the version must be 1 or more, and long rule lists are refused")
    func versionAndCounts() {
        #expect(problems { $0.version = 0 }.map(\.path) == ["version"])
        let many = (0..<201).map { FitRule(id: "r\($0)", field: "age", condition: .isSet, points: 1) }
        #expect(problems { $0.fitRules = many }.first == LeadDefinitionProblem("fit_rules", .tooMany(maximum: 200)))
        #expect(problems { $0.fitRules[0].condition = .oneOf((0...100).map(String.init)) }
            == [LeadDefinitionProblem("fit_rules[0].values", .tooMany(maximum: 100))])
    }

    @Test("answers to the SQL criteria are typed, and missing or malformed ones refused by key")
    func sqlAnswers() throws {
        let answers = try SQLCriterion.checkAnswers(
            ["budget": "50.000,00", "authority": "decides", "need": "CRM for 40 reps"], criteria: ScoringSamples.sqlCriteria
        )
        #expect(answers == ["budget": .number(50_000), "authority": .choice("Decides"), "need": .text("CRM for 40 reps")])
        do {
            _ = try SQLCriterion.checkAnswers(["budget": "a lot", "authority": "maybe"], criteria: ScoringSamples.sqlCriteria)
            Issue.record("expected a failure")
        } catch {
            #expect(error.errors.map(\.field) == ["budget", "authority", "need"])
            #expect(error.first(for: "authority")?.code == .notInList)
            #expect(error.first(for: "need")?.code == .required)
        }
    }
}
