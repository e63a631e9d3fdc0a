import FluentKit
import Foundation
import SmarketingCore

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
        try await db.transaction { tx in
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
    public func tokenOwner(secret: String, now: Date) async throws -> (User, Workspace, tokenID: UUID)? {
        guard let token = try await APITokenRow.query(on: db)
            .filter(\.$tokenHash == SecretToken.hash(secret))
            .filter(\.$revokedAt == nil)
            .first(),
            let (user, workspace) = try await member(userID: token.userID),
            user.workspaceID == token.workspaceID
        else { return nil }
        if (token.lastUsedAt.map { now.timeIntervalSince($0) > 60 }) ?? true {
            token.lastUsedAt = now
            try await token.update(on: db)
        }
        return (user, workspace, try token.requireID())
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
