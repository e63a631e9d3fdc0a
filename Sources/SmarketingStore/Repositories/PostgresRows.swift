import FluentKit
import FluentPostgresDriver
import Foundation

/// Statements of the ingest commit sent straight to a PostgreSQL connection with typed binds.
/// Through SQLKit every value of a statement of a thousand rows became an `Encodable` to cast
/// back to its type, the statement's text was put together piece by piece and every row read
/// was decoded by column name; a commit of 1,000 events spent about a fifth of its time there.
/// A lookup binds its keys as one array (`= ANY($2)`), whatever their number, instead of a
/// statement of 500 values per chunk.
enum PostgresRows {
    /// The rows of `sql` with `binds`, on the connection of `db` (the transaction's, in one);
    /// nil when `db` is not PostgreSQL.
    static func query(_ db: any Database, _ sql: String, _ binds: PostgresBindings) async throws -> [PostgresRow]? {
        guard let postgres = db as? any PostgresDatabase else { return nil }
        let logger = db.logger
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        return try await postgres.withConnection { connection in
            connection.query(query, logger: logger).map(\.rows)
        }.get()
    }

    /// The rows of a lookup of `keys` in one workspace: `sql` takes the workspace as `$1` and
    /// the keys as the array `$2`. Nil when `db` is not PostgreSQL.
    static func lookup<Key: PostgresArrayEncodable>(_ db: any Database, _ sql: String, workspaceID: UUID, keys: some Collection<Key>) async throws -> [PostgresRow]? {
        guard db is any PostgresDatabase else { return nil }
        guard !keys.isEmpty else { return [] }
        var binds = PostgresBindings(capacity: 2)
        binds.append(workspaceID)
        try binds.append(Array(keys))
        return try await query(db, sql, binds)
    }

    /// Inserts rows of values (in `columns` order), an upsert when `conflict` is given, in
    /// statements of at most 30,000 values; with `returning`, the rows it answers. With
    /// `within`, each insert is made part of a larger statement, whose rows are the answer.
    /// Nil when `db` is not PostgreSQL.
    static func write(_ db: any Database, into table: String, columns: [String], rows: [[BulkValue]],
                      conflict: (key: [String], updating: [String])? = nil, skippingConflicts key: [String]? = nil,
                      returning: [String] = [], within: Enclosing? = nil) async throws -> [PostgresRow]? {
        guard db is any PostgresDatabase else { return nil }
        var answered: [PostgresRow] = []
        for chunk in rows.chunked(Swift.max(1, 30_000 / columns.count)) {
            var binds = PostgresBindings(capacity: chunk.count * columns.count + (within?.binds.count ?? 0))
            for row in chunk { for value in row { value.append(to: &binds) } }
            var sql = statement(into: table, columns: columns, rows: chunk.count, conflict: conflict, skippingConflicts: key, returning: returning)
            if let within {
                for value in within.binds { value.append(to: &binds) }
                sql = within.statement(sql, chunk.count * columns.count + 1)
            }
            answered += try await query(db, sql, binds) ?? []
        }
        return answered
    }

    /// A statement that holds an insert of ``write(_:into:columns:rows:conflict:skippingConflicts:returning:within:)``
    /// (as a `WITH` part, say): made from the insert's text and the number of the first of
    /// its own `binds` (`$n`), which come after the insert's.
    struct Enclosing {
        var binds: [BulkValue]
        var statement: (_ insert: String, _ firstBind: Int) -> String
    }

    /// The text of ``write(_:into:columns:rows:conflict:skippingConflicts:returning:within:)``'s
    /// statement of `rows` rows.
    static func statement(into table: String, columns: [String], rows: Int, conflict: (key: [String], updating: [String])?,
                          skippingConflicts skipped: [String]?, returning: [String]) -> String {
        var sql = BulkInsert.insertInto(table, columns)
        sql.reserveCapacity(sql.utf8.count + rows * columns.count * 7)
        var number = 0
        for row in 0..<rows {
            sql += row == 0 ? "(" : ",("
            for column in 0..<columns.count {
                number += 1
                sql += column == 0 ? "$" : ",$"
                sql += String(number)
            }
            sql += ")"
        }
        sql += BulkInsert.onConflict(conflict, skipping: skipped)
        if !returning.isEmpty { sql += " RETURNING " + BulkInsert.quoted(returning) }
        return sql
    }
}

extension BulkValue {
    /// Binds the value with the type SQLKit gives it (a NULL as an untyped NULL, which takes
    /// the column's type).
    func append(to binds: inout PostgresBindings) {
        switch self {
        case .text(let text): binds.append(text)
        case .integer(let number): binds.append(number)
        case .real(let number): binds.append(number)
        case .uuid(let id): binds.append(id)
        case .date(let date): binds.append(date)
        case .bool(let flag): binds.append(flag)
        case .null: binds.appendNull()
        }
    }
}
