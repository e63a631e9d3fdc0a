/// The options of the choice fields an import creates, completed as rows bring values the first
/// rows did not show (the bank data set's `month` has `dec` only after row 200).
///
/// The importer records each mapped row and, at the end of a batch or of the file, saves each
/// new field with ``grown(_:)``. A field that ends with more options than a choice may have
/// (``CustomFieldDefinition/maximumOptions``) becomes a text field: its values are stored as
/// text either way.
public struct GrowingOptions: Sendable, Equatable {
    /// Options by field key, the guessed ones first, then new ones in the order they came.
    public private(set) var options: [String: [String]]
    private var seen: [String: Set<String>]

    /// Starts from the options the mapping's new choice fields were given.
    public init(mapping: ColumnMapping) {
        var options: [String: [String]] = [:]
        for field in mapping.newFields where field.type.hasOptions {
            options[field.key] = field.options
        }
        self.options = options
        self.seen = options.mapValues { Set($0.map { $0.lowercased() }) }
    }

    /// Takes note of the choice values of a mapped row.
    public mutating func record(_ input: ContactInput) {
        for key in options.keys {
            switch input.custom[key] {
            case .choice(let value)?: add(value, to: key)
            case .multiChoice(let values)?: for value in values { add(value, to: key) }
            default: continue
            }
        }
    }

    /// The definition with the options recorded for it; unchanged when it is not a field this
    /// import creates.
    public func grown(_ definition: CustomFieldDefinition) -> CustomFieldDefinition {
        guard let options = options[definition.key], definition.type.hasOptions else { return definition }
        var grown = definition
        if options.count > CustomFieldDefinition.maximumOptions {
            grown.type = .text
            grown.options = []
        } else {
            grown.options = options
        }
        return grown
    }

    private mutating func add(_ value: String, to key: String) {
        if seen[key, default: []].insert(value.lowercased()).inserted {
            options[key, default: []].append(value)
        }
    }
}
