import FluentKit
import SQLKit

struct CreateWorkspacesAndUsers: AsyncMigration {
    var name: String { "20261129_CreateWorkspacesAndUsers" }

    func prepare(on database: any Database) async throws {
        try await database.schema("workspaces")
            .id()
            .field("name", .string, .required)
            .field("time_zone", .string, .required)
            .field("currency", .string, .required)
            .field("language", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()

        try await database.schema("users")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("roles", .string, .required)
            .field("language", .string)
            .field("is_active", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "email")
            .create()
        try await Index.create("users_workspace_name", on: "users", ["workspace_id", "name"], in: database)

        try await database.schema("teams")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "name")
            .create()

        try await database.schema("team_members")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("team_id", .uuid, .required, .references("teams", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .unique(on: "team_id", "user_id")
            .create()
        try await Index.create("team_members_workspace_user", on: "team_members", ["workspace_id", "user_id"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema("team_members").delete()
        try await database.schema("teams").delete()
        try await database.schema("users").delete()
        try await database.schema("workspaces").delete()
    }
}
