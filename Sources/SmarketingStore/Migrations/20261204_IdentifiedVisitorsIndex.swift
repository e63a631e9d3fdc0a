import FluentKit
import SQLKit

/// The events that name both a visitor and a contact, by visitor: the rows that say whom a
/// visitor was identified as, which every ingest commit looks up for its anonymous events.
/// Through `events_anonymous` that lookup read every event of the visitor, and a visitor
/// keeps sending anonymous events. Partial, so it holds only identified events; SQLite and
/// PostgreSQL both use it for `anonymous_id = ? AND contact_id IS NOT NULL`.
struct IdentifiedVisitorsIndex: AsyncMigration {
    var name: String { "20261204_IdentifiedVisitorsIndex" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("""
            CREATE INDEX "events_identified_visitor" ON "events" ("workspace_id", "anonymous_id")
            WHERE "anonymous_id" IS NOT NULL AND "contact_id" IS NOT NULL
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await Index.drop("events_identified_visitor", in: database)
    }
}
