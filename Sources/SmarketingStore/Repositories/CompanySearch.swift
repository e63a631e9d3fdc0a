import FluentKit
import FluentSQL
import Foundation
import SmarketingCore
import SQLKit

/// A position in a sorted company list: the sort key and id of the last company shown.
public struct CompanyCursor: Sendable, Equatable {
    public var sort: CompanySort
    /// Milliseconds since 1970 for the date sorts, the name for the name sorts.
    public var key: String
    public var id: UUID

    public init(sort: CompanySort, key: String, id: UUID) {
        self.sort = sort
        self.key = key
        self.id = id
    }

    /// A compact, URL-safe text form.
    public var token: String { CursorText.encode([sort.rawValue, id.uuidString.lowercased(), key]) }

    public init?(token: String) {
        guard let parts = CursorText.decode(token), parts.count == 3, let sort = CompanySort(rawValue: parts[0]),
              let id = UUID(uuidString: parts[1])
        else { return nil }
        if [.newest, .oldest].contains(sort), Int64(parts[2]) == nil { return nil }
        self.init(sort: sort, key: parts[2], id: id)
    }

    static func after(_ company: Company, sort: CompanySort) -> CompanyCursor {
        switch sort {
        case .newest, .oldest: CompanyCursor(sort: sort, key: String(Int64((company.createdAt.timeIntervalSince1970 * 1000).rounded())), id: company.id)
        case .name, .nameDescending: CompanyCursor(sort: sort, key: company.name, id: company.id)
        }
    }
}

/// Reads company lists with search (name and domain), filters on any company field, sort and
/// keyset pagination in one SQL statement, as ``ContactSearch`` does for contacts.
public struct CompanySearch: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    public struct Page: Sendable {
        public var companies: [Company]
        public var next: CompanyCursor?
    }

    public func page(_ query: CompanyQuery, limit: Int, after cursor: CompanyCursor?, definitions: [CustomFieldDefinition]) async throws -> Page {
        guard let sql = db as? any SQLDatabase else { return Page(companies: [], next: nil) }
        let select = base(sql, columns: SQLColumn(SQLLiteral.all, table: SQLIdentifier("co")))
        try applyFilters(query, definitions: definitions, to: select)
        if let cursor, cursor.sort == query.sort { applyCursor(cursor, to: select) }
        switch query.sort {
        case .newest: select.orderBy("created_at", .descending).orderBy("id", .descending)
        case .oldest: select.orderBy("created_at", .ascending).orderBy("id", .ascending)
        case .name: select.orderBy("name", .ascending).orderBy("id", .ascending)
        case .nameDescending: select.orderBy("name", .descending).orderBy("id", .descending)
        }
        let rows = try await select.limit(limit + 1).all()
        var companies = try rows.prefix(limit).map { try RowDecoding.company($0) }
        let custom = try await CustomFieldRepository(db, workspaceID: workspaceID).values(of: companies.map(\.id), definitions: definitions)
        for index in companies.indices { companies[index].custom = custom[companies[index].id] ?? [:] }
        let next = rows.count > limit ? companies.last.map { CompanyCursor.after($0, sort: query.sort) } : nil
        return Page(companies: companies, next: next)
    }

    /// How many companies match (for the list header).
    public func count(_ query: CompanyQuery, definitions: [CustomFieldDefinition]) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { return 0 }
        let select = base(sql, columns: SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
        try applyFilters(query, definitions: definitions, to: select)
        return try await select.first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The ids of every company that matches (for bulk actions on "all results").
    public func ids(_ query: CompanyQuery, definitions: [CustomFieldDefinition], limit: Int) async throws -> [UUID] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let select = base(sql, columns: SQLColumn("id", table: "co"))
        try applyFilters(query, definitions: definitions, to: select)
        return try await select.limit(limit).all().map { try $0.decode(column: "id", as: UUID.self) }
    }

    private func base(_ sql: any SQLDatabase, columns: any SQLExpression) -> SQLSelectBuilder {
        sql.select().column(columns)
            .from(SQLAlias(SQLIdentifier(CompanyRow.schema), as: SQLIdentifier("co")))
            .where(SQLColumn("workspace_id", table: "co"), .equal, SQLBind(workspaceID))
    }

    private func applyCursor(_ cursor: CompanyCursor, to select: SQLSelectBuilder) {
        let id = SQLBind(cursor.id)
        switch cursor.sort {
        case .newest, .oldest:
            let date = Date(timeIntervalSince1970: Double(Int64(cursor.key) ?? 0) / 1000)
            let direction = cursor.sort == .oldest ? ">" : "<"
            select.where(SQLQueryString("(co.created_at, co.id) \(unsafeRaw: direction) (\(bind: date), ") + SQLQueryString("\(id))"))
        case .name, .nameDescending:
            let direction = cursor.sort == .name ? ">" : "<"
            select.where(SQLQueryString("(co.name, co.id) \(unsafeRaw: direction) (\(bind: cursor.key), ") + SQLQueryString("\(id))"))
        }
    }

    private func applyFilters(_ query: CompanyQuery, definitions: [CustomFieldDefinition], to select: SQLSelectBuilder) throws {
        if let search = query.search {
            // Each word starts a word of the name or domain, as in the contact search.
            let words = SearchText.queryWords(search)
            if words.isEmpty { select.where(SQLQueryString("1 = 0")) }
            for word in words {
                select.where(SQLQueryString("(' ' || co.search_words) LIKE \(bind: "% " + FilterSQL.escapeLike(word) + "%") ESCAPE '\\'"))
            }
        }
        for filter in query.filters {
            if let field = filter.customField(in: definitions, entity: .company) {
                select.where(FilterSQL.customCondition(filter, field: field, record: "co.id"))
            } else if FieldFilter.companyFilterableFields.contains(filter.field) {
                select.where(try FilterSQL.condition(filter, column: "co.\(filter.field)",
                                                     numeric: filter.comparesNumbers(customFields: definitions, entity: .company), identifier: false))
            } else {
                throw ValidationFailure("f", .invalid)
            }
        }
    }
}
