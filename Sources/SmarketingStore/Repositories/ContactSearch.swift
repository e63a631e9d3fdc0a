import FluentKit
import FluentSQL
import Foundation
import SmarketingCore
import SQLKit

/// A position in a sorted contact list: the sort keys and id of the last contact shown.
public struct ContactCursor: Sendable, Equatable {
    public var sort: ContactSort
    public var keys: [String]
    public var id: UUID

    /// A compact, URL-safe text form.
    public var token: String {
        let text = ([sort.rawValue, id.uuidString.lowercased()] + keys).joined(separator: "\u{1F}")
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public init(sort: ContactSort, keys: [String], id: UUID) {
        self.sort = sort
        self.keys = keys
        self.id = id
    }

    public init?(token: String) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard token.count < 2000, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.components(separatedBy: "\u{1F}")
        guard parts.count >= 3, let sort = ContactSort(rawValue: parts[0]), let id = UUID(uuidString: parts[1]) else { return nil }
        self.sort = sort
        self.id = id
        self.keys = Array(parts.dropFirst(2))
        guard keys.count == Self.keyCount(sort) else { return nil }
        if [.newest, .oldest, .recentlyUpdated].contains(sort), Int64(keys[0]) == nil { return nil }
    }

    static func keyCount(_ sort: ContactSort) -> Int {
        switch sort {
        case .newest, .oldest, .recentlyUpdated: 1
        case .name, .nameDescending: 2
        }
    }

    static func after(_ contact: Contact, sort: ContactSort) -> ContactCursor {
        let millis = { (date: Date) in String(Int64((date.timeIntervalSince1970 * 1000).rounded())) }
        switch sort {
        case .newest, .oldest: return ContactCursor(sort: sort, keys: [millis(contact.createdAt)], id: contact.id)
        case .recentlyUpdated: return ContactCursor(sort: sort, keys: [millis(contact.updatedAt)], id: contact.id)
        case .name, .nameDescending: return ContactCursor(sort: sort, keys: [contact.lastName, contact.firstName], id: contact.id)
        }
    }
}

/// Reads contact lists with filters, search, sort and keyset pagination in one SQL statement,
/// so the thousandth page costs what the first does.
public struct ContactSearch: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    public struct Page: Sendable {
        public var contacts: [Contact]
        public var next: ContactCursor?
    }

    public func page(_ query: ContactQuery, limit: Int, after cursor: ContactCursor?, definitions: [CustomFieldDefinition]) async throws -> Page {
        guard let sql = db as? any SQLDatabase else { return Page(contacts: [], next: nil) }
        let select = sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("c")))
            .from(SQLAlias(SQLIdentifier("contacts"), as: SQLIdentifier("c")))
            .where(SQLColumn("workspace_id", table: "c"), .equal, SQLBind(workspaceID))
        try applyFilters(query, definitions: definitions, to: select)
        if let cursor, cursor.sort == query.sort { applyCursor(cursor, to: select) }
        switch query.sort {
        case .newest: select.orderBy("created_at", .descending).orderBy("id", .descending)
        case .oldest: select.orderBy("created_at", .ascending).orderBy("id", .ascending)
        case .recentlyUpdated: select.orderBy("updated_at", .descending).orderBy("id", .descending)
        case .name:
            select.orderBy("last_name", .ascending).orderBy("first_name", .ascending)
                .orderBy("id", .ascending)
        case .nameDescending:
            select.orderBy("last_name", .descending).orderBy("first_name", .descending)
                .orderBy("id", .descending)
        }
        let rows = try await select.limit(limit + 1).all()
        var contacts = try rows.prefix(limit).map { try $0.decode(fluentModel: ContactRow.self).value }
        let custom = try await CustomFieldRepository(db, workspaceID: workspaceID).values(of: contacts.map(\.id), definitions: definitions)
        for index in contacts.indices { contacts[index].custom = custom[contacts[index].id] ?? [:] }
        let next = rows.count > limit ? contacts.last.map { ContactCursor.after($0, sort: query.sort) } : nil
        return Page(contacts: contacts, next: next)
    }

    /// How many contacts match (for the list header).
    public func count(_ query: ContactQuery, definitions: [CustomFieldDefinition]) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { return 0 }
        let select = sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(SQLAlias(SQLIdentifier("contacts"), as: SQLIdentifier("c")))
            .where(SQLColumn("workspace_id", table: "c"), .equal, SQLBind(workspaceID))
        try applyFilters(query, definitions: definitions, to: select)
        return try await select.first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The ids of every contact that matches (for bulk actions on "all results").
    public func ids(_ query: ContactQuery, definitions: [CustomFieldDefinition], limit: Int) async throws -> [UUID] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let select = sql.select().column(SQLColumn("id", table: "c"))
            .from(SQLAlias(SQLIdentifier("contacts"), as: SQLIdentifier("c")))
            .where(SQLColumn("workspace_id", table: "c"), .equal, SQLBind(workspaceID))
        try applyFilters(query, definitions: definitions, to: select)
        return try await select.limit(limit).all().map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// Which of these (normalised) emails already belong to a contact of the workspace.
    public func existingEmails(_ emails: Set<String>) async throws -> Set<String> {
        guard let sql = db as? any SQLDatabase else { return [] }
        var found = Set<String>()
        for chunk in Array(emails).chunked(1000) {
            let rows = try await sql.select().column("email").from("contacts")
                .where("workspace_id", .equal, SQLBind(workspaceID))
                .where("email", .in, SQLGroupExpression(SQLList(chunk.map { SQLBind($0) })))
                .all()
            for row in rows { found.insert(try row.decode(column: "email", as: String.self)) }
        }
        return found
    }

    private func applyCursor(_ cursor: ContactCursor, to select: SQLSelectBuilder) {
        let id = SQLBind(cursor.id)
        switch cursor.sort {
        case .newest, .oldest, .recentlyUpdated:
            let date = Date(timeIntervalSince1970: Double(Int64(cursor.keys[0]) ?? 0) / 1000)
            let column = cursor.sort == .recentlyUpdated ? "updated_at" : "created_at"
            let direction = cursor.sort == .oldest ? ">" : "<"
            select.where(SQLQueryString("(c.\(unsafeRaw: column), c.id) \(unsafeRaw: direction) (\(bind: date), ") + SQLQueryString("\(id))"))
        case .name, .nameDescending:
            let direction = cursor.sort == .name ? ">" : "<"
            select.where(SQLQueryString("(c.last_name, c.first_name, c.id) \(unsafeRaw: direction) (\(bind: cursor.keys[0]), \(bind: cursor.keys[1]), ") + SQLQueryString("\(id))"))
        }
    }

    private static let columns: [String: String] = [
        "first_name": "first_name", "last_name": "last_name", "email": "email", "phone": "phone", "job_title": "job_title",
        "seniority": "seniority", "age": "age", "birth_date": "birth_date", "country": "country", "source": "source",
        "campaign": "campaign", "last_source": "last_source", "last_campaign": "last_campaign",
        "lifecycle_stage": "lifecycle_stage", "owner_id": "owner_id", "company_id": "company_id",
    ]

    private func applyFilters(_ query: ContactQuery, definitions: [CustomFieldDefinition], to select: SQLSelectBuilder) throws {
        if let search = query.search {
            for word in search.lowercased().split(whereSeparator: { $0.isWhitespace }).prefix(8) {
                select.where(SQLQueryString("c.search_text LIKE \(bind: "%" + Self.escapeLike(String(word)) + "%") ESCAPE '\\'"))
            }
        }
        for filter in query.filters {
            if let field = filter.customField(in: definitions) {
                select.where(customCondition(filter, field: field))
            } else if let column = Self.columns[filter.field] {
                select.where(try condition(filter, column: "c.\(column)", numeric: filter.comparesNumbers(customFields: definitions),
                                           identifier: column.hasSuffix("_id")))
            } else {
                throw ValidationFailure("f", .invalid)
            }
        }
    }

    private func condition(_ filter: FieldFilter, column: String, numeric: Bool, identifier: Bool) throws -> SQLQueryString {
        let first = filter.values.first ?? ""
        func bindValue(_ text: String) throws -> any SQLExpression {
            if identifier {
                guard let id = UUID(uuidString: text) else { throw ValidationFailure("f", .invalid) }
                return SQLBind(id)
            }
            if numeric {
                guard let number = Double(text.replacingOccurrences(of: ",", with: ".")) else { throw ValidationFailure("f", .invalid) }
                return SQLBind(number)
            }
            return SQLBind(text.lowercased())
        }
        let target = numeric || identifier || column == "c.lifecycle_stage" ? column : "LOWER(\(column))"
        switch filter.operation {
        case .equals: return SQLQueryString("\(unsafeRaw: target) = ") + SQLQueryString("\(try bindValue(first))")
        case .notEquals:
            return SQLQueryString("(\(unsafeRaw: column) IS NULL OR \(unsafeRaw: target) <> ") + SQLQueryString("\(try bindValue(first)))")
        case .oneOf:
            let binds = try filter.values.map(bindValue)
            return SQLQueryString("\(unsafeRaw: target) IN (") + SQLQueryString("\(SQLList(binds)))")
        case .contains: return SQLQueryString("\(unsafeRaw: target) LIKE \(bind: "%" + Self.escapeLike(first.lowercased()) + "%") ESCAPE '\\'")
        case .startsWith: return SQLQueryString("\(unsafeRaw: target) LIKE \(bind: Self.escapeLike(first.lowercased()) + "%") ESCAPE '\\'")
        case .isSet: return numeric || identifier ? SQLQueryString("\(unsafeRaw: column) IS NOT NULL")
                                                  : SQLQueryString("(\(unsafeRaw: column) IS NOT NULL AND \(unsafeRaw: column) <> '')")
        case .isNotSet: return numeric || identifier ? SQLQueryString("\(unsafeRaw: column) IS NULL")
                                                     : SQLQueryString("(\(unsafeRaw: column) IS NULL OR \(unsafeRaw: column) = '')")
        case .atLeast: return SQLQueryString("\(unsafeRaw: target) >= ") + SQLQueryString("\(try bindValue(first))")
        case .atMost: return SQLQueryString("\(unsafeRaw: target) <= ") + SQLQueryString("\(try bindValue(first))")
        case .between:
            return SQLQueryString("\(unsafeRaw: target) BETWEEN ") + SQLQueryString("\(try bindValue(filter.values[0])) AND \(try bindValue(filter.values[1]))")
        }
    }

    private func customCondition(_ filter: FieldFilter, field: CustomFieldDefinition) -> SQLQueryString {
        let exists: SQLQueryString = "EXISTS (SELECT 1 FROM custom_field_values v WHERE v.record_id = c.id AND v.field_id = \(bind: field.id) AND "
        let first = filter.values.first ?? ""
        let numeric = field.type == .number
        func number(_ text: String) -> Double { Double(text.replacingOccurrences(of: ",", with: ".")) ?? 0 }
        switch filter.operation {
        case .isSet: return "EXISTS (SELECT 1 FROM custom_field_values v WHERE v.record_id = c.id AND v.field_id = \(bind: field.id))"
        case .isNotSet: return "NOT EXISTS (SELECT 1 FROM custom_field_values v WHERE v.record_id = c.id AND v.field_id = \(bind: field.id))"
        case .equals where numeric: return exists + "v.number_value = \(bind: number(first)))"
        case .equals: return exists + "LOWER(v.text_value) = \(bind: first.lowercased()))"
        case .notEquals: return "NOT " + exists + "LOWER(v.text_value) = \(bind: first.lowercased()))"
        case .oneOf: return exists + "LOWER(v.text_value) IN (" + SQLQueryString("\(SQLList(filter.values.map { SQLBind($0.lowercased()) })))")
        case .contains: return exists + "LOWER(v.text_value) LIKE \(bind: "%" + Self.escapeLike(first.lowercased()) + "%") ESCAPE '\\')"
        case .startsWith: return exists + "LOWER(v.text_value) LIKE \(bind: Self.escapeLike(first.lowercased()) + "%") ESCAPE '\\')"
        case .atLeast: return exists + (numeric ? "v.number_value >= \(bind: number(first)))" : "v.text_value >= \(bind: first))")
        case .atMost: return exists + (numeric ? "v.number_value <= \(bind: number(first)))" : "v.text_value <= \(bind: first))")
        case .between:
            return exists + (numeric ? "v.number_value BETWEEN \(bind: number(filter.values[0])) AND \(bind: number(filter.values[1])))"
                                     : "v.text_value BETWEEN \(bind: filter.values[0]) AND \(bind: filter.values[1]))")
        }
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
