import FluentKit
import Foundation
import SmarketingCore

/// Signed-in browser sessions. The cookie holds a random secret; the database only its hash,
/// so sessions can be listed, expired and ended for a user (on deactivation, say).
public struct SessionRepository: Sendable {
    let db: any Database

    public init(_ db: any Database) {
        self.db = db
    }

    /// How long a session lives after sign-in.
    public static let lifetime: TimeInterval = 14 * 24 * 3600

    /// Starts a session and returns the secret for the cookie.
    public func start(for user: User, now: Date) async throws -> String {
        let token = SecretToken(prefix: "ses_")
        let row = UserSessionRow()
        row.id = UUID()
        row.workspaceID = user.workspaceID
        row.userID = user.id
        row.tokenHash = token.hash
        row.createdAt = now
        row.lastSeenAt = now
        row.expiresAt = now.addingTimeInterval(Self.lifetime)
        try await row.create(on: db)
        return token.secret
    }

    /// The active member a session cookie belongs to, or nil when it is unknown, expired or
    /// its user was deactivated.
    public func resolve(secret: String, now: Date) async throws -> (User, Workspace)? {
        guard let row = try await UserSessionRow.query(on: db).filter(\.$tokenHash == SecretToken.hash(secret)).first(),
              row.expiresAt > now
        else { return nil }
        guard let member = try await Directory(db).member(userID: row.userID), member.0.workspaceID == row.workspaceID else {
            return nil
        }
        if now.timeIntervalSince(row.lastSeenAt) > 300 {
            row.lastSeenAt = now
            try await row.update(on: db)
        }
        return member
    }

    public func end(secret: String) async throws {
        try await UserSessionRow.query(on: db).filter(\.$tokenHash == SecretToken.hash(secret)).delete()
    }

    /// Ends every session of a user (deactivation, password change elsewhere).
    public func endAll(userID: UUID, except secret: String? = nil) async throws {
        var query = UserSessionRow.query(on: db).filter(\.$userID == userID)
        if let secret { query = query.filter(\.$tokenHash != SecretToken.hash(secret)) }
        try await query.delete()
    }

    public func pruneExpired(now: Date) async throws {
        try await UserSessionRow.query(on: db).filter(\.$expiresAt < now).delete()
    }
}
