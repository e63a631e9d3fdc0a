import SmarketingCore
import SmarketingStore
import Vapor

/// Where marketing builds its forms: a list of the workspace's forms with their submissions,
/// and a builder (contact fields with labels, order and required flags, consent checkboxes,
/// submit label, thank-you message or redirect) that shows the hosted address and the HTML to
/// paste on a site. Only roles that manage campaigns see them (SPEC.md C1).
struct FormPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("forms", use: list)
        routes.get("forms", "new", use: newForm)
        routes.post("forms", use: create)
        routes.get("forms", ":formID", use: edit)
        routes.post("forms", ":formID", use: update)
        routes.post("forms", ":formID", "archive", use: archive)
    }

    /// Spare consent rows under the form's own, up to the maximum.
    static let spareConsentRows = 2

    // MARK: List

    func list(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.manageCampaigns)
        let l = req.l
        let zone = member.workspace.settings.timeZone
        let forms = try await FormRepository(req.db, workspaceID: member.workspaceID).list()
        let rows: [HTMLNode] = forms.map { form in
            el("tr", [.data("form", form.id.uuidString.lowercased())], [
                cell([el("a", [.href(SiteURL.form(form.id).path)], text: form.definition.name)]),
                cell(l.number(form.definition.fields.count)),
                cell(l.number(form.submissions)),
                cell(form.lastSubmittedAt.map { l.dateTime($0, timeZone: zone) } ?? "—"),
                cell([form.archived ? el("span", [.class("badge muted")], text: l(.formsArchived)) : el("span", [.class("badge ok")], text: l(.formsActive))]),
                cell([
                    el("a", [.href(SiteURL.form(form.id).path)], text: l(.formsEdit)),
                    form.archived ? .empty : group([text(" · "), el("a", [.href(SiteURL.hostedForm(form.id).path), Attr("target", "_blank"),
                                                                       Attr("rel", "noopener")], text: l(.formsOpenHosted))]),
                ]),
            ])
        }
        return Page(title: l(.formsTitle), area: .forms, body: [
            pageHeader(l(.formsTitle), subtitle: l(.formsIntro), actions: [
                el("a", [.class("button-primary"), .href(SiteURL.newForm.path), .id("new-form"), Attr("style", "white-space:nowrap")], text: l(.formsNew)),
            ]),
            Notice.banner(req),
            dataTable(id: "forms-table", caption: l(.formsTitle),
                      headers: [l(.formsColumnName), l(.formsColumnFields), l(.formsColumnSubmissions), l(.formsColumnLastSubmission),
                                l(.formsColumnStatus), l(.formsColumnLinks)],
                      rows: rows, empty: l(.formsEmpty)),
        ]).response(for: req)
    }

    // MARK: Builder

    func newForm(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.manageCampaigns)
        let l = req.l
        let customFields = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let starter = FormDefinition(
            name: "",
            fields: ["email", "first_name", "last_name"].map { FormField(key: $0, label: Self.defaultLabel($0, customFields, l), required: $0 == "email") },
            submitLabel: l(.formDefaultSubmit), afterSubmit: .message(l(.formDefaultThankYou))
        )
        return try await builder(req, member: member, form: nil, customFields: customFields,
                                 values: FormBuilderForm.fields(of: starter), errors: [], status: .ok)
    }

    func create(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.manageCampaigns)
        let customFields = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let form = try await FormData.read(req)
        switch FormBuilderForm.parse(form.pairs, availableFields: FormDefinition.availableFields(customFields: customFields)) {
        case .success(let definition):
            let saved = try await FormRepository(req.db, workspaceID: member.workspaceID).create(definition, now: req.now)
            return req.redirect(to: SiteURL.form(saved.id).path + "?notice=created", redirectType: .normal)
        case .failure(let failure):
            return try await refused(req, member: member, form: nil, customFields: customFields, submitted: form, failure: failure)
        }
    }

    func edit(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let form = try await Self.find(req, member)
        try member.require(.manageCampaigns)
        let customFields = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        return try await builder(req, member: member, form: form, customFields: customFields,
                                 values: FormBuilderForm.fields(of: form.definition), errors: [], status: .ok)
    }

    func update(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let existing = try await Self.find(req, member)
        try member.require(.manageCampaigns)
        let customFields = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let form = try await FormData.read(req)
        switch FormBuilderForm.parse(form.pairs, availableFields: FormDefinition.availableFields(customFields: customFields)) {
        case .success(let definition):
            guard try await FormRepository(req.db, workspaceID: member.workspaceID).update(existing.id, definition, now: req.now) != nil else {
                throw Abort(.notFound)
            }
            return req.redirect(to: SiteURL.form(existing.id).path + "?notice=saved", redirectType: .normal)
        case .failure(let failure):
            return try await refused(req, member: member, form: existing, customFields: customFields, submitted: form, failure: failure)
        }
    }

    /// Archives the form (`archived=yes`) or restores it (`archived=no`).
    func archive(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let existing = try await Self.find(req, member)
        try member.require(.manageCampaigns)
        let form = try await FormData.read(req)
        guard let archived = BooleanText.parse(form.value("archived") ?? "") else { throw ValidationFailure("archived", .invalid) }
        _ = try await FormRepository(req.db, workspaceID: member.workspaceID).setArchived(existing.id, archived, now: req.now)
        return req.redirect(to: SiteURL.form(existing.id).path + "?notice=saved", redirectType: .normal)
    }

    /// The form of the caller's workspace named in the path; 404 for any other.
    private static func find(_ req: Request, _ member: Member) async throws -> FormRecord {
        guard let id = req.parameters.get("formID", as: UUID.self),
              let form = try await FormRepository(req.db, workspaceID: member.workspaceID).find(id)
        else { throw Abort(.notFound) }
        return form
    }

    /// The builder again with what was typed and each problem next to its input (422). Consent
    /// rows are shown as they were read (spare rows dropped), so a problem named
    /// `consents[1].label` is under the second row shown.
    private func refused(
        _ req: Request, member: Member, form: FormRecord?, customFields: [CustomFieldDefinition], submitted: FormData, failure: ValidationFailure
    ) async throws -> Response {
        let (read, _) = FormBuilderForm.read(submitted.pairs, availableFields: FormDefinition.availableFields(customFields: customFields))
        var values: [String: String] = [:]
        for (name, value) in submitted.pairs where values[name] == nil && !name.hasPrefix("consents[") && name != "_csrf" { values[name] = value }
        for (name, value) in FormBuilderForm.fields(of: read) where name.hasPrefix("consents[") { values[name] = value }
        return try await builder(req, member: member, form: form, customFields: customFields, values: values, errors: failure.errors,
                                 status: .unprocessableEntity)
    }

    private func builder(
        _ req: Request, member: Member, form: FormRecord?, customFields: [CustomFieldDefinition], values: [String: String],
        errors: [FieldError], status: HTTPResponseStatus
    ) async throws -> Response {
        let l = req.l
        let state = FormState(values: values, errors: errors)
        let available = FormDefinition.availableFields(customFields: customFields)
        let action = form.map { SiteURL.form($0.id).path } ?? SiteURL.forms.path
        let title = form?.definition.name ?? l(.formsNew)
        var shown = ["name", "submit_label", "after_submit", "thank_you_message", "redirect_url", "fields", "consents"]

        // Fields: one row per field the workspace offers.
        let fieldRows: [HTMLNode] = available.map { key in
            let name = Self.defaultLabel(key, customFields, l)
            let path = "fields.\(key)"
            shown += [path, path + ".label", path + ".position", path + ".include", path + ".required"]
            let isEmail = key == "email"
            let included = isEmail || !(values[path + ".include"] ?? "").isEmpty
            let required = isEmail || !(values[path + ".required"] ?? "").isEmpty
            let label = values[path + ".label"].flatMap { $0.isEmpty && !included ? nil : $0 } ?? name
            func checkbox(_ suffix: String, checked: Bool, aria: String) -> HTMLNode {
                var attributes: [Attr] = [.id("f-\(path).\(suffix)"), .type("checkbox"), .name("\(path).\(suffix)"), .value("yes"), .aria("label", aria)]
                if checked { attributes.append(.flag("checked")) }
                if isEmail {
                    // Email is always asked and required: shown ticked, sent as a hidden input.
                    return group([void("input", attributes.filter { $0.name != "name" } + [.flag("disabled")]),
                                  void("input", [.type("hidden"), .name("\(path).\(suffix)"), .value("yes")])])
                }
                return void("input", attributes)
            }
            func errorCell(_ name: String, _ nodes: [HTMLNode]) -> HTMLNode {
                el("td", state.error(name) == nil ? [] : [.class("has-error")], nodes)
            }
            return el("tr", [.data("field", key)], [
                cell([checkbox("include", checked: included, aria: l(.formFieldAskNamed, name))]),
                cell([text(name + " "), el("code", [], text: key), Form.errorLine(l, name: path, error: state.error(path))]),
                errorCell(path + ".label", [
                    void("input", [.id("f-\(path).label"), .type("text"), .name(path + ".label"), .value(label),
                                   Attr("maxlength", String(FormDefinition.fieldLabelMaximumLength)), .aria("label", l(.formFieldLabelNamed, name))]
                        + (state.error(path + ".label") != nil ? [.aria("invalid", "true"), .aria("describedby", "e-\(path).label")] : [])),
                    Form.errorLine(l, name: path + ".label", error: state.error(path + ".label")),
                ]),
                cell([checkbox("required", checked: required, aria: l(.formFieldRequiredNamed, name))]),
                errorCell(path + ".position", [
                    void("input", [.id("f-\(path).position"), .type("number"), .name(path + ".position"), .value(values[path + ".position"] ?? ""),
                                   Attr("min", "0"), Attr("max", "10000"), Attr("style", "width:5em"), .aria("label", l(.formFieldOrderNamed, name))]),
                    Form.errorLine(l, name: path + ".position", error: state.error(path + ".position")),
                ]),
            ])
        }

        // Consents: the form's rows, then spare ones.
        let filled = Set(values.keys.compactMap { name -> Int? in
            guard name.hasPrefix("consents["), let close = name.firstIndex(of: "]") else { return nil }
            return Int(name[name.index(name.startIndex, offsetBy: 9)..<close])
        })
        let rowCount = min(FormDefinition.maximumConsents, (filled.max().map { $0 + 1 } ?? 0) + Self.spareConsentRows)
        let consentRows: [HTMLNode] = (0..<max(rowCount, 1)).map { index in
            let path = "consents[\(index)]"
            shown += [path + ".label", path + ".key", path + ".required"]
            let number = String(index + 1)
            return el("div", [.class(state.error(path + ".label") == nil ? "field" : "field has-error"), .data("consent", String(index))], [
                void("input", [.type("hidden"), .name(path + ".key"), .value(values[path + ".key"] ?? "")]),
                el("label", [Attr("for", "f-\(path).label")], text: l(.formConsentTextNumbered, number)),
                el("textarea", [.id("f-\(path).label"), .name(path + ".label"), Attr("rows", "2"),
                                Attr("maxlength", String(FormDefinition.consentLabelMaximumLength))], text: values[path + ".label"] ?? ""),
                Form.errorLine(l, name: path + ".label", error: state.error(path + ".label")),
                Form.errorLine(l, name: path + ".key", error: state.error(path + ".key")),
                el("label", [.class("checkbox")], [
                    void("input", [.id("f-\(path).required"), .type("checkbox"), .name(path + ".required"), .value("yes")]
                        + (!(values[path + ".required"] ?? "").isEmpty ? [.flag("checked")] : [])),
                    text(" " + l(.formConsentRequiredNumbered, number)),
                ]),
            ])
        }

        let after = values["after_submit"] == "redirect" ? "redirect" : "message"
        func radio(_ value: String, _ label: String) -> HTMLNode {
            el("label", [.class("checkbox")], [
                void("input", [.id("f-after_submit-\(value)"), .type("radio"), .name("after_submit"), .value(value)] + (after == value ? [.flag("checked")] : [])),
                text(" " + label),
            ])
        }

        var body: [HTMLNode] = [
            el("p", [], [el("a", [.href(SiteURL.forms.path)], text: "← " + l(.formsBack))]),
            pageHeader(title, subtitle: form.map { Self.stats($0, zone: member.workspace.settings.timeZone, l) }),
            Notice.banner(req),
        ]
        if form?.archived == true {
            body.append(el("div", [.class("notice"), Attr("role", "status"), .id("archived-note")], text: l(.formArchivedNote)))
        }
        body.append(Form.post(req, action: action, id: "form-builder", [
            Form.summary(l, state: state, shown: shown),
            el("section", [.class("panel")], [
                Form.field(l, label: l(.formName), name: "name", state: state, required: true, maxLength: FormDefinition.nameMaximumLength,
                           hint: l(.formNameHint)),
                Form.field(l, label: l(.formSubmitLabel), name: "submit_label", state: state, required: true,
                           maxLength: FormDefinition.submitLabelMaximumLength),
            ]),
            el("section", [.class("panel"), .id("form-fields")], [
                el("h2", [], text: l(.formFieldsTitle)),
                el("p", [.class("hint")], text: l(.formFieldsHint)),
                Form.errorLine(l, name: "fields", error: state.error("fields")),
                Form.errorLine(l, name: "fields.email", error: state.error("fields.email")),
                el("div", [Attr("style", "overflow-x:auto")], [
                    el("table", [.id("form-fields-table")], [
                        el("caption", [.class("visually-hidden")], text: l(.formFieldsTitle)),
                        el("thead", [], [el("tr", [], [l(.formFieldAsk), l(.formFieldContactField), l(.formFieldLabel), l(.formFieldRequired),
                                                       l(.formFieldOrder)].map { el("th", [Attr("scope", "col")], text: $0) })]),
                        el("tbody", [], fieldRows),
                    ]),
                ]),
            ]),
            el("section", [.class("panel"), .id("form-consents")], [
                el("h2", [], text: l(.formConsentsTitle)),
                el("p", [.class("hint")], text: l(.formConsentsHint)),
                Form.errorLine(l, name: "consents", error: state.error("consents")),
                group(consentRows),
            ]),
            el("section", [.class("panel"), .id("form-after")], [
                el("h2", [], text: l(.formAfterTitle)),
                el("fieldset", [.class(state.error("after_submit") == nil ? "field" : "field has-error")], [
                    el("legend", [.class("visually-hidden")], text: l(.formAfterTitle)),
                    radio("message", l(.formAfterMessage)),
                    radio("redirect", l(.formAfterRedirect)),
                    Form.errorLine(l, name: "after_submit", error: state.error("after_submit")),
                ]),
                el("div", [.class(state.error("thank_you_message") == nil ? "field" : "field has-error")], [
                    el("label", [Attr("for", "f-thank_you_message")], text: l(.formThankYouMessage)),
                    el("textarea", [.id("f-thank_you_message"), .name("thank_you_message"), Attr("rows", "3"),
                                    Attr("maxlength", String(FormDefinition.messageMaximumLength))]
                        + (state.error("thank_you_message") != nil ? [.aria("invalid", "true"), .aria("describedby", "e-thank_you_message")] : []),
                       text: values["thank_you_message"] ?? ""),
                    Form.errorLine(l, name: "thank_you_message", error: state.error("thank_you_message")),
                ]),
                Form.field(l, label: l(.formRedirectURL), name: "redirect_url", state: state,
                           maxLength: FormDefinition.redirectURLMaximumLength, extra: [Attr("inputmode", "url"), Attr("placeholder", "https://")]),
            ]),
            el("div", [.class("form-actions")], [Form.submit(form == nil ? l(.create) : l(.formSaveForm), attributes: [.id("save-form")])]),
        ]))

        if let form {
            let hosted = req.absoluteURL(SiteURL.hostedForm(form.id).path)
            body.append(el("section", [.class("panel"), .id("form-share")], [
                el("h2", [], text: l(.formShareTitle)),
                el("p", [], text: l(.formHostedURL)),
                el("p", [], [el("a", [.id("hosted-url"), .href(hosted), Attr("target", "_blank"), Attr("rel", "noopener")], text: hosted)]),
                el("label", [Attr("for", "embed-code")], [el("strong", [], text: l(.formEmbedTitle))]),
                el("p", [.class("hint")], text: l(.formEmbedHint)),
                el("textarea", [.id("embed-code"), Attr("readonly", nil), Attr("rows", "14"), Attr("spellcheck", "false"),
                                Attr("style", "width:100%;font-family:monospace")],
                   text: FormViews.snippet(form, customFields: customFields, action: hosted, l)),
            ]))
            body.append(Form.post(req, action: SiteURL.archiveForm(form.id).path, id: "archive-form",
                                  attributes: form.archived ? [] : [.data("confirm", l(.formArchiveConfirm))], [
                void("input", [.type("hidden"), .name("archived"), .value(form.archived ? "no" : "yes")]),
                Form.submit(form.archived ? l(.formRestore) : l(.formArchive), style: form.archived ? "button-secondary" : "button-danger"),
            ]))
        }
        var page = Page(title: title, area: .forms, body: body)
        page.status = status
        return page.response(for: req)
    }

    /// "No submissions yet", "1 submission · last on …", "12 submissions · last on …".
    static func stats(_ form: FormRecord, zone: String, _ l: Localizer) -> String {
        guard form.submissions > 0, let last = form.lastSubmittedAt else { return l(.formNoSubmissions) }
        return l(form.submissions == 1 ? .formStatsLineOne : .formStatsLine, l.number(form.submissions), l.dateTime(last, timeZone: zone))
    }

    /// What a field is called where it is not yet labelled: the product's name for a contact
    /// field, a custom field's own label.
    static func defaultLabel(_ key: String, _ customFields: [CustomFieldDefinition], _ l: Localizer) -> String {
        ContactFieldLabels.label(key, definitions: customFields, l)
    }
}
