import FluentKit

/// How many events of each type each workspace received in each quarter of an hour
/// (``EventCounts``), counted from the events already stored.
struct CreateEventCounts: AsyncMigration {
    var name: String { "20261205_EventCounts" }

    func prepare(on database: any Database) async throws {
        try await database.schema(EventCounts.schema)
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("quarter_hour", .int64, .required)
            .field("type", .string, .required)
            .field("events", .int64, .required)
            .unique(on: "workspace_id", "quarter_hour", "type")
            .create()
        try await EventCounts.rebuild(database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(EventCounts.schema).delete()
    }
}
