import FluentKit
import Foundation
import SmarketingCore

/// A task whose reminder is due: what the job queue hands to the notifier.
public struct DueReminder: Sendable, Equatable {
    public var workspaceID: UUID
    public var task: SalesTask
}

/// The tasks of one workspace: created, changed, completed or reopened in one transaction each,
/// with a line of history on the contact's timeline and an audit entry.
public struct SalesTasks: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// Creates a task assigned to `assigneeID` (an active user of the workspace, or the refusal
    /// names `assignee_id`), linked to a contact when given; nil when that contact is not in the
    /// workspace.
    public func create(_ input: TaskInput, contactID: UUID?, assigneeID: UUID, by actor: AuditActor, now: Date) async throws -> SalesTask? {
        try await StoreTuning.writeTransaction(db) { tx in
            if let contactID, try await ContactRepository(tx, workspaceID: workspaceID).find(contactID) == nil { return nil }
            try await ensureAssignee(assigneeID, on: tx)
            let row = SalesTaskRow()
            row.id = TimeOrderedID.make(at: now)
            row.workspaceID = workspaceID
            row.contactID = contactID
            fill(row, input, assigneeID: assigneeID)
            row.createdByUserID = actor.userID
            row.createdByLabel = actor.name
            row.via = actor.channel.rawValue
            row.createdAt = now
            row.updatedAt = now
            try await row.create(on: tx)
            let change = AuditChange(before: [:], after: row.auditFields)
            try await SalesChanges(tx, workspaceID: workspaceID).record(.created, .task, id: row.id ?? UUID(), contactID: contactID, title: row.title,
                                                                       change: change, by: actor, at: now)
            try await AuditLog(tx, workspaceID: workspaceID).record(.taskCreated, by: actor, entityType: "task", entityID: row.id, change: change, at: now)
            return row.value
        }
    }

    /// Changes a task's title, notes, due time, reminder or assignee; a new due time or reminder
    /// arms the reminder again. Nil when the task is not in the workspace.
    public func update(_ id: UUID, _ input: TaskInput, assigneeID: UUID, by actor: AuditActor, now: Date) async throws -> SalesTask? {
        try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await SalesTaskRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() else { return nil }
            if assigneeID != row.assigneeID { try await ensureAssignee(assigneeID, on: tx) }
            let before = row.auditFields
            let oldRemindAt = row.remindAt
            fill(row, input, assigneeID: assigneeID)
            if row.remindAt != oldRemindAt { row.remindedAt = nil }
            row.updatedAt = now
            try await row.update(on: tx)
            let change = AuditChange(before: before, after: row.auditFields)
            guard !change.isEmpty else { return row.value }
            try await SalesChanges(tx, workspaceID: workspaceID).record(.updated, .task, id: id, contactID: row.contactID, title: row.title,
                                                                       change: change, by: actor, at: now)
            try await AuditLog(tx, workspaceID: workspaceID).record(.taskUpdated, by: actor, entityType: "task", entityID: id, change: change, at: now)
            return row.value
        }
    }

    /// Marks a task done (or not done again); doing what is already so changes nothing. Nil when
    /// the task is not in the workspace.
    public func setDone(_ id: UUID, _ done: Bool, by actor: AuditActor, now: Date) async throws -> SalesTask? {
        try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await SalesTaskRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() else { return nil }
            guard (row.completedAt != nil) != done else { return row.value }
            let before = row.auditFields
            row.completedAt = done ? now : nil
            row.completedByLabel = done ? actor.name : nil
            row.updatedAt = now
            try await row.update(on: tx)
            let change = AuditChange(before: before, after: row.auditFields)
            try await SalesChanges(tx, workspaceID: workspaceID).record(done ? .completed : .reopened, .task, id: id, contactID: row.contactID,
                                                                       title: row.title, change: change, by: actor, at: now)
            try await AuditLog(tx, workspaceID: workspaceID).record(done ? .taskCompleted : .taskReopened, by: actor, entityType: "task",
                                                                    entityID: id, change: change, at: now)
            return row.value
        }
    }

    public func find(_ id: UUID) async throws -> SalesTask? {
        try await SalesTaskRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first()?.value
    }

    /// Open tasks (or done ones) of the people in `scope`, optionally of one assignee, soonest
    /// due first, `limit` after the cursor (a due time and an id).
    public func list(_ scope: SalesScope, assigneeID: UUID? = nil, done: Bool = false, limit: Int, after cursor: PageCursor? = nil) async throws -> [SalesTask] {
        var query = SalesTaskRow.query(on: db).filter(\.$workspaceID == workspaceID)
        if case .owners(let ids) = scope { query = query.filter(\.$assigneeID ~~ Array(ids)) }
        if let assigneeID { query = query.filter(\.$assigneeID == assigneeID) }
        query = done ? query.filter(\.$completedAt != nil) : query.filter(\.$completedAt == nil)
        if let cursor {
            query = query.group(.or) { or in
                or.filter(\.$dueAt > cursor.date)
                or.group(.and) { $0.filter(\.$dueAt == cursor.date).filter(\.$id > cursor.id) }
            }
        }
        return try await query.sort(\.$dueAt).sort(\.$id).limit(limit).all().map(\.value)
    }

    /// A contact's tasks: open ones soonest due first, then those done, latest first.
    public func forContact(_ contactID: UUID, limit: Int = 50) async throws -> [SalesTask] {
        let rows = try await SalesTaskRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == contactID)
            .sort(\.$dueAt).sort(\.$id).limit(limit).all().map(\.value)
        return rows.filter { !$0.isDone } + rows.filter(\.isDone).sorted { ($0.completedAt ?? $0.dueAt) > ($1.completedAt ?? $1.dueAt) }
    }

    /// This workspace's open tasks whose reminder time is at or before `before` and which were
    /// not reminded yet, oldest reminder first.
    public func dueReminders(before: Date, limit: Int = 500) async throws -> [SalesTask] {
        try await Self.reminderQuery(before: before, on: db).filter(\.$workspaceID == workspaceID).limit(limit).all().map(\.value)
    }

    /// Every workspace's due reminders, oldest first: what a scheduled job reads, then passes to
    /// ``markReminded(_:at:on:)`` in the same transaction as the notifications it writes.
    public static func dueReminders(before: Date, limit: Int = 500, on db: any Database) async throws -> [DueReminder] {
        try await reminderQuery(before: before, on: db).limit(limit).all().map { DueReminder(workspaceID: $0.workspaceID, task: $0.value) }
    }

    /// Records that these tasks' assignees were reminded; each is reminded once (until its due
    /// time or reminder changes). Returns how many were marked.
    @discardableResult
    public func markReminded(_ ids: [UUID], at now: Date) async throws -> Int {
        try await Self.markReminded(ids, at: now, workspaceID: workspaceID, on: db)
    }

    @discardableResult
    public static func markReminded(_ ids: [UUID], at now: Date, on db: any Database) async throws -> Int {
        try await markReminded(ids, at: now, workspaceID: nil, on: db)
    }

    private static func markReminded(_ ids: [UUID], at now: Date, workspaceID: UUID?, on db: any Database) async throws -> Int {
        var marked = 0
        for chunk in Array(Set(ids)).chunked(500) {
            func pending() -> QueryBuilder<SalesTaskRow> {
                let query = SalesTaskRow.query(on: db).filter(\.$id ~~ Array(chunk)).filter(\.$remindedAt == nil)
                return workspaceID.map { query.filter(\.$workspaceID == $0) } ?? query
            }
            marked += try await pending().count()
            try await pending().set(\.$remindedAt, to: now).update()
        }
        return marked
    }

    private static func reminderQuery(before: Date, on db: any Database) -> QueryBuilder<SalesTaskRow> {
        SalesTaskRow.query(on: db).filter(\.$remindedAt == nil).filter(\.$remindAt <= before).filter(\.$completedAt == nil)
            .sort(\.$remindAt).sort(\.$id)
    }

    private func fill(_ row: SalesTaskRow, _ input: TaskInput, assigneeID: UUID) {
        row.title = input.title
        row.notes = input.notes
        row.dueAt = input.dueAt
        row.reminderMinutes = input.reminder.minutes
        row.remindAt = input.reminder.remindAt(input.dueAt)
        row.assigneeID = assigneeID
    }

    private func ensureAssignee(_ id: UUID, on tx: any Database) async throws {
        guard let user = try await UserRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first(), user.value.isActive
        else { throw ValidationFailure("assignee_id", .notInList) }
    }
}
