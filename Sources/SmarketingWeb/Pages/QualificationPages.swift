import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// Marking a lead sales-qualified (SQL): the rep who works the lead answers the SQL criteria of
/// the active lead definition on a page of their own; the contact page shows what was answered.
struct QualificationPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("contacts", ":contactID", "qualify", use: form)
        routes.post("contacts", ":contactID", "qualify", use: qualify)
    }

    func form(req: Request) async throws -> Response {
        let (member, contact) = try await worker(req)
        let (version, criteria) = try await SQLQualifications(req.db, workspaceID: member.workspaceID).criteria()
        return Self.page(req, contact: contact, version: version, criteria: criteria, state: FormState()).response(for: req)
    }

    func qualify(req: Request) async throws -> Response {
        let (member, contact) = try await worker(req)
        let qualifications = SQLQualifications(req.db, workspaceID: member.workspaceID)
        let (version, criteria) = try await qualifications.criteria()
        let fields = criteria.map(\.asFieldDefinition)
        let form = try await FormData.read(req)
        let given = CustomFieldInputs.read(form, builtIn: [], definitions: fields)
        var answers: [String: String] = [:]
        for field in fields { answers[field.key] = given[field.fieldName] ?? "" }
        do {
            guard try await qualifications.qualify(contact.id, answers: answers, by: member.actor, now: req.now) != nil else { throw Abort(.notFound) }
        } catch let failure as ValidationFailure {
            // Each answer's error next to its input (the inputs are named as custom fields are).
            let errors = failure.errors.map { error in
                criteria.contains { $0.key == error.field } ? FieldError(CustomFieldDefinition.fieldNamePrefix + error.field, error.code) : error
            }
            let state = FormState(form: form, errors: errors, keeping: fields.map(\.fieldName),
                                  multi: fields.filter { $0.type == .multiChoice }.map(\.fieldName))
            var page = Self.page(req, contact: contact, version: version, criteria: criteria, state: state)
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        return req.redirect(to: SiteURL.contact(contact.id).path + "?notice=qualified", redirectType: .normal)
    }

    /// The member and the contact, when the member works this lead (a rep's own, a sales
    /// manager's team's); 404 for a contact of another workspace, 403 for a lead of someone else.
    private func worker(_ req: Request) async throws -> (Member, Contact) {
        let member = try req.requireMember()
        guard let id = req.parameters.get("contactID", as: UUID.self),
              let contact = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(id)
        else { throw Abort(.notFound) }
        guard try await member.mayWork(contact, on: req.db) else { throw Abort(.forbidden) }
        return (member, contact)
    }

    static func page(_ req: Request, contact: Contact, version: Int, criteria: [SQLCriterion], state: FormState) -> Page {
        let l = req.l
        let title = l(.qualifyTitle, contact.displayName)
        let open = SQLQualification.qualifiableStages.contains(contact.stage)
        let stageRefused = state.errors.contains { $0.field == "lifecycle_stage" }
        var body: [HTMLNode] = [pageHeader(title, subtitle: version > 0 ? l(.qualifyIntro, String(version)) : l(.qualifyNoDefinition),
                                           actions: [link(l(.backToContact), .contact(contact.id))])]
        if !open || stageRefused {
            body.append(el("p", [.class("form-error"), Attr("role", "alert"), .id("qualify-refused")],
                           text: l(.qualifyStageRefused, l.stageName(contact.stage))))
            return Page(title: title, area: .contacts, body: body)
        }
        let fields = criteria.map(\.asFieldDefinition)
        body.append(el("section", [.class("panel")], [
            criteria.isEmpty ? el("p", [.class("hint")], text: l(.qualifyNoCriteria)) : .empty,
            state.errors.isEmpty ? .empty : el("p", [.class("form-error"), Attr("role", "alert"), .id("qualify-errors")],
                                              text: l(.ldFixErrors, String(state.errors.count))),
            Form.post(req, action: "/contacts/\(contact.id.uuidString.lowercased())/qualify", id: "qualify-form",
                      CustomFieldInputs.nodes(fields, state: state, l) + [Form.submit(l(.qualifySubmit))]),
        ]))
        return Page(title: title, area: .contacts, body: body)
    }

    /// The contact page's panel: the latest qualification's answers, and the way to qualify
    /// for a member who works the lead while its stage allows it.
    static func panel(_ history: [SQLQualification], contact: Contact, mayQualify: Bool, zone: String, _ l: Localizer) -> HTMLNode {
        let canQualify = mayQualify && SQLQualification.qualifiableStages.contains(contact.stage)
        guard !history.isEmpty || canQualify else { return .empty }
        var children: [HTMLNode] = [el("h2", [], text: l(.qualificationTitle))]
        if let latest = history.first {
            children.append(el("p", [], text: l(.qualifiedBy, latest.actor.name, l.dateTime(latest.at, timeZone: zone), String(latest.definitionVersion))))
            if !latest.answers.isEmpty {
                children.append(el("dl", [.class("facts"), .id("sql-answers")], latest.answers.flatMap { answer in
                    [el("dt", [], text: answer.label), el("dd", [.data("criterion", answer.key)], text: answer.value)]
                }))
            }
        }
        if canQualify {
            children.append(el("a", [.class("button-primary"), .id("qualify-link"), .href("/contacts/\(contact.id.uuidString.lowercased())/qualify")],
                               text: l(.qualifySubmit)))
        }
        return el("section", [.class("panel"), .id("qualification")], children)
    }
}
