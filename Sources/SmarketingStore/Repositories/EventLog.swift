import FluentKit
import Foundation
import SmarketingCore
import SQLKit

/// The behaviour events of one workspace, append-only.
public struct EventLog: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// How many events the workspace has.
    public func count() async throws -> Int {
        try await EventRow.query(on: db).filter(\.$workspaceID == workspaceID).count()
    }

    /// A contact's events as the scoring engine reads them, oldest first.
    public func scoringEvents(of contactID: UUID) async throws -> [ScoringEvent] {
        let rows = try await EventRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == contactID)
            .sort(\.$occurredAt).sort(\.$id).all()
        return rows.map { Self.scoringEvent(id: $0.externalID, type: $0.type, properties: $0.properties, at: $0.occurredAt) }
    }

    /// Stores events of known contacts (or anonymous visitors); an event whose id the workspace
    /// already has is skipped. Returns the ones stored.
    @discardableResult
    public func record(_ events: [(event: ScoringEvent, contactID: UUID?, anonymousID: String?)], now: Date) async throws -> [ScoringEvent] {
        guard !events.isEmpty else { return [] }
        var known = Set<String>()
        for chunk in events.map(\.event.id).chunked(500) {
            known.formUnion(try await EventRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$externalID ~~ Array(chunk)).all()
                .map(\.externalID))
        }
        var fresh: [[BulkValue]] = []
        var stored: [ScoringEvent] = []
        for item in events where known.insert(item.event.id).inserted {
            fresh.append([.uuid(TimeOrderedID.make(at: now)), .uuid(workspaceID), BulkValue(item.contactID), BulkValue(item.anonymousID),
                          .text(item.event.id), .text(item.event.type), .text(AuditLog.encode(item.event.properties)),
                          .date(item.event.time), .date(now)])
            stored.append(item.event)
        }
        try await BulkInsert.run(into: EventRow.schema, columns: EventRow.bulkColumns, rows: fresh, on: db)
        return stored
    }

    static func scoringEvent(id: String, type: String, properties: String, at time: Date) -> ScoringEvent {
        ScoringEvent(id: id, type: type, time: time, properties: AuditLog.decode(properties))
    }
}

extension EventRow {
    static let bulkColumns = ["id", "workspace_id", "contact_id", "anonymous_id", "external_id", "type", "properties", "occurred_at", "received_at"]
}
