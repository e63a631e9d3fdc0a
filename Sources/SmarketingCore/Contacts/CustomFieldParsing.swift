/// Reading a cell, a form field or an API value into a custom field's typed value.
extension CustomFieldDefinition {
    /// The longest text a text field keeps, in characters.
    public static let textMaximumLength = 1000

    /// Reads a raw value for this field; blank is `nil` (no value), a value that does not fit the
    /// type is refused with the reason a person can fix:
    /// - text: up to 1000 characters (`.tooLong`);
    /// - number: see ``NumberText`` (`.notANumber`);
    /// - date: see ``CalendarDay``, returned as `YYYY-MM-DD` (`.notADate`);
    /// - boolean: see ``BooleanText`` (`.notYesOrNo`);
    /// - choice: an option ignoring case and surrounding blanks, returned as defined (`.notInList`);
    /// - multi-choice: options separated by `;` or `|` (or `,` when there is neither and the
    ///   whole text is not an option), duplicates removed, in the definition's order (`.notInList`).
    public func parse(_ raw: String) -> Result<CustomFieldValue?, FieldError.Code> {
        parse(raw, acceptingNewOptions: false)
    }

    /// Like ``parse(_:)``, but for a choice field an import is creating from a sample of the file:
    /// a value that is not yet an option is kept as a new one (1...100 characters) instead of
    /// being refused, since the options were only guessed from the first rows.
    func parse(_ raw: String, acceptingNewOptions: Bool) -> Result<CustomFieldValue?, FieldError.Code> {
        let text = raw.trimmingBlanks
        if text.isEmpty { return .success(nil) }
        switch type {
        case .text:
            return text.count <= Self.textMaximumLength ? .success(.text(text)) : .failure(.tooLong(maximum: Self.textMaximumLength))
        case .number:
            guard let number = NumberText.parse(text) else { return .failure(.notANumber) }
            return .success(.number(number))
        case .date:
            guard let day = CalendarDay(parsing: text) else { return .failure(.notADate) }
            return .success(.date(day.iso))
        case .boolean:
            guard let flag = BooleanText.parse(text) else { return .failure(.notYesOrNo) }
            return .success(.boolean(flag))
        case .choice:
            if let option = option(matching: text) { return .success(.choice(option)) }
            guard acceptingNewOptions else { return .failure(.notInList) }
            guard text.count <= Self.optionMaximumLength else { return .failure(.tooLong(maximum: Self.optionMaximumLength)) }
            return .success(.choice(text))
        case .multiChoice:
            return parseMultiChoice(text, acceptingNewOptions: acceptingNewOptions)
        }
    }

    /// The option equal to `text` ignoring case and surrounding blanks, spelled as defined.
    public func option(matching text: String) -> String? {
        let wanted = text.trimmingBlanks.lowercased()
        return options.first { $0.trimmingBlanks.lowercased() == wanted }
    }

    private func parseMultiChoice(_ text: String, acceptingNewOptions: Bool) -> Result<CustomFieldValue?, FieldError.Code> {
        let pieces: [Substring]
        if text.contains(";") || text.contains("|") {
            pieces = text.split(whereSeparator: { $0 == ";" || $0 == "|" })
        } else if option(matching: text) != nil {
            pieces = [Substring(text)]
        } else {
            pieces = text.split(separator: ",")
        }
        let items = pieces.map { String($0).trimmingBlanks }.filter { !$0.isEmpty }
        if items.isEmpty { return .success(nil) }
        var chosen: Set<String> = []
        var added: [String] = []
        for item in items {
            if let option = option(matching: item) {
                chosen.insert(option)
            } else if acceptingNewOptions {
                guard item.count <= Self.optionMaximumLength else { return .failure(.tooLong(maximum: Self.optionMaximumLength)) }
                if !added.contains(where: { $0.lowercased() == item.lowercased() }) { added.append(item) }
            } else {
                return .failure(.notInList)
            }
        }
        return .success(.multiChoice(options.filter(chosen.contains) + added))
    }
}
