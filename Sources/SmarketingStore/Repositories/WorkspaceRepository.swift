import FluentKit
import Foundation
import SmarketingCore

/// The workspace's own settings.
public struct WorkspaceRepository: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    public func get() async throws -> Workspace? {
        try await WorkspaceRow.find(workspaceID, on: db)?.value
    }

    /// Saves new settings and records the change in the audit log, in one transaction.
    public func update(_ settings: WorkspaceSettings, by actor: AuditActor, now: Date) async throws -> Workspace? {
        // After the commit: copies in memory read the change from then on.
        defer { StoreGeneration.access.bump() }
        return try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await WorkspaceRow.find(workspaceID, on: tx) else { return nil }
            let change = AuditChange(before: Self.fields(row.value.settings), after: Self.fields(settings))
            guard !change.isEmpty else { return row.value }
            row.apply(settings, now: now)
            try await row.update(on: tx)
            try await AuditLog(tx, workspaceID: workspaceID)
                .record(.workspaceUpdated, by: actor, entityType: "workspace", entityID: workspaceID, change: change, at: now)
            return row.value
        }
    }

    static func fields(_ settings: WorkspaceSettings) -> [String: String] {
        ["name": settings.name, "time_zone": settings.timeZone, "currency": settings.currency, "language": settings.language.rawValue]
    }
}
