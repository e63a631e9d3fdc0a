import Foundation

/// Turns the cells of one CSV row into a checked contact, by a confirmed ``ColumnMapping``.
///
/// Rows are checked by the same rules as forms (``ContactInput/check(_:customFields:)``), so
/// each rejected row says which fields were wrong and why. A row shorter than the header is
/// read with blank cells; cells past the mapping are ignored.
///
/// Choice fields the import creates (``ColumnTarget/newCustom(key:label:type:options:)``) had
/// their options guessed from the first rows: a later value that is not yet an option is kept,
/// and ``GrowingOptions`` collects it so the field's options can be completed. Existing choice
/// fields refuse such values (`.notInList`).
public struct ImportRowMapper: Sendable {
    public let mapping: ColumnMapping
    /// The contact custom fields the rows are read with: those given, plus those the mapping
    /// creates that were not given yet.
    public let definitions: [CustomFieldDefinition]
    /// Keys of the choice and multi-choice fields this import creates.
    public let growingKeys: Set<String>

    /// `definitions`: the workspace's custom fields, with the ones created for this import.
    public init(mapping: ColumnMapping, definitions: [CustomFieldDefinition]) {
        self.mapping = mapping
        var known = definitions.filter { $0.entity == .contact }
        var growing: Set<String> = []
        for field in mapping.newFields {
            if !known.contains(where: { $0.key == field.key }) {
                known.append(CustomFieldDefinition(id: Self.placeholderID, entity: .contact, key: field.key, label: field.label,
                                                   type: field.type, options: field.options))
            }
            if field.type.hasOptions { growing.insert(field.key) }
        }
        self.definitions = known
        self.growingKeys = growing
    }

    /// The id of a field the mapping creates before the store has given it one.
    static let placeholderID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// The contact a row describes, or every reason it is refused.
    public func map(_ values: [String]) -> Result<ContactInput, ValidationFailure> {
        var fields: [String: String] = [:]
        for (index, target) in mapping.targets.enumerated() {
            guard let name = target.fieldName else { continue }
            fields[name] = index < values.count ? values[index] : ""
        }
        return ContactInput.check(fields, customFields: definitions, acceptingNewOptionsFor: growingKeys)
    }

    /// A row of blank cells (the empty last line many files end with): skipped, not rejected.
    public static func isBlank(_ values: [String]) -> Bool {
        values.allSatisfy { $0.trimmingBlanks.isEmpty }
    }

    /// Refuses a mapping that cannot be imported, every problem at once under the field
    /// `mapping`: two columns into one field (`.alreadyTaken`), a field or custom key that does not
    /// exist (`.notInList`), a new custom field that would not pass
    /// ``CustomFieldDefinition/check(key:label:type:options:entity:)`` or whose key an existing
    /// field of another type has (`.invalid`), nothing imported at all (`.required`).
    public func validate(mapping: ColumnMapping) throws(ValidationFailure) {
        let problems = columnProblems(in: mapping)
        var errors = problems.keys.sorted().compactMap { problems[$0] }.map { FieldError("mapping", $0) }
        if !mapping.targets.contains(where: { $0 != .ignore }) { errors.append(FieldError("mapping", .required)) }
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }

    /// What is wrong with each column of a mapping, by column index, to show next to it.
    public func columnProblems(in mapping: ColumnMapping) -> [Int: FieldError.Code] {
        var problems: [Int: FieldError.Code] = [:]
        var seen: Set<String> = []
        for (column, target) in mapping.targets.enumerated() {
            guard let name = target.fieldName else { continue }
            switch target {
            case .field(let field):
                if !ContactFields.builtIn.contains(field) { problems[column] = .notInList; continue }
            case .custom(let key):
                if !definitions.contains(where: { $0.key == key }) { problems[column] = .notInList; continue }
            case .newCustom(let key, let label, let type, let options):
                do {
                    _ = try CustomFieldDefinition.check(key: key, label: label, type: type.rawValue, options: options,
                                                        entity: CustomFieldEntity.contact.rawValue)
                } catch {
                    problems[column] = .invalid
                    continue
                }
                if let existing = definitions.first(where: { $0.key == key }), existing.type != type {
                    problems[column] = .invalid
                    continue
                }
            case .ignore:
                continue
            }
            if !seen.insert(name).inserted { problems[column] = .alreadyTaken }
        }
        return problems
    }
}
