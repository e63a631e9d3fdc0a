import FluentKit
import Foundation
import SmarketingCore
import SQLKit

/// The SQL of one list filter, shared by the contact and company lists: a condition on a
/// column of the record's table, or an indexed `EXISTS` on its custom field values.
enum FilterSQL {
    static func condition(_ filter: FieldFilter, column: String, numeric: Bool, identifier: Bool) throws -> SQLQueryString {
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
        let target = numeric || identifier || column.hasSuffix(".lifecycle_stage") ? column : "LOWER(\(column))"
        switch filter.operation {
        case .equals: return SQLQueryString("\(unsafeRaw: target) = ") + SQLQueryString("\(try bindValue(first))")
        case .notEquals:
            return SQLQueryString("(\(unsafeRaw: column) IS NULL OR \(unsafeRaw: target) <> ") + SQLQueryString("\(try bindValue(first)))")
        case .oneOf:
            let binds = try filter.values.map(bindValue)
            return SQLQueryString("\(unsafeRaw: target) IN (") + SQLQueryString("\(SQLList(binds)))")
        case .contains: return SQLQueryString("\(unsafeRaw: target) LIKE \(bind: "%" + escapeLike(first.lowercased()) + "%") ESCAPE '\\'")
        case .startsWith: return SQLQueryString("\(unsafeRaw: target) LIKE \(bind: escapeLike(first.lowercased()) + "%") ESCAPE '\\'")
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

    /// A filter on engagement decayed to `now`, through the scores' order keys: the stored
    /// engagement gives the sign, the key the magnitude (see
    /// ``CompiledLeadDefinition/engagementKey(value:asOf:)``). `score` names the contact_scores row.
    static func decayedEngagement(_ filter: FieldFilter, definition: CompiledLeadDefinition, now: Date, score: String) throws -> SQLQueryString {
        func number(_ text: String) throws -> Double {
            guard let value = Double(text.replacingOccurrences(of: ",", with: ".")), value.isFinite else { throw ValidationFailure("f", .invalid) }
            return value
        }
        let value = "\(score).engagement", key = "\(score).engagement_key"
        func sql(_ condition: DecayedEngagementCondition) -> SQLQueryString {
            switch condition {
            case .nonNegative: "\(unsafeRaw: value) >= 0"
            case .nonPositive: "\(unsafeRaw: value) <= 0"
            case .positiveWithKeyAtLeast(let bound): "(\(unsafeRaw: value) > 0 AND \(unsafeRaw: key) >= \(bind: bound))"
            case .nonNegativeOrKeyAtMost(let bound): "(\(unsafeRaw: value) >= 0 OR \(unsafeRaw: key) <= \(bind: bound))"
            case .nonPositiveOrKeyAtMost(let bound): "(\(unsafeRaw: value) <= 0 OR \(unsafeRaw: key) <= \(bind: bound))"
            case .negativeWithKeyAtLeast(let bound): "(\(unsafeRaw: value) < 0 AND \(unsafeRaw: key) >= \(bind: bound))"
            }
        }
        func atLeast(_ points: Double) -> SQLQueryString { sql(definition.engagement(atLeast: points, at: now)) }
        func atMost(_ points: Double) -> SQLQueryString { sql(definition.engagement(atMost: points, at: now)) }
        // Scores show one decimal: "equals 12.5" takes what shows as 12.5.
        func near(_ points: Double) -> SQLQueryString { "(" + atLeast(points - 0.05) + " AND " + atMost(points + 0.05) + ")" }
        let first = filter.values.first ?? ""
        switch filter.operation {
        case .atLeast: return atLeast(try number(first))
        case .atMost: return atMost(try number(first))
        case .between: return "(" + atLeast(try number(filter.values[0])) + " AND " + atMost(try number(filter.values[1])) + ")"
        case .equals: return near(try number(first))
        case .notEquals: return "NOT " + near(try number(first))
        case .oneOf:
            let each = try filter.values.map { near(try number($0)) }
            return "(" + each.dropFirst().reduce(each.first ?? "1 = 0") { $0 + " OR " + $1 } + ")"
        case .contains, .startsWith, .isSet, .isNotSet: throw ValidationFailure("f", .invalid)
        }
    }

    static func customCondition(_ filter: FieldFilter, field: CustomFieldDefinition, record: String) -> SQLQueryString {
        let exists: SQLQueryString = "EXISTS (SELECT 1 FROM custom_field_values v WHERE v.record_id = \(unsafeRaw: record) AND v.field_id = \(bind: field.id) AND "
        let first = filter.values.first ?? ""
        let numeric = field.type == .number
        func number(_ text: String) -> Double { Double(text.replacingOccurrences(of: ",", with: ".")) ?? 0 }
        switch filter.operation {
        case .isSet: return "EXISTS (SELECT 1 FROM custom_field_values v WHERE v.record_id = \(unsafeRaw: record) AND v.field_id = \(bind: field.id))"
        case .isNotSet: return "NOT EXISTS (SELECT 1 FROM custom_field_values v WHERE v.record_id = \(unsafeRaw: record) AND v.field_id = \(bind: field.id))"
        case .equals where numeric: return exists + "v.number_value = \(bind: number(first)))"
        case .equals: return exists + "LOWER(v.text_value) = \(bind: first.lowercased()))"
        case .notEquals: return "NOT " + exists + "LOWER(v.text_value) = \(bind: first.lowercased()))"
        case .oneOf: return exists + "LOWER(v.text_value) IN (" + SQLQueryString("\(SQLList(filter.values.map { SQLBind($0.lowercased()) })))")
        case .contains: return exists + "LOWER(v.text_value) LIKE \(bind: "%" + escapeLike(first.lowercased()) + "%") ESCAPE '\\')"
        case .startsWith: return exists + "LOWER(v.text_value) LIKE \(bind: escapeLike(first.lowercased()) + "%") ESCAPE '\\')"
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
