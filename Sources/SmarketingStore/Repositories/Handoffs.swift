import FluentKit
import Foundation
import SmarketingCore
import SQLKit

/// A lead handed from marketing to sales: when and why it qualified, who it went to, and the
/// rep's answer.
public struct Handoff: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var contactID: UUID
    public var mqlAt: Date
    public var cause: String
    public var source: String?
    public var campaign: String?
    public var definitionVersion: Int?
    public var fit: Int?
    public var engagement: Double?
    public var ownerID: UUID?
    public var assignedAt: Date?
    public var status: HandoffStatus
    public var decidedAt: Date?
    public var decidedByName: String?
    public var reasonKey: String?
    public var reasonLabel: String?
    public var note: String?
    public var outcome: LifecycleStage?
    /// The score rules that gave the lead its points when it qualified, most points first.
    public var rules: [RulePoints]

    public struct RulePoints: Sendable, Equatable {
        public var ruleID: String
        public var points: Int
    }
}

/// The scores that made a contact an MQL, as the scoring that moved it knows them.
struct HandoffScores: Sendable {
    var definitionVersion: Int
    var fit: Int
    var engagement: Double
    /// Points per score rule, when the caller has the contact's whole ledger at hand; read from
    /// the stored ledger otherwise.
    var rulePoints: [String: Int]?
}

/// A contact becoming an MQL, as the stage change that moved it knows it.
struct HandoffOpening: Sendable {
    var contactID: UUID
    var stageChangeID: UUID
    var cause: String
    var scores: HandoffScores?
}

/// A handoff as a rep's inbox lists it: with the contact's name, email and company.
public struct HandoffItem: Sendable, Equatable {
    public var handoff: Handoff
    public var contactName: String
    public var email: String?
    public var companyName: String?
    public var stage: LifecycleStage
}

/// What went wrong deciding a handoff.
public enum HandoffError: Error, Sendable, Equatable {
    case notFound
    /// Someone already accepted or rejected it, or it was replaced by a newer handoff.
    case alreadyDecided(HandoffStatus)
    /// The contact has moved since (for instance by hand) and the decision's stage is not
    /// reachable from where it is now.
    case transition(LifecycleTransitionRefusal)
}

/// The leads marketing hands to sales, their answers, the agreed rejection reasons, and the
/// feedback marketing reads from them. Handoffs open inside the transaction that makes a
/// contact an MQL (see ``StageChanges``), together with the jobs that notify the owner.
public struct Handoffs: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// Who routing's assignments are recorded as.
    static let routingActor = AuditActor(userID: nil, name: "Routing", channel: .system)

    /// The job that tells a handoff's owner (email) and the workspace's webhooks about it.
    public static let notifyJob = "handoff.notify"

    static let columns = """
        h.id, h.contact_id, h.mql_at, h.cause, h.source, h.campaign, h.definition_version, h.fit, h.engagement, h.owner_id, \
        h.assigned_at, h.status, h.decided_at, h.decided_by_name, h.reason_key, h.reason_label, h.note, h.outcome
        """

    // MARK: Opening

    /// Opens a handoff for each contact that just became an MQL, inside the caller's
    /// transaction: an earlier pending handoff of the same contact is closed, the owner is the
    /// contact's (routing fills it when there is none), and a notification job is queued.
    func open(_ openings: [HandoffOpening], now: Date) async throws {
        guard !openings.isEmpty, let sql = db as? any SQLDatabase else { return }
        let ids = openings.map(\.contactID)
        for chunk in ids.chunked(500) {
            try await sql.update("handoffs").set("status", to: SQLBind(HandoffStatus.closed.rawValue))
                .where("workspace_id", .equal, SQLBind(workspaceID)).where("status", .equal, SQLBind(HandoffStatus.pending.rawValue))
                .where("contact_id", .in, SQLGroupExpression(SQLList(chunk.map { SQLBind($0) }))).run()
        }
        var contacts: [UUID: (source: String?, campaign: String?, owner: UUID?)] = [:]
        for chunk in ids.chunked(500) {
            for row in try await sql.select().columns("id", "source", "campaign", "owner_id").from(ContactRow.schema)
                .where("workspace_id", .equal, SQLBind(workspaceID))
                .where("id", .in, SQLGroupExpression(SQLList(chunk.map { SQLBind($0) }))).all() {
                contacts[try row.decode(column: "id", as: UUID.self)] = (try row.decode(column: "source", as: String?.self),
                                                                         try row.decode(column: "campaign", as: String?.self),
                                                                         try row.decode(column: "owner_id", as: UUID?.self))
            }
        }
        let day = CalendarDay(now, timeZone: try await timeZone()).iso
        // A lead without an owner is routed now, in this transaction, in the order the leads
        // qualified: the rules pick a team, round robin a rep with room and at work; each
        // assignment is logged with the rule that chose it.
        let routed = try await Router(db, workspaceID: workspaceID)
            .assign(openings.map(\.contactID).filter { contacts[$0] != nil && contacts[$0]?.owner == nil }, now: now, by: Self.routingActor, on: db)
        // The rules behind the points of the openings whose caller did not have them: read for
        // all of them together, by definition version.
        var ledgers: [UUID: [String: Int]] = [:]
        let unexplained = Dictionary(grouping: openings.filter { $0.scores != nil && $0.scores?.rulePoints == nil }) { $0.scores?.definitionVersion ?? 0 }
        for (version, group) in unexplained {
            ledgers.merge(try await rulePoints(of: group.map(\.contactID), version: version)) { first, _ in first }
        }
        var handoffs: [[BulkValue]] = [], rules: [[BulkValue]] = [], jobs: [NewJob] = []
        for opening in openings {
            guard let contact = contacts[opening.contactID] else { continue }
            let id = TimeOrderedID.make(at: now)
            let owner = contact.owner ?? routed[opening.contactID]?.ownerID
            handoffs.append([.uuid(id), .uuid(workspaceID), .uuid(opening.contactID), .uuid(opening.stageChangeID), .date(now), .text(day),
                             .text(opening.cause), BulkValue(contact.source), BulkValue(contact.campaign), BulkValue(opening.scores?.definitionVersion),
                             BulkValue(opening.scores?.fit), BulkValue(opening.scores?.engagement), BulkValue(owner), owner == nil ? .null : .date(now),
                             .text(HandoffStatus.pending.rawValue)])
            let points = opening.scores?.rulePoints ?? ledgers[opening.contactID] ?? [:]
            for (rule, value) in points where value > 0 {
                rules.append([.uuid(TimeOrderedID.make(at: now)), .uuid(workspaceID), .uuid(id), .text(rule), .integer(value)])
            }
            jobs.append(NewJob(workspaceID: workspaceID, kind: Self.notifyJob, payload: Self.payload(handoffID: id),
                               runAt: now, maxAttempts: RetryPolicy.internalWork.maxAttempts))
        }
        try await BulkInsert.run(into: "handoffs", columns: ["id", "workspace_id", "contact_id", "stage_change_id", "mql_at", "mql_day", "cause",
                                                             "source", "campaign", "definition_version", "fit", "engagement", "owner_id",
                                                             "assigned_at", "status"], rows: handoffs, on: db)
        try await BulkInsert.run(into: "handoff_rules", columns: ["id", "workspace_id", "handoff_id", "rule_id", "points"], rows: rules, on: db)
        try await JobQueue.enqueue(jobs, now: now, on: db)
    }

    static func payload(handoffID: UUID) -> String { JobQueue.payload("handoff_id", handoffID) }

    public static func handoffID(inPayload payload: String) -> UUID? { JobQueue.id("handoff_id", inPayload: payload) }

    /// Points per rule each contact's ledger holds under `version`: its ledger lines and the
    /// bulk ledger of its score row, a few statements for all the contacts.
    func rulePoints(of contactIDs: [UUID], version: Int) async throws -> [UUID: [String: Int]] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        var sums: [UUID: [String: Int]] = [:]
        for chunk in Array(Set(contactIDs)).chunked(500) {
            let ids = SQLGroupExpression(SQLList(chunk.map { SQLBind($0) }))
            for row in try await sql.select().column("contact_id").column("rule_id").column(SQLRaw("CAST(SUM(points) AS BIGINT)"), as: "points")
                .from(ScoreChangeRow.schema).where("workspace_id", .equal, SQLBind(workspaceID)).where("contact_id", .in, ids)
                .where("definition_version", .equal, SQLBind(version)).groupBy("contact_id").groupBy("rule_id").all() {
                sums[try row.decode(column: "contact_id", as: UUID.self), default: [:]][try row.decode(column: "rule_id", as: String.self)] =
                    try row.decode(column: "points", as: Int.self)
            }
            for row in try await sql.select().column("contact_id").column("ledger").from(ContactScoreRow.schema)
                .where("workspace_id", .equal, SQLBind(workspaceID)).where("contact_id", .in, ids).all() {
                guard let text = try row.decode(column: "ledger", as: String?.self) else { continue }
                let contactID = try row.decode(column: "contact_id", as: UUID.self)
                for entry in ScoreLedgerText.decode(text) where entry.definitionVersion == version {
                    sums[contactID, default: [:]][entry.ruleID, default: 0] += entry.points
                }
            }
        }
        return sums
    }

    func timeZone() async throws -> String {
        guard let sql = db as? any SQLDatabase else { return "UTC" }
        return try await sql.select().column("time_zone").from("workspaces").where("id", .equal, SQLBind(workspaceID)).first()?
            .decode(column: "time_zone", as: String.self) ?? "UTC"
    }

    // MARK: Reading

    /// One handoff of this workspace.
    public func find(_ id: UUID) async throws -> Handoff? {
        try await select(where: "h.id = \(bind: id)", order: "h.mql_at DESC", limit: 1).first?.handoff
    }

    /// One handoff with its contact's name, as a list shows it.
    public func item(_ id: UUID) async throws -> HandoffItem? {
        try await select(where: "h.id = \(bind: id)", order: "h.mql_at DESC", limit: 1).first
    }

    /// The latest handoff of a contact.
    public func latest(of contactID: UUID) async throws -> Handoff? {
        try await select(where: "h.contact_id = \(bind: contactID)", order: "h.mql_at DESC, h.id DESC", limit: 1).first?.handoff
    }

    /// Pending handoffs owned by these users (nil: every owner, unassigned ones included),
    /// oldest first: the rep's inbox, where the longest wait comes first.
    public func pending(ownedBy owners: Set<UUID>?, limit: Int = 200) async throws -> [HandoffItem] {
        var condition: SQLQueryString = "h.status = \(bind: HandoffStatus.pending.rawValue)"
        if let owners {
            guard !owners.isEmpty else { return [] }
            let list = owners.sorted { $0.uuidString < $1.uuidString }
            condition = condition + " AND h.owner_id IN (\(binds: list))"
        }
        return try await select(where: condition, order: "h.mql_at ASC, h.id ASC", limit: limit)
    }

    /// Decided handoffs of these owners (nil: all), newest decision first.
    public func decided(ownedBy owners: Set<UUID>?, limit: Int = 50) async throws -> [HandoffItem] {
        var condition: SQLQueryString = "h.status IN (\(bind: HandoffStatus.accepted.rawValue), \(bind: HandoffStatus.rejected.rawValue))"
        if let owners {
            guard !owners.isEmpty else { return [] }
            let list = owners.sorted { $0.uuidString < $1.uuidString }
            condition = condition + " AND h.owner_id IN (\(binds: list))"
        }
        return try await select(where: condition, order: "h.decided_at DESC, h.id DESC", limit: limit)
    }

    private func select(where condition: SQLQueryString, order: String, limit: Int) async throws -> [HandoffItem] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let query: SQLQueryString = """
            SELECT \(unsafeRaw: Self.columns), c.first_name, c.last_name, c.email, c.lifecycle_stage, co.name AS company_name \
            FROM handoffs h JOIN contacts c ON c.id = h.contact_id LEFT JOIN companies co ON co.id = c.company_id \
            WHERE h.workspace_id = \(bind: workspaceID) AND 
            """ + condition + " ORDER BY \(unsafeRaw: order) LIMIT \(literal: max(1, min(limit, 1000)))"
        let rows = try await sql.raw(query).all()
        var items = try rows.map { row in
            let name = [try row.decode(column: "first_name", as: String.self), try row.decode(column: "last_name", as: String.self)]
                .filter { !$0.isEmpty }.joined(separator: " ")
            return HandoffItem(handoff: try Self.handoff(row), contactName: name, email: try row.decode(column: "email", as: String?.self),
                               companyName: try row.decode(column: "company_name", as: String?.self),
                               stage: LifecycleStage(rawValue: try row.decode(column: "lifecycle_stage", as: String.self)) ?? .lead)
        }
        let rules = try await self.rules(of: items.map(\.handoff.id))
        for index in items.indices { items[index].handoff.rules = rules[items[index].handoff.id] ?? [] }
        return items
    }

    private func rules(of ids: [UUID]) async throws -> [UUID: [Handoff.RulePoints]] {
        guard !ids.isEmpty, let sql = db as? any SQLDatabase else { return [:] }
        var result: [UUID: [Handoff.RulePoints]] = [:]
        for chunk in ids.chunked(500) {
            for row in try await sql.select().columns("handoff_id", "rule_id", "points").from("handoff_rules")
                .where("workspace_id", .equal, SQLBind(workspaceID))
                .where("handoff_id", .in, SQLGroupExpression(SQLList(chunk.map { SQLBind($0) }))).all() {
                result[try row.decode(column: "handoff_id", as: UUID.self), default: []]
                    .append(Handoff.RulePoints(ruleID: try row.decode(column: "rule_id", as: String.self), points: try row.decode(column: "points", as: Int.self)))
            }
        }
        return result.mapValues { $0.sorted { $0.points != $1.points ? $0.points > $1.points : $0.ruleID < $1.ruleID } }
    }

    static func handoff(_ row: any SQLRow) throws -> Handoff {
        Handoff(id: try row.decode(column: "id", as: UUID.self), contactID: try row.decode(column: "contact_id", as: UUID.self),
                mqlAt: try row.decode(column: "mql_at", as: Date.self), cause: try row.decode(column: "cause", as: String.self),
                source: try row.decode(column: "source", as: String?.self), campaign: try row.decode(column: "campaign", as: String?.self),
                definitionVersion: try row.decode(column: "definition_version", as: Int?.self), fit: try row.decode(column: "fit", as: Int?.self),
                engagement: try row.decode(column: "engagement", as: Double?.self), ownerID: try row.decode(column: "owner_id", as: UUID?.self),
                assignedAt: try row.decode(column: "assigned_at", as: Date?.self),
                status: HandoffStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
                decidedAt: try row.decode(column: "decided_at", as: Date?.self), decidedByName: try row.decode(column: "decided_by_name", as: String?.self),
                reasonKey: try row.decode(column: "reason_key", as: String?.self), reasonLabel: try row.decode(column: "reason_label", as: String?.self),
                note: try row.decode(column: "note", as: String?.self),
                outcome: try row.decode(column: "outcome", as: String?.self).flatMap(LifecycleStage.init(rawValue:)), rules: [])
    }

    // MARK: Deciding

    /// Records the rep's answer: the contact moves to SAL (accepted), or to recycled or
    /// disqualified with the agreed reason (rejected); the handoff keeps who answered, when and
    /// why, and the workspace's webhooks hear of it. One transaction; a handoff already answered
    /// or replaced is refused, so two reps clicking at once never both win.
    public func decide(_ id: UUID, _ decision: HandoffDecision, by actor: AuditActor, now: Date) async throws -> Handoff {
        try await StoreTuning.writeTransaction(db) { tx in
            let store = Handoffs(tx, workspaceID: workspaceID)
            guard let handoff = try await store.lockedFind(id) else { throw HandoffError.notFound }
            guard handoff.status == .pending else { throw HandoffError.alreadyDecided(handoff.status) }
            guard let contact = try await ContactRepository(tx, workspaceID: workspaceID).find(handoff.contactID) else { throw HandoffError.notFound }
            var reasonLabel: String?, reasonKey: String?, note: String?, cause: String
            switch decision {
            case .accept:
                cause = "accepted by \(actor.name)"
            case .reject(let key, let text, _):
                let reasons = try await store.reasons()
                reasonKey = key
                reasonLabel = reasons.first { $0.key == key }?.label ?? key
                note = text
                cause = "rejected by \(actor.name): \(reasonLabel ?? key)" + (text.map { " (\($0))" } ?? "")
            }
            do {
                _ = try LifecycleTransitions.check(from: contact.stage, to: decision.stage, reason: cause)
            } catch let refusal as LifecycleTransitionRefusal {
                throw HandoffError.transition(refusal)
            }
            try await StageChanges(tx, workspaceID: workspaceID).move(contact, to: decision.stage, cause: cause, by: actor, now: now)
            let status: HandoffStatus = decision == .accept ? .accepted : .rejected
            guard let sql = tx as? any SQLDatabase else { throw HandoffError.notFound }
            try await sql.update("handoffs").set("status", to: SQLBind(status.rawValue)).set("decided_at", to: SQLBind(now))
                .set("decided_by", to: SQLBind(actor.userID)).set("decided_by_name", to: SQLBind(actor.name))
                .set("reason_key", to: SQLBind(reasonKey)).set("reason_label", to: SQLBind(reasonLabel)).set("note", to: SQLBind(note))
                .set("outcome", to: SQLBind(decision.stage.rawValue))
                .where("workspace_id", .equal, SQLBind(workspaceID)).where("id", .equal, SQLBind(id)).run()
            var after = ["status": status.rawValue, "stage": decision.stage.rawValue]
            if let reasonLabel { after["reason"] = reasonLabel }
            if let note { after["note"] = note }
            try await AuditLog(tx, workspaceID: workspaceID).record(status == .accepted ? .handoffAccepted : .handoffRejected, by: actor,
                                                                    entityType: "contact", entityID: contact.id,
                                                                    change: AuditChange(before: ["status": HandoffStatus.pending.rawValue], after: after), at: now)
            let decided = try await store.find(id) ?? handoff
            try await WebhookEvents(tx, workspaceID: workspaceID).emit(status == .accepted ? .leadAccepted : .leadRejected,
                                                                       data: WebhookEvents.handoffData(decided, contact: contact), now: now)
            return decided
        }
    }

    /// Reads a handoff for a decision, holding its row on PostgreSQL until the transaction ends.
    private func lockedFind(_ id: UUID) async throws -> Handoff? {
        guard let sql = db as? any SQLDatabase else { return nil }
        let lock = sql.dialect.name == "sqlite" ? "" : " FOR UPDATE"
        let row = try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM handoffs h WHERE h.workspace_id = \(bind: workspaceID) AND h.id = \(bind: id)\(unsafeRaw: lock)").first()
        return try row.map(Self.handoff)
    }

    // MARK: Rejection reasons

    /// The agreed rejection reasons in their order; a workspace that has none gets the starter
    /// list in its language.
    public func reasons() async throws -> [RejectionReason] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let rows = try await sql.select().columns("key", "label", "active").from("rejection_reasons")
            .where("workspace_id", .equal, SQLBind(workspaceID)).orderBy("position").all()
        if !rows.isEmpty {
            return try rows.map { RejectionReason(key: try $0.decode(column: "key", as: String.self), label: try $0.decode(column: "label", as: String.self),
                                                  active: try $0.decode(column: "active", as: Bool.self)) }
        }
        let language = try await sql.select().column("language").from("workspaces").where("id", .equal, SQLBind(workspaceID)).first()?
            .decode(column: "language", as: String.self)
        return RejectionReason.starters(portuguese: language == Language.ptBR.rawValue)
    }

    /// Keys of reasons some rejection gave (they can be made inactive, never removed).
    public func usedReasonKeys() async throws -> Set<String> {
        guard let sql = db as? any SQLDatabase else { return [] }
        return Set(try await sql.select().distinct().column("reason_key").from("handoffs").where("workspace_id", .equal, SQLBind(workspaceID))
            .where("reason_key", .isNot, SQLLiteral.null).all().map { try $0.decode(column: "reason_key", as: String.self) })
    }

    /// Replaces the list (already checked by ``RejectionReason/checkList(_:used:)``).
    public func saveReasons(_ reasons: [RejectionReason], by actor: AuditActor, now: Date) async throws {
        try await StoreTuning.writeTransaction(db) { tx in
            let store = Handoffs(tx, workspaceID: workspaceID)
            let before = try await store.reasons()
            guard let sql = tx as? any SQLDatabase else { return }
            try await sql.delete(from: "rejection_reasons").where("workspace_id", .equal, SQLBind(workspaceID)).run()
            try await BulkInsert.run(into: "rejection_reasons", columns: ["id", "workspace_id", "key", "label", "position", "active"],
                                     rows: reasons.enumerated().map { [.uuid(UUID()), .uuid(workspaceID), .text($1.key), .text($1.label), .integer($0), .bool($1.active)] },
                                     on: tx)
            func listed(_ list: [RejectionReason]) -> String {
                list.map { $0.label + ($0.active ? "" : " (inactive)") }.joined(separator: "; ")
            }
            let change = AuditChange(before: ["reasons": listed(before)], after: ["reasons": listed(reasons)])
            if !change.isEmpty {
                try await AuditLog(tx, workspaceID: workspaceID).record(.rejectionReasonsUpdated, by: actor, entityType: "workspace", entityID: workspaceID,
                                                                        change: change, at: now)
            }
        }
    }

    // MARK: Feedback

    /// Marketing's feedback over the handoffs whose contact qualified from `from` to `to`
    /// (days in the workspace's time zone, both included); `none` names a missing source or campaign.
    public func feedback(from: CalendarDay, to: CalendarDay, none: String) async throws -> HandoffFeedback {
        guard let sql = db as? any SQLDatabase else { return HandoffFeedback() }
        let scope: SQLQueryString = "h.workspace_id = \(bind: workspaceID) AND h.mql_day >= \(bind: from.iso) AND h.mql_day <= \(bind: to.iso) AND h.status <> \(bind: HandoffStatus.closed.rawValue)"
        func counts(_ key: String, join: String = "") async throws -> [HandoffFeedback.Count] {
            let query: SQLQueryString = "SELECT \(unsafeRaw: key) AS k, h.status AS s, COUNT(*) AS n FROM handoffs h \(unsafeRaw: join) WHERE " + scope
                + " GROUP BY \(unsafeRaw: key), h.status"
            return try await sql.raw(query).all().compactMap { row in
                guard let status = HandoffStatus(rawValue: try row.decode(column: "s", as: String.self)) else { return nil }
                return HandoffFeedback.Count(key: try row.decode(column: "k", as: String?.self), status: status, count: try row.decode(column: "n", as: Int.self))
            }
        }
        let days = try await counts("h.mql_day")
        let sources = try await counts("h.source")
        let campaigns = try await counts("h.campaign")
        let rules = try await counts("r.rule_id", join: "JOIN handoff_rules r ON r.handoff_id = h.id")
        let reasonQuery: SQLQueryString = "SELECT h.reason_label AS k, COUNT(*) AS n FROM handoffs h WHERE " + scope
            + " AND h.status = \(bind: HandoffStatus.rejected.rawValue) GROUP BY h.reason_label"
        let reasons = try await sql.raw(reasonQuery).all().map { row in
            (try row.decode(column: "k", as: String?.self) ?? none, try row.decode(column: "n", as: Int.self))
        }
        return HandoffFeedback.build(days: days, sources: sources, campaigns: campaigns, rules: rules, reasons: reasons, from: from, to: to, none: none)
    }

    /// Today in the workspace's time zone.
    public func today(now: Date) async throws -> CalendarDay {
        CalendarDay(now, timeZone: try await timeZone())
    }
}
