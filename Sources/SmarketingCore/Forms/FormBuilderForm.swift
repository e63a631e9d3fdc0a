/// The form builder as its page writes it, one input per value, named like the problems
/// ``FormDefinition/check(_:availableFields:)`` reports, so each problem lands next to its input:
///
/// - `name`, `submit_label`, `after_submit` (`message` or `redirect`), `thank_you_message`,
///   `redirect_url`;
/// - per offered field: `fields.<key>.include` and `fields.<key>.required` (ticked: any value),
///   `fields.<key>.label`, `fields.<key>.position` (a whole number; fields are asked in that
///   order, blank ones after the numbered ones in the order offered);
/// - per consent row: `consents[i].key` (hidden; blank for a new row, which gets the next free
///   `consent_<n>`), `consents[i].label`, `consents[i].required`. A row with a blank label is a
///   spare row and is skipped.
public enum FormBuilderForm {
    /// Reads the submitted inputs into a definition (not yet checked) and the inputs that could
    /// not be read (a position that is not a whole number, an `after_submit` that is neither).
    public static func read(_ pairs: [(String, String)], availableFields: [String]) -> (FormDefinition, [FieldError]) {
        var values: [String: String] = [:]
        for (name, value) in pairs where values[name] == nil { values[name] = value }
        func text(_ name: String) -> String { values[name] ?? "" }
        func ticked(_ name: String) -> Bool { !(values[name] ?? "").trimmingBlanks.isEmpty }
        var errors: [FieldError] = []

        var chosen: [(position: Int?, order: Int, field: FormField)] = []
        for (order, key) in availableFields.enumerated() where ticked("fields.\(key).include") {
            var position: Int?
            let raw = text("fields.\(key).position").trimmingBlanks
            if !raw.isEmpty {
                if let number = Int(raw), (0...10_000).contains(number) { position = number } else {
                    errors.append(FieldError("fields.\(key).position", .notANumber))
                }
            }
            chosen.append((position, order, FormField(key: key, label: text("fields.\(key).label"), required: ticked("fields.\(key).required"))))
        }
        chosen.sort { lhs, rhs in
            switch (lhs.position, rhs.position) {
            case let (left?, right?) where left != right: left < right
            case (.some, nil): true
            case (nil, .some): false
            default: lhs.order < rhs.order
            }
        }

        var rows: [(key: String, label: String, required: Bool)] = []
        for index in indices(of: "consents", in: values.keys) {
            let path = "consents[\(index)]"
            let label = text(path + ".label")
            guard !label.trimmingBlanks.isEmpty else { continue }
            rows.append((text(path + ".key").trimmingBlanks, label, ticked(path + ".required")))
        }
        var used = Set(rows.map(\.key).filter(FormConsent.isWellFormedKey))
        var next = (used.compactMap { Int($0.dropFirst(FormConsent.keyPrefix.count)) }.max() ?? 0) + 1
        let consents = rows.map { row -> FormConsent in
            var key = row.key
            if key.isEmpty {
                while used.contains(FormConsent.keyPrefix + String(next)) { next += 1 }
                key = FormConsent.keyPrefix + String(next)
                used.insert(key)
            }
            return FormConsent(key: key, label: row.label, required: row.required)
        }

        let afterSubmit: FormAfterSubmit
        switch text("after_submit").trimmingBlanks {
        case "redirect": afterSubmit = .redirect(text("redirect_url"))
        case "message", "": afterSubmit = .message(text("thank_you_message"))
        default:
            errors.append(FieldError("after_submit", .notInList))
            afterSubmit = .message(text("thank_you_message"))
        }
        let definition = FormDefinition(name: text("name"), fields: chosen.map(\.field), consents: consents,
                                        submitLabel: text("submit_label"), afterSubmit: afterSubmit)
        return (definition, errors)
    }

    /// Reads and checks: the definition ready to save, or every problem of the inputs and of the
    /// check at once.
    public static func parse(_ pairs: [(String, String)], availableFields: [String]) -> Result<FormDefinition, ValidationFailure> {
        let (definition, readErrors) = read(pairs, availableFields: availableFields)
        switch FormDefinition.check(definition, availableFields: availableFields) {
        case .success(let checked):
            return readErrors.isEmpty ? .success(checked) : .failure(ValidationFailure(readErrors))
        case .failure(let failure):
            return .failure(ValidationFailure(readErrors + failure.errors))
        }
    }

    /// The builder's inputs for a definition, to fill the page: every field the definition asks,
    /// ticked and numbered in its order from 1, and one row per consent.
    public static func fields(of definition: FormDefinition) -> [String: String] {
        var values: [String: String] = [
            "name": definition.name, "submit_label": definition.submitLabel, "after_submit": definition.afterSubmit.kind,
        ]
        switch definition.afterSubmit {
        case .message(let message): values["thank_you_message"] = message
        case .redirect(let url): values["redirect_url"] = url
        }
        for (index, field) in definition.fields.enumerated() {
            values["fields.\(field.key).include"] = "yes"
            values["fields.\(field.key).label"] = field.label
            values["fields.\(field.key).position"] = String(index + 1)
            if field.required { values["fields.\(field.key).required"] = "yes" }
        }
        for (index, consent) in definition.consents.enumerated() {
            values["consents[\(index)].key"] = consent.key
            values["consents[\(index)].label"] = consent.label
            if consent.required { values["consents[\(index)].required"] = "yes" }
        }
        return values
    }

    /// The row numbers used under `prefix[...]`, in order (at most 50 rows are read).
    private static func indices(of prefix: String, in names: some Sequence<String>) -> [Int] {
        var found = Set<Int>()
        for name in names where name.hasPrefix(prefix + "[") {
            let rest = name.dropFirst(prefix.count + 1)
            guard let close = rest.firstIndex(of: "]"), let index = Int(rest[..<close]), (0..<50).contains(index) else { continue }
            found.insert(index)
        }
        return found.sorted()
    }
}
