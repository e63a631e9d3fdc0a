import SmarketingCore
import Vapor

/// What a form shows: the values the user typed and the errors of each field, so a refused
/// form comes back with everything kept and each problem next to its field.
struct FormState: Sendable {
    var values: [String: String] = [:]
    var multiValues: [String: [String]] = [:]
    var errors: [FieldError] = []

    init(values: [String: String] = [:], multiValues: [String: [String]] = [:], errors: [FieldError] = []) {
        self.values = values
        self.multiValues = multiValues
        self.errors = errors
    }

    init(form: FormData, errors: [FieldError] = [], keeping fields: [String], multi: [String] = []) {
        for field in fields { values[field] = form.value(field) ?? "" }
        for field in multi { multiValues[field] = form.values(field) }
        self.errors = errors
    }

    func error(_ field: String) -> FieldError? {
        errors.first { $0.field == field }
    }
}

enum Form {
    /// A labelled input with its error message underneath.
    static func field(
        _ l: Localizer, label: String, name: String, type: String = "text", state: FormState,
        required: Bool = false, maxLength: Int? = nil, autocomplete: String? = nil, hint: String? = nil, extra: [Attr] = []
    ) -> HTMLNode {
        let error = state.error(name)
        var attributes: [Attr] = [.id("f-\(name)"), .name(name), .type(type)]
        if type != "password" { attributes.append(.value(state.values[name] ?? "")) }
        if required { attributes.append(.flag("required")) }
        if let maxLength { attributes.append(Attr("maxlength", String(maxLength))) }
        if let autocomplete { attributes.append(Attr("autocomplete", autocomplete)) }
        if error != nil {
            attributes.append(.aria("invalid", "true"))
            attributes.append(.aria("describedby", "e-\(name)"))
        }
        return el("div", [.class(error == nil ? "field" : "field has-error")], [
            el("label", [Attr("for", "f-\(name)")], [text(label)]),
            void("input", attributes + extra),
            hint.map { el("p", [.class("hint")], text: $0) } ?? .empty,
            errorLine(l, name: name, error: error),
        ])
    }

    static func select(
        _ l: Localizer, label: String, name: String, options: [(value: String, label: String)], state: FormState, required: Bool = true
    ) -> HTMLNode {
        let error = state.error(name)
        let selected = state.values[name] ?? ""
        var attributes: [Attr] = [.id("f-\(name)"), .name(name)]
        if required { attributes.append(.flag("required")) }
        if error != nil { attributes += [.aria("invalid", "true"), .aria("describedby", "e-\(name)")] }
        var choices = options
        if !selected.isEmpty, !options.contains(where: { $0.value == selected }) {
            choices.insert((selected, selected), at: 0)
        }
        return el("div", [.class(error == nil ? "field" : "field has-error")], [
            el("label", [Attr("for", "f-\(name)")], [text(label)]),
            el("select", attributes, choices.map { option in
                el("option", [.value(option.value)] + (option.value == selected ? [.flag("selected")] : []), text: option.label)
            }),
            errorLine(l, name: name, error: error),
        ])
    }

    /// A group of checkboxes sharing one name (roles, teams).
    static func checkboxes(
        _ l: Localizer, legend: String, name: String, options: [(value: String, label: String)], state: FormState
    ) -> HTMLNode {
        let error = state.error(name)
        let chosen = Set(state.multiValues[name] ?? [])
        return el("fieldset", [.class(error == nil ? "field checkboxes" : "field checkboxes has-error")], [
            el("legend", [], [text(legend)]),
            group(options.map { option in
                el("label", [.class("checkbox")], [
                    void("input", [.type("checkbox"), .name(name), .value(option.value)] + (chosen.contains(option.value) ? [.flag("checked")] : [])),
                    text(" " + option.label),
                ])
            }),
            errorLine(l, name: name, error: error),
        ])
    }

    static func errorLine(_ l: Localizer, name: String, error: FieldError?) -> HTMLNode {
        guard let error else { return .empty }
        return el("p", [.class("field-error"), .id("e-\(name)"), .data("field", name), Attr("role", "alert")], text: l.message(for: error))
    }

    /// Errors on fields the form does not show (rare), listed above the form.
    static func summary(_ l: Localizer, state: FormState, shown: [String]) -> HTMLNode {
        let others = state.errors.filter { !shown.contains($0.field) }
        guard !others.isEmpty else { return .empty }
        return el("div", [.class("form-error"), Attr("role", "alert")], others.map { error in
            el("p", [.data("field", error.field)], text: "\(error.field): \(l.message(for: error))")
        })
    }

    static func post(_ request: Request, action: String, id: String? = nil, attributes: [Attr] = [], _ children: [HTMLNode]) -> HTMLNode {
        el("form", [Attr("method", "post"), Attr("action", action), Attr("novalidate", nil)] + (id.map { [Attr.id($0)] } ?? []) + attributes,
           [csrfField(request)] + children)
    }

    static func submit(_ label: String, style: String = "button-primary", attributes: [Attr] = []) -> HTMLNode {
        el("button", [.type("submit"), .class(style)] + attributes, text: label)
    }
}

/// A short message at the top of a page after an action (saved, sent, revoked).
enum Notice: String, Sendable, CaseIterable {
    case saved, invited, revoked, created, deleted, passwordChanged = "password_changed"
    case existingUpdated = "existing_updated", existingCompanyUpdated = "existing_company_updated"
    case merged, bulkDone = "bulk_done", badFilter = "bad_filter", qualified
    case activityLogged = "activity_logged", taskAdded = "task_added", taskUpdated = "task_updated", dealSaved = "deal_saved"
    case approved, activated, definitionInvalid = "definition_invalid", noDraft = "no_draft", needsApprovals = "needs_approvals"
    case notAnApprover = "not_an_approver", sameApprover = "same_approver", draftChanged = "draft_changed", alreadyApproved = "already_approved"
    case accepted, rejected, alreadyDecided = "already_decided", stageMoved = "stage_moved", retried, notRetried = "not_retried"

    func text(_ l: Localizer) -> String {
        switch self {
        case .existingUpdated: l(.noticeExistingUpdated)
        case .existingCompanyUpdated: l(.noticeExistingCompanyUpdated)
        case .approved: l(.noticeApproved)
        case .activated: l(.noticeActivated)
        case .definitionInvalid: l(.noticeDefinitionInvalid)
        case .noDraft: l(.noticeNoDraft)
        case .needsApprovals: l(.noticeNeedsApprovals)
        case .notAnApprover: l(.noticeNotAnApprover)
        case .sameApprover: l(.noticeSameApprover)
        case .draftChanged: l(.noticeDraftChanged)
        case .alreadyApproved: l(.noticeAlreadyApproved)
        case .merged: l(.noticeMerged)
        case .qualified: l(.noticeQualified)
        case .accepted: l(.noticeAccepted)
        case .rejected: l(.noticeRejected)
        case .alreadyDecided: l(.noticeAlreadyDecided)
        case .stageMoved: l(.noticeStageMoved)
        case .retried: l(.noticeRetried)
        case .notRetried: l(.noticeNotRetried)
        case .activityLogged: l(.noticeActivityLogged)
        case .taskAdded: l(.noticeTaskAdded)
        case .taskUpdated: l(.noticeTaskUpdated)
        case .dealSaved: l(.noticeDealSaved)
        case .bulkDone: l(.noticeBulkDone)
        case .badFilter: l(.noticeBadFilter)
        case .saved: l(.noticeSaved)
        case .invited: l(.noticeInvited)
        case .revoked: l(.noticeRevoked)
        case .created: l(.noticeCreated)
        case .deleted: l(.noticeDeleted)
        case .passwordChanged: l(.noticePasswordChanged)
        }
    }

    static func banner(_ request: Request) -> HTMLNode {
        guard let raw = request.query[String.self, at: "notice"], let notice = Notice(rawValue: raw) else { return .empty }
        return el("div", [.class("notice"), Attr("role", "status")], text: notice.text(request.l))
    }
}

/// A page heading with optional actions on the right.
func pageHeader(_ title: String, subtitle: String? = nil, actions: [HTMLNode] = []) -> HTMLNode {
    el("div", [.class("page-header")], [
        el("div", [], [el("h1", [], text: title), subtitle.map { el("p", [.class("subtitle")], text: $0) } ?? .empty]),
        actions.isEmpty ? .empty : el("div", [.class("actions")], actions),
    ])
}

/// A table with a caption for screen readers and a sticky header.
func dataTable(id: String, caption: String, headers: [String], rows: [HTMLNode], empty: String) -> HTMLNode {
    guard !rows.isEmpty else { return el("p", [.class("empty"), .id(id)], text: empty) }
    return el("div", [.class("table-wrap")], [
        el("table", [.id(id)], [
            el("caption", [.class("visually-hidden")], text: caption),
            el("thead", [], [el("tr", [], headers.map { el("th", [Attr("scope", "col")], text: $0) })]),
            el("tbody", [], rows),
        ]),
    ])
}

func cell(_ value: String) -> HTMLNode { el("td", [], text: value) }
func cell(_ nodes: [HTMLNode]) -> HTMLNode { el("td", [], nodes) }
func link(_ label: String, _ url: SiteURL) -> HTMLNode { el("a", [.href(url.path)], text: label) }
