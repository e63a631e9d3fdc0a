import Foundation

/// What a contact list shows: a search, filters on any field, a sort. It lives in the URL
/// (`?q=ana&stage=mql&f=cf_segment:eq:retail&sort=name`), so a filtered list is a link to share.
public struct ContactQuery: Sendable, Equatable {
    /// Words looked up in name, email and company.
    public var search: String?
    public var filters: [FieldFilter]
    public var sort: ContactSort

    public init(search: String? = nil, filters: [FieldFilter] = [], sort: ContactSort = .newest) {
        self.search = search
        self.filters = filters
        self.sort = sort
    }

    public var isFiltered: Bool { search != nil || !filters.isEmpty }

    /// Reads the query from URL parameters; a filter that cannot be read is reported by name
    /// (`f`, `sort`) instead of being silently dropped.
    public static func parse(_ items: [(String, String)], customFields: [CustomFieldDefinition]) throws(ValidationFailure) -> ContactQuery {
        var query = ContactQuery()
        var checker = FieldChecker()
        let stages = items.filter { $0.0 == "stage" }.map(\.1).filter { !$0.isEmpty }
        if !stages.isEmpty { query.filters.append(FieldFilter(field: "lifecycle_stage", operation: .oneOf, values: stages)) }
        for (name, raw) in items {
            switch name {
            case "q":
                let words = raw.trimmingBlanks
                if words.count > 200 { checker.add("q", .tooLong(maximum: 200)) } else if !words.isEmpty { query.search = words }
            case "sort":
                if raw.isEmpty { continue }
                if let sort = ContactSort(rawValue: raw) { query.sort = sort } else { checker.add("sort", .notInList) }
            case "owner":
                if raw.isEmpty { continue }
                guard raw == "none" || UUID(uuidString: raw) != nil else {
                    checker.add("owner", .invalid)
                    continue
                }
                query.filters.append(raw == "none" ? FieldFilter(field: "owner_id", operation: .isNotSet, values: [])
                                                   : FieldFilter(field: "owner_id", operation: .equals, values: [raw]))
            case "f":
                if raw.isEmpty { continue }
                if let filter = FieldFilter(token: raw), filter.isValid(customFields: customFields) {
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

/// The orders a contact list can be read in; each has a keyset cursor.
public enum ContactSort: String, Sendable, CaseIterable, Codable {
    case newest
    case oldest
    case name
    case nameDescending = "name_desc"
    case recentlyUpdated = "updated"
}

/// One condition on a field: a built-in contact field, `owner_id`, or a custom field `cf_<key>`.
public struct FieldFilter: Sendable, Equatable, Hashable {
    public enum Operation: String, Sendable, CaseIterable, Codable {
        case equals = "eq"
        case notEquals = "ne"
        case oneOf = "in"
        case contains
        case startsWith = "starts"
        case isSet = "set"
        case isNotSet = "unset"
        case atLeast = "gte"
        case atMost = "lte"
        case between
    }

    public var field: String
    public var operation: Operation
    public var values: [String]

    public init(field: String, operation: Operation, values: [String]) {
        self.field = field
        self.operation = operation
        self.values = values
    }

    /// `field:op:value`, values of `in` separated by `|`, `between` as `low..high`.
    public var token: String {
        let value: String = switch operation {
        case .oneOf: values.joined(separator: "|")
        case .between: values.joined(separator: "..")
        case .isSet, .isNotSet: ""
        default: values.first ?? ""
        }
        return "\(field):\(operation.rawValue):\(value)"
    }

    public init?(token: String) {
        let parts = token.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, let operation = Operation(rawValue: parts[1]) else { return nil }
        let value = parts.count == 3 ? parts[2] : ""
        field = parts[0]
        self.operation = operation
        switch operation {
        case .oneOf: values = value.split(separator: "|").map { String($0).trimmingBlanks }.filter { !$0.isEmpty }
        case .between: values = value.components(separatedBy: "..").map(\.trimmingBlanks)
        case .isSet, .isNotSet: values = []
        default: values = [value.trimmingBlanks]
        }
    }

    /// Fields a filter may name besides custom ones.
    public static let filterableFields: Set<String> = [
        "first_name", "last_name", "email", "phone", "job_title", "seniority", "age", "birth_date", "country",
        "source", "campaign", "last_source", "last_campaign", "lifecycle_stage", "owner_id", "company_id",
        "fit_score", "engagement_score",
    ]

    /// Company fields a filter of the company list may name besides custom ones.
    public static let companyFilterableFields: Set<String> = ["name", "domain", "employee_count", "industry", "revenue_band", "country"]

    /// Scores under the active lead definition: fit points, and engagement points decayed to the
    /// moment of the query (what the list and the contact page show).
    public static let scoreFields: Set<String> = ["fit_score", "engagement_score"]

    static let numericFields: Set<String> = ["age", "employee_count", "fit_score", "engagement_score"]

    /// True when the field exists for `entity` and the operation has the values it needs.
    public func isValid(customFields: [CustomFieldDefinition], entity: CustomFieldEntity = .contact) -> Bool {
        let builtIn = entity == .contact ? Self.filterableFields : Self.companyFilterableFields
        let known = builtIn.contains(field) || customField(in: customFields, entity: entity) != nil
        guard known, values.allSatisfy({ $0.count <= 200 }) else { return false }
        if field.hasSuffix("_id"), !values.allSatisfy({ UUID(uuidString: $0) != nil }) { return false }
        if comparesNumbers(customFields: customFields, entity: entity), [.equals, .notEquals, .atLeast, .atMost, .between, .oneOf].contains(operation),
           !values.allSatisfy({ Double($0.replacingOccurrences(of: ",", with: ".")) != nil }) {
            return false
        }
        switch operation {
        case .isSet, .isNotSet: return true
        case .oneOf: return !values.isEmpty && values.count <= 50
        case .between: return values.count == 2 && values.allSatisfy { !$0.isEmpty }
        default: return values.count == 1 && !(values.first ?? "").isEmpty
        }
    }

    /// The custom field of `entity` this filter names, if any.
    public func customField(in definitions: [CustomFieldDefinition], entity: CustomFieldEntity = .contact) -> CustomFieldDefinition? {
        definitions.first { "cf_\($0.key)" == field && $0.entity == entity }
    }

    /// Whether values compare as numbers (range filters on numeric fields).
    public func comparesNumbers(customFields: [CustomFieldDefinition], entity: CustomFieldEntity = .contact) -> Bool {
        Self.numericFields.contains(field) || customField(in: customFields, entity: entity)?.type == .number
    }
}
