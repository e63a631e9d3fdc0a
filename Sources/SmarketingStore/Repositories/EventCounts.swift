import FluentKit
import FluentPostgresDriver
import Foundation
import SmarketingCore
import SQLKit

/// How many events of each type a workspace received in each quarter of an hour (UTC), kept
/// by the commit that stores them: the tracking page's charts sum a few hundred of these rows
/// instead of counting the events themselves, so they cost the same for a workspace that
/// received ten events as for one that received ten million. A quarter of an hour, because
/// every time zone's midnight falls on one, so any workspace's days are whole quarters.
enum EventCounts {
    static let schema = "event_counts"
    /// Seconds in a quarter of an hour.
    static let quarter = 900

    /// The quarter of an hour holding `date`, counted from 1970-01-01 UTC.
    static func quarter(of date: Date) -> Int {
        Int((date.timeIntervalSince1970 / Double(quarter)).rounded(.down))
    }

    /// The insert into the counts, up to its values: the workspace, the quarter, the type and how many events.
    private static let into = "INSERT INTO \"\(schema)\" (\"workspace_id\", \"quarter_hour\", \"type\", \"events\") "
    /// What makes that insert add to a row already there.
    private static let adding = "ON CONFLICT (\"workspace_id\", \"quarter_hour\", \"type\") DO UPDATE SET \"events\" = \"\(schema)\".\"events\" + excluded.\"events\""

    /// On SQLite's own handle: adds the events stored in one commit, all received at `now`.
    static func add(_ stored: [ScoringEvent], workspaceID: UUID, now: Date, on raw: RawSQLite) throws {
        guard !stored.isEmpty else { return }
        let statement = try RawSQLite.Statement(raw, into + "VALUES (?, ?, ?, ?) " + adding)
        for (type, events) in tally(stored) {
            try statement.run([.uuid(workspaceID), .integer(quarter(of: now)), .text(type), .integer(events)])
        }
    }

    /// On PostgreSQL, what makes an insert of events that answers `external_id, type` for the
    /// rows it stored into one statement that also adds them to the workspace's counts of the
    /// quarter holding `now` and answers their ids alone: no trip of its own for the counts.
    static func storing(workspaceID: UUID, now: Date) -> PostgresRows.Enclosing {
        PostgresRows.Enclosing(binds: [.uuid(workspaceID), .integer(quarter(of: now))]) { insert, first in
            """
            WITH "stored" AS (\(insert)), "counted" AS (\(into)\
            SELECT $\(first)::uuid, $\(first + 1)::bigint, "type", COUNT(*) FROM "stored" GROUP BY "type" \(adding)) \
            SELECT "external_id" FROM "stored"
            """
        }
    }

    /// Counts every workspace's events again from the events themselves, in place of what was
    /// kept: for the events stored before the counts were kept.
    static func rebuild(_ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let quarterOf: SQLQueryString = sql.dialect.name == "postgresql"
            ? "FLOOR(EXTRACT(EPOCH FROM \"received_at\") / \(unsafeRaw: String(quarter)))::bigint"
            : "CAST(\"received_at\" / \(unsafeRaw: String(quarter)) AS INTEGER)"
        try await sql.delete(from: schema).run()
        try await sql.raw("""
            \(unsafeRaw: into)SELECT "workspace_id", \(quarterOf), "type", COUNT(*) FROM \(ident: EventRow.schema) GROUP BY 1, 2, 3
            """).run()
    }

    /// How many events of each type there are in `events`.
    static func tally(_ events: [ScoringEvent]) -> [(type: String, events: Int)] {
        var counts: [String: Int] = [:]
        for event in events { counts[event.type, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
