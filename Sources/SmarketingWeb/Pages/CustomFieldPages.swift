import SmarketingCore
import SmarketingStore
import Vapor

/// Where admins define the workspace's own fields for contacts and companies.
struct CustomFieldPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("settings", "fields", use: show)
        routes.post("settings", "fields", use: create)
        routes.post("settings", "fields", ":fieldID", use: update)
        routes.post("settings", "fields", ":fieldID", "delete", use: delete)
    }

    private func admin(_ req: Request) throws -> Member {
        let member = try req.requireMember()
        try member.require(.manageWorkspace)
        return member
    }

    func show(req: Request) async throws -> Response {
        let member = try admin(req)
        return try await page(req, member: member, state: FormState(values: ["entity": "contact", "type": "text"])).response(for: req)
    }

    func create(req: Request) async throws -> Response {
        let member = try admin(req)
        let form = try await FormData.read(req)
        let options = Self.options(form.value("options"))
        do {
            let checked = try CustomFieldDefinition.check(key: form.value("key"), label: form.value("label"), type: form.value("type"),
                                                          options: options, entity: form.value("entity"))
            _ = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).create(
                entity: checked.entity, key: checked.key, label: checked.label, type: checked.type, options: checked.options,
                by: member.actor, now: req.now
            )
            return req.redirect(to: "/settings/fields?notice=created", redirectType: .normal)
        } catch let failure as ValidationFailure {
            var page = try await page(req, member: member, state: FormState(form: form, errors: failure.errors,
                                                                             keeping: ["key", "label", "type", "entity", "options"]))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
    }

    func update(req: Request) async throws -> Response {
        let member = try admin(req)
        let repository = CustomFieldRepository(req.db, workspaceID: member.workspaceID)
        guard let id = req.parameters.get("fieldID", as: UUID.self), let field = try await repository.find(id) else { throw Abort(.notFound) }
        let form = try await FormData.read(req)
        let checked = try CustomFieldDefinition.check(key: field.key, label: form.value("label"), type: field.type.rawValue,
                                                      options: Self.options(form.value("options")), entity: field.entity.rawValue)
        _ = try await repository.update(id, label: checked.label, options: checked.options, by: member.actor, now: req.now)
        return req.redirect(to: "/settings/fields?notice=saved", redirectType: .normal)
    }

    func delete(req: Request) async throws -> Response {
        let member = try admin(req)
        guard let id = req.parameters.get("fieldID", as: UUID.self),
              try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).delete(id, by: member.actor, now: req.now)
        else { throw Abort(.notFound) }
        return req.redirect(to: "/settings/fields?notice=deleted", redirectType: .normal)
    }

    /// Options typed one per line (or separated by semicolons).
    static func options(_ raw: String?) -> [String] {
        (raw ?? "").components(separatedBy: CharacterSet(charactersIn: "\n;")).map(\.trimmingBlanks).filter { !$0.isEmpty }
    }

    private func page(_ req: Request, member: Member, state: FormState) async throws -> Page {
        let l = req.l
        let fields = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list()
        let typeNames: [(String, String)] = CustomFieldType.allCases.map { ($0.rawValue, Self.typeName($0, l)) }
        let rows: [HTMLNode] = fields.map { field in
            el("tr", [.data("field", field.key)], [
                cell(field.entity == .contact ? l(.navContacts) : l(.navCompanies)),
                cell([el("code", [], text: "cf_\(field.key)")]),
                cell([Form.post(req, action: "/settings/fields/\(field.id.uuidString.lowercased())", attributes: [.class("inline-form")], [
                    el("label", [.class("visually-hidden"), Attr("for", "label-\(field.key)")], text: l(.fieldLabel)),
                    void("input", [.id("label-\(field.key)"), .name("label"), .type("text"), .value(field.label), Attr("maxlength", "60")]),
                    field.type == .choice || field.type == .multiChoice
                        ? el("textarea", [.name("options"), Attr("rows", "2"), .aria("label", l(.fieldOptions))], text: field.options.joined(separator: "\n"))
                        : .empty,
                    Form.submit(l(.save), style: "button-small"),
                ])]),
                cell(Self.typeName(field.type, l)),
                cell([Form.post(req, action: "/settings/fields/\(field.id.uuidString.lowercased())/delete",
                                attributes: [.data("confirm", l(.fieldDeleteConfirm))], [Form.submit(l(.delete), style: "button-danger")])]),
            ])
        }
        return Page(title: l(.customFields), area: .settings, body: [
            settingsTabs(req, current: .fields),
            pageHeader(l(.customFields), subtitle: l(.customFieldsIntro)),
            Notice.banner(req),
            dataTable(id: "fields-table", caption: l(.customFields), headers: [l(.fieldEntity), l(.fieldKey), l(.fieldLabel), l(.fieldType), ""],
                      rows: rows, empty: l(.customFieldsEmpty)),
            el("section", [.class("panel")], [
                el("h2", [], text: l(.fieldNew)),
                Form.post(req, action: "/settings/fields", id: "field-form", [
                    Form.select(l, label: l(.fieldEntity), name: "entity", options: [("contact", l(.navContacts)), ("company", l(.navCompanies))], state: state),
                    Form.field(l, label: l(.fieldLabel), name: "label", state: state, required: true, maxLength: 60),
                    Form.field(l, label: l(.fieldKey), name: "key", state: state, required: true, maxLength: 40, hint: l(.fieldKeyHint)),
                    Form.select(l, label: l(.fieldType), name: "type", options: typeNames, state: state),
                    el("div", [.class(state.error("options") == nil ? "field" : "field has-error")], [
                        el("label", [Attr("for", "f-options")], text: l(.fieldOptions)),
                        el("textarea", [.id("f-options"), .name("options"), Attr("rows", "4")], text: state.values["options"] ?? ""),
                        el("p", [.class("hint")], text: l(.fieldOptionsHint)),
                        Form.errorLine(l, name: "options", error: state.error("options")),
                    ]),
                    Form.summary(l, state: state, shown: ["entity", "label", "key", "type", "options"]),
                    Form.submit(l(.create)),
                ]),
            ]),
        ])
    }

    static func typeName(_ type: CustomFieldType, _ l: Localizer) -> String {
        switch type {
        case .text: l(.typeText)
        case .number: l(.typeNumber)
        case .date: l(.typeDate)
        case .choice: l(.typeChoice)
        case .multiChoice: l(.typeMultiChoice)
        case .boolean: l(.typeBoolean)
        }
    }
}
