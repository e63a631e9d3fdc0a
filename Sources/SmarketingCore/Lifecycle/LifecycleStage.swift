/// Where a contact is in the funnel the two teams share.
public enum LifecycleStage: String, Sendable, Codable, CaseIterable, Hashable {
    case subscriber
    case lead
    case mql
    case sal
    case sql
    case opportunity
    case customer
    case disqualified
    case recycled
}
