import SmarketingCore
import SmarketingStore
import Vapor

/// Words for the fields fit rules read: the contact's, its company's and custom fields.
struct ScoringFieldLabels {
    let options: [(value: String, label: String)]

    init(customFields: [CustomFieldDefinition], _ l: Localizer) {
        var options: [(String, String)] = ScoringFields.contact.map { name in
            (name, name == "email_domain" ? l(.ldEmailDomain) : ContactFieldLabels.label(name, definitions: [], l))
        }
        options += ScoringFields.company.map { name in
            (name, l(.company) + " · " + CompanyFieldLabels.label(String(name.dropFirst(ScoringFields.companyPrefix.count)), definitions: [], l))
        }
        for field in customFields {
            switch field.entity {
            case .contact: options.append((field.fieldName, field.label))
            case .company: options.append((ScoringFields.companyPrefix + field.fieldName, l(.company) + " · " + field.label))
            }
        }
        self.options = options
    }

    func label(_ name: String) -> String { options.first { $0.value == name }?.label ?? name }
}

/// A definition's rules as people read them.
enum DefinitionView {
    static func summary(_ definition: LeadDefinition, labels: ScoringFieldLabels, _ l: Localizer) -> HTMLNode {
        el("div", [.class("definition-summary")], [
            el("h3", [], text: l(.ldFitRules)),
            fitTable(definition.fitRules, labels: labels, l, id: "fit-rules"),
            el("h3", [], text: l(.ldEngagementRules)),
            dataTable(id: "engagement-rules", caption: l(.ldEngagementRules), headers: [l(.ldEvent), l(.ldConditions), l(.ldPoints), l(.ldCap)],
                      rows: definition.engagementRules.map { rule in
                          el("tr", [.data("rule", rule.id)], [cell(rule.eventType), cell(conditions(rule.conditions, l)), cell(signed(rule.points)),
                                                              cell(rule.cap.map { l(.ldCapText, String($0.points), $0.per == .day ? l(.ldPerDay) : l(.ldPerWeek)) } ?? "—")])
                      }, empty: l(.ldNoRules)),
            el("h3", [], text: l(.ldFrequencyRules)),
            dataTable(id: "frequency-rules", caption: l(.ldFrequencyRules), headers: [l(.ldEvent), l(.ldConditions), l(.ldWhen), l(.ldPoints)],
                      rows: definition.frequencyRules.map { rule in
                          el("tr", [.data("rule", rule.id)], [cell(rule.eventType), cell(conditions(rule.conditions, l)),
                                                              cell(l(.ldFrequencyText, String(rule.count), String(rule.days))), cell(signed(rule.points))])
                      }, empty: l(.ldNoRules)),
            el("p", [.id("decay")], text: definition.halfLifeDays.map { l(.ldHalfLifeText, NumberText.format($0)) } ?? l(.ldNoDecay)),
            el("h3", [], text: l(.ldMQLRule)),
            mql(definition.mql, l),
            el("h3", [], text: l(.ldSQLCriteria)),
            definition.sqlCriteria.isEmpty ? el("p", [.class("empty")], text: l(.ldNoRules))
                : el("ul", [.id("sql-criteria")], definition.sqlCriteria.map { el("li", [], text: $0.label + ($0.required ? " *" : "")) }),
        ])
    }

    static func fitTable(_ rules: [FitRule], labels: ScoringFieldLabels, _ l: Localizer, id: String) -> HTMLNode {
        dataTable(id: id, caption: l(.ldFitRules), headers: [l(.ldField), l(.ldCondition), l(.ldPoints)], rows: rules.map { rule in
            el("tr", [.data("rule", rule.id)], [cell(labels.label(rule.field)), cell(condition(rule.condition, l)), cell(signed(rule.points))])
        }, empty: l(.ldNoRules))
    }

    static func condition(_ condition: FitCondition, _ l: Localizer) -> String {
        switch condition {
        case .equals(let value): l(.opEquals) + " " + value
        case .oneOf(let values): l(.opOneOf) + " " + values.joined(separator: ", ")
        case .contains(let values): l(.opContains) + " " + values.joined(separator: " / ")
        case .range(let minimum, let maximum):
            switch (minimum, maximum) {
            case let (minimum?, maximum?): l(.opBetween) + " " + NumberText.format(minimum) + " – " + NumberText.format(maximum)
            case let (minimum?, nil): l(.opAtLeast) + " " + NumberText.format(minimum)
            case let (nil, maximum?): l(.opAtMost) + " " + NumberText.format(maximum)
            case (nil, nil): "—"
            }
        case .isSet: l(.opIsSet)
        }
    }

    static func conditions(_ conditions: [PropertyCondition], _ l: Localizer) -> String {
        guard !conditions.isEmpty else { return l(.ldAnyEvent) }
        return conditions.map { condition in
            let match: String = switch condition.match {
            case .equals(let value): l(.opEquals) + " " + value
            case .oneOf(let values): l(.opOneOf) + " " + values.joined(separator: ", ")
            case .startsWith(let value): l(.opStartsWith) + " " + value
            case .contains(let values): l(.opContains) + " " + values.joined(separator: " / ")
            case .isSet: l(.opIsSet)
            }
            return condition.property + " " + match
        }.joined(separator: "; ")
    }

    static func mql(_ rule: MQLRule, _ l: Localizer) -> HTMLNode {
        switch rule {
        case .thresholds(let fit, let engagement):
            return el("p", [.id("mql-rule")], text: l(.ldThresholdsText, String(fit), NumberText.format(engagement)))
        case .grid(let grid):
            let cells = Set(grid.cells)
            let header = el("tr", [], [el("th", [Attr("scope", "col")], text: l(.ldGrade))]
                + EngagementLevel.allCases.map { el("th", [Attr("scope", "col")], text: l(.ldLevel, String($0.rawValue))) })
            let rows = FitGrade.allCases.map { grade in
                el("tr", [], [el("th", [Attr("scope", "row")], text: grade.rawValue)] + EngagementLevel.allCases.map { level in
                    let isMQL = cells.contains(MQLCell(grade, level))
                    return el("td", [.class(isMQL ? "grid-mql" : "grid-no"), .data("cell", MQLCell(grade, level).description)], text: isMQL ? "MQL" : "·")
                })
            }
            return el("div", [.id("mql-rule")], [
                el("p", [], text: l(.ldGridText, String(grid.fitGrades.a), String(grid.fitGrades.b), String(grid.fitGrades.c),
                                   NumberText.format(grid.engagementLevels.level2), NumberText.format(grid.engagementLevels.level3),
                                   NumberText.format(grid.engagementLevels.level4))),
                el("table", [.class("mql-grid")], [el("caption", [.class("visually-hidden")], text: l(.ldMQLRule)), el("thead", [], [header]), el("tbody", [], rows)]),
            ])
        }
    }

    static func signed(_ points: Int) -> String { points > 0 ? "+\(points)" : String(points) }
}

/// The editor's sections: each rule a row of inputs named by its path in the definition, two
/// spare rows to add rules without JavaScript, and each error next to its input.
struct DefinitionEditor {
    let l: Localizer
    let state: FormState
    let labels: ScoringFieldLabels
    /// The sentence for an input's error, when the check gave a precise reason.
    let messages: [String: String]

    private func value(_ name: String) -> String { state.values[name] ?? "" }

    private func errorLine(_ name: String) -> HTMLNode {
        guard let error = state.error(name) else { return .empty }
        return el("p", [.class("field-error"), .id("e-\(Self.id(name))"), .data("field", name), Attr("role", "alert")],
                  text: messages[name] ?? l.message(for: error))
    }

    static func id(_ name: String) -> String {
        "f-" + name.map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
    }

    private func input(_ name: String, label: String, type: String = "text", width: String = "", extra: [Attr] = []) -> HTMLNode {
        var attributes: [Attr] = [.id(Self.id(name)), .name(name), .type(type), .value(value(name)), .aria("label", label)]
        if !width.isEmpty { attributes.append(.class(width)) }
        if state.error(name) != nil { attributes += [.aria("invalid", "true"), .aria("describedby", "e-\(Self.id(name))")] }
        return el("td", [.class(state.error(name) == nil ? "" : "has-error")], [void("input", attributes + extra), errorLine(name)])
    }

    private func select(_ name: String, label: String, options: [(value: String, label: String)]) -> HTMLNode {
        let selected = value(name)
        var choices = options
        if !selected.isEmpty, !choices.contains(where: { $0.value == selected }) { choices.append((selected, selected)) }
        var attributes: [Attr] = [.id(Self.id(name)), .name(name), .aria("label", label)]
        if state.error(name) != nil { attributes += [.aria("invalid", "true"), .aria("describedby", "e-\(Self.id(name))")] }
        return el("td", [.class(state.error(name) == nil ? "" : "has-error")], [
            el("select", attributes, choices.map { option in
                el("option", [.value(option.value)] + (option.value == selected ? [.flag("selected")] : []), text: option.label)
            }),
            errorLine(name),
        ])
    }

    private func removeBox(_ path: String) -> HTMLNode {
        el("td", [], [el("label", [.class("checkbox")], [
            void("input", [.type("checkbox"), .name(path + ".remove"), .value("yes"), .id(Self.id(path + ".remove"))]
                + (value(path + ".remove") == "yes" ? [.flag("checked")] : [])),
            text(" " + l(.ldRemove)),
        ])])
    }

    private func hidden(_ name: String) -> HTMLNode {
        value(name).isEmpty ? .empty : void("input", [.type("hidden"), .name(name), .value(value(name))])
    }

    private func table(_ id: String, caption: String, headers: [String], rows: [HTMLNode]) -> HTMLNode {
        el("div", [.class("table-wrap")], [
            el("table", [.id(id), .class("editor-table")], [
                el("caption", [.class("visually-hidden")], text: caption),
                el("thead", [], [el("tr", [], headers.map { el("th", [Attr("scope", "col")], text: $0) })]),
                el("tbody", [], rows),
            ]),
        ])
    }

    /// Errors the page shows on no input (a rule list as a whole).
    func summaryOfErrors() -> HTMLNode {
        let shown = ["fit_rules", "engagement_rules", "frequency_rules", "sql_criteria", "mql", "half_life_days"]
        // Errors on inputs the page does not show (a rule's id) are listed here.
        let loose = state.errors.filter { error in
            error.field.hasSuffix(".id") || !shown.contains { error.field.hasPrefix($0 + "[") || error.field.hasPrefix($0 + ".") || error.field == "half_life_days" }
        }
        guard !state.errors.isEmpty else { return .empty }
        return el("div", [.class("form-error"), .id("definition-errors"), Attr("role", "alert")], [
            el("p", [], text: l(.ldFixErrors, String(state.errors.count))),
            loose.isEmpty ? .empty : el("ul", [], loose.map { el("li", [], text: "\($0.field): " + (messages[$0.field] ?? l.message(for: $0))) }),
        ])
    }

    func fitSection(rows: Int) -> HTMLNode {
        let operators: [(String, String)] = [("contains", l(.opContains)), ("equals", l(.opEquals)), ("one_of", l(.opOneOf)),
                                             ("range", l(.opBetween)), ("is_set", l(.opIsSet))]
        let body = (0..<rows).map { index -> HTMLNode in
            let path = "fit_rules[\(index)]"
            return el("tr", [.data("row", String(index))], [
                select(path + ".field", label: l(.ldField), options: [("", "—")] + labels.options),
                select(path + ".op", label: l(.ldCondition), options: operators),
                input(path + ".values", label: l(.ldValues), extra: [Attr("placeholder", l(.ldValuesHint))]),
                input(path + ".min", label: l(.ldMinimum), width: "narrow", extra: [Attr("inputmode", "decimal")]),
                input(path + ".max", label: l(.ldMaximum), width: "narrow", extra: [Attr("inputmode", "decimal")]),
                input(path + ".points", label: l(.ldPoints), width: "narrow", extra: [Attr("inputmode", "numeric")]),
                el("td", [], [hidden(path + ".id")]),
                removeBox(path),
            ])
        }
        return el("section", [.class("panel"), .id("fit-section")], [
            el("h2", [], text: l(.ldFitRules)),
            el("p", [.class("hint")], text: l(.ldFitHint)),
            table("fit-table", caption: l(.ldFitRules), headers: [l(.ldField), l(.ldCondition), l(.ldValues), l(.ldMinimum), l(.ldMaximum), l(.ldPoints), "", ""], rows: body),
        ])
    }

    private func conditionCells(_ path: String, conditions: Int) -> [HTMLNode] {
        let operators: [(String, String)] = [("starts_with", l(.opStartsWith)), ("equals", l(.opEquals)), ("one_of", l(.opOneOf)),
                                             ("contains", l(.opContains)), ("is_set", l(.opIsSet))]
        return (0...conditions).map { index in
            let base = path + ".conditions[\(index)]"
            return el("div", [.class("condition")], [
                el("table", [.class("condition-table")], [el("tbody", [], [el("tr", [], [
                    input(base + ".property", label: l(.ldProperty), extra: [Attr("placeholder", "path")]),
                    select(base + ".op", label: l(.ldCondition), options: operators),
                    input(base + ".values", label: l(.ldValues), extra: [Attr("placeholder", "/pricing")]),
                ])])]),
            ])
        }
    }

    func engagementSection(rows: Int, conditions: [Int: Int]) -> HTMLNode {
        let body = (0..<rows).map { index -> HTMLNode in
            let path = "engagement_rules[\(index)]"
            return el("tr", [.data("row", String(index))], [
                input(path + ".event_type", label: l(.ldEvent), extra: [Attr("list", "event-types")]),
                el("td", [], conditionCells(path, conditions: conditions[index] ?? 0)),
                input(path + ".points", label: l(.ldPoints), width: "narrow", extra: [Attr("inputmode", "numeric")]),
                input(path + ".cap.points", label: l(.ldCapPoints), width: "narrow", extra: [Attr("inputmode", "numeric")]),
                select(path + ".cap.per", label: l(.ldCapPeriod), options: [("day", l(.ldPerDay)), ("week", l(.ldPerWeek))]),
                el("td", [], [hidden(path + ".id")]),
                removeBox(path),
            ])
        }
        return el("section", [.class("panel"), .id("engagement-section")], [
            el("h2", [], text: l(.ldEngagementRules)),
            el("p", [.class("hint")], text: l(.ldEngagementHint)),
            table("engagement-table", caption: l(.ldEngagementRules), headers: [l(.ldEvent), l(.ldConditions), l(.ldPoints), l(.ldCapPoints), l(.ldCapPeriod), "", ""], rows: body),
            el("div", [.class("field")], [
                el("label", [Attr("for", Self.id("half_life_days"))], text: l(.ldHalfLife)),
                el("table", [.class("condition-table")], [el("tbody", [], [el("tr", [], [input("half_life_days", label: l(.ldHalfLife), width: "narrow")])])]),
                el("p", [.class("hint")], text: l(.ldHalfLifeHint)),
            ]),
        ])
    }

    func frequencySection(rows: Int, conditions: [Int: Int]) -> HTMLNode {
        let body = (0..<rows).map { index -> HTMLNode in
            let path = "frequency_rules[\(index)]"
            return el("tr", [.data("row", String(index))], [
                input(path + ".event_type", label: l(.ldEvent), extra: [Attr("list", "event-types")]),
                el("td", [], conditionCells(path, conditions: conditions[index] ?? 0)),
                input(path + ".count", label: l(.ldCount), width: "narrow", extra: [Attr("inputmode", "numeric")]),
                input(path + ".days", label: l(.ldDays), width: "narrow", extra: [Attr("inputmode", "numeric")]),
                input(path + ".points", label: l(.ldPoints), width: "narrow", extra: [Attr("inputmode", "numeric")]),
                el("td", [], [hidden(path + ".id")]),
                removeBox(path),
            ])
        }
        return el("section", [.class("panel"), .id("frequency-section")], [
            el("h2", [], text: l(.ldFrequencyRules)),
            el("p", [.class("hint")], text: l(.ldFrequencyHint)),
            table("frequency-table", caption: l(.ldFrequencyRules), headers: [l(.ldEvent), l(.ldConditions), l(.ldCount), l(.ldDays), l(.ldPoints), "", ""], rows: body),
        ])
    }

    func mqlSection() -> HTMLNode {
        let mode = value("mql.mode").isEmpty ? "thresholds" : value("mql.mode")
        let checked = Set(state.multiValues["mql.grid.cells"] ?? [])
        func radio(_ value: String, _ label: String) -> HTMLNode {
            el("label", [.class("checkbox")], [
                void("input", [.type("radio"), .name("mql.mode"), .value(value), .id(Self.id("mql.mode." + value))] + (mode == value ? [.flag("checked")] : [])),
                text(" " + label),
            ])
        }
        let gridRows = FitGrade.allCases.map { grade in
            el("tr", [], [el("th", [Attr("scope", "row")], text: grade.rawValue)] + EngagementLevel.allCases.map { level in
                let cell = MQLCell(grade, level).description
                return el("td", [], [void("input", [.type("checkbox"), .name("mql.grid.cells"), .value(cell), .id(Self.id("cell." + cell)),
                                                    .aria("label", "\(grade.rawValue)\(level.rawValue)")] + (checked.contains(cell) ? [.flag("checked")] : []))])
            })
        }
        func thresholdRow(_ names: [(String, String)]) -> HTMLNode {
            el("table", [.class("condition-table")], [
                el("thead", [], [el("tr", [], names.map { el("th", [Attr("scope", "col")], text: $0.1) })]),
                el("tbody", [], [el("tr", [], names.map { input($0.0, label: $0.1, width: "narrow", extra: [Attr("inputmode", "decimal")]) })]),
            ])
        }
        return el("section", [.class("panel"), .id("mql-section")], [
            el("h2", [], text: l(.ldMQLRule)),
            el("fieldset", [], [el("legend", [], text: l(.ldMQLMode)), radio("thresholds", l(.ldModeThresholds)), radio("grid", l(.ldModeGrid))]),
            el("h3", [], text: l(.ldModeThresholds)),
            thresholdRow([("mql.thresholds.fit", l(.ldFitAtLeast)), ("mql.thresholds.engagement", l(.ldEngagementAtLeast))]),
            el("h3", [], text: l(.ldModeGrid)),
            thresholdRow([("mql.grid.fit_grades.a", l(.ldGradeFrom, "A")), ("mql.grid.fit_grades.b", l(.ldGradeFrom, "B")),
                          ("mql.grid.fit_grades.c", l(.ldGradeFrom, "C"))]),
            thresholdRow([("mql.grid.engagement_levels.level_2", l(.ldLevelFrom, "2")), ("mql.grid.engagement_levels.level_3", l(.ldLevelFrom, "3")),
                          ("mql.grid.engagement_levels.level_4", l(.ldLevelFrom, "4"))]),
            el("table", [.class("mql-grid"), .id("mql-grid-editor")], [
                el("caption", [], text: l(.ldGridCells)),
                el("thead", [], [el("tr", [], [el("th", [Attr("scope", "col")], text: l(.ldGrade))]
                    + EngagementLevel.allCases.map { el("th", [Attr("scope", "col")], text: l(.ldLevel, String($0.rawValue))) })]),
                el("tbody", [], gridRows),
            ]),
            errorLine("mql.grid.cells"),
        ])
    }

    func sqlSection(rows: Int) -> HTMLNode {
        let types = CustomFieldType.allCases.map { ($0.rawValue, $0.rawValue) }
        let body = (0..<rows).map { index -> HTMLNode in
            let path = "sql_criteria[\(index)]"
            return el("tr", [.data("row", String(index))], [
                input(path + ".key", label: l(.fieldKey), width: "narrow"),
                input(path + ".label", label: l(.fieldLabel)),
                select(path + ".type", label: l(.fieldType), options: types),
                input(path + ".options", label: l(.fieldOptions)),
                el("td", [], [el("label", [.class("checkbox")], [
                    void("input", [.type("checkbox"), .name(path + ".required"), .value("yes"), .id(Self.id(path + ".required"))]
                        + (value(path + ".required") == "yes" ? [.flag("checked")] : [])),
                    text(" " + l(.ldRequired)),
                ])]),
                removeBox(path),
            ])
        }
        return el("section", [.class("panel"), .id("sql-section")], [
            el("h2", [], text: l(.ldSQLCriteria)),
            el("p", [.class("hint")], text: l(.ldSQLHint)),
            table("sql-table", caption: l(.ldSQLCriteria), headers: [l(.fieldKey), l(.fieldLabel), l(.fieldType), l(.fieldOptions), "", ""], rows: body),
        ])
    }
}
