import SmarketingCore
import Vapor

/// The inputs of a workspace's custom fields on a contact or company form, one per type, and
/// reading them back from the submitted form.
enum CustomFieldInputs {
    static func nodes(_ definitions: [CustomFieldDefinition], state: FormState, _ l: Localizer) -> [HTMLNode] {
        var nodes: [HTMLNode] = []
        for definition in definitions {
            let name = "cf_\(definition.key)"
            switch definition.type {
            case .choice:
                nodes.append(Form.select(l, label: definition.label, name: name, options: [("", "—")] + definition.options.map { ($0, $0) },
                                         state: state, required: false))
            case .boolean:
                nodes.append(Form.select(l, label: definition.label, name: name, options: [("", "—"), ("true", l(.yes)), ("false", l(.no))],
                                         state: state, required: false))
            case .multiChoice:
                let chosen = (state.values[name] ?? "").components(separatedBy: "; ").flatMap { $0.components(separatedBy: ";") }
                nodes.append(Form.checkboxes(l, legend: definition.label, name: name, options: definition.options.map { ($0, $0) },
                                             state: FormState(multiValues: [name: chosen], errors: state.errors)))
            case .date:
                nodes.append(Form.field(l, label: definition.label, name: name, type: "date", state: state))
            case .number:
                nodes.append(Form.field(l, label: definition.label, name: name, state: state, extra: [Attr("inputmode", "decimal")]))
            case .text:
                nodes.append(Form.field(l, label: definition.label, name: name, state: state, maxLength: 1000))
            }
        }
        return nodes
    }

    /// The submitted values by field name: the built-in fields and `cf_<key>` for custom ones
    /// (a multi-choice field's ticked options joined by `;`).
    static func read(_ form: FormData, builtIn: [String], definitions: [CustomFieldDefinition]) -> [String: String] {
        var fields: [String: String] = [:]
        for name in builtIn + definitions.map(\.fieldName) { fields[name] = form.value(name) ?? "" }
        for definition in definitions where definition.type == .multiChoice {
            fields[definition.fieldName] = form.values(definition.fieldName).joined(separator: ";")
        }
        return fields
    }
}
