import Foundation

/// A condition on a stored engagement that says whether, decayed to some moment, it is on one side
/// of a threshold: the stored value gives the sign (decay never changes it), the order key
/// (``CompiledLeadDefinition/engagementKey(value:asOf:)``) the magnitude. Made by
/// ``CompiledLeadDefinition/engagement(atLeast:at:)`` and ``CompiledLeadDefinition/engagement(atMost:at:)``;
/// the store writes each case as SQL.
public enum DecayedEngagementCondition: Sendable, Equatable {
    /// Value at least 0.
    case nonNegative
    /// Value at most 0.
    case nonPositive
    /// Value above 0 and key at least the bound.
    case positiveWithKeyAtLeast(Double)
    /// Value at least 0, or key at most the bound (a negative value that decayed close enough to 0).
    case nonNegativeOrKeyAtMost(Double)
    /// Value at most 0, or key at most the bound.
    case nonPositiveOrKeyAtMost(Double)
    /// Value below 0 and key at least the bound.
    case negativeWithKeyAtLeast(Double)

    /// Whether a stored engagement (`key` nil for no points) meets the condition.
    public func holds(value: Double, key: Double?) -> Bool {
        switch self {
        case .nonNegative: value >= 0
        case .nonPositive: value <= 0
        case .positiveWithKeyAtLeast(let bound): value > 0 && (key ?? -.infinity) >= bound
        case .nonNegativeOrKeyAtMost(let bound): value >= 0 || (key ?? .infinity) <= bound
        case .nonPositiveOrKeyAtMost(let bound): value <= 0 || (key ?? .infinity) <= bound
        case .negativeWithKeyAtLeast(let bound): value < 0 && (key ?? -.infinity) >= bound
        }
    }
}
