import FluentKit
import Foundation
import SmarketingCore
import SmarketingTestSupport
import SQLKit
import Testing
@testable import SmarketingStore

@Suite("Rows written in bulk, straight to each database's connection")
struct BulkRowsTests {
    private struct Checked: Decodable, Equatable {
        var id: UUID
        var name: String?
        var count: Int?
        var share: Double?
        var at: Date?
        var flag: Bool?
        var note: String?
    }

    private static let columns = ["id", "name", "count", "share", "at", "flag", "note"]

    private static func values(_ row: Checked) -> [BulkValue] {
        [.uuid(row.id), BulkValue(row.name), BulkValue(row.count), BulkValue(row.share), row.at.map(BulkValue.date) ?? .null,
         row.flag.map(BulkValue.bool) ?? .null, BulkValue(row.note)]
    }

    private static func stored(_ db: any Database) async throws -> [Checked] {
        let sql = try #require(db as? any SQLDatabase)
        return try await sql.raw("SELECT id, name, count, share, at, flag, note FROM bulk_check").all(decoding: Checked.self)
            .sorted { UUIDText.precedes($0.id, $1.id) }
    }

    private static func createTable(_ db: any Database) async throws {
        let sql = try #require(db as? any SQLDatabase)
        try await sql.raw("""
            CREATE TABLE bulk_check (id UUID PRIMARY KEY, name TEXT, count BIGINT, share DOUBLE PRECISION, at TIMESTAMPTZ, flag BOOLEAN, note TEXT)
            """).run()
    }

    @Test("every kind of value goes in and reads back as it was, a missing value as NULL; an upsert changes only the columns it updates")
    func valuesRoundTrip() async throws {
        try await TestDatabase.withStore { db in
            try await Self.createTable(db)
            let at = Date(timeIntervalSince1970: 1_780_000_000.25)
            var rows = [
                Checked(id: UUID(), name: "Ana", count: 3, share: 0.5, at: at, flag: true, note: "first"),
                Checked(id: UUID(), name: nil, count: nil, share: nil, at: nil, flag: nil, note: nil),
                Checked(id: UUID(), name: "Zé \"aspas\" ' ;", count: -7, share: 1e-9, at: at.addingTimeInterval(-86_400), flag: false, note: ""),
            ]
            try await BulkInsert.run(into: "bulk_check", columns: Self.columns, rows: rows.map(Self.values), on: db)
            #expect(try await Self.stored(db) == rows.sorted { UUIDText.precedes($0.id, $1.id) })

            var changed = rows
            changed[0].name = "ignored"
            changed[0].count = 4
            changed[0].note = nil
            changed[1].count = 1
            changed[1].note = "now"
            let extra = Checked(id: UUID(), name: "new", count: 0, share: 2, at: at, flag: true, note: "added")
            try await BulkInsert.upsert(into: "bulk_check", columns: Self.columns, rows: (changed[0...1] + [extra]).map(Self.values),
                                        key: ["id"], updating: ["count", "note"], on: db)
            rows[0].count = 4
            rows[0].note = nil
            rows[1].count = 1
            rows[1].note = "now"
            #expect(try await Self.stored(db) == (rows + [extra]).sorted { UUIDText.precedes($0.id, $1.id) })
        }
    }

    @Test("on PostgreSQL an insert that skips rows already there answers only the rows it inserted, over several statements; elsewhere it is not used")
    func skippedConflictsAnswerInsertedRows() async throws {
        try await TestDatabase.withStore { db in
            try await Self.createTable(db)
            let rows = (0..<5_000).map { Checked(id: UUID(), name: "row \($0)", count: $0, share: nil, at: nil, flag: nil, note: nil) }
            let first = try await PostgresRows.write(db, into: "bulk_check", columns: Self.columns, rows: rows[..<3_000].map(Self.values),
                                                     skippingConflicts: ["id"], returning: ["id"])
            guard TestDatabase.isPostgres else {
                #expect(first == nil)
                return
            }
            #expect(try Set(#require(first).map { try $0.decode(UUID.self) }) == Set(rows[..<3_000].map(\.id)))
            // 5,000 rows of 7 values take two statements; the first 3,000 are there already.
            let second = try #require(try await PostgresRows.write(db, into: "bulk_check", columns: Self.columns, rows: rows.map(Self.values),
                                                                   skippingConflicts: ["id"], returning: ["id", "count"]))
            let answered = try second.map { try $0.decode((UUID, Int).self) }
            #expect(Set(answered.map(\.0)) == Set(rows[3_000...].map(\.id)))
            #expect(answered.allSatisfy { id, count in rows[count].id == id })
            #expect(try await Self.stored(db).count == 5_000)
        }
    }

    @Test("on PostgreSQL a lookup binds its keys as one array, however many, and an empty set of keys reads nothing")
    func lookupBindsOneArray() async throws {
        try await TestDatabase.withStore { db in
            try await Self.createTable(db)
            let workspace = UUID()
            let rows = (0..<2_000).map { Checked(id: UUID(), name: "n\($0)", count: $0, share: nil, at: nil, flag: nil, note: workspace.uuidString) }
            try await BulkInsert.run(into: "bulk_check", columns: Self.columns, rows: rows.map(Self.values), on: db)
            // `$1` is the workspace in the product's lookups; here it is matched against the note.
            let sql = "SELECT id, count FROM bulk_check WHERE note = upper($1::text) AND name = ANY($2)"
            let wanted = Set(rows.filter { $0.count! % 3 == 0 }.map { $0.name! })
            guard TestDatabase.isPostgres else {
                #expect(try await PostgresRows.lookup(db, sql, workspaceID: workspace, keys: wanted) == nil)
                return
            }
            let found = try #require(try await PostgresRows.lookup(db, sql, workspaceID: workspace, keys: wanted))
            #expect(Set(try found.map { try $0.decode((UUID, Int).self).1 }) == Set(rows.map(\.count!).filter { $0 % 3 == 0 }))
            #expect(try await PostgresRows.lookup(db, sql, workspaceID: workspace, keys: Set<String>())?.isEmpty == true)
        }
    }
}
