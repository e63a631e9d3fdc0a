/// A value of a custom field, typed by the field's definition (see ``CustomFieldDefinition``).
public enum CustomFieldValue: Sendable, Equatable, Hashable, Codable {
    case text(String)
    case number(Double)
    /// An ISO day, `YYYY-MM-DD`.
    case date(String)
    /// One of the field's options, spelled as the definition spells it.
    case choice(String)
    /// Some of the field's options, in the definition's order.
    case multiChoice([String])
    case boolean(Bool)

    /// What is stored and exported: numbers with `.` as decimal separator and no `.0` on
    /// integers, ISO dates, multi-choice joined by `"; "`, booleans `true`/`false`. Reading it back
    /// with ``CustomFieldDefinition/parse(_:)`` gives the same value.
    public var storageText: String {
        switch self {
        case .text(let text), .date(let text), .choice(let text): text
        case .number(let number): NumberText.format(number)
        case .multiChoice(let options): options.joined(separator: Self.multiChoiceSeparator)
        case .boolean(let flag): flag ? "true" : "false"
        }
    }

    public static let multiChoiceSeparator = "; "
}
