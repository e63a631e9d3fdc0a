import FluentKit
import Foundation
import SmarketingCore

/// One entry of a record's timeline: what changed on a contact or company, by whom, when.
public struct RecordChange: Sendable, Equatable, Identifiable {
    public enum Kind: String, Sendable, Codable {
        case created, updated, merged, deleted, addedToList = "added_to_list"
    }

    public var id: UUID
    public var recordID: UUID
    public var kind: Kind
    public var actor: AuditActor
    public var change: AuditChange
    public var at: Date
}

/// The timeline of contacts and companies: every change, newest first.
public struct RecordChanges: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    func record(_ kind: RecordChange.Kind, type: String, id: UUID, change: AuditChange, by actor: AuditActor, at now: Date) async throws {
        let row = RecordChangeRow()
        row.id = TimeOrderedID.make(at: now)
        row.workspaceID = workspaceID
        row.recordType = type
        row.recordID = id
        row.kind = kind.rawValue
        row.actorUserID = actor.userID
        row.actorLabel = actor.name
        row.via = actor.channel.rawValue
        row.before = AuditLog.encode(change.before)
        row.after = AuditLog.encode(change.after)
        row.at = now
        try await row.create(on: db)
    }

    /// The row ``record(_:type:id:change:by:at:)`` writes, for ``BulkInsert`` with
    /// `RecordChangeRow.bulkColumns`.
    static func row(_ kind: RecordChange.Kind, type: String, id: UUID, change: AuditChange, by actor: AuditActor, at now: Date,
                    workspaceID: UUID) -> [BulkValue] {
        [.uuid(TimeOrderedID.make(at: now)), .uuid(workspaceID), .text(type), .uuid(id), .text(kind.rawValue), BulkValue(actor.userID),
         .text(actor.name), .text(actor.channel.rawValue), .text(AuditLog.encode(change.before)), .text(AuditLog.encode(change.after)), .date(now)]
    }

    /// A record's timeline, newest first, `limit` at a time.
    public func timeline(of recordID: UUID, limit: Int, after cursor: PageCursor? = nil) async throws -> [RecordChange] {
        var query = RecordChangeRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$recordID == recordID)
        if let cursor {
            query = query.group(.or) { or in
                or.filter(\.$at < cursor.date)
                or.group(.and) { $0.filter(\.$at == cursor.date).filter(\.$id < cursor.id) }
            }
        }
        return try await query.sort(\.$at, .descending).sort(\.$id, .descending).limit(limit).all().map { row in
            RecordChange(
                id: row.id ?? UUID(), recordID: row.recordID, kind: RecordChange.Kind(rawValue: row.kind) ?? .updated,
                actor: AuditActor(userID: row.actorUserID, name: row.actorLabel, channel: AuditActor.Channel(rawValue: row.via) ?? .system),
                change: AuditChange(before: AuditLog.decode(row.before), after: AuditLog.decode(row.after)), at: row.at
            )
        }
    }

    /// Moves a merged record's timeline onto its survivor.
    func move(from oldID: UUID, to newID: UUID) async throws {
        try await RecordChangeRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$recordID == oldID)
            .set(\.$recordID, to: newID).update()
    }
}
