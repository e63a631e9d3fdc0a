import FluentKit
import FluentSQLiteDriver
import Foundation

/// Rows read straight from a SQLite connection for the bulk paths that read many thousands of
/// rows per batch. `SQLiteDatabase.query`, which Fluent and SQLKit use, hands every row to the
/// event loop as a task of its own; the connection's own query calls back on its thread, so a
/// batch of ten thousand events costs one hop instead of ten thousand.
enum DirectRows {
    /// A row whose columns are not what the query selected: never expected, so it stops the work.
    struct UnexpectedRow: Error, CustomStringConvertible {
        var table: String
        var row: String
        var description: String { "unexpected row in \(table): \(row)" }
    }

    /// The rows of `sql` with `binds`, or nil when `db` is not SQLite (the caller then reads
    /// through SQLKit).
    static func sqlite(_ db: any Database, _ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRow]? {
        guard let sqlite = db as? any SQLiteDatabase else { return nil }
        return try await sqlite.withConnection { connection in
            nonisolated(unsafe) var rows: [SQLiteRow] = []
            try await connection.query(sql, binds) { rows.append($0) }
            return rows
        }
    }

    /// `?, ?, …` for `count` values.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }
}

extension SQLiteData {
    /// A date column as Fluent stores it on SQLite (seconds since 1970, whole or not).
    var date: Date? {
        switch self {
        case .float(let seconds): Date(timeIntervalSince1970: seconds)
        case .integer(let seconds): Date(timeIntervalSince1970: Double(seconds))
        case .text(let text): Double(text).map(Date.init(timeIntervalSince1970:))
        case .blob, .null: nil
        }
    }
}
