import FluentKit

/// Leads handed from marketing to sales: one row each time a contact becomes an MQL, with what
/// qualified it, who it went to, and the rep's answer (accepted, or rejected with an agreed
/// reason); the score rules behind each one; and the workspace's list of rejection reasons.
struct CreateHandoffs: AsyncMigration {
    var name: String { "20261203_Handoffs" }

    func prepare(on database: any Database) async throws {
        try await database.schema("handoffs")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("stage_change_id", .uuid)
            .field("mql_at", .datetime, .required)
            .field("mql_day", .string, .required)
            .field("cause", .string, .required)
            .field("source", .string)
            .field("campaign", .string)
            .field("definition_version", .int)
            .field("fit", .int)
            .field("engagement", .double)
            .field("owner_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("assigned_at", .datetime)
            .field("status", .string, .required)
            .field("decided_at", .datetime)
            .field("decided_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("decided_by_name", .string)
            .field("reason_key", .string)
            .field("reason_label", .string)
            .field("note", .string)
            .field("outcome", .string)
            .create()
        try await Index.create("handoffs_owner", on: "handoffs", ["workspace_id", "status", "owner_id", "mql_at"], in: database)
        try await Index.create("handoffs_day", on: "handoffs", ["workspace_id", "mql_day"], in: database)
        try await Index.create("handoffs_contact", on: "handoffs", ["workspace_id", "contact_id", "mql_at"], in: database)
        try await database.schema("handoff_rules")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("handoff_id", .uuid, .required, .references("handoffs", "id", onDelete: .cascade))
            .field("rule_id", .string, .required)
            .field("points", .int, .required)
            .create()
        try await Index.create("handoff_rules_handoff", on: "handoff_rules", ["handoff_id"], in: database)
        try await Index.create("handoff_rules_rule", on: "handoff_rules", ["workspace_id", "rule_id"], in: database)
        try await database.schema("rejection_reasons")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("key", .string, .required)
            .field("label", .string, .required)
            .field("position", .int, .required)
            .field("active", .bool, .required)
            .unique(on: "workspace_id", "key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("rejection_reasons").delete()
        try await Index.drop("handoff_rules_rule", in: database)
        try await Index.drop("handoff_rules_handoff", in: database)
        try await database.schema("handoff_rules").delete()
        try await Index.drop("handoffs_contact", in: database)
        try await Index.drop("handoffs_day", in: database)
        try await Index.drop("handoffs_owner", in: database)
        try await database.schema("handoffs").delete()
    }
}
