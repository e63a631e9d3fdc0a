/// A rule on who a contact is: when the contact's (or its company's) `field` meets `condition`,
/// the fit score gets `points` (negative for a bad fit: a competitor's domain, a student).
///
/// Examples: job title contains "Diretor" or "Director" +20; `company.employee_count` 50...500
/// +15; `age` 25...45 +5; `email_domain` one of the competitors' domains -100.
///
/// Stored as JSON with the condition flattened into the rule:
/// `{"id": "director", "field": "job_title", "op": "contains", "values": ["Diretor", "Director"], "points": 20}`.
public struct FitRule: Sendable, Equatable, Hashable {
    /// Names the rule in the ledger; unique among the definition's rules.
    public var id: String
    /// A ``ScoringFields`` name: `job_title`, `company.industry`, `cf_plan`, `company.cf_tier`.
    public var field: String
    public var condition: FitCondition
    /// Points added to the fit score while the rule holds.
    public var points: Int

    public init(id: String, field: String, condition: FitCondition, points: Int) {
        self.id = id
        self.field = field
        self.condition = condition
        self.points = points
    }
}

/// How a fit rule tests a field's value. Text comparisons ignore case, accents and extra blanks
/// (see ``ScoringText``).
public enum FitCondition: Sendable, Equatable, Hashable {
    /// The value is this text (or, for a multi-choice field, one of its options is).
    case equals(String)
    /// The value is one of these texts.
    case oneOf([String])
    /// The value contains at least one of these words or phrases.
    case contains([String])
    /// The value is a number within `min...max`, bounds included; a missing bound is open.
    case range(min: Double?, max: Double?)
    /// The field has a non-blank value.
    case isSet

    /// The operator's name in JSON: `equals`, `one_of`, `contains`, `range`, `is_set`.
    public var operatorName: String {
        switch self {
        case .equals: "equals"
        case .oneOf: "one_of"
        case .contains: "contains"
        case .range: "range"
        case .isSet: "is_set"
        }
    }
}

extension FitRule: Codable {
    enum CodingKeys: String, CodingKey {
        case id, field, op, value, values, min, max, points
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        field = try container.decode(String.self, forKey: .field)
        points = try container.decode(Int.self, forKey: .points)
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
        try container.encode(id, forKey: .id)
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
        try container.encode(points, forKey: .points)
    }
}
