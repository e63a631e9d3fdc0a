import FluentKit

/// The workspace's events in the order they arrived, for the tracking page's latest events.
struct EventsReceivedIndex: AsyncMigration {
    var name: String { "20261202_EventsReceivedIndex" }

    func prepare(on database: any Database) async throws {
        try await Index.create("events_workspace_received", on: "events", ["workspace_id", "received_at"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await Index.drop("events_workspace_received", in: database)
    }
}
