import FluentKit
import Foundation
import SmarketingCore

/// Personal API tokens of the users of one workspace.
public struct APITokenRepository: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// Creates a token for a user and returns it with its secret, which is never stored.
    public func create(for user: User, name: String, by actor: AuditActor, now: Date) async throws -> (APIToken, secret: String) {
        try await StoreTuning.writeTransaction(db) { tx in
            let token = SecretToken(prefix: SecretToken.apiPrefix)
            let row = APITokenRow()
            row.id = UUID()
            row.workspaceID = workspaceID
            row.userID = user.id
            row.name = name
            row.tokenHash = token.hash
            row.hint = token.hint
            row.createdAt = now
            try await row.create(on: tx)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .apiTokenCreated, by: actor, entityType: "api_token", entityID: row.id,
                change: AuditChange(before: [:], after: ["name": name, "user": user.email.value]), at: now
            )
            return (Self.value(row), token.secret)
        }
    }

    /// A user's tokens, newest first, revoked ones included.
    public func list(userID: UUID) async throws -> [APIToken] {
        try await APITokenRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$userID == userID)
            .sort(\.$createdAt, .descending).all().map(Self.value)
    }

    /// Revokes one of a user's tokens; nil when the user has no such token.
    public func revoke(_ id: UUID, userID: UUID, by actor: AuditActor, now: Date) async throws -> APIToken? {
        // After the commit: copies in memory read the change from then on.
        defer { StoreGeneration.access.bump() }
        return try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await APITokenRow.query(on: tx).filter(\.$workspaceID == workspaceID)
                .filter(\.$userID == userID).filter(\.$id == id).first()
            else { return nil }
            if row.revokedAt == nil {
                row.revokedAt = now
                try await row.update(on: tx)
                try await AuditLog(tx, workspaceID: workspaceID).record(
                    .apiTokenRevoked, by: actor, entityType: "api_token", entityID: id,
                    change: AuditChange(before: ["state": "active"], after: ["state": "revoked"]), at: now
                )
            }
            return Self.value(row)
        }
    }

    static func value(_ row: APITokenRow) -> APIToken {
        APIToken(id: row.id ?? UUID(), userID: row.userID, name: row.name, hint: row.hint, createdAt: row.createdAt,
                 lastUsedAt: row.lastUsedAt, revokedAt: row.revokedAt)
    }
}
