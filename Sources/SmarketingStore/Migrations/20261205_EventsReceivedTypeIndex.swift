import FluentKit

/// The workspace's events in the order they arrived, with their type: the tracking page's latest
/// events, and its counts of the events received each day by type, which read this index alone.
/// It takes the place of `events_workspace_received` (the same columns without the type), so an
/// event still adds one entry to it, at its end.
struct EventsReceivedTypeIndex: AsyncMigration {
    var name: String { "20261205_EventsReceivedTypeIndex" }

    func prepare(on database: any Database) async throws {
        try await Index.create("events_workspace_received_type", on: "events", ["workspace_id", "received_at", "type"], in: database)
        try await Index.drop("events_workspace_received", in: database)
    }

    func revert(on database: any Database) async throws {
        try await Index.create("events_workspace_received", on: "events", ["workspace_id", "received_at"], in: database)
        try await Index.drop("events_workspace_received_type", in: database)
    }
}
