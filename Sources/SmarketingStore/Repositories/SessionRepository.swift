import FluentKit
import Foundation
import SmarketingCore
import SQLKit

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
    /// its user was deactivated. One joined query, since every page request pays for it.
    public func resolve(secret: String, now: Date) async throws -> (User, Workspace)? {
        guard let sql = db as? any SQLDatabase else { return nil }
        let query: SQLQueryString = """
            SELECT s.id AS session_id, s.last_seen_at AS session_seen_at, \(unsafeRaw: Directory.memberColumns)
            FROM user_sessions s
            JOIN users u ON u.id = s.user_id AND u.workspace_id = s.workspace_id
            JOIN workspaces w ON w.id = u.workspace_id
            WHERE s.token_hash = \(bind: SecretToken.hash(secret)) AND s.expires_at > \(bind: now) AND u.is_active = \(bind: true)
            """
        guard let row = try await sql.raw(query).first() else { return nil }
        let member = try Directory.member(from: row)
        let lastSeen = try row.decode(column: "session_seen_at", as: Date.self)
        if now.timeIntervalSince(lastSeen) > 300 {
            let id = try row.decode(column: "session_id", as: UUID.self)
            try await sql.update("user_sessions").set("last_seen_at", to: SQLBind(now)).where("id", .equal, SQLBind(id)).run()
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
