import FluentKit

/// What a workspace's web tracking needs: its public key for t.js, the site origins allowed to
/// use it, and the key that signs its email links (rotatable: the previous one still opens the
/// links it signed). Also the addresses that unsubscribed from email.
struct CreateTrackingSites: AsyncMigration {
    var name: String { "20261202_TrackingSites" }

    func prepare(on database: any Database) async throws {
        try await database.schema("tracking_sites")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("public_key", .string, .required)
            .field("allowed_origins", .string, .required)
            .field("link_key", .string, .required)
            .field("link_key_version", .int, .required)
            .field("previous_link_key", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id")
            .unique(on: "public_key")
            .create()
        try await database.schema("email_suppressions")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("contact_id", .uuid, .references("contacts", "id", onDelete: .setNull))
            .field("reason", .string, .required)
            .field("message_id", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "email")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("email_suppressions").delete()
        try await database.schema("tracking_sites").delete()
    }
}
