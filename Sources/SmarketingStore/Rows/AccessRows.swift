import FluentKit
import Foundation

final class InvitationRow: Model, @unchecked Sendable {
    static let schema = "invitations"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "email") var email: String
    @Field(key: "roles") var roles: String
    @Field(key: "team_ids") var teamIDs: String
    @Field(key: "token_hash") var tokenHash: String
    @OptionalField(key: "invited_by") var invitedBy: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "accepted_at") var acceptedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
}

final class APITokenRow: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "hint") var hint: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
}

final class AuditEntryRow: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @OptionalField(key: "actor_user_id") var actorUserID: UUID?
    @Field(key: "actor_label") var actorLabel: String
    @Field(key: "via") var via: String
    @Field(key: "action") var action: String
    @Field(key: "entity_type") var entityType: String
    @OptionalField(key: "entity_id") var entityID: UUID?
    @Field(key: "before") var before: String
    @Field(key: "after") var after: String
    @Field(key: "at") var at: Date

    init() {}
}

final class LoginAttemptRow: Model, @unchecked Sendable {
    static let schema = "login_attempts"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "address") var address: String
    @Field(key: "succeeded") var succeeded: Bool
    @Field(key: "at") var at: Date

    init() {}
}

final class UserSessionRow: Model, @unchecked Sendable {
    static let schema = "user_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}
