import FluentKit
import SQLKit

struct CreateAccessTables: AsyncMigration {
    var name: String { "20261129_CreateAccessTables" }

    func prepare(on database: any Database) async throws {
        try await database.schema("invitations")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("roles", .string, .required)
            .field("team_ids", .string, .required)
            .field("token_hash", .string, .required)
            .field("invited_by", .uuid)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("accepted_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await Index.create("invitations_workspace_created", on: "invitations", ["workspace_id", "created_at"], in: database)

        try await database.schema("api_tokens")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("hint", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await Index.create("api_tokens_workspace_user", on: "api_tokens", ["workspace_id", "user_id"], in: database)

        try await database.schema("audit_entries")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("actor_user_id", .uuid)
            .field("actor_label", .string, .required)
            .field("via", .string, .required)
            .field("action", .string, .required)
            .field("entity_type", .string, .required)
            .field("entity_id", .uuid)
            .field("before", .string, .required)
            .field("after", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await Index.create("audit_entries_workspace_at", on: "audit_entries", ["workspace_id", "at", "id"], in: database)

        try await database.schema("user_sessions")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
        try await Index.create("user_sessions_workspace_user", on: "user_sessions", ["workspace_id", "user_id"], in: database)

        try await database.schema("login_attempts")
            .id()
            .field("email", .string, .required)
            .field("address", .string, .required)
            .field("succeeded", .bool, .required)
            .field("at", .datetime, .required)
            .create()
        try await Index.create("login_attempts_email_at", on: "login_attempts", ["email", "at"], in: database)
        try await Index.create("login_attempts_address_at", on: "login_attempts", ["address", "at"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema("login_attempts").delete()
        try await database.schema("user_sessions").delete()
        try await database.schema("audit_entries").delete()
        try await database.schema("api_tokens").delete()
        try await database.schema("invitations").delete()
    }
}
