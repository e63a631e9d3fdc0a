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
    public var token: String { CursorText.encode([sort.rawValue, id.uuidString.lowercased()] + keys) }

    public init(sort: ContactSort, keys: [String], id: UUID) {
        self.sort = sort
        self.keys = keys
        self.id = id
    }

    public init?(token: String) {
        guard let parts = CursorText.decode(token), parts.count >= 3, let sort = ContactSort(rawValue: parts[0]), let id = UUID(uuidString: parts[1]) else { return nil }
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

/// The text form of a list cursor: its parts joined and base64url-encoded, so it travels in a
/// URL as one opaque value.
enum CursorText {
    static func encode(_ parts: [String]) -> String {
        Data(parts.joined(separator: "\u{1F}").utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ token: String) -> [String]? {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard token.count < 2000, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        return text.components(separatedBy: "\u{1F}")
    }
}

/// Reads contact lists with filters, search, sort and keyset pagination in one SQL statement,
/// so the thousandth page costs what the first does.
public struct ContactSearch: Sendable {
    let db: any Database
    public let workspaceID: UUID
    /// The moment engagement filters decay scores to (the request's time); without it they
    /// compare engagement as of each contact's last scored activity.
    public let now: Date?

    public init(_ db: any Database, workspaceID: UUID, now: Date? = nil) {
        self.db = db
        self.workspaceID = workspaceID
        self.now = now
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
        try await applyFilters(query, definitions: definitions, to: select)
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
        select.limit(limit + 1)
        var contacts: [Contact]
        if let rows = try await DirectRows.sqlite(db, select.query) {
            contacts = try SQLiteContactColumns.contacts(rows)
        } else {
            contacts = try await select.all().map { try RowDecoding.contact($0) }
        }
        let more = contacts.count > limit
        contacts = Array(contacts.prefix(limit))
        let custom = try await CustomFieldRepository(db, workspaceID: workspaceID).values(of: contacts.map(\.id), definitions: definitions)
        for index in contacts.indices { contacts[index].custom = custom[contacts[index].id] ?? [:] }
        let next = more ? contacts.last.map { ContactCursor.after($0, sort: query.sort) } : nil
        return Page(contacts: contacts, next: next)
    }

    /// How many contacts match (for the list header).
    public func count(_ query: ContactQuery, definitions: [CustomFieldDefinition]) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { return 0 }
        let select = sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(SQLAlias(SQLIdentifier("contacts"), as: SQLIdentifier("c")))
            .where(SQLColumn("workspace_id", table: "c"), .equal, SQLBind(workspaceID))
        try await applyFilters(query, definitions: definitions, to: select)
        return try await select.first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The ids of every contact that matches (for bulk actions on "all results").
    public func ids(_ query: ContactQuery, definitions: [CustomFieldDefinition], limit: Int) async throws -> [UUID] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let select = sql.select().column(SQLColumn("id", table: "c"))
            .from(SQLAlias(SQLIdentifier("contacts"), as: SQLIdentifier("c")))
            .where(SQLColumn("workspace_id", table: "c"), .equal, SQLBind(workspaceID))
        try await applyFilters(query, definitions: definitions, to: select)
        return try await select.limit(limit).all().map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// Which of these (normalised) emails already belong to a contact of the workspace.
    public func existingEmails(_ emails: Set<String>) async throws -> Set<String> {
        guard let sql = db as? any SQLDatabase else { return [] }
        var found = Set<String>()
        for chunk in Array(emails).chunked(1000) {
            let select = sql.select().column("email").from("contacts")
                .where("workspace_id", .equal, SQLBind(workspaceID))
                .where("email", .in, SQLGroupExpression(SQLList(chunk.map { SQLBind($0) })))
            for row in try await DirectRows.all(db, select) { found.insert(try row.decode(column: "email", as: String.self)) }
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

    /// Every word starts a word of the contact's names, email or company, through the engine's
    /// full-text index (see the `ContactSearchWords` migration). A search with no word at all
    /// (only punctuation) matches nobody.
    static func searchCondition(_ words: [String], dialect: String) -> SQLQueryString {
        guard !words.isEmpty else { return "1 = 0" }
        if dialect == "sqlite" {
            let match = words.map { "\"\($0)\"*" }.joined(separator: " AND ")
            return "c.rowid IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH \(bind: match))"
        }
        let match = words.map { "\($0):*" }.joined(separator: " & ")
        return "to_tsvector('simple', coalesce(c.search_text, '')) @@ to_tsquery('simple', \(bind: match))"
    }

    private static let columns: [String: String] = [
        "first_name": "first_name", "last_name": "last_name", "email": "email", "phone": "phone", "job_title": "job_title",
        "seniority": "seniority", "age": "age", "birth_date": "birth_date", "country": "country", "source": "source",
        "campaign": "campaign", "last_source": "last_source", "last_campaign": "last_campaign",
        "lifecycle_stage": "lifecycle_stage", "owner_id": "owner_id", "company_id": "company_id",
    ]

    private func applyFilters(_ query: ContactQuery, definitions: [CustomFieldDefinition], to select: SQLSelectBuilder) async throws {
        let decay: CompiledLeadDefinition? = if let _ = now, query.filters.contains(where: { $0.field == "engagement_score" }) {
            try await ScoreKeeper(db, workspaceID: workspaceID).activeDefinition()
        } else {
            nil
        }
        if let search = query.search { select.where(Self.searchCondition(SearchText.queryWords(search), dialect: select.database.dialect.name)) }
        for filter in query.filters {
            if let field = filter.customField(in: definitions) {
                select.where(FilterSQL.customCondition(filter, field: field, record: "c.id"))
            } else if FieldFilter.scoreFields.contains(filter.field) {
                let column = filter.field == "fit_score" ? "s.fit" : "s.engagement"
                let scored: SQLQueryString = "EXISTS (SELECT 1 FROM contact_scores s WHERE s.contact_id = c.id AND s.workspace_id = c.workspace_id"
                switch filter.operation {
                case .isSet: select.where(scored + ")")
                case .isNotSet: select.where("NOT " + scored + ")")
                default:
                    if filter.field == "engagement_score", let decay, let now {
                        select.where(scored + " AND " + (try FilterSQL.decayedEngagement(filter, definition: decay, now: now, score: "s")) + ")")
                    } else {
                        select.where(scored + " AND " + (try FilterSQL.condition(filter, column: column, numeric: true, identifier: false)) + ")")
                    }
                }
            } else if let column = Self.columns[filter.field] {
                select.where(try FilterSQL.condition(filter, column: "c.\(column)", numeric: filter.comparesNumbers(customFields: definitions),
                                           identifier: column.hasSuffix("_id")))
            } else {
                throw ValidationFailure("f", .invalid)
            }
        }
    }

}
