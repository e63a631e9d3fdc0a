import FluentKit
import Foundation
import SmarketingCore

/// One line of a task's or a deal's history, also shown on its contact's timeline: created,
/// changed, completed or reopened, won or lost, by whom and when, with the fields before and after.
public struct SalesChange: Sendable, Equatable, Identifiable {
    public enum Subject: String, Sendable, Codable {
        case task, deal
    }

    public enum Kind: String, Sendable, Codable {
        case created, updated, completed, reopened, won, lost
    }

    public var id: UUID
    public var contactID: UUID?
    public var subject: Subject
    public var subjectID: UUID
    public var kind: Kind
    /// The task's title or the deal's name at the time.
    public var title: String
    public var actor: AuditActor
    public var change: AuditChange
    public var at: Date
}

/// The history of the workspace's tasks and deals.
public struct SalesChanges: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    func record(_ kind: SalesChange.Kind, _ subject: SalesChange.Subject, id: UUID, contactID: UUID?, title: String,
                change: AuditChange, by actor: AuditActor, at now: Date) async throws {
        let row = SalesChangeRow()
        row.id = TimeOrderedID.make(at: now)
        row.workspaceID = workspaceID
        row.contactID = contactID
        row.subjectType = subject.rawValue
        row.subjectID = id
        row.kind = kind.rawValue
        row.title = title
        row.actorUserID = actor.userID
        row.actorLabel = actor.name
        row.via = actor.channel.rawValue
        row.before = AuditLog.encode(change.before)
        row.after = AuditLog.encode(change.after)
        row.at = now
        try await row.create(on: db)
    }

    /// A contact's task and deal changes, newest first, `limit` after the cursor; without deal
    /// lines for a reader who may not see the contact's deals.
    public func timeline(of contactID: UUID, limit: Int, after cursor: PageCursor? = nil, includeDeals: Bool = true) async throws -> [SalesChange] {
        var query = SalesChangeRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == contactID)
        if !includeDeals { query = query.filter(\.$subjectType == SalesChange.Subject.task.rawValue) }
        if let cursor {
            query = query.group(.or) { or in
                or.filter(\.$at < cursor.date)
                or.group(.and) { $0.filter(\.$at == cursor.date).filter(\.$id < cursor.id) }
            }
        }
        return try await query.sort(\.$at, .descending).sort(\.$id, .descending).limit(limit).all().map(Self.value)
    }

    /// A task's or a deal's history, newest first.
    public func history(of subjectID: UUID, limit: Int = 100) async throws -> [SalesChange] {
        try await SalesChangeRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$subjectID == subjectID)
            .sort(\.$at, .descending).sort(\.$id, .descending).limit(limit).all().map(Self.value)
    }

    static func value(_ row: SalesChangeRow) -> SalesChange {
        SalesChange(id: row.id ?? UUID(), contactID: row.contactID, subject: SalesChange.Subject(rawValue: row.subjectType) ?? .deal,
                    subjectID: row.subjectID, kind: SalesChange.Kind(rawValue: row.kind) ?? .updated, title: row.title,
                    actor: AuditActor(userID: row.actorUserID, name: row.actorLabel, channel: AuditActor.Channel(rawValue: row.via) ?? .system),
                    change: AuditChange(before: AuditLog.decode(row.before), after: AuditLog.decode(row.after)), at: row.at)
    }

    /// Moves a merged contact's activities, tasks, deals and their history onto the survivor.
    static func moveContact(from oldID: UUID, to newID: UUID, workspaceID: UUID, on db: any Database) async throws {
        try await ActivityRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == oldID).set(\.$contactID, to: newID).update()
        try await SalesTaskRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == oldID).set(\.$contactID, to: newID).update()
        try await DealRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == oldID).set(\.$contactID, to: newID).update()
        try await SalesChangeRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == oldID).set(\.$contactID, to: newID).update()
    }
}
