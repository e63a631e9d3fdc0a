import Foundation

/// A rep as round robin sees them in one team: their weight in the team, when they take leads,
/// and how many leads were routed to them in their current day and week.
public struct TeamRep: Sendable, Equatable {
    public var userID: UUID
    public var name: String
    /// See ``RoutingWeight``.
    public var weight: Int
    public var availability: RepAvailability
    public var load: RepLoad
    /// False for a deactivated user.
    public var isActive: Bool

    public init(userID: UUID, name: String, weight: Int = RoutingWeight.standard, availability: RepAvailability,
                load: RepLoad = RepLoad(), isActive: Bool = true) {
        self.userID = userID
        self.name = name
        self.weight = weight
        self.availability = availability
        self.load = load
        self.isActive = isActive
    }

    /// Why the rep cannot take a lead at `now`, or nil.
    public func unavailability(at now: Date) -> Unavailability? {
        isActive ? availability.unavailability(at: now, load: load) : .inactive
    }
}

/// A rep round robin passed over, with the reason.
public struct SkippedRep: Sendable, Equatable, Hashable, Codable {
    public var userID: UUID
    /// The rep's name when they were skipped.
    public var name: String
    public var reason: Unavailability

    public init(userID: UUID, name: String, reason: Unavailability) {
        self.userID = userID
        self.name = name
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", name, reason
    }
}

/// The round-robin memory of one team: each rep's credit under smooth weighted round robin.
/// Stored per team and rewritten, under a lock, by every assignment the team makes.
public struct RoundRobinState: Sendable, Equatable, Codable {
    public var credits: [UUID: Int]

    public init(credits: [UUID: Int] = [:]) {
        self.credits = credits
    }

    /// JSON: `{"<user id>": credit, ...}` with lower-case ids and sorted keys.
    public var json: String {
        let body = credits.keys.sorted { $0.uuidString < $1.uuidString }.map { id in
            "\"\(id.uuidString.lowercased())\":\(credits[id] ?? 0)"
        }
        return "{" + body.joined(separator: ",") + "}"
    }

    /// Reads ``json``; anything unreadable is an empty state (every rep starts even).
    public init(json: String) {
        let decoded = (try? JSONDecoder().decode([String: Int].self, from: Data(json.utf8))) ?? [:]
        var credits: [UUID: Int] = [:]
        for (key, value) in decoded { if let id = UUID(uuidString: key) { credits[id] = value } }
        self.credits = credits
    }
}

/// Smooth weighted round robin (the scheme of nginx's upstreams): on each lead, every rep who can
/// take it gains their weight in credit, the one with the most credit gets the lead (the first
/// in the team's order on a tie) and pays back the sum of the weights that were added. Over any
/// run of leads each rep's share stays within one lead of its weighted share, and leads are
/// spread out (weights 2:1 give A B A A B A ..., never A A A A B B).
///
/// A rep who is skipped (away, off hours, full) neither gains nor loses credit: they keep their
/// place in the rotation and come back to it, without a backlog of leads for the time away.
public enum RoundRobin {
    /// Picks the rep for one lead among `reps`, in the team's order, at `now`.
    /// - Returns: the rep (nil when nobody can take the lead), every rep passed over with the
    ///   reason, and the team's new state (unchanged when nobody was picked; reps no longer in
    ///   the team are forgotten).
    public static func pick(from reps: [TeamRep], state: RoundRobinState, now: Date)
        -> (chosen: TeamRep?, skipped: [SkippedRep], state: RoundRobinState) {
        var skipped: [SkippedRep] = []
        var eligible: [TeamRep] = []
        for rep in reps {
            if let reason = rep.unavailability(at: now) {
                skipped.append(SkippedRep(userID: rep.userID, name: rep.name, reason: reason))
            } else if rep.weight > 0 {
                eligible.append(rep)
            }
        }
        let members = Set(reps.map(\.userID))
        var credits = state.credits.filter { members.contains($0.key) }
        guard !eligible.isEmpty else { return (nil, skipped, RoundRobinState(credits: credits)) }
        var total = 0
        var best: TeamRep?
        var bestCredit = Int.min
        for rep in eligible {
            let credit = (credits[rep.userID] ?? 0) + rep.weight
            credits[rep.userID] = credit
            total += rep.weight
            if credit > bestCredit {
                best = rep
                bestCredit = credit
            }
        }
        if let best { credits[best.userID] = bestCredit - total }
        return (best, skipped, RoundRobinState(credits: credits))
    }
}
