import Foundation

/// A company's score as the roll-up of its contacts' scores: the best contact (how hot the
/// account's hottest lead is) and the sum (how much of the account is engaged), in points.
public struct CompanyScore: Sendable, Equatable, Hashable, Codable {
    /// Contacts counted.
    public var contacts: Int
    /// The highest contact total; nil without contacts.
    public var maximum: Double?
    public var sum: Double

    public init(contactTotals: some Sequence<Double>) {
        var contacts = 0
        var maximum: Double?
        var sum = 0.0
        for total in contactTotals where total.isFinite {
            contacts += 1
            maximum = Swift.max(maximum ?? total, total)
            sum += total
        }
        self.contacts = contacts
        self.maximum = maximum
        self.sum = sum
    }
}

extension CompiledLeadDefinition {
    /// Fit and engagement of `state` at `now`.
    public func snapshot(of state: ScoreState, at now: Date) -> ScoreSnapshot {
        ScoreSnapshot(fit: state.fit, engagement: engagement(of: state, at: now))
    }
}
