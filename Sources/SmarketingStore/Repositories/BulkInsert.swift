import FluentKit
import FluentSQLiteDriver
import Foundation
import SQLKit

/// Rows written many at a time with one multi-row `INSERT` per chunk, skipping the ORM's
/// per-model reflection: imports write hundreds of thousands of rows, and building each
/// statement through Fluent costs more than SQLite takes to store them. On SQLite the
/// statement goes straight to the driver with values in the form Fluent stores them (UUIDs
/// as text, dates as seconds since 1970); on PostgreSQL to the connection with typed binds
/// (``PostgresRows``).
protocol BulkInsertable {
    static var schema: String { get }
    /// The columns `bulkValues` fills, in the same order.
    static var bulkColumns: [String] { get }
    var bulkValues: [BulkValue] { get }
}

/// One value of a bulk insert, typed without a dynamic cast.
enum BulkValue: Sendable {
    case text(String), integer(Int), real(Double), uuid(UUID), date(Date), bool(Bool), null

    init(_ value: String?) { self = value.map(BulkValue.text) ?? .null }
    init(_ value: Int?) { self = value.map(BulkValue.integer) ?? .null }
    init(_ value: Double?) { self = value.map(BulkValue.real) ?? .null }
    init(_ value: UUID?) { self = value.map(BulkValue.uuid) ?? .null }
    init(_ value: Date) { self = .date(value) }

    var sqlite: SQLiteData {
        switch self {
        case .text(let text): .text(text)
        case .integer(let number): .integer(number)
        case .real(let number): .float(number)
        case .uuid(let id): .text(UUIDText.string(id))
        case .date(let date): .float(date.timeIntervalSince1970)
        case .bool(let flag): .integer(flag ? 1 : 0)
        case .null: .null
        }
    }

    /// The value for SQLKit. A NULL is a literal, not a bind: PostgreSQL refuses a text-typed
    /// NULL bind in a uuid or integer column, and an untyped NULL takes the column's type.
    var bind: any SQLExpression {
        switch self {
        case .text(let text): SQLBind(text)
        case .integer(let number): SQLBind(number)
        case .real(let number): SQLBind(number)
        case .uuid(let id): SQLBind(id)
        case .date(let date): SQLBind(date)
        case .bool(let flag): SQLBind(flag)
        case .null: SQLLiteral.null
        }
    }
}

extension Collection where Element: BulkInsertable {
    /// Inserts every row (see ``BulkInsert/run(into:columns:rows:on:)``).
    func insertAll(on db: any Database) async throws {
        try await BulkInsert.run(into: Element.schema, columns: Element.bulkColumns, rows: map(\.bulkValues), on: db)
    }
}

enum BulkInsert {
    /// Inserts rows of values (in `columns` order), in statements kept below the bound-value
    /// limits of SQLite (32,766) and PostgreSQL (65,535).
    static func run(into table: String, columns: [String], rows: [[BulkValue]], on db: any Database) async throws {
        try await write(into: table, columns: columns, rows: rows, conflict: nil, on: db)
    }

    /// Inserts rows, or where a row with the same `key` (the columns of a unique index) exists,
    /// sets its `updating` columns to the new row's values instead; other columns stay as
    /// they were.
    static func upsert(into table: String, columns: [String], rows: [[BulkValue]], key: [String], updating: [String],
                       on db: any Database) async throws {
        try await write(into: table, columns: columns, rows: rows, conflict: (key, updating), on: db)
    }

    /// ``run(into:columns:rows:on:)`` (an upsert when `conflict` is given) for a caller whose
    /// transaction a failure rolls back whole, which the ingest commit's are: on SQLite one
    /// statement prepared once and run a row at a time. A statement of many rows costs SQLite a
    /// parse of thousands of values and a statement journal (a copy of every page it changes, to
    /// undo the statement alone); a statement of one row needs neither.
    static func runInTransaction(into table: String, columns: [String], rows: [[BulkValue]], conflict: (key: [String], updating: [String])? = nil,
                                 on db: any Database) async throws {
        guard !rows.isEmpty else { return }
        if try await RawSQLite.with(db, { try $0.write(into: table, columns: columns, rows: rows, conflict: conflict) }) != nil { return }
        try await write(into: table, columns: columns, rows: rows, conflict: conflict, on: db)
    }

    /// The SQLite text of an insert of `rows` rows (an upsert when `conflict` is given; rows whose
    /// `skipping` key is there already left out).
    static func sqliteStatement(into table: String, columns: [String], rows: Int, conflict: (key: [String], updating: [String])?,
                                skipping: [String]? = nil) -> String {
        let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        return insertInto(table, columns) + Array(repeating: placeholders, count: rows).joined(separator: ",")
            + onConflict(conflict, skipping: skipping)
    }

    /// `INSERT INTO "table" ("a","b") VALUES `, the rows to follow.
    static func insertInto(_ table: String, _ columns: [String]) -> String {
        "INSERT INTO \"\(table)\" (" + quoted(columns) + ") VALUES "
    }

    /// What follows an insert's rows: ` ON CONFLICT (key) DO UPDATE SET "a" = excluded."a", …`
    /// for `conflict`, ` ON CONFLICT (key) DO NOTHING` for `skipping`, nothing for neither.
    static func onConflict(_ conflict: (key: [String], updating: [String])?, skipping: [String]?) -> String {
        if let conflict {
            return " ON CONFLICT (" + quoted(conflict.key) + ") DO UPDATE SET "
                + conflict.updating.map { "\"\($0)\" = excluded.\"\($0)\"" }.joined(separator: ",")
        }
        return skipping.map { " ON CONFLICT (" + quoted($0) + ") DO NOTHING" } ?? ""
    }

    /// Column names quoted and separated by commas.
    static func quoted(_ columns: [String]) -> String {
        columns.map { "\"\($0)\"" }.joined(separator: ",")
    }

    private static func write(into table: String, columns: [String], rows: [[BulkValue]], conflict: (key: [String], updating: [String])?,
                              on db: any Database) async throws {
        guard !rows.isEmpty else { return }
        if try await PostgresRows.write(db, into: table, columns: columns, rows: rows, conflict: conflict) != nil { return }
        guard let sqlite = db as? any SQLiteDatabase else { return }
        for chunk in rows.chunked(Swift.max(1, 30_000 / columns.count)) {
            let statement = sqliteStatement(into: table, columns: columns, rows: chunk.count, conflict: conflict)
            var binds: [SQLiteData] = []
            binds.reserveCapacity(chunk.count * columns.count)
            for row in chunk { for value in row { binds.append(value.sqlite) } }
            try await sqlite.query(statement, binds, logger: db.logger) { _ in }.get()
        }
    }
}

extension ContactRow: BulkInsertable {
    static let bulkColumns = [
        "id", "workspace_id", "first_name", "last_name", "email", "phone", "job_title", "seniority", "country", "source",
        "campaign", "last_source", "last_campaign", "birth_date", "age", "search_text", "company_id", "owner_id",
        "lifecycle_stage", "created_at", "updated_at",
    ]
    var bulkValues: [BulkValue] {
        [.init(id), .init(workspaceID), .init(firstName), .init(lastName), .init(email), .init(phone), .init(jobTitle),
         .init(seniority), .init(country), .init(source), .init(campaign), .init(lastSource), .init(lastCampaign),
         .init(birthDate), .init(age), .init(searchText), .init(companyID), .init(ownerID), .init(lifecycleStage),
         .init(createdAt), .init(updatedAt)]
    }
}

extension CompanyRow: BulkInsertable {
    static let bulkColumns = [
        "id", "workspace_id", "name", "domain", "employee_count", "industry", "revenue_band", "country", "search_text",
        "search_words", "created_at", "updated_at",
    ]
    var bulkValues: [BulkValue] {
        [.init(id), .init(workspaceID), .init(name), .init(domain), .init(employeeCount), .init(industry), .init(revenueBand),
         .init(country), .init(searchText), .init(searchWords), .init(createdAt), .init(updatedAt)]
    }
}

extension CustomFieldValueRow {
    static let bulkColumns = ["id", "workspace_id", "field_id", "record_id", "text_value", "number_value"]
}

extension RecordChangeRow {
    static let bulkColumns = ["id", "workspace_id", "record_type", "record_id", "kind", "actor_user_id", "actor_label", "via", "before", "after", "at"]
}

extension StageChangeRow {
    static let bulkColumns = ["id", "workspace_id", "contact_id", "from_stage", "to_stage", "actor_user_id", "actor_label", "via", "cause", "at"]
}

extension AuditEntryRow {
    static let bulkColumns = ["id", "workspace_id", "actor_user_id", "actor_label", "via", "action", "entity_type", "entity_id", "before", "after", "at"]
}
