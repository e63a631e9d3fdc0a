import Foundation
@testable import SmarketingCore

/// A lead definition like the one the issue describes, and functions that make times and events.
enum ScoringSamples {
    /// 2026-01-01 00:00 UTC, a Thursday.
    static let start = Date(timeIntervalSince1970: 1_767_225_600)

    static func at(days: Double = 0, hours: Double = 0, seconds: Double = 0) -> Date {
        start.addingTimeInterval(days * 86_400 + hours * 3_600 + seconds)
    }

    static func event(_ id: String, _ type: String, at time: Date, _ properties: [String: String] = [:]) -> ScoringEvent {
        ScoringEvent(id: id, type: type, time: time, properties: properties)
    }

    static func pageView(_ id: String, _ path: String, at time: Date) -> ScoringEvent {
        event(id, "page_view", at: time, ["path": path])
    }

    static let planField = CustomFieldDefinition(
        id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)), entity: .contact, key: "plan", label: "Plan",
        type: .choice, options: ["Enterprise", "Team"]
    )
    static let tierField = CustomFieldDefinition(
        id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2)), entity: .company, key: "tier", label: "Tier",
        type: .text
    )
    static let knownFields = ScoringFields.known(customFields: [planField, tierField])

    static let fitRules: [FitRule] = [
        FitRule(id: "director", field: "job_title", condition: .contains(["Diretor", "Director"]), points: 20),
        FitRule(id: "mid-size", field: "company.employee_count", condition: .range(min: 50, max: 500), points: 15),
        FitRule(id: "age", field: "age", condition: .range(min: 25, max: 45), points: 5),
        FitRule(id: "competitor", field: "email_domain", condition: .oneOf(["rival.com", "concorrente.com.br"]), points: -100),
        FitRule(id: "student", field: "job_title", condition: .contains(["student", "estudante"]), points: -30),
        FitRule(id: "enterprise", field: "cf_plan", condition: .equals("Enterprise"), points: 10),
        FitRule(id: "has-phone", field: "phone", condition: .isSet, points: 2),
    ]

    static let engagementRules: [EngagementRule] = [
        EngagementRule(
            id: "pricing", eventType: "page_view", conditions: [PropertyCondition(property: "path", match: .startsWith("/pricing"))],
            points: 10, cap: PointsCap(points: 30, per: .day)
        ),
        EngagementRule(id: "form", eventType: "form_submitted", points: 25),
        EngagementRule(id: "click", eventType: "email_clicked", points: 5, cap: PointsCap(points: 12, per: .week)),
        EngagementRule(id: "open", eventType: "email_opened", points: 1),
        EngagementRule(id: "unsubscribed", eventType: "email_unsubscribed", points: -40),
    ]

    static let frequencyRules: [FrequencyRule] = [
        FrequencyRule(id: "visits", eventType: "page_view", count: 3, days: 7, points: 15),
    ]

    static let sqlCriteria: [SQLCriterion] = [
        SQLCriterion(key: "budget", label: "Budget", type: .number),
        SQLCriterion(key: "authority", label: "Authority", type: .choice, options: ["Decides", "Influences", "None"]),
        SQLCriterion(key: "need", label: "Need", type: .text),
        SQLCriterion(key: "timing", label: "Timing", type: .date, required: false),
    ]

    static let definition = LeadDefinition(
        version: 3, fitRules: fitRules, engagementRules: engagementRules, frequencyRules: frequencyRules, halfLifeDays: 30,
        mql: .thresholds(fit: 20, engagement: 30), sqlCriteria: sqlCriteria
    )

    static let grid = MQLGrid(
        fitGrades: FitGradeThresholds(a: 40, b: 25, c: 10),
        engagementLevels: EngagementLevelThresholds(level2: 10, level3: 30, level4: 60),
        cells: [MQLCell(.a, .four), MQLCell(.a, .three), MQLCell(.a, .two), MQLCell(.b, .four), MQLCell(.b, .three), MQLCell(.c, .four)]
    )

    static let compiled = CompiledLeadDefinition(definition)

    /// The definition with no decay, so sums can be checked by hand.
    static let undecayed: CompiledLeadDefinition = {
        var plain = definition
        plain.halfLifeDays = nil
        return CompiledLeadDefinition(plain)
    }()

    static let director = ScoringProfile([
        "job_title": "Diretora Comercial", "company.employee_count": "120", "age": "38", "email": "ana@acme.com.br",
        "email_domain": "acme.com.br",
    ])
}
