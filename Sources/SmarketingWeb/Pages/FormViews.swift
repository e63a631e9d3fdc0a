import Foundation
import Plot
import SmarketingCore
import Vapor

/// How a form looks to visitors: its inputs on the hosted page (with the values typed and the
/// errors of a refused submission) and the same inputs as plain HTML for a site to paste.
enum FormViews {
    /// Where the inputs go: the hosted page (the product's styles, errors and values) or a
    /// snippet for another site (bare markup the site styles, no values).
    enum Target {
        case hosted
        case embed
    }

    /// Every input of a form: its fields in order, its consents, the honeypot, the visitor's
    /// anonymous id and where they came from, and the submit button. Fields the workspace no
    /// longer offers (a custom field deleted since) are left out.
    static func inputs(
        _ form: FormRecord, customFields: [CustomFieldDefinition], state: FormState, target: Target, _ l: Localizer
    ) -> [HTMLNode] {
        let prefix = "smk-\(form.id.uuidString.lowercased().prefix(8))-"
        let byName = Dictionary(customFields.filter { $0.entity == .contact }.map { ($0.fieldName, $0) }, uniquingKeysWith: { first, _ in first })
        let available = Set(FormDefinition.availableFields(customFields: customFields))
        var nodes: [HTMLNode] = []
        for field in form.definition.fields where available.contains(field.key) {
            nodes.append(input(field, custom: byName[field.key], id: prefix + field.key, state: state, target: target, l))
        }
        for consent in form.definition.consents {
            let ticked = !(state.values[consent.key] ?? "").isEmpty
            var attributes: [Attr] = [.type("checkbox"), .name(consent.key), .value("yes")]
            if ticked { attributes.append(.flag("checked")) }
            if consent.required { attributes.append(.flag("required")) }
            nodes.append(wrapper(consent.key, target: target, consent: true, state: state, l, [
                el("label", target == .hosted ? [.class("checkbox")] : [], [
                    void("input", attributes + describedBy(consent.key, state, target)),
                    text(" " + consent.label + (consent.required ? " *" : "")),
                ]),
            ]))
        }
        // A person never sees nor fills this one; a robot filling every input does.
        nodes.append(el("div", [Attr("style", "position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden"),
                                .aria("hidden", "true")], [
            el("label", [Attr("for", prefix + FormDefinition.honeypotField)], text: l(.publicFormHoneypot)),
            void("input", [.id(prefix + FormDefinition.honeypotField), .type("text"), .name(FormDefinition.honeypotField), .value(""),
                           Attr("tabindex", "-1"), Attr("autocomplete", "off")]),
        ]))
        nodes.append(void("input", [.type("hidden"), .name(FormDefinition.anonymousIDField), .value(state.values[FormDefinition.anonymousIDField] ?? "")]))
        if target == .hosted {
            for name in [FormDefinition.sourceField, FormDefinition.campaignField] {
                if let value = state.values[name], !value.isEmpty { nodes.append(void("input", [.type("hidden"), .name(name), .value(value)])) }
            }
        }
        nodes.append(el("button", [.type("submit")] + (target == .hosted ? [.class("button-primary")] : []), text: form.definition.submitLabel))
        return nodes
    }

    /// The HTML a site pastes: a plain form posting to the hosted form's address.
    static func snippet(_ form: FormRecord, customFields: [CustomFieldDefinition], action: String, _ l: Localizer) -> String {
        let node = el("form", [Attr("method", "post"), Attr("action", action), Attr("accept-charset", "UTF-8"), .class("smarketing-form"),
                               .data("smarketing-form", form.id.uuidString.lowercased())],
                      inputs(form, customFields: customFields, state: FormState(), target: .embed, l))
        return node.render(indentedBy: .spaces(2))
    }

    // MARK: One input

    private static func input(
        _ field: FormField, custom: CustomFieldDefinition?, id: String, state: FormState, target: Target, _ l: Localizer
    ) -> HTMLNode {
        let label = field.label + (field.required ? " *" : "")
        let value = state.values[field.key] ?? ""
        var common: [Attr] = [.id(id), .name(field.key)]
        if field.required { common.append(.flag("required")) }
        common += describedBy(field.key, state, target)

        func textInput(_ type: String, _ extra: [Attr]) -> HTMLNode {
            wrapper(field.key, target: target, state: state, l, [
                el("label", [Attr("for", id)], text: label),
                void("input", common + [.type(type), .value(value)] + extra),
            ])
        }
        func select(_ options: [(String, String)], placeholder: String) -> HTMLNode {
            let choices = [("", placeholder)] + options
            return wrapper(field.key, target: target, state: state, l, [
                el("label", [Attr("for", id)], text: label),
                el("select", common, choices.map { option in
                    el("option", [.value(option.0)] + (option.0 == value && !value.isEmpty ? [.flag("selected")] : []), text: option.1)
                }),
            ])
        }

        if let custom {
            switch custom.type {
            case .text: return textInput("text", [Attr("maxlength", String(CustomFieldDefinition.textMaximumLength))])
            case .number: return textInput("text", [Attr("inputmode", "decimal")])
            case .date: return textInput("date", [])
            case .choice: return select(custom.options.map { ($0, $0) }, placeholder: l(.publicFormChoose))
            case .boolean:
                var attributes: [Attr] = common + [.type("checkbox"), .value("yes")]
                if !value.isEmpty { attributes.append(.flag("checked")) }
                return wrapper(field.key, target: target, consent: true, state: state, l, [
                    el("label", target == .hosted ? [.class("checkbox")] : [], [void("input", attributes), text(" " + label)]),
                ])
            case .multiChoice:
                let chosen = Set(state.multiValues[field.key] ?? [])
                return el("fieldset", wrapperAttributes(field.key, target: target, state: state, extra: "checkboxes"), [
                    el("legend", [], text: label),
                    group(custom.options.enumerated().map { index, option in
                        el("label", target == .hosted ? [.class("checkbox")] : [], [
                            void("input", [.id("\(id)-\(index)"), .type("checkbox"), .name(field.key), .value(option)]
                                + (chosen.contains(option) ? [.flag("checked")] : [])),
                            text(" " + option),
                        ])
                    }),
                    target == .hosted ? Form.errorLine(l, name: field.key, error: state.error(field.key)) : .empty,
                ])
            }
        }
        switch field.key {
        case "email": return textInput("email", [Attr("maxlength", String(EmailAddress.maximumLength)), Attr("autocomplete", "email")])
        case "first_name": return textInput("text", [Attr("maxlength", String(ContactFields.nameMaximumLength)), Attr("autocomplete", "given-name")])
        case "last_name": return textInput("text", [Attr("maxlength", String(ContactFields.nameMaximumLength)), Attr("autocomplete", "family-name")])
        case "phone": return textInput("tel", [Attr("maxlength", String(ContactFields.phoneMaximumLength)), Attr("autocomplete", "tel")])
        case "job_title":
            return textInput("text", [Attr("maxlength", String(ContactFields.jobTitleMaximumLength)), Attr("autocomplete", "organization-title")])
        case "company":
            return textInput("text", [Attr("maxlength", String(ContactFields.companyNameMaximumLength)), Attr("autocomplete", "organization")])
        case "country": return select(countries(l), placeholder: l(.publicFormChooseCountry))
        case "birth_date": return textInput("date", [Attr("autocomplete", "bday")])
        case "age":
            return textInput("number", [Attr("min", String(ContactFields.ageRange.lowerBound)), Attr("max", String(ContactFields.ageRange.upperBound)),
                                        Attr("inputmode", "numeric")])
        default: return textInput("text", [Attr("maxlength", String(ContactFields.labelMaximumLength))])
        }
    }

    /// Countries by their name in the visitor's language, valued by ISO code.
    static func countries(_ l: Localizer) -> [(String, String)] {
        let locale = Locale(identifier: l.language == .ptBR ? "pt_BR" : "en_US")
        return CountryCode.codes.map { ($0, locale.localizedString(forRegionCode: $0) ?? $0) }
            .sorted { $0.1.compare($1.1, locale: locale) == .orderedAscending }
    }

    private static func wrapper(
        _ name: String, target: Target, consent: Bool = false, state: FormState, _ l: Localizer, _ children: [HTMLNode]
    ) -> HTMLNode {
        el("div", wrapperAttributes(name, target: target, state: state, extra: consent ? "consent" : nil),
           children + [target == .hosted ? Form.errorLine(l, name: name, error: state.error(name)) : .empty])
    }

    private static func wrapperAttributes(_ name: String, target: Target, state: FormState, extra: String?) -> [Attr] {
        switch target {
        case .hosted:
            let classes = ["field", extra, state.error(name) == nil ? nil : "has-error"].compactMap { $0 }
            return [.class(classes.joined(separator: " ")), .data("input", name)]
        case .embed:
            return [.class(extra == "consent" ? "smk-consent" : "smk-field")]
        }
    }

    private static func describedBy(_ name: String, _ state: FormState, _ target: Target) -> [Attr] {
        guard target == .hosted, state.error(name) != nil else { return [] }
        return [.aria("invalid", "true"), .aria("describedby", "e-\(name)")]
    }
}
