import FluentKit

/// The live channel reads a workspace's latest stage changes a few times a second while pages
/// are open: an index by workspace and time keeps that read small at any size.
struct StageChangesRecentIndex: AsyncMigration {
    var name: String { "20261202_StageChangesRecentIndex" }

    func prepare(on database: any Database) async throws {
        try await Index.create("stage_changes_recent", on: "stage_changes", ["workspace_id", "at"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await Index.drop("stage_changes_recent", in: database)
    }
}
