import Foundation

/// The kinds of value a workspace's custom field holds. The raw values are stored and appear in
/// the API.
public enum CustomFieldType: String, Sendable, Codable, CaseIterable {
    case text
    case number
    case date
    case choice
    case multiChoice = "multi_choice"
    case boolean

    /// Choice and multi-choice fields have a list of options; the other types have none.
    public var hasOptions: Bool { self == .choice || self == .multiChoice }
}

/// The kind of record a custom field belongs to.
public enum CustomFieldEntity: String, Sendable, Codable, CaseIterable {
    case contact
    case company

    /// The names of the record's own fields, which a custom field key may not take.
    public var builtInFields: [String] {
        switch self {
        case .contact: ContactFields.builtIn
        case .company: CompanyFields.builtIn
        }
    }
}

/// A field a workspace adds to its contacts or companies ("segment", "plan", "nps"), typed so
/// that filters compare numbers as numbers and imports refuse a value that does not fit.
///
/// The `key` names the field in forms, the API and CSV files as `cf_<key>`; the `label` is what
/// people read. Options belong to choice and multi-choice fields only.
public struct CustomFieldDefinition: Sendable, Equatable, Codable, Identifiable {
    public var id: UUID
    public var entity: CustomFieldEntity
    public var key: String
    public var label: String
    public var type: CustomFieldType
    public var options: [String]

    public init(id: UUID, entity: CustomFieldEntity, key: String, label: String, type: CustomFieldType, options: [String] = []) {
        self.id = id
        self.entity = entity
        self.key = key
        self.label = label
        self.type = type
        self.options = options
    }

    public static let keyMaximumLength = 40
    public static let labelMaximumLength = 60
    public static let maximumOptions = 200
    public static let optionMaximumLength = 100
    /// The prefix that tells a custom field from a built-in one in forms, the API and CSV headers.
    public static let fieldNamePrefix = "cf_"

    /// The field's name in forms, the API and CSV headers: `cf_<key>`.
    public var fieldName: String { Self.fieldNamePrefix + key }

    /// Checks a submitted definition and returns it normalised, or throws every bad field at once
    /// (`key`, `label`, `type`, `options`, `entity`).
    ///
    /// - key: 1...40 characters, a lower-case letter then lower-case letters, digits or `_`, and
    ///   not the name of one of the entity's built-in fields (`.alreadyTaken`).
    /// - label: 1...60 characters after trimming.
    /// - options: for choice and multi-choice, 1...200 options (blank lines are dropped), each
    ///   1...100 characters, unique ignoring case (`.alreadyTaken`); a multi-choice option may not
    ///   hold `;` or `|`, which separate options in a cell (`.invalid`). Other types return none.
    public static func check(
        key: String?, label: String?, type: String?, options: [String], entity: String?
    ) throws(ValidationFailure) -> (key: String, label: String, type: CustomFieldType, options: [String], entity: CustomFieldEntity) {
        var checker = FieldChecker()
        let checkedEntity: CustomFieldEntity? = choose("entity", entity, into: &checker)
        let checkedType: CustomFieldType? = choose("type", type, into: &checker)
        var checkedKey: String?
        if let raw = checker.text("key", key, maximum: keyMaximumLength) {
            let reserved = checkedEntity?.builtInFields ?? CustomFieldEntity.allCases.flatMap(\.builtInFields)
            if !isWellFormedKey(raw) {
                checker.add("key", .invalid)
            } else if reserved.contains(raw) {
                checker.add("key", .alreadyTaken)
            } else {
                checkedKey = raw
            }
        }
        let checkedLabel = checker.text("label", label, maximum: labelMaximumLength)
        var checkedOptions: [String] = []
        if let checkedType, checkedType.hasOptions {
            checkedOptions = checkOptions(options, type: checkedType, into: &checker)
        }
        try checker.throwIfAny()
        guard let checkedKey, let checkedLabel, let checkedType, let checkedEntity else { throw ValidationFailure(checker.errors) }
        return (checkedKey, checkedLabel, checkedType, checkedOptions, checkedEntity)
    }

    /// `^[a-z][a-z0-9_]*$`.
    public static func isWellFormedKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// A key made from a CSV header: accents dropped, lower case, each run of other characters
    /// replaced by `_` (`emp.var.rate` -> `emp_var_rate`, `Dia da Semana` -> `dia_da_semana`),
    /// `f_` before a leading digit, at most 40 characters; `field` when nothing is left.
    /// It may still be a built-in name or a key already in use: see ``ColumnMapping``.
    public static func suggestedKey(fromHeader header: String) -> String {
        let folded = header.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil).lowercased()
        var key = ""
        var separated = false
        for scalar in folded.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                if separated, !key.isEmpty { key.append("_") }
                separated = false
                key.unicodeScalars.append(scalar)
            } else {
                separated = true
            }
        }
        if key.isEmpty { return "field" }
        if let first = key.unicodeScalars.first, ("0"..."9").contains(first) { key = "f_" + key }
        if key.count > keyMaximumLength {
            key = String(key.prefix(keyMaximumLength))
            while key.hasSuffix("_") { key.removeLast() }
        }
        return key
    }

    private static func choose<Value: RawRepresentable & CaseIterable>(
        _ field: String, _ raw: String?, into checker: inout FieldChecker
    ) -> Value? where Value.RawValue == String {
        let trimmed = (raw ?? "").trimmingBlanks.lowercased()
        if trimmed.isEmpty {
            checker.add(field, .required)
            return nil
        }
        guard let value = Value.allCases.first(where: { $0.rawValue == trimmed }) else {
            checker.add(field, .notInList)
            return nil
        }
        return value
    }

    private static func checkOptions(_ options: [String], type: CustomFieldType, into checker: inout FieldChecker) -> [String] {
        let trimmed = options.map(\.trimmingBlanks).filter { !$0.isEmpty }
        guard !trimmed.isEmpty else {
            checker.add("options", .required)
            return []
        }
        var codes: [FieldError.Code] = []
        if trimmed.count > maximumOptions { codes.append(.tooLong(maximum: maximumOptions)) }
        if trimmed.contains(where: { $0.count > optionMaximumLength }) { codes.append(.tooLong(maximum: optionMaximumLength)) }
        if Set(trimmed.map { $0.lowercased() }).count != trimmed.count { codes.append(.alreadyTaken) }
        if type == .multiChoice, trimmed.contains(where: { $0.contains(";") || $0.contains("|") }) { codes.append(.invalid) }
        for code in codes { checker.add("options", code) }
        return trimmed
    }
}
