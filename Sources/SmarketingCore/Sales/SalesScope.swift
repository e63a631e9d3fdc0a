import Foundation

/// Whose sales records (deals, tasks) a user sees in lists: a rep their own, a sales manager
/// their team's, everyone else the whole workspace (SPEC C1: sales work their own leads,
/// managers their team's; marketing and admins read everything to report on it).
public enum SalesScope: Sendable, Equatable {
    case everyone
    case owners(Set<UUID>)

    /// - Parameter teamMateIDs: ids of the users who share a team with `user` (the user included).
    public static func of(_ user: User, teamMateIDs: Set<UUID>) -> SalesScope {
        switch AccessPolicy.reach(of: user.roles, for: .workLeads) {
        case .own: .owners([user.id])
        case .team: .owners(teamMateIDs.union([user.id]))
        case .all, nil: .everyone
        }
    }

    public func includes(_ ownerID: UUID?) -> Bool {
        switch self {
        case .everyone: true
        case .owners(let ids): ownerID.map(ids.contains) ?? false
        }
    }
}

/// The open pipeline and the closed deals, stage by stage: how many deals and how much money
/// in each currency (never summed across currencies).
public struct PipelineSummary: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public var stage: DealStage
        public var count: Int
        /// Minor units by currency code.
        public var totals: [String: Int64]
    }

    public var columns: [Column]

    /// One line per (stage, currency) with its count and sum, as a grouped query gives them.
    public init(_ lines: [(stage: DealStage, currency: String, count: Int, minorUnits: Int64)]) {
        columns = DealStage.allCases.map { stage in
            let mine = lines.filter { $0.stage == stage }
            var totals: [String: Int64] = [:]
            for line in mine { totals[line.currency, default: 0] += line.minorUnits }
            return Column(stage: stage, count: mine.reduce(0) { $0 + $1.count }, totals: totals)
        }
    }

    /// Every currency that appears, the given one first, then alphabetically.
    public func currencies(first: String) -> [String] {
        let all = Set(columns.flatMap(\.totals.keys))
        return (all.contains(first) ? [first] : []) + all.subtracting([first]).sorted()
    }

    /// Each open stage's share (0...1) of the largest open stage's total in `currency`, for bars.
    public func openShares(in currency: String) -> [(stage: DealStage, minorUnits: Int64, share: Double)] {
        let open = columns.filter { $0.stage.isOpen }
        let largest = open.map { $0.totals[currency] ?? 0 }.max() ?? 0
        return open.map { column in
            let value = column.totals[currency] ?? 0
            return (column.stage, value, largest > 0 ? Double(value) / Double(largest) : 0)
        }
    }
}
