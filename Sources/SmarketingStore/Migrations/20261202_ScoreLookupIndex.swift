import FluentKit
import SQLKit

/// A contact's score looked up by workspace and contact together. Every query names both, and
/// with only the one-column unique index on `contact_id` SQLite's planner took the workspace's
/// engagement index for a batch (`workspace_id = ? AND contact_id IN (…)`) and read the whole
/// workspace for each batch of a re-scoring run, which made the run quadratic in contacts.
struct ScoreLookupIndex: AsyncMigration {
    var name: String { "20261202_ScoreLookupIndex" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "contact_scores_workspace_contact").unique().on("contact_scores")
            .column("workspace_id").column("contact_id").run()
    }

    func revert(on database: any Database) async throws {
        try await Index.drop("contact_scores_workspace_contact", in: database)
    }
}
