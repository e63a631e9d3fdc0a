import SmarketingCore
import Vapor

/// The search box and filter builder above a list (contacts, companies): a `GET` form whose
/// filters stay in the URL, and the active filters as chips that remove themselves.
enum FilterBar {
    static func operations(_ l: Localizer) -> [(FieldFilter.Operation, String)] {
        [
            (.equals, l(.opEquals)), (.notEquals, l(.opNotEquals)), (.contains, l(.opContains)), (.startsWith, l(.opStartsWith)),
            (.oneOf, l(.opOneOf)), (.isSet, l(.opIsSet)), (.isNotSet, l(.opIsNotSet)), (.atLeast, l(.opAtLeast)), (.atMost, l(.opAtMost)),
            (.between, l(.opBetween)),
        ]
    }

    /// A chip's text: field, operation and values, the values worded by `shown`.
    static func chipText(_ filter: FieldFilter, fields: [(String, String)], _ l: Localizer, shown: (FieldFilter) -> String? = { _ in nil }) -> String {
        let labels = Dictionary(fields, uniquingKeysWith: { first, _ in first })
        let operation = operations(l).first { $0.0 == filter.operation }?.1 ?? filter.operation.rawValue
        let values = shown(filter) ?? filter.values.joined(separator: filter.operation == .between ? " – " : ", ")
        return "\(labels[filter.field] ?? filter.field) \(operation) \(values)"
    }

    /// - Parameters:
    ///   - chips: each active filter's text and the link that removes it.
    static func node(
        _ l: Localizer, action: String, search: String?, searchHint: String, filters: [FieldFilter], fields: [(String, String)], sort: String,
        chips: [(text: String, remove: String)]
    ) -> HTMLNode {
        el("section", [.class("panel filters"), .aria("label", l(.filters))], [
            el("form", [Attr("method", "get"), Attr("action", action), .id("filter-form"), .class("inline-form")],
               filters.map { void("input", [.type("hidden"), .name("f"), .value($0.token)]) } + [
                el("div", [.class("field")], [
                    el("label", [Attr("for", "f-q")], text: l(.search)),
                    void("input", [.id("f-q"), .name("q"), .type("search"), .value(search ?? ""), Attr("placeholder", searchHint)]),
                ]),
                el("div", [.class("field")], [
                    el("label", [Attr("for", "f-field")], text: l(.filterField)),
                    el("select", [.id("f-field"), .name("f_field")], [el("option", [.value("")], text: "—")] + fields.map { el("option", [.value($0.0)], text: $0.1) }),
                ]),
                el("div", [.class("field")], [
                    el("label", [Attr("for", "f-op")], text: l(.filterOperation)),
                    el("select", [.id("f-op"), .name("f_op")], operations(l).map { el("option", [.value($0.0.rawValue)], text: $0.1) }),
                ]),
                el("div", [.class("field")], [
                    el("label", [Attr("for", "f-value")], text: l(.filterValue)),
                    void("input", [.id("f-value"), .name("f_value"), .type("text"), Attr("placeholder", l(.filterValueHint))]),
                ]),
                void("input", [.type("hidden"), .name("sort"), .value(sort)]),
                Form.submit(l(.apply), style: "button-secondary"),
            ]),
            chips.isEmpty ? .empty : el("ul", [.class("chips"), .id("active-filters")], chips.map { chip in
                el("li", [.class("chip")], [
                    text(chip.text),
                    el("a", [.href(chip.remove), .aria("label", l(.removeFilter)), .class("chip-remove")], text: "×"),
                ])
            }),
        ])
    }
}
