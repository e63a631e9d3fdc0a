import FluentKit

/// A workspace's webhook endpoints (address, secret, the event types they want), each event's
/// delivery to each endpoint, and every attempt at it, for the delivery log.
struct CreateWebhooks: AsyncMigration {
    var name: String { "20261203_Webhooks" }

    func prepare(on database: any Database) async throws {
        try await database.schema("webhook_endpoints")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("url", .string, .required)
            .field("description", .string)
            .field("secret", .string, .required)
            .field("event_types", .string, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await Index.create("webhook_endpoints_workspace", on: "webhook_endpoints", ["workspace_id"], in: database)
        try await database.schema("webhook_deliveries")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("endpoint_id", .uuid, .required, .references("webhook_endpoints", "id", onDelete: .cascade))
            .field("event_id", .uuid, .required)
            .field("event_type", .string, .required)
            .field("body", .string, .required)
            .field("job_id", .uuid)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("last_status_code", .int)
            .field("last_error", .string)
            .field("last_duration_ms", .int)
            .field("created_at", .datetime, .required)
            .field("delivered_at", .datetime)
            .create()
        try await Index.create("webhook_deliveries_endpoint", on: "webhook_deliveries", ["workspace_id", "endpoint_id", "created_at"], in: database)
        try await database.schema("webhook_attempts")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("delivery_id", .uuid, .required, .references("webhook_deliveries", "id", onDelete: .cascade))
            .field("at", .datetime, .required)
            .field("status_code", .int)
            .field("duration_ms", .int, .required)
            .field("error", .string)
            .field("response", .string)
            .create()
        try await Index.create("webhook_attempts_delivery", on: "webhook_attempts", ["delivery_id", "at"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await Index.drop("webhook_attempts_delivery", in: database)
        try await database.schema("webhook_attempts").delete()
        try await Index.drop("webhook_deliveries_endpoint", in: database)
        try await database.schema("webhook_deliveries").delete()
        try await Index.drop("webhook_endpoints_workspace", in: database)
        try await database.schema("webhook_endpoints").delete()
    }
}
