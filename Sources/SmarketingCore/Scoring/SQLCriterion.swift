import Foundation

/// Something sales must record before a rep may mark a lead sales-qualified (SQL): budget,
/// authority, need, timing, or whatever the teams agreed on.
///
/// `key` names the answer in forms and the API; `label` is what the rep reads; `type` and
/// `options` say what an answer looks like, as for a custom field.
public struct SQLCriterion: Sendable, Equatable, Hashable, Codable {
    public var key: String
    public var label: String
    public var type: CustomFieldType
    /// For choice and multi-choice criteria only.
    public var options: [String]
    /// A criterion that is not required is offered but may stay empty.
    public var required: Bool

    public init(key: String, label: String, type: CustomFieldType, options: [String] = [], required: Bool = true) {
        self.key = key
        self.label = label
        self.type = type
        self.options = options
        self.required = required
    }

    enum CodingKeys: String, CodingKey {
        case key, label, type, options, required
    }

    /// `options` (none) and `required` (true) may be left out of the JSON.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        label = try container.decode(String.self, forKey: .label)
        type = try container.decode(CustomFieldType.self, forKey: .type)
        options = try container.decodeIfPresent([String].self, forKey: .options) ?? []
        required = try container.decodeIfPresent(Bool.self, forKey: .required) ?? true
    }

    /// The criterion read as a custom field definition, to parse answers the same way.
    public var asFieldDefinition: CustomFieldDefinition {
        CustomFieldDefinition(id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), entity: .contact, key: key, label: label, type: type, options: options)
    }

    /// Checks a rep's answers (by criterion key) and returns them typed, or throws every missing
    /// or malformed answer at once, named by the criterion's key.
    public static func checkAnswers(_ answers: [String: String], criteria: [SQLCriterion]) throws(ValidationFailure) -> [String: CustomFieldValue] {
        var checker = FieldChecker()
        var typed: [String: CustomFieldValue] = [:]
        for criterion in criteria {
            switch criterion.asFieldDefinition.parse(answers[criterion.key] ?? "") {
            case .success(let value?): typed[criterion.key] = value
            case .success(nil): if criterion.required { checker.add(criterion.key, .required) }
            case .failure(let code): checker.add(criterion.key, code)
            }
        }
        try checker.throwIfAny()
        return typed
    }
}
