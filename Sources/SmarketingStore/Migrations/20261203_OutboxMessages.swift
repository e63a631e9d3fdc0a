import FluentKit

/// The outbox: every email the product writes, with its recipients, bodies and extra headers
/// (as JSON), its delivery status, attempts and last error. A message is written here in the
/// same transaction as the change that causes it and sent afterwards, so nothing is mailed for
/// a change that rolled back. The page lists a workspace's messages newest first, all or by
/// status.
struct CreateOutboxMessages: AsyncMigration {
    var name: String { "20261203_OutboxMessages" }

    func prepare(on database: any Database) async throws {
        try await database.schema("outbox_messages")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .references("contacts", "id", onDelete: .setNull))
            .field("kind", .string, .required)
            .field("to_addresses", .string, .required)
            .field("from_address", .string, .required)
            .field("reply_to", .string)
            .field("subject", .string, .required)
            .field("text_body", .string, .required)
            .field("html_body", .string)
            .field("headers", .string, .required)
            .field("message_id", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("last_error", .string)
            .field("delivery_note", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("sent_at", .datetime)
            .create()
        try await Index.create("outbox_messages_workspace_created", on: "outbox_messages", ["workspace_id", "created_at", "id"], in: database)
        try await Index.create("outbox_messages_workspace_status_created", on: "outbox_messages", ["workspace_id", "status", "created_at", "id"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").delete()
    }
}
