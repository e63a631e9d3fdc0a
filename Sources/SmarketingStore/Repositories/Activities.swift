import FluentKit
import Foundation
import SmarketingCore

/// The calls, emails, meetings and notes reps log on the workspace's contacts; each write in
/// one transaction with its audit entry.
public struct Activities: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// Logs an activity on a contact; nil when the contact is not in the workspace.
    public func log(_ input: ActivityInput, on contactID: UUID, by actor: AuditActor, now: Date) async throws -> Activity? {
        try await StoreTuning.writeTransaction(db) { tx in
            guard try await ContactRepository(tx, workspaceID: workspaceID).find(contactID) != nil else { return nil }
            let row = ActivityRow()
            row.id = TimeOrderedID.make(at: now)
            row.workspaceID = workspaceID
            row.contactID = contactID
            row.fill(input)
            row.actorUserID = actor.userID
            row.actorLabel = actor.name
            row.via = actor.channel.rawValue
            row.loggedAt = now
            row.updatedAt = now
            try await row.create(on: tx)
            let activity = row.value
            try await AuditLog(tx, workspaceID: workspaceID).record(.activityLogged, by: actor, entityType: "activity", entityID: activity.id,
                                                                    change: AuditChange(before: [:], after: Self.fields(activity)), at: now)
            return activity
        }
    }

    /// Changes an activity; nil when it is not in the workspace.
    public func update(_ id: UUID, _ input: ActivityInput, by actor: AuditActor, now: Date) async throws -> Activity? {
        try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await ActivityRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() else { return nil }
            let before = row.value
            row.fill(input)
            row.updatedAt = now
            try await row.update(on: tx)
            let after = row.value
            try await AuditLog(tx, workspaceID: workspaceID).record(.activityUpdated, by: actor, entityType: "activity", entityID: id,
                                                                    change: AuditChange(before: Self.fields(before), after: Self.fields(after)), at: now)
            return after
        }
    }

    public func find(_ id: UUID) async throws -> Activity? {
        try await ActivityRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first()?.value
    }

    /// A contact's activities, newest first, `limit` after the cursor (a time and an id).
    public func list(of contactID: UUID, limit: Int, after cursor: PageCursor? = nil) async throws -> [Activity] {
        var query = ActivityRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == contactID)
        if let cursor {
            query = query.group(.or) { or in
                or.filter(\.$occurredAt < cursor.date)
                or.group(.and) { $0.filter(\.$occurredAt == cursor.date).filter(\.$id < cursor.id) }
            }
        }
        return try await query.sort(\.$occurredAt, .descending).sort(\.$id, .descending).limit(limit).all().map(\.value)
    }

    static func fields(_ activity: Activity) -> [String: String] {
        var fields = ["contact_id": activity.contactID.uuidString.lowercased(), "kind": activity.kind.rawValue,
                      "occurred_at": ISO8601DateFormatter().string(from: activity.occurredAt)]
        if let outcome = activity.outcome { fields["outcome"] = outcome.rawValue }
        if let notes = activity.notes { fields["notes"] = notes }
        if let nextStep = activity.nextStep { fields["next_step"] = nextStep }
        if let minutes = activity.durationMinutes { fields["duration_minutes"] = String(minutes) }
        return fields
    }
}
