import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// The public side of forms: `GET /f/:formID` shows a form on a page of its own, and
/// `POST /f/:formID` takes submissions from that page or from any site that pasted the form's
/// snippet. No session and no CSRF token (other sites post here by design); an unknown or
/// archived form is 404; a filled honeypot is answered like a success and nothing is kept.
struct PublicFormRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("f", ":formID", use: show)
        routes.on(.POST, "f", ":formID", body: .collect(maxSize: "64kb"), use: submit)
    }

    /// The form, or its thank-you message after a submission (`?submitted=1`). Values given in
    /// the address (`utm_source`, `utm_campaign`, `smk_aid`) travel with the submission.
    func show(req: Request) async throws -> Response {
        let (form, workspaceID) = try await Self.activeForm(req)
        let customFields = try await Self.prepare(req, workspaceID: workspaceID)
        if req.query[String.self, at: "submitted"] != nil {
            return Self.page(req, form, body: [Self.thankYou(form, req.l)], status: .ok)
        }
        var state = FormState()
        for name in [FormDefinition.sourceField, FormDefinition.campaignField, FormDefinition.anonymousIDField] {
            if let value = req.query[String.self, at: name] { state.values[name] = value }
        }
        return Self.page(req, form, body: Self.formBody(req, form, customFields: customFields, state: state), status: .ok)
    }

    /// Takes one submission. Kept in one function so that a per-IP limit can be checked first.
    ///
    /// Valid: the contact is created or updated by its email (one transaction, with the form's
    /// count), then its `form_submitted` event goes through the ingest pipeline like any other
    /// event (stored, scored, the visitor's earlier anonymous events attached through `smk_aid`),
    /// and the visitor sees the thank-you message (303 to `?submitted=1`) or is sent to the
    /// form's page (303). Invalid: the form again with each problem under its input and the
    /// values kept (422), nothing written.
    func submit(req: Request) async throws -> Response {
        // Before any work on the database: a person fills a few forms a minute.
        try req.application.rateLimits.check(.formPerIP, key: req.clientAddress, now: req.now)
        let (form, workspaceID) = try await Self.activeForm(req)
        let customFields = try await Self.prepare(req, workspaceID: workspaceID)
        let body = try await FormData.read(req)
        var submitted: [String: [String]] = [:]
        for (name, value) in body.pairs { submitted[name, default: []].append(value) }

        switch FormSubmission.read(submitted, form: form.definition, customFields: customFields) {
        case .spam:
            req.logger.info("form submission refused as spam (honeypot filled)", metadata: ["form": .string(form.id.uuidString.lowercased())])
            return Self.afterSubmission(req, form)
        case .refused(let failure):
            return Self.refused(req, form, customFields: customFields, submitted: submitted, errors: failure.errors)
        case .accepted(let submission):
            let saved: (contactID: UUID, outcome: ContactWriter.Outcome)?
            do {
                saved = try await FormRepository(req.db, workspaceID: workspaceID)
                    .recordSubmission(to: form.id, submission, definitions: customFields, now: req.now)
            } catch let failure as ValidationFailure {
                return Self.refused(req, form, customFields: customFields, submitted: submitted, errors: failure.errors)
            }
            // Archived between the two reads.
            guard let saved else { throw Abort(.notFound) }
            let event = ScoringEvent(id: "form-" + UUID().uuidString.lowercased(), type: StandardEventType.formSubmitted.rawValue, time: req.now,
                                     properties: submission.eventProperties(formID: form.id, formName: form.definition.name))
            let outcomes = try await req.application.ingest.submit(
                [EventSubmission(event: event, subject: .contact(saved.contactID), identifies: submission.anonymousID)], workspaceID: workspaceID
            )
            if case .refused(let failure)? = outcomes.first {
                req.logger.error("a form event was refused", metadata: ["form": .string(form.id.uuidString.lowercased()),
                                                                       "fields": .string(failure.errors.map(\.field).joined(separator: ","))])
            }
            return Self.afterSubmission(req, form)
        }
    }

    // MARK: Answers

    private static func afterSubmission(_ req: Request, _ form: FormRecord) -> Response {
        switch form.definition.afterSubmit {
        case .redirect(let url): req.redirect(to: url, redirectType: .normal)
        case .message: req.redirect(to: SiteURL.hostedForm(form.id).path + "?submitted=1", redirectType: .normal)
        }
    }

    private static func refused(
        _ req: Request, _ form: FormRecord, customFields: [CustomFieldDefinition], submitted: [String: [String]], errors: [FieldError]
    ) -> Response {
        var state = FormState(errors: errors)
        for (name, values) in submitted where name != FormDefinition.honeypotField {
            state.values[name] = values.first ?? ""
            state.multiValues[name] = values
        }
        var body: [HTMLNode] = [el("p", [.class("form-error"), Attr("role", "alert"), .id("form-errors")], text: req.l(.publicFormFixErrors))]
        body += formBody(req, form, customFields: customFields, state: state)
        return page(req, form, body: body, status: .unprocessableEntity)
    }

    private static func thankYou(_ form: FormRecord, _ l: Localizer) -> HTMLNode {
        let message: String = if case .message(let text) = form.definition.afterSubmit { text } else { l(.formDefaultThankYou) }
        return el("div", [.id("thank-you"), Attr("role", "status")],
                  message.split(separator: "\n", omittingEmptySubsequences: false).map { el("p", [], text: String($0)) })
    }

    private static func formBody(_ req: Request, _ form: FormRecord, customFields: [CustomFieldDefinition], state: FormState) -> [HTMLNode] {
        [el("form", [Attr("method", "post"), Attr("action", SiteURL.hostedForm(form.id).path), Attr("accept-charset", "UTF-8"), .id("hosted-form")],
            FormViews.inputs(form, customFields: customFields, state: state, target: .hosted, req.l))]
    }

    /// A page of its own, without the app's navigation: the visitor is not a user.
    private static func page(_ req: Request, _ form: FormRecord, body: [HTMLNode], status: HTTPResponseStatus) -> Response {
        let document = el("html", [Attr("lang", req.language.rawValue)], [
            el("head", [], [
                void("meta", [Attr("charset", "utf-8")]),
                void("meta", [.name("viewport"), Attr("content", "width=device-width, initial-scale=1")]),
                void("meta", [.name("color-scheme"), Attr("content", "light dark")]),
                void("meta", [.name("robots"), Attr("content", "noindex")]),
                el("title", text: form.definition.name),
                void("link", [Attr("rel", "stylesheet"), .href(SiteURL.stylesheet.path)]),
                el("style", [], [.raw("body.public-form-page{padding:var(--space-4,1rem)}.public-form-page .card{margin:2rem auto}"
                    + ".public-form-page .consent label{font-weight:400}")]),
            ]),
            el("body", [.class("public-form-page")], [
                el("main", [.id("main"), .class("card narrow")], [el("h1", [], text: form.definition.name)] + body),
            ]),
        ])
        let response = Response(status: status, body: .init(string: "<!DOCTYPE html>" + document.render()))
        response.headers.replaceOrAdd(name: .contentType, value: "text/html; charset=utf-8")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "strict-origin-when-cross-origin")
        return response
    }

    // MARK: Lookups

    private static func activeForm(_ req: Request) async throws -> (FormRecord, UUID) {
        guard let id = req.parameters.get("formID", as: UUID.self), let found = try await Directory(req.db).activeForm(id) else {
            throw Abort(.notFound)
        }
        return (found.form, found.workspaceID)
    }

    /// The workspace's contact fields, and the page's language: the visitor's browser, else the
    /// workspace's.
    private static func prepare(_ req: Request, workspaceID: UUID) async throws -> [CustomFieldDefinition] {
        let workspace = try await WorkspaceRepository(req.db, workspaceID: workspaceID).get()
        req.language = Language.negotiate(acceptLanguage: req.headers.first(name: .acceptLanguage)) ?? workspace?.settings.language ?? .en
        return try await CustomFieldRepository(req.db, workspaceID: workspaceID).list(.contact)
    }
}
