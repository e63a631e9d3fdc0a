import FluentKit
import FluentSQLiteDriver
import Foundation
import SmarketingCore
import SQLKit

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

    /// The rows of a query built with SQLKit, run the same way; nil when `db` is not SQLite.
    static func sqlite(_ db: any Database, _ query: any SQLExpression) async throws -> [SQLiteRow]? {
        guard db is any SQLiteDatabase, let sql = db as? any SQLDatabase else { return nil }
        let (text, binds) = sql.serialize(query)
        let encoder = SQLiteDataEncoder()
        return try await sqlite(db, text, try binds.map { try encoder.encode($0) })
    }

    /// The rows of a SQLKit select on any engine: straight from the connection on SQLite (see
    /// above), through SQLKit elsewhere.
    static func all(_ db: any Database, _ select: SQLSelectBuilder) async throws -> [any SQLRow] {
        if let rows = try await sqlite(db, select.query) { return rows }
        return try await select.all()
    }

    /// `?, ?, …` for `count` values.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }
}

extension SQLRow {
    /// A UUID column; on SQLite parsed straight from its text (see ``UUIDText``).
    func uuid(_ column: String) throws -> UUID {
        if let row = self as? SQLiteRow, case .text(let text)? = row.column(column), let id = UUIDText.parse(text) { return id }
        return try decode(column: column, as: UUID.self)
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

/// Contacts decoded from SQLite rows by column position: the positions are looked up once per
/// query, and ids are parsed without the C library's `sscanf` that `UUID(uuidString:)` uses
/// here (it was the largest single cost of decoding a list page).
struct SQLiteContactColumns {
    /// The columns a contact is made of, in the order of ``positions``.
    private enum Field: Int, CaseIterable {
        case id, workspaceID, firstName, lastName, email, phone, jobTitle, seniority, country, source, campaign, lastSource, lastCampaign
        case birthDate, age, companyID, ownerID, stage, createdAt, updatedAt

        var column: String {
            switch self {
            case .id: "id"
            case .workspaceID: "workspace_id"
            case .firstName: "first_name"
            case .lastName: "last_name"
            case .email: "email"
            case .phone: "phone"
            case .jobTitle: "job_title"
            case .seniority: "seniority"
            case .country: "country"
            case .source: "source"
            case .campaign: "campaign"
            case .lastSource: "last_source"
            case .lastCampaign: "last_campaign"
            case .birthDate: "birth_date"
            case .age: "age"
            case .companyID: "company_id"
            case .ownerID: "owner_id"
            case .stage: "lifecycle_stage"
            case .createdAt: "created_at"
            case .updatedAt: "updated_at"
            }
        }
    }

    /// The position of each field's column in the query's rows (-1 when it did not select it).
    private let positions: [Int]

    init(_ first: SQLiteRow) {
        var byName: [String: Int] = [:]
        // `SELECT c.*` and a joined column of the same name: the contact's own comes first.
        for (index, column) in first.columns.enumerated() where byName[column.name] == nil { byName[column.name] = index }
        positions = Field.allCases.map { byName[$0.column] ?? -1 }
    }

    func contact(_ row: SQLiteRow) throws -> Contact {
        let columns = row.columns
        func data(_ field: Field) -> SQLiteData {
            let index = positions[field.rawValue]
            guard index >= 0, index < columns.count else { return .null }
            return columns[index].data
        }
        return try Self.contact(text: { field in
            switch data(field) {
            case .null: nil
            case let value: value.string
            }
        }, integer: { data($0).integer }, date: { data($0).date }, row: { row.description })
    }

    /// The columns of a contact for ``contact(_:)`` reading a raw statement, in ``Field`` order.
    static let rawColumns = Field.allCases.map { "\"\($0.column)\"" }.joined(separator: ", ")

    /// A contact from a raw statement's row that selected ``rawColumns``.
    static func contact(_ statement: RawSQLite.Statement) throws -> Contact {
        try contact(text: { statement.text(Int32($0.rawValue)) }, integer: { statement.integer(Int32($0.rawValue)) },
                    date: { statement.double(Int32($0.rawValue)).map(Date.init(timeIntervalSince1970:)) },
                    row: { "contact " + (statement.text(0) ?? "without id") })
    }

    /// A contact from its columns, read by field.
    private static func contact(text: (Field) -> String?, integer: (Field) -> Int?, date: (Field) -> Date?, row: () -> String) throws -> Contact {
        func uuid(_ field: Field) throws -> UUID? {
            guard let text = text(field) else { return nil }
            guard let id = UUIDText.parse(text) else { throw DirectRows.UnexpectedRow(table: ContactRow.schema, row: row()) }
            return id
        }
        guard let id = try uuid(.id), let workspaceID = try uuid(.workspaceID), let firstName = text(.firstName), let lastName = text(.lastName),
              let created = date(.createdAt), let updated = date(.updatedAt)
        else { throw DirectRows.UnexpectedRow(table: ContactRow.schema, row: row()) }
        return Contact(
            id: id, workspaceID: workspaceID, firstName: firstName, lastName: lastName, email: text(.email).map(EmailAddress.init(stored:)),
            phone: text(.phone), jobTitle: text(.jobTitle), seniority: text(.seniority), country: text(.country), source: text(.source),
            campaign: text(.campaign), lastSource: text(.lastSource), lastCampaign: text(.lastCampaign), birthDate: text(.birthDate),
            age: integer(.age), companyID: try uuid(.companyID), ownerID: try uuid(.ownerID),
            stage: text(.stage).flatMap(LifecycleStage.init(rawValue:)) ?? .lead, createdAt: created, updatedAt: updated
        )
    }

    /// Every row of a query as contacts.
    static func contacts(_ rows: [SQLiteRow]) throws -> [Contact] {
        guard let first = rows.first else { return [] }
        let columns = SQLiteContactColumns(first)
        return try rows.map { try columns.contact($0) }
    }
}

/// UUIDs in their 36-character text form (either case), parsed byte by byte.
public enum UUIDText {
    static func parse(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// The same from the text's bytes (a column as SQLite holds it).
    static func parse(_ bytes: UnsafeRawBufferPointer) -> UUID? {
        guard bytes.count == 36, bytes[8] == 0x2D, bytes[13] == 0x2D, bytes[18] == 0x2D, bytes[23] == 0x2D else { return nil }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &value) { out -> Bool in
            var index = 0, position = 0
            while index < 36 {
                if index == 8 || index == 13 || index == 18 || index == 23 { index += 1; continue }
                guard let high = nibble(bytes[index]), let low = nibble(bytes[index + 1]) else { return false }
                out[position] = high << 4 | low
                position += 1
                index += 2
            }
            return true
        }
        return parsed ? UUID(uuid: value) : nil
    }

    /// Lends the upper-case text form's bytes, written on the stack.
    static func withText<T>(_ id: UUID, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        var text: (UInt64, UInt64, UInt64, UInt64, UInt32) = (0, 0, 0, 0, 0)
        return try withUnsafeMutableBytes(of: &text) { buffer in
            write(id) { offset, byte in buffer[offset] = byte }
            return try body(UnsafeRawBufferPointer(buffer))
        }
    }

    /// The upper-case text form, as `uuidString` gives it, without the C library's `sprintf`
    /// that `uuidString` uses here (a measurable cost of every row a bulk write binds).
    public static func string(_ id: UUID) -> String {
        String(unsafeUninitializedCapacity: 36) { text in
            write(id) { offset, byte in text[offset] = byte }
            return 36
        }
    }

    /// Appends the upper-case text form to `bytes` (a JSON body being written, say).
    public static func append(_ id: UUID, to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 36))
        bytes.withUnsafeMutableBufferPointer { buffer in
            write(id) { offset, byte in buffer[start + offset] = byte }
        }
    }

    private static func write(_ id: UUID, _ put: (Int, UInt8) -> Void) {
        withUnsafeBytes(of: id.uuid) { bytes in
            var out = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    put(out, 0x2D)
                    out += 1
                }
                put(out, digit(byte >> 4))
                put(out + 1, digit(byte & 0x0F))
                out += 2
            }
        }
    }

    /// The order of the text forms, read from the bytes.
    static func precedes(_ first: UUID, _ second: UUID) -> Bool {
        withUnsafeBytes(of: first.uuid) { a in withUnsafeBytes(of: second.uuid) { b in a.lexicographicallyPrecedes(b) } }
    }

    private static func digit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : 0x41 + value - 10
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
