import Foundation

/// One test a routing rule makes on a contact: a field of the contact or of its company, named as
/// the fit rules name them (``ScoringFields``: `country`, `source`, `cf_territory`,
/// `company.employee_count`, `company.cf_segment`), and a ``FitCondition`` on its value. Text
/// comparisons ignore case, accents and extra blanks, as scoring does (``ScoringText``);
/// `range` compares numbers (company size at least 200: `range(min: 200, max: nil)`).
///
/// Stored as JSON with the condition flattened, like a fit rule:
/// `{"field": "country", "op": "one_of", "values": ["BR", "PT"]}`.
public struct RoutingCondition: Sendable, Equatable, Hashable {
    public var field: String
    public var condition: FitCondition

    public init(field: String, condition: FitCondition) {
        self.field = field
        self.condition = condition
    }

    /// Whether the contact's snapshot meets the condition; a field the contact lacks meets none.
    public func holds(for profile: ScoringProfile) -> Bool {
        CompiledTextMatch(condition).matches(profile[field.trimmingBlanks])
    }
}

/// An ordered routing rule: when every condition holds for a contact (a rule without conditions
/// holds for every contact), the contact goes to the rule's team, where round robin picks the rep.
/// Rules are tried by ``position``, lowest first, and the first that holds wins.
public struct RoutingRule: Sendable, Equatable, Identifiable {
    public var id: UUID
    /// Shown in the rule list and kept in each assignment it makes, as it read at the time.
    public var name: String
    /// 0 for the first rule tried.
    public var position: Int
    public var conditions: [RoutingCondition]
    public var teamID: UUID

    public init(id: UUID, name: String, position: Int, conditions: [RoutingCondition], teamID: UUID) {
        self.id = id
        self.name = name
        self.position = position
        self.conditions = conditions
        self.teamID = teamID
    }

    public func matches(_ profile: ScoringProfile) -> Bool {
        conditions.allSatisfy { $0.holds(for: profile) }
    }

    /// Characters of a rule's name.
    public static let nameMaximumLength = 80
    /// Conditions of one rule.
    public static let maximumConditions = 20
    /// Rules of one workspace.
    public static let maximumRules = 200
}

/// The workspace's rules in the order they are tried.
public enum RoutingRules {
    /// The rules sorted by position (then id, so equal positions still give one order).
    public static func ordered(_ rules: [RoutingRule]) -> [RoutingRule] {
        rules.sorted { ($0.position, $0.id.uuidString) < ($1.position, $1.id.uuidString) }
    }

    /// The first rule, in order, whose conditions all hold for the contact; nil when none does.
    public static func firstMatch(_ rules: [RoutingRule], for profile: ScoringProfile) -> RoutingRule? {
        ordered(rules).first { $0.matches(profile) }
    }
}

extension RoutingCondition: Codable {
    enum CodingKeys: String, CodingKey {
        case field, op, value, values, min, max
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        field = try container.decode(String.self, forKey: .field)
        let name = try container.decode(String.self, forKey: .op)
        switch name {
        case "equals": condition = .equals(try container.decode(String.self, forKey: .value))
        case "one_of": condition = .oneOf(try container.decode([String].self, forKey: .values))
        case "contains": condition = .contains(try container.decode([String].self, forKey: .values))
        case "range":
            condition = .range(min: try container.decodeIfPresent(Double.self, forKey: .min),
                               max: try container.decodeIfPresent(Double.self, forKey: .max))
        case "is_set": condition = .isSet
        default:
            throw DecodingError.dataCorruptedError(forKey: .op, in: container, debugDescription: "unknown operator \(name)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(field, forKey: .field)
        try container.encode(condition.operatorName, forKey: .op)
        switch condition {
        case .equals(let value): try container.encode(value, forKey: .value)
        case .oneOf(let values), .contains(let values): try container.encode(values, forKey: .values)
        case .range(let min, let max):
            try container.encodeIfPresent(min, forKey: .min)
            try container.encodeIfPresent(max, forKey: .max)
        case .isSet: break
        }
    }
}
