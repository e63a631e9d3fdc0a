import FluentKit
import Foundation
import SmarketingCore
import SQLKit

/// One lead's assignment as the log keeps it: who got it, through which rule and team (their
/// names as they were), why, and the reps passed over.
public struct RoutingAssignment: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var contactID: UUID
    /// Nil when the lead stayed unassigned (``reason`` says why).
    public var ownerID: UUID?
    public var ownerName: String?
    public var teamID: UUID?
    public var teamName: String?
    public var ruleID: UUID?
    public var ruleName: String?
    public var reason: RoutingReason
    public var skipped: [SkippedRep]
    public var actor: AuditActor
    public var at: Date
}

/// What routing would do with a contact now, without doing it (the routing page's test box).
public struct RoutingPreview: Sendable, Equatable {
    public var decision: RoutingDecision
    public var ownerName: String?
    public var teamName: String?
}

/// Routes leads to reps: reads the contact's and its company's fields, finds the first routing
/// rule that holds, picks a rep of the rule's team by weighted round robin among those who can
/// take a lead now (or the fallback owner), sets the contact's owner and logs the assignment.
///
/// Assignments of one workspace happen one at a time: each takes a lock on the workspace's
/// routing settings row (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the write transaction
/// already holds the database's write lock) before it reads round-robin state and reps' loads,
/// and keeps it until the caller's transaction ends. So round robin stays fair and no rep goes
/// over capacity however many leads arrive at once, even for a rep in several teams. One lock per
/// workspace rather than per team also means a transaction that routes several leads takes only
/// one lock, in one order, and cannot deadlock with another.
public struct Router: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// Routes a contact inside the caller's transaction `tx` (on SQLite, open it with
    /// ``StoreTuning/writeTransaction(_:_:)``): sets `contacts.owner_id` (on the contact's
    /// timeline and in the audit log), advances the team's round robin and writes the log row.
    /// When nobody can take the lead, the fallback owner gets it; without one the contact keeps
    /// the owner it had and the log says why.
    ///
    /// - Returns: the assignment as logged, or nil when the contact is not in this workspace.
    public func assign(contactID: UUID, now: Date, by actor: AuditActor, on tx: any Database) async throws -> RoutingAssignment? {
        guard try await ContactRepository(tx, workspaceID: workspaceID).find(contactID) != nil else { return nil }
        return try await assign([contactID], now: now, by: actor, on: tx)[contactID]
    }

    /// Routes several contacts inside the caller's transaction `tx`, one after another in the
    /// order given, exactly as ``assign(contactID:now:by:on:)`` would route each in turn: every
    /// lead counts in its owner's load and moves its team's round robin before the next is
    /// decided. The rules, teams, reps' loads, fallback owner and the contacts' fields are read
    /// once, and the owners, timeline lines, audit entries and log rows are written in a few
    /// statements: a model change hands thousands of new MQLs to routing in one transaction.
    ///
    /// - Returns: the assignments as logged, by contact; contacts not in this workspace have none.
    public func assign(_ contactIDs: [UUID], now: Date, by actor: AuditActor, on tx: any Database) async throws -> [UUID: RoutingAssignment] {
        var seen = Set<UUID>()
        let ids = contactIDs.filter { seen.insert($0).inserted }
        guard !ids.isEmpty else { return [:] }
        try await lock(on: tx)
        // Read under the lock: another assignment may have just given a contact an owner.
        var contacts: [Contact] = []
        for chunk in ids.chunked(500) {
            contacts += try await ContactRepository(tx, workspaceID: workspaceID).find(ids: Array(chunk))
        }
        guard !contacts.isEmpty else { return [:] }
        let profiles = try await ScoreKeeper(tx, workspaceID: workspaceID).profiles(of: contacts, today: CalendarDay(utc: now))
        let rules = try await RoutingSetup.rules(of: workspaceID, on: tx)
        let matches = profiles.mapValues { RoutingRules.firstMatch(rules, for: $0) }
        var teams: [UUID: RoutingTeam] = [:]
        for teamID in Set(matches.values.compactMap { $0?.teamID }) {
            teams[teamID] = try await routingTeam(teamID, now: now, on: tx)
        }
        let fallback = try await activeFallbackOwner(on: tx)
        let users = try await UserRow.query(on: tx).filter(\.$workspaceID == workspaceID).all()
        let people = Dictionary(users.compactMap { user in user.id.map { ($0, (name: user.name, email: user.email)) } }) { first, _ in first }

        let byID = Dictionary(contacts.map { ($0.id, $0) }) { first, _ in first }
        var assignments: [UUID: RoutingAssignment] = [:], logged: [RoutingAssignment] = []
        var newOwners: [UUID: [UUID]] = [:], records: [[BulkValue]] = [], audits: [[BulkValue]] = []
        var movedTeams = Set<UUID>()
        for id in ids {
            guard let contact = byID[id] else { continue }
            let rule = matches[id] ?? nil
            let decision = RoutingDecision.decide(rule: rule, team: rule.flatMap { teams[$0.teamID] }, fallbackOwnerID: fallback, now: now)
            if let teamID = decision.teamID, let state = decision.teamState {
                teams[teamID]?.state = state
                movedTeams.insert(teamID)
            }
            if let ownerID = decision.ownerID {
                // The lead counts in its owner's load from now on, in every team the owner is in.
                for teamID in teams.keys {
                    teams[teamID]?.countLead(for: ownerID)
                }
                if ownerID != contact.ownerID {
                    newOwners[ownerID, default: []].append(id)
                    let change = AuditChange(before: ["owner_email": contact.ownerID.flatMap { people[$0]?.email } ?? ""],
                                             after: ["owner_email": people[ownerID]?.email ?? ""])
                    records.append(RecordChanges.row(.updated, type: "contact", id: id, change: change, by: actor, at: now, workspaceID: workspaceID))
                    audits.append(AuditLog.row(.contactOwnerChanged, by: actor, entityType: "contact", entityID: id, change: change, at: now,
                                               workspaceID: workspaceID))
                }
            }
            let assignment = RoutingAssignment(
                id: TimeOrderedID.make(at: now), contactID: id, ownerID: decision.ownerID, ownerName: decision.ownerID.flatMap { people[$0]?.name },
                teamID: decision.teamID, teamName: decision.teamID.flatMap { teams[$0]?.name }, ruleID: decision.rule?.id,
                ruleName: decision.rule?.name, reason: decision.reason, skipped: decision.skipped, actor: actor, at: now
            )
            assignments[id] = assignment
            logged.append(assignment)
        }
        if let sql = tx as? any SQLDatabase {
            for (ownerID, owned) in newOwners {
                for chunk in owned.chunked(500) {
                    try await sql.update(ContactRow.schema).set("owner_id", to: SQLBind(ownerID)).set("updated_at", to: SQLBind(now))
                        .where("workspace_id", .equal, SQLBind(workspaceID))
                        .where("id", .in, SQLGroupExpression(SQLList(chunk.map { SQLBind($0) }))).run()
                }
            }
        }
        try await BulkInsert.run(into: RecordChangeRow.schema, columns: RecordChangeRow.bulkColumns, rows: records, on: tx)
        try await BulkInsert.run(into: AuditEntryRow.schema, columns: AuditEntryRow.bulkColumns, rows: audits, on: tx)
        for teamID in movedTeams {
            if let state = teams[teamID]?.state { try await save(state, teamID: teamID, now: now, on: tx) }
        }
        try await LeadAssignments.insert(logged, workspaceID: workspaceID, on: tx)
        return assignments
    }

    /// Routes a contact in a transaction of its own (a manager's "route now").
    public func assign(contactID: UUID, now: Date, by actor: AuditActor) async throws -> RoutingAssignment? {
        try await StoreTuning.writeTransaction(db) { tx in
            try await assign(contactID: contactID, now: now, by: actor, on: tx)
        }
    }

    /// What routing would decide for the contact at `now`, writing nothing; nil when the contact
    /// is not in this workspace.
    public func preview(contactID: UUID, now: Date) async throws -> RoutingPreview? {
        guard let contact = try await ContactRepository(db, workspaceID: workspaceID).find(contactID) else { return nil }
        let (decision, names) = try await decide(for: contact, now: now, on: db)
        return RoutingPreview(decision: decision, ownerName: names.owner, teamName: names.team)
    }

    // MARK: Steps

    /// Takes the workspace's routing lock, creating its settings row the first time.
    private func lock(on tx: any Database) async throws {
        guard let sql = tx as? any SQLDatabase else { return }
        try await sql.insert(into: RoutingSettingsRow.schema)
            .columns("id", "workspace_id", "updated_at")
            .values(SQLBind(UUID()), SQLBind(workspaceID), SQLBind(Date(timeIntervalSince1970: 0)))
            .ignoringConflicts(with: ["workspace_id"])
            .run()
        let forUpdate = sql.dialect.name == "sqlite" ? "" : " FOR UPDATE"
        try await sql.raw("SELECT id FROM routing_settings WHERE workspace_id = \(bind: workspaceID)\(unsafeRaw: forUpdate)").run()
    }

    private func decide(for contact: Contact, now: Date, on tx: any Database) async throws -> (RoutingDecision, (owner: String?, team: String?)) {
        let profile = try await ScoreKeeper(tx, workspaceID: workspaceID).profile(of: contact, today: CalendarDay(utc: now))
        let rules = try await RoutingSetup.rules(of: workspaceID, on: tx)
        let rule = RoutingRules.firstMatch(rules, for: profile)
        var team: RoutingTeam?
        if let rule { team = try await routingTeam(rule.teamID, now: now, on: tx) }
        let fallback = try await activeFallbackOwner(on: tx)
        let decision = RoutingDecision.decide(rule: rule, team: team, fallbackOwnerID: fallback, now: now)
        let ownerName = try await decision.ownerID.asyncMap { try await UserRow.find($0, on: tx)?.name } ?? nil
        let teamName: String?
        if let team {
            teamName = team.name
        } else if let teamID = decision.teamID {
            teamName = try await TeamRow.find(teamID, on: tx)?.name
        } else {
            teamName = nil
        }
        return (decision, (ownerName, teamName))
    }

    private func activeFallbackOwner(on tx: any Database) async throws -> UUID? {
        guard let id = try await RoutingSettingsRow.query(on: tx).filter(\.$workspaceID == workspaceID).first()?.fallbackOwnerID,
              let user = try await UserRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first(),
              user.isActive else { return nil }
        return id
    }

    /// The team with its reps (by name), their weights, availability and loads, and its state;
    /// nil when the team no longer exists.
    func routingTeam(_ teamID: UUID, now: Date, on tx: any Database) async throws -> RoutingTeam? {
        guard let team = try await TeamRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == teamID).first() else { return nil }
        let memberIDs = try await TeamMemberRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$teamID == teamID).all().map(\.userID)
        let state = try await RoutingTeamStateRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$teamID == teamID).first()
            .map { RoundRobinState(json: $0.credits) } ?? RoundRobinState()
        guard !memberIDs.isEmpty else { return RoutingTeam(id: teamID, name: team.name, reps: [], state: state) }
        let users = try await UserRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id ~~ memberIDs).all()
            .sorted { ($0.name, $0.id?.uuidString ?? "") < ($1.name, $1.id?.uuidString ?? "") }
        let weights = try await RoutingWeightRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$teamID == teamID).all()
        let stored = try await RepAvailabilityRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$userID ~~ memberIDs).all()
        let zone = try await WorkspaceRow.query(on: tx).filter(\.$id == workspaceID).first()?.timeZone ?? "UTC"
        var reps: [TeamRep] = []
        for user in users {
            guard let id = user.id else { continue }
            let availability = stored.first { $0.userID == id }.flatMap { RepAvailabilityRow.decode($0.availability) }
                ?? .unrestricted(timeZone: zone)
            reps.append(TeamRep(userID: id, name: user.name, weight: weights.first { $0.userID == id }?.weight ?? RoutingWeight.standard,
                                availability: availability, load: RepLoad(), isActive: user.isActive))
        }
        let loads = try await LeadAssignments.loads(of: reps.map { ($0.userID, $0.availability) }, now: now, workspaceID: workspaceID, on: tx)
        for index in reps.indices { reps[index].load = loads[reps[index].userID] ?? RepLoad() }
        return RoutingTeam(id: teamID, name: team.name, reps: reps, state: state)
    }

    private func save(_ state: RoundRobinState, teamID: UUID, now: Date, on tx: any Database) async throws {
        let row = try await RoutingTeamStateRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$teamID == teamID).first()
        let target = row ?? RoutingTeamStateRow()
        if row == nil {
            target.id = UUID()
            target.workspaceID = workspaceID
            target.teamID = teamID
        }
        target.credits = state.json
        target.updatedAt = now
        try await target.save(on: tx)
    }
}

private extension RoutingTeam {
    /// Counts one more lead of today and this week for `userID`, when the team has that rep.
    mutating func countLead(for userID: UUID) {
        for index in reps.indices where reps[index].userID == userID {
            reps[index].load = RepLoad(today: reps[index].load.today + 1, thisWeek: reps[index].load.thisWeek + 1)
        }
    }
}
