import FluentKit
import Foundation
import SmarketingCore
import SQLKit

/// A contact's moves between lifecycle stages, each with its time, actor and cause.
public struct StageChange: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var contactID: UUID
    public var from: LifecycleStage
    public var to: LifecycleStage
    public var actor: AuditActor
    public var cause: String
    public var at: Date
}

/// The stage moves written while a piece of work runs, for those who must hear of them once
/// its transaction commits (the live channel of the app). The work runs inside
/// ``StageMoveLog/collecting(_:)``; moves written outside one are not collected (the live
/// channel also reads recent moves from the table, see ``StageChanges/recentMoves(to:in:since:on:)``).
public final class StageMoveLog: @unchecked Sendable {
    public struct Move: Sendable, Equatable {
        /// The stage change's row id.
        public var id: UUID
        public var workspaceID: UUID
        public var contactID: UUID
        public var from: LifecycleStage
        public var to: LifecycleStage
        public var cause: String
    }

    @TaskLocal static var current: StageMoveLog?

    private let lock = NSLock()
    private var moves: [Move] = []

    /// Runs `work`, returning what it returned and the moves it wrote (committed or not: the
    /// caller reads them only after its transaction succeeded).
    public static func collecting<T: Sendable>(_ work: () async throws -> T) async throws -> (T, [Move]) {
        let log = StageMoveLog()
        let result = try await $current.withValue(log) { try await work() }
        return (result, log.lock.withLock { log.moves })
    }

    /// Runs `work` without collecting its moves (a re-scoring of the whole workspace, which
    /// would hold every move in memory).
    public static func ignoring<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        try await $current.withValue(nil) { try await work() }
    }

    static func note(_ moves: [Move]) {
        guard let log = current, !moves.isEmpty else { return }
        log.lock.withLock { log.moves.append(contentsOf: moves) }
    }
}

public struct StageChanges: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// A person's (or an API client's) move of a contact to another stage, checked against the
    /// lifecycle's rules: throws ``LifecycleTransitionRefusal`` with the allowed stages when the
    /// move is not one, or when disqualifying or recycling comes without a reason. Returns the
    /// contact as it is after the move, nil when it is not in this workspace.
    public func move(contactID: UUID, to stage: LifecycleStage, reason: String?, by actor: AuditActor, now: Date) async throws -> Contact? {
        try await StoreTuning.writeTransaction(db) { tx in
            let changes = StageChanges(tx, workspaceID: workspaceID)
            guard let contact = try await ContactRepository(tx, workspaceID: workspaceID).find(contactID) else { return nil }
            let reason = try LifecycleTransitions.check(from: contact.stage, to: stage, reason: reason)
            guard contact.stage != stage else { return contact }
            try await changes.move(contact, to: stage, cause: reason ?? "moved by \(actor.name)", by: actor, now: now)
            return try await ContactRepository(tx, workspaceID: workspaceID).find(contactID)
        }
    }

    /// Moves a contact to `stage`, recording the move, its cause, a line on the contact's
    /// timeline and an audit entry.
    /// A move to MQL hands the contact to sales (see ``Handoffs``); `scores` are what qualified
    /// it, when the caller has them.
    func move(_ contact: Contact, to stage: LifecycleStage, cause: String, by actor: AuditActor, now: Date,
              scores: HandoffScores? = nil) async throws {
        guard contact.stage != stage,
              let row = try await ContactRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == contact.id).first()
        else { return }
        row.lifecycleStage = stage.rawValue
        row.updatedAt = now
        try await row.update(on: db)
        try await record(contactID: contact.id, from: contact.stage, to: stage, cause: cause, by: actor, now: now, scores: scores)
        let change = AuditChange(before: ["lifecycle_stage": contact.stage.rawValue], after: ["lifecycle_stage": stage.rawValue, "cause": cause])
        try await RecordChanges(db, workspaceID: workspaceID).record(.updated, type: "contact", id: contact.id, change: change, by: actor, at: now)
        try await AuditLog(db, workspaceID: workspaceID).record(.contactStageChanged, by: actor, entityType: "contact", entityID: contact.id,
                                                                change: change, at: now)
    }

    /// Moves many contacts to `stage` at once (a re-scoring batch's new MQLs), each with its own
    /// cause: the same rows ``move(_:to:cause:by:now:)`` writes one by one, in a few statements.
    func moveAll(_ moves: [(contactID: UUID, from: LifecycleStage, cause: String)], to stage: LifecycleStage, by actor: AuditActor, now: Date,
                 scores: [UUID: HandoffScores] = [:]) async throws {
        let moves = moves.filter { $0.from != stage }
        guard !moves.isEmpty, let sql = db as? any SQLDatabase else { return }
        for chunk in moves.chunked(1000) {
            try await sql.update(ContactRow.schema).set("lifecycle_stage", to: SQLBind(stage.rawValue)).set("updated_at", to: SQLBind(now))
                .where("workspace_id", .equal, SQLBind(workspaceID))
                .where("id", .in, SQLGroupExpression(SQLList(chunk.map { SQLBind($0.contactID) }))).run()
        }
        var changes: [[BulkValue]] = [], records: [[BulkValue]] = [], audits: [[BulkValue]] = []
        var noted: [StageMoveLog.Move] = []
        for move in moves {
            let change = AuditChange(before: ["lifecycle_stage": move.from.rawValue], after: ["lifecycle_stage": stage.rawValue, "cause": move.cause])
            let changeID = TimeOrderedID.make(at: now)
            noted.append(StageMoveLog.Move(id: changeID, workspaceID: workspaceID, contactID: move.contactID, from: move.from, to: stage, cause: move.cause))
            changes.append([.uuid(changeID), .uuid(workspaceID), .uuid(move.contactID), .text(move.from.rawValue), .text(stage.rawValue),
                            BulkValue(actor.userID), .text(actor.name), .text(actor.channel.rawValue), .text(move.cause), .date(now)])
            records.append(RecordChanges.row(.updated, type: "contact", id: move.contactID, change: change, by: actor, at: now, workspaceID: workspaceID))
            audits.append(AuditLog.row(.contactStageChanged, by: actor, entityType: "contact", entityID: move.contactID, change: change, at: now,
                                       workspaceID: workspaceID))
        }
        try await BulkInsert.run(into: StageChangeRow.schema, columns: StageChangeRow.bulkColumns, rows: changes, on: db)
        try await BulkInsert.run(into: RecordChangeRow.schema, columns: RecordChangeRow.bulkColumns, rows: records, on: db)
        try await BulkInsert.run(into: AuditEntryRow.schema, columns: AuditEntryRow.bulkColumns, rows: audits, on: db)
        if stage == .mql {
            try await Handoffs(db, workspaceID: workspaceID).open(noted.map { move in
                HandoffOpening(contactID: move.contactID, stageChangeID: move.id, cause: move.cause, scores: scores[move.contactID])
            }, now: now)
        }
        StageMoveLog.note(noted)
    }

    /// Records a move already written to the contact (a form or an import changed the stage).
    func record(contactID: UUID, from: LifecycleStage, to: LifecycleStage, cause: String, by actor: AuditActor, now: Date,
                scores: HandoffScores? = nil) async throws {
        let row = StageChangeRow()
        row.id = TimeOrderedID.make(at: now)
        row.workspaceID = workspaceID
        row.contactID = contactID
        row.fromStage = from.rawValue
        row.toStage = to.rawValue
        row.actorUserID = actor.userID
        row.actorLabel = actor.name
        row.via = actor.channel.rawValue
        row.cause = cause
        row.at = now
        try await row.create(on: db)
        let id = row.id ?? UUID()
        if to == .mql, from != .mql {
            try await Handoffs(db, workspaceID: workspaceID).open([HandoffOpening(contactID: contactID, stageChangeID: id, cause: cause, scores: scores)], now: now)
        }
        StageMoveLog.note([StageMoveLog.Move(id: id, workspaceID: workspaceID, contactID: contactID, from: from, to: to, cause: cause)])
    }

    /// A contact's stage history, newest first.
    public func history(of contactID: UUID, limit: Int = 100) async throws -> [StageChange] {
        try await StageChangeRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == contactID)
            .sort(\.$at, .descending).sort(\.$id, .descending).limit(limit).all().map { row in
                StageChange(id: row.id ?? UUID(), contactID: row.contactID, from: LifecycleStage(rawValue: row.fromStage) ?? .lead,
                            to: LifecycleStage(rawValue: row.toStage) ?? .lead,
                            actor: AuditActor(userID: row.actorUserID, name: row.actorLabel, channel: AuditActor.Channel(rawValue: row.via) ?? .system),
                            cause: row.cause, at: row.at)
            }
    }

    /// The moves to `stage` in these workspaces at or after `since`, oldest first (at most
    /// `limit`): what the live channel announces of work that did not tell it directly.
    public static func recentMoves(to stage: LifecycleStage, in workspaceIDs: [UUID], since: Date, limit: Int = 500,
                                   on db: any Database) async throws -> [StageMoveLog.Move] {
        guard !workspaceIDs.isEmpty else { return [] }
        return try await StageChangeRow.query(on: db).filter(\.$workspaceID ~~ workspaceIDs).filter(\.$toStage == stage.rawValue)
            .filter(\.$at >= since).sort(\.$at).limit(limit).all().map { row in
                StageMoveLog.Move(id: row.id ?? UUID(), workspaceID: row.workspaceID, contactID: row.contactID,
                                  from: LifecycleStage(rawValue: row.fromStage) ?? .lead, to: stage, cause: row.cause)
            }
    }
}
