import FluentKit
import Foundation
import SmarketingCore
import SQLKit

/// The lookups that come before a workspace is known: setup, login, tokens, invitation links.
/// Each answer carries the workspace it belongs to; everything after goes through a repository
/// made for that one workspace.
public struct Directory: Sendable {
    let db: any Database

    public init(_ db: any Database) {
        self.db = db
    }

    public func hasAnyWorkspace() async throws -> Bool {
        try await WorkspaceRow.query(on: db).first() != nil
    }

    /// A new user's details, the password already hashed.
    public struct NewUser: Sendable {
        public var email: EmailAddress
        public var name: String
        public var passwordHash: String
        public var roles: Set<Role>
        public var language: Language?

        public init(email: EmailAddress, name: String, passwordHash: String, roles: Set<Role>, language: Language?) {
            self.email = email
            self.name = name
            self.passwordHash = passwordHash
            self.roles = roles
            self.language = language
        }
    }

    /// Creates a workspace and its first admin in one transaction, with both in the audit log.
    /// Throws a ``ValidationFailure`` on `admin_email` when the address is already a user.
    public func createWorkspace(_ settings: WorkspaceSettings, admin: NewUser, via channel: AuditActor.Channel, now: Date) async throws -> (Workspace, User) {
        try await StoreTuning.writeTransaction(db) { tx in
            if try await UserRow.query(on: tx).filter(\.$email == admin.email.value).first() != nil {
                throw ValidationFailure("admin_email", .alreadyTaken)
            }
            let workspace = WorkspaceRow(id: UUID(), settings: settings, now: now)
            try await workspace.create(on: tx)
            let workspaceID = try workspace.requireID()
            let user = UserRow(
                id: UUID(), workspaceID: workspaceID, email: admin.email, name: admin.name, passwordHash: admin.passwordHash,
                roles: admin.roles, language: admin.language, now: now
            )
            try await user.create(on: tx)
            let actor = AuditActor(userID: user.id, name: admin.name, channel: channel)
            let log = AuditLog(tx, workspaceID: workspaceID)
            try await log.record(.workspaceCreated, by: actor, entityType: "workspace", entityID: workspaceID,
                                 change: AuditChange(before: [:], after: WorkspaceRepository.fields(settings)), at: now)
            try await log.record(.userCreated, by: actor, entityType: "user", entityID: user.id,
                                 change: AuditChange(before: [:], after: UserRepository.fields(user.value)), at: now)
            return (workspace.value, user.value)
        }
    }

    /// The user with this email and their password hash, for a login attempt.
    public func userForLogin(email: EmailAddress) async throws -> (User, passwordHash: String)? {
        guard let row = try await UserRow.query(on: db).filter(\.$email == email.value).first() else { return nil }
        return (row.value, row.passwordHash)
    }

    /// A signed-in user and their workspace, as a session or token resolves them.
    public func member(userID: UUID) async throws -> (User, Workspace)? {
        guard let user = try await UserRow.find(userID, on: db), user.isActive,
              let workspace = try await WorkspaceRow.find(user.workspaceID, on: db)
        else { return nil }
        return (user.value, workspace.value)
    }

    /// The owner of an unrevoked API token; records when it was last used (at most once a minute).
    /// One joined query, since every API request pays for it.
    public func tokenOwner(secret: String, now: Date) async throws -> (User, Workspace, tokenID: UUID)? {
        guard let sql = db as? any SQLDatabase else { return nil }
        let query: SQLQueryString = """
            SELECT t.id AS token_id, t.last_used_at AS token_used_at, \(unsafeRaw: Self.memberColumns)
            FROM api_tokens t
            JOIN users u ON u.id = t.user_id AND u.workspace_id = t.workspace_id
            JOIN workspaces w ON w.id = u.workspace_id
            WHERE t.token_hash = \(bind: SecretToken.hash(secret)) AND t.revoked_at IS NULL AND u.is_active = \(bind: true)
            """
        guard let row = try await sql.raw(query).first() else { return nil }
        let (user, workspace) = try Self.member(from: row)
        let tokenID = try row.decode(column: "token_id", as: UUID.self)
        let lastUsed = try row.decodeNil(column: "token_used_at") ? nil : try row.decode(column: "token_used_at", as: Date.self)
        if (lastUsed.map { now.timeIntervalSince($0) > 60 }) ?? true {
            try await sql.update("api_tokens").set("last_used_at", to: SQLBind(now)).where("id", .equal, SQLBind(tokenID)).run()
        }
        return (user, workspace, tokenID)
    }

    /// The user and workspace columns a member lookup selects (users as `u`, workspaces as `w`).
    static let memberColumns = """
        u.id AS u_id, u.workspace_id AS u_workspace_id, u.email AS u_email, u.name AS u_name, u.roles AS u_roles,
        u.language AS u_language, u.is_active AS u_is_active, u.created_at AS u_created_at,
        w.name AS w_name, w.time_zone AS w_time_zone, w.currency AS w_currency, w.language AS w_language, w.created_at AS w_created_at
        """

    static func member(from row: any SQLRow) throws -> (User, Workspace) {
        let workspaceID = try row.decode(column: "u_workspace_id", as: UUID.self)
        let language = try row.decodeNil(column: "u_language") ? nil : try row.decode(column: "u_language", as: String.self)
        let user = User(
            id: try row.decode(column: "u_id", as: UUID.self), workspaceID: workspaceID,
            email: EmailAddress(stored: try row.decode(column: "u_email", as: String.self)),
            name: try row.decode(column: "u_name", as: String.self),
            roles: RoleList.decode(try row.decode(column: "u_roles", as: String.self)),
            language: language.flatMap(Language.init(rawValue:)),
            isActive: try row.decode(column: "u_is_active", as: Bool.self),
            createdAt: try row.decode(column: "u_created_at", as: Date.self)
        )
        let workspace = Workspace(
            id: workspaceID,
            settings: WorkspaceSettings(
                name: try row.decode(column: "w_name", as: String.self),
                timeZone: try row.decode(column: "w_time_zone", as: String.self),
                currency: try row.decode(column: "w_currency", as: String.self),
                language: Language(rawValue: try row.decode(column: "w_language", as: String.self)) ?? .en
            ),
            createdAt: try row.decode(column: "w_created_at", as: Date.self)
        )
        return (user, workspace)
    }

    /// The invitation a link points to, whatever its state, with its workspace.
    public func invitation(secret: String) async throws -> (Invitation, Workspace)? {
        guard let row = try await InvitationRow.query(on: db).filter(\.$tokenHash == SecretToken.hash(secret)).first(),
              let workspace = try await WorkspaceRow.find(row.workspaceID, on: db)
        else { return nil }
        return (InvitationRepository.value(row), workspace.value)
    }

    public func recordLoginAttempt(email: String, address: String, succeeded: Bool, now: Date) async throws {
        let row = LoginAttemptRow()
        row.id = UUID()
        row.email = String(email.prefix(EmailAddress.maximumLength))
        row.address = String(address.prefix(64))
        row.succeeded = succeeded
        row.at = now
        try await row.create(on: db)
    }

    /// Failed attempts since `since`, for one email and for one address.
    public func loginFailures(email: String, address: String, since: Date) async throws -> (byEmail: [Date], byAddress: [Date]) {
        let byEmail = try await LoginAttemptRow.query(on: db)
            .filter(\.$email == email).filter(\.$at > since).filter(\.$succeeded == false)
            .field(\.$at).all().map(\.at)
        let byAddress = try await LoginAttemptRow.query(on: db)
            .filter(\.$address == address).filter(\.$at > since).filter(\.$succeeded == false)
            .field(\.$at).all().map(\.at)
        return (byEmail, byAddress)
    }

    /// Forgets login attempts older than `before`; they only matter within the throttle window.
    public func pruneLoginAttempts(before: Date) async throws {
        try await LoginAttemptRow.query(on: db).filter(\.$at < before).delete()
    }
}
