import SmarketingCore
import SmarketingStore
import Vapor

/// The inputs of sales follow-up's forms, shared by the contact page's panel and the pages a
/// refused form comes back on.
enum SalesForms {
    static func textArea(_ l: Localizer, label: String, name: String, state: FormState, maxLength: Int, rows: Int = 3) -> HTMLNode {
        let error = state.error(name)
        var attributes: [Attr] = [.id("f-\(name)"), .name(name), Attr("rows", String(rows)), Attr("maxlength", String(maxLength))]
        if error != nil { attributes += [.aria("invalid", "true"), .aria("describedby", "e-\(name)")] }
        return el("div", [.class(error == nil ? "field" : "field has-error")], [
            el("label", [Attr("for", "f-\(name)")], text: label),
            el("textarea", attributes, text: state.values[name] ?? ""),
            Form.errorLine(l, name: name, error: error),
        ])
    }

    static func activityFields(_ l: Localizer, state: FormState) -> [HTMLNode] {
        let outcomes: [(value: String, label: String)] = ActivityKind.allCases.flatMap { kind in
            kind.outcomes.map { (value: $0.rawValue, label: "\(l.kindName(kind)) · \(l.outcomeName($0))") }
        }
        return [
            Form.select(l, label: l(.activityKind), name: "kind", options: ActivityKind.allCases.map { ($0.rawValue, l.kindName($0)) }, state: state),
            Form.select(l, label: l(.activityOutcome), name: "outcome", options: [("", l(.chooseOutcome))] + outcomes, state: state, required: false),
            Form.field(l, label: l(.activityWhen), name: "occurred_at", type: "datetime-local", state: state, hint: l(.activityWhenHint)),
            Form.field(l, label: l(.activityDuration), name: "duration_minutes", type: "number", state: state,
                       extra: [Attr("min", "0"), Attr("max", String(ActivityInput.durationRange.upperBound))]),
            textArea(l, label: l(.activityNotes), name: "notes", state: state, maxLength: ActivityInput.notesMaximumLength),
            Form.field(l, label: l(.activityNextStep), name: "next_step", state: state, maxLength: ActivityInput.nextStepMaximumLength),
        ]
    }

    static func taskFields(_ l: Localizer, state: FormState, assignees: [User]) -> [HTMLNode] {
        [
            Form.field(l, label: l(.taskTitle), name: "title", state: state, required: true, maxLength: TaskInput.titleMaximumLength),
            Form.field(l, label: l(.taskDue), name: "due_at", type: "datetime-local", state: state, required: true),
            Form.select(l, label: l(.taskReminder), name: "reminder", options: TaskReminder.allCases.map { ($0.rawValue, l.reminderName($0)) },
                        state: state, required: false),
            assignees.count > 1
                ? Form.select(l, label: l(.taskAssignee), name: "assignee_id",
                              options: assignees.map { ($0.id.uuidString.lowercased(), $0.name) }, state: state)
                : .empty,
            textArea(l, label: l(.activityNotes), name: "notes", state: state, maxLength: TaskInput.notesMaximumLength, rows: 2),
        ]
    }

    static func dealFields(_ l: Localizer, state: FormState, owners: [User], currency: String) -> [HTMLNode] {
        var currencies = WorkspaceSettings.suggestedCurrencies
        if !currencies.contains(currency) { currencies.insert(currency, at: 0) }
        return [
            Form.field(l, label: l(.dealName), name: "name", state: state, required: true, maxLength: DealInput.nameMaximumLength),
            Form.field(l, label: l(.dealAmount), name: "amount", state: state, required: true, maxLength: 40, extra: [Attr("inputmode", "decimal")]),
            Form.select(l, label: l(.currency), name: "currency", options: currencies.map { ($0, $0) }, state: state),
            Form.select(l, label: l(.stage), name: "stage", options: DealStage.allCases.map { ($0.rawValue, l.dealStageName($0)) }, state: state),
            Form.field(l, label: l(.dealCloseDate), name: "expected_close_date", type: "date", state: state, required: true),
            Form.select(l, label: l(.dealLostReason), name: "lost_reason",
                        options: [("", l(.chooseReason))] + LostReason.allCases.map { ($0.rawValue, l.lostReasonName($0)) }, state: state, required: false),
            textArea(l, label: l(.dealLostNote), name: "lost_note", state: state, maxLength: DealInput.lostNoteMaximumLength, rows: 2),
            owners.count > 1
                ? Form.select(l, label: l(.owner), name: "owner_id", options: owners.map { ($0.id.uuidString.lowercased(), $0.name) }, state: state)
                : .empty,
        ]
    }

    /// The fields of a submitted form by name, as Core's checks read them.
    static func fields(_ form: FormData, _ names: [String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, form.value($0) ?? "") })
    }

    static let activityNames = ["kind", "outcome", "occurred_at", "duration_minutes", "notes", "next_step"]
    static let taskNames = ["title", "due_at", "reminder", "assignee_id", "notes"]
    static let dealNames = ["name", "amount", "currency", "stage", "expected_close_date", "lost_reason", "lost_note", "owner_id"]
}
