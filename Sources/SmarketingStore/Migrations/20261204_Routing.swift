import FluentKit

/// Lead routing: the workspace's ordered rules (conditions as JSON), each rep's availability
/// (JSON), each team member's weight, each team's round-robin state, the workspace's routing
/// settings (the fallback owner; its row is also the lock every assignment takes), and the log
/// of every assignment with the rule, team, reason and the reps passed over.
struct CreateRouting: AsyncMigration {
    var name: String { "20261204_Routing" }

    func prepare(on database: any Database) async throws {
        try await database.schema("routing_rules")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("position", .int, .required)
            .field("team_id", .uuid, .required)
            .field("conditions", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await Index.create("routing_rules_workspace_position", on: "routing_rules", ["workspace_id", "position"], in: database)

        try await database.schema("rep_availability")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("availability", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id", "user_id")
            .create()

        try await database.schema("routing_weights")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("team_id", .uuid, .required, .references("teams", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("weight", .int, .required)
            .unique(on: "team_id", "user_id")
            .create()

        try await database.schema("routing_team_states")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("team_id", .uuid, .required, .references("teams", "id", onDelete: .cascade))
            .field("credits", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "team_id")
            .create()

        try await database.schema("routing_settings")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("fallback_owner_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id")
            .create()

        try await database.schema("lead_assignments")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("owner_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("owner_name", .string)
            .field("team_id", .uuid)
            .field("team_name", .string)
            .field("rule_id", .uuid)
            .field("rule_name", .string)
            .field("reason", .string, .required)
            .field("skipped", .string, .required)
            .field("actor_user_id", .uuid)
            .field("actor_label", .string, .required)
            .field("via", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await Index.create("lead_assignments_workspace_at", on: "lead_assignments", ["workspace_id", "at", "id"], in: database)
        try await Index.create("lead_assignments_owner_at", on: "lead_assignments", ["workspace_id", "owner_id", "at"], in: database)
        try await Index.create("lead_assignments_contact_at", on: "lead_assignments", ["workspace_id", "contact_id", "at"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await Index.drop("lead_assignments_contact_at", in: database)
        try await Index.drop("lead_assignments_owner_at", in: database)
        try await Index.drop("lead_assignments_workspace_at", in: database)
        try await database.schema("lead_assignments").delete()
        try await database.schema("routing_settings").delete()
        try await database.schema("routing_team_states").delete()
        try await database.schema("routing_weights").delete()
        try await database.schema("rep_availability").delete()
        try await Index.drop("routing_rules_workspace_position", in: database)
        try await database.schema("routing_rules").delete()
    }
}
