/// The first draft a workspace gets: a lead definition in the shape the two teams usually agree
/// on, to adjust rather than to write from nothing. Its rules are the article's examples: a
/// decision maker's job title, a company of the right size, an age band, a competitor's or a
/// student's address; pricing-page visits, forms, email clicks and opens, repeated visits; a
/// 30-day half-life; MQL at 30 fit and 30 engagement points; budget, authority, need and timing
/// for SQL.
public enum LeadDefinitionStarter {
    public static func example(version: Int = 1) -> LeadDefinition {
        LeadDefinition(
            version: version,
            fitRules: [
                FitRule(id: "decision_maker", field: "job_title",
                        condition: .contains(["Diretor", "Diretora", "Director", "Head", "Gerente", "Manager", "CEO", "VP"]), points: 20),
                FitRule(id: "company_size", field: "company.employee_count", condition: .range(min: 50, max: 500), points: 15),
                FitRule(id: "age_band", field: "age", condition: .range(min: 25, max: 45), points: 5),
                FitRule(id: "student", field: "job_title", condition: .contains(["Estudante", "Student", "Estagiário", "Intern"]), points: -30),
            ],
            engagementRules: [
                EngagementRule(id: "pricing_visit", eventType: StandardEventType.pageView.rawValue,
                               conditions: [PropertyCondition(property: "path", match: .startsWith("/pricing"))],
                               points: 10, cap: PointsCap(points: 30, per: .day)),
                EngagementRule(id: "form_submitted", eventType: StandardEventType.formSubmitted.rawValue, points: 25),
                EngagementRule(id: "email_clicked", eventType: StandardEventType.emailClicked.rawValue, points: 5,
                               cap: PointsCap(points: 20, per: .week)),
                EngagementRule(id: "email_opened", eventType: StandardEventType.emailOpened.rawValue, points: 1,
                               cap: PointsCap(points: 5, per: .week)),
            ],
            frequencyRules: [
                FrequencyRule(id: "repeat_visits", eventType: StandardEventType.pageView.rawValue, count: 3, days: 7, points: 15),
            ],
            halfLifeDays: 30,
            mql: .thresholds(fit: 30, engagement: 30),
            sqlCriteria: [
                SQLCriterion(key: "budget", label: "Budget", type: .choice, options: ["Approved", "Being discussed", "None"]),
                SQLCriterion(key: "authority", label: "Authority", type: .choice, options: ["Decision maker", "Influencer", "User"]),
                SQLCriterion(key: "need", label: "Need", type: .text),
                SQLCriterion(key: "timing", label: "Timing", type: .choice, options: ["This quarter", "Next quarter", "Later"]),
            ]
        )
    }
}
