import FluentKit
import SQLKit

/// Plain (non-unique) indexes, which Fluent's schema builder cannot express; SQLKit's builder
/// writes the same statement for SQLite and PostgreSQL.
enum Index {
    static func create(_ name: String, on table: String, _ columns: [String], in database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        var builder = sql.create(index: name).on(table)
        for column in columns { builder = builder.column(column) }
        try await builder.run()
    }

    static func drop(_ name: String, in database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: name).run()
    }
}
