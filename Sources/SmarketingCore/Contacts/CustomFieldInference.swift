/// Guessing the type of a CSV column that no field takes yet, from a sample of its cells.
extension CustomFieldDefinition {
    /// At most this many distinct values make a column a choice.
    public static let inferredChoiceMaximum = 12

    /// The type a new field for this column should have, with options for a choice. Blank cells
    /// are ignored; then, in order:
    /// - every value a number (see ``NumberText``) and none with a leading zero like `007` or
    ///   `01310`, which are codes -> number;
    /// - every value a day (see ``CalendarDay``) -> date;
    /// - every value true/false/yes/no/sim/não (not `1`/`0`, more likely counts) -> boolean;
    /// - at most 12 distinct values (ignoring case), at least one of them repeated -> choice, with
    ///   the distinct values as options in the order first seen;
    /// - otherwise (and for a column with no values) -> text.
    public static func inferType(samples: [String]) -> (type: CustomFieldType, options: [String]) {
        let values = samples.map(\.trimmingBlanks).filter { !$0.isEmpty }
        guard !values.isEmpty else { return (.text, []) }
        if values.allSatisfy({ NumberText.parse($0) != nil && !hasLeadingZero($0) }) { return (.number, []) }
        if values.allSatisfy({ CalendarDay(parsing: $0) != nil }) { return (.date, []) }
        if values.allSatisfy(BooleanText.isWord) { return (.boolean, []) }
        var distinct: [String] = []
        var seen: Set<String> = []
        for value in values where seen.insert(value.lowercased()).inserted {
            distinct.append(value)
            if distinct.count > inferredChoiceMaximum { return (.text, []) }
        }
        if distinct.count < values.count, distinct.allSatisfy({ $0.count <= optionMaximumLength }) {
            return (.choice, distinct)
        }
        return (.text, [])
    }

    /// `007`, `-01`, `01310`: digits after a leading zero, as codes and postal codes have.
    static func hasLeadingZero(_ text: String) -> Bool {
        var digits = Substring(text)
        if let first = digits.first, first == "-" || first == "+" { digits = digits.dropFirst() }
        guard digits.first == "0", let second = digits.dropFirst().first else { return false }
        return second.isASCIIDigit
    }
}
