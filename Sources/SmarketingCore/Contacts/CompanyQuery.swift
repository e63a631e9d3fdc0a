import Foundation

/// What a company list shows: words looked up in name and domain, filters on any company field
/// (custom ones included), a sort. Like ``ContactQuery`` it lives in the URL
/// (`?q=acme&f=employee_count:between:50..500&sort=name`).
public struct CompanyQuery: Sendable, Equatable {
    public var search: String?
    public var filters: [FieldFilter]
    public var sort: CompanySort

    public init(search: String? = nil, filters: [FieldFilter] = [], sort: CompanySort = .newest) {
        self.search = search
        self.filters = filters
        self.sort = sort
    }

    public var isFiltered: Bool { search != nil || !filters.isEmpty }

    public static let searchMaximumLength = 200

    /// Reads the query from URL parameters; what cannot be read is reported by parameter name
    /// (`q`, `f`, `sort`) instead of being dropped.
    public static func parse(_ items: [(String, String)], customFields: [CustomFieldDefinition]) throws(ValidationFailure) -> CompanyQuery {
        var query = CompanyQuery()
        var checker = FieldChecker()
        for (name, raw) in items {
            switch name {
            case "q":
                let words = raw.trimmingBlanks
                if words.count > searchMaximumLength { checker.add("q", .tooLong(maximum: searchMaximumLength)) }
                else if !words.isEmpty { query.search = words }
            case "sort":
                if raw.isEmpty { continue }
                if let sort = CompanySort(rawValue: raw) { query.sort = sort } else { checker.add("sort", .notInList) }
            case "f":
                if raw.isEmpty { continue }
                if let filter = FieldFilter(token: raw), filter.isValid(customFields: customFields, entity: .company) {
                    query.filters.append(filter)
                } else {
                    checker.add("f", .invalid)
                }
            default:
                continue
            }
        }
        try checker.throwIfAny()
        return query
    }

    /// The URL parameters of this query, the inverse of ``parse(_:customFields:)``.
    public var items: [(String, String)] {
        var items: [(String, String)] = []
        if let search { items.append(("q", search)) }
        for filter in filters { items.append(("f", filter.token)) }
        if sort != .newest { items.append(("sort", sort.rawValue)) }
        return items
    }
}

/// The orders a company list can be read in; each has a keyset cursor.
public enum CompanySort: String, Sendable, CaseIterable, Codable {
    case newest
    case oldest
    case name
    case nameDescending = "name_desc"
}
