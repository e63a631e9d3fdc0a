import Foundation

/// A team as routing sees it: its reps in a fixed order (the tie-break of round robin) and its
/// round-robin state.
public struct RoutingTeam: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var reps: [TeamRep]
    public var state: RoundRobinState

    public init(id: UUID, name: String, reps: [TeamRep], state: RoundRobinState = RoundRobinState()) {
        self.id = id
        self.name = name
        self.reps = reps
        self.state = state
    }
}

/// Why a lead got the owner it got (or none). Stored with every assignment.
public enum RoutingReason: String, Sendable, Equatable, Codable, CaseIterable {
    /// A rule matched and round robin picked a rep of its team.
    case roundRobin = "round_robin"
    /// No rule matched; the fallback owner took the lead.
    case fallbackNoRuleMatched = "fallback_no_rule_matched"
    /// A rule matched but no rep of its team could take the lead; the fallback owner took it.
    case fallbackNoRepAvailable = "fallback_no_rep_available"
    /// No rule matched and there is no fallback owner: the lead stays unassigned.
    case unassignedNoRuleMatched = "unassigned_no_rule_matched"
    /// No rep of the rule's team could take the lead and there is no fallback owner.
    case unassignedNoRepAvailable = "unassigned_no_rep_available"

    public var isAssigned: Bool {
        switch self {
        case .roundRobin, .fallbackNoRuleMatched, .fallbackNoRepAvailable: true
        case .unassignedNoRuleMatched, .unassignedNoRepAvailable: false
        }
    }
}

/// Where one lead goes: the rule that matched (if any), its team, the owner picked, why, and the
/// reps passed over. Made by ``decide(profile:rules:teams:fallbackOwnerID:now:)``, without I/O.
public struct RoutingDecision: Sendable, Equatable {
    public var rule: RoutingRule?
    public var teamID: UUID?
    /// The new owner; nil when the lead stays unassigned.
    public var ownerID: UUID?
    public var reason: RoutingReason
    public var skipped: [SkippedRep]
    /// The team's round-robin state after this lead, to store when the decision is applied; nil
    /// when round robin did not pick anyone.
    public var teamState: RoundRobinState?

    public init(rule: RoutingRule?, teamID: UUID?, ownerID: UUID?, reason: RoutingReason, skipped: [SkippedRep], teamState: RoundRobinState?) {
        self.rule = rule
        self.teamID = teamID
        self.ownerID = ownerID
        self.reason = reason
        self.skipped = skipped
        self.teamState = teamState
    }

    /// Routes one contact: the first rule (by position) whose conditions hold picks its team, and
    /// round robin picks a rep of that team who can take the lead now. When no rule holds, or
    /// nobody in the team can take it (or the team no longer exists), the fallback owner gets
    /// the lead; without one it stays unassigned. Later rules are not tried once one matched.
    ///
    /// - Parameters:
    ///   - profile: the contact's and its company's fields (``ScoringProfile``).
    ///   - teams: at least the team of the matching rule; a missing team has nobody to take leads.
    ///   - fallbackOwnerID: an active user of the workspace, or nil.
    public static func decide(profile: ScoringProfile, rules: [RoutingRule], teams: [UUID: RoutingTeam],
                              fallbackOwnerID: UUID?, now: Date) -> RoutingDecision {
        let rule = RoutingRules.firstMatch(rules, for: profile)
        return decide(rule: rule, team: rule.flatMap { teams[$0.teamID] }, fallbackOwnerID: fallbackOwnerID, now: now)
    }

    /// The decision once the matching rule is known (nil: no rule matched) and its team loaded.
    public static func decide(rule: RoutingRule?, team: RoutingTeam?, fallbackOwnerID: UUID?, now: Date) -> RoutingDecision {
        guard let rule else {
            return RoutingDecision(rule: nil, teamID: nil, ownerID: fallbackOwnerID,
                                   reason: fallbackOwnerID == nil ? .unassignedNoRuleMatched : .fallbackNoRuleMatched,
                                   skipped: [], teamState: nil)
        }
        let (chosen, skipped, state) = RoundRobin.pick(from: team?.reps ?? [], state: team?.state ?? RoundRobinState(), now: now)
        if let chosen {
            return RoutingDecision(rule: rule, teamID: rule.teamID, ownerID: chosen.userID, reason: .roundRobin,
                                   skipped: skipped, teamState: state)
        }
        return RoutingDecision(rule: rule, teamID: rule.teamID, ownerID: fallbackOwnerID,
                               reason: fallbackOwnerID == nil ? .unassignedNoRepAvailable : .fallbackNoRepAvailable,
                               skipped: skipped, teamState: nil)
    }
}
