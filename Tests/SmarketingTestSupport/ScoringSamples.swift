import Foundation
import SmarketingCore

/// A small definition for store and web tests: job title and company size for fit, pricing visits and
/// forms for engagement, MQL at 20 fit and 20 engagement.
public func testDefinition(version: Int = 1) -> LeadDefinition {
    LeadDefinition(
        version: version,
        fitRules: [
            FitRule(id: "director", field: "job_title", condition: .contains(["Diretor", "Director"]), points: 20),
            FitRule(id: "size", field: "company.employee_count", condition: .range(min: 50, max: 500), points: 15),
        ],
        engagementRules: [
            EngagementRule(id: "pricing", eventType: "page_view", conditions: [PropertyCondition(property: "path", match: .startsWith("/pricing"))],
                           points: 10, cap: PointsCap(points: 20, per: .day)),
            EngagementRule(id: "form", eventType: "form_submitted", points: 25),
        ],
        halfLifeDays: 30,
        mql: .thresholds(fit: 20, engagement: 20)
    )
}

