import FluentKit
import SQLKit

/// A contact's score row has one key, its workspace and contact (`contact_scores_workspace_contact`,
/// which every lookup and upsert names); the first migration also made `contact_id` alone unique.
/// On PostgreSQL an update that changes an indexed column (the engagement key changes with every
/// scored event) puts a new entry in every index of the table, so each scored event paid for
/// both. PostgreSQL drops the one-column constraint; SQLite, which cannot drop a table's own
/// constraint without rebuilding the table, keeps it (an update there only touches the indexes
/// of the columns it changes, which neither key is).
struct ScoreKeyOnce: AsyncMigration {
    var name: String { "20261205_ScoreKeyOnce" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("ALTER TABLE \"contact_scores\" DROP CONSTRAINT IF EXISTS \"uq:contact_scores.contact_id\"").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("ALTER TABLE \"contact_scores\" ADD CONSTRAINT \"uq:contact_scores.contact_id\" UNIQUE (\"contact_id\")").run()
    }
}
