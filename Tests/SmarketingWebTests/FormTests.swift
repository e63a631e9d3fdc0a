import Foundation
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
@testable import SmarketingWeb
import Testing
import Vapor

/// The builder's inputs for a form, as the page sends them.
func formBuilderFields(
    name: String = "Demo request",
    fields: [(key: String, label: String, required: Bool)] = [("email", "Work email", true), ("first_name", "First name", true),
                                                              ("last_name", "Last name", false)],
    consents: [(label: String, required: Bool)] = [("I agree to be contacted about my request.", true)],
    submitLabel: String = "Request a demo",
    after: (kind: String, value: String) = ("message", "Thanks! We will call you soon.")
) -> [(String, String)] {
    var pairs: [(String, String)] = [("name", name), ("submit_label", submitLabel), ("after_submit", after.kind)]
    pairs.append(after.kind == "redirect" ? ("redirect_url", after.value) : ("thank_you_message", after.value))
    for (index, field) in fields.enumerated() {
        pairs += [("fields.\(field.key).include", "yes"), ("fields.\(field.key).label", field.label), ("fields.\(field.key).position", String(index + 1))]
        if field.required { pairs.append(("fields.\(field.key).required", "yes")) }
    }
    for (index, consent) in consents.enumerated() {
        pairs += [("consents[\(index)].key", ""), ("consents[\(index)].label", consent.label)]
        if consent.required { pairs.append(("consents[\(index)].required", "yes")) }
    }
    return pairs
}

/// Builds a form on the builder page as `browser`'s user; returns its id.
func buildForm(_ browser: Browser, _ fields: [(String, String)] = formBuilderFields()) async throws -> UUID {
    let reply = try await browser.post("/forms", fields)
    #expect(reply.status == .seeOther, "the builder answered \(reply.status): \(reply.text.prefix(600))")
    let location = try #require(reply.location)
    #expect(location.hasSuffix("?notice=created"))
    let id = location.dropFirst("/forms/".count).prefix { $0 != "?" }
    return try #require(UUID(uuidString: String(id)))
}

/// The field names of the error lines on a page.
func errorFieldNames(_ html: String) -> [String] {
    html.components(separatedBy: "class=\"field-error\"").dropFirst().compactMap { part in
        part.components(separatedBy: "data-field=\"").dropFirst().first?.split(separator: "\"").first.map(String.init)
    }
}

@Suite("Forms: the builder, the hosted page and submissions")
struct FormTests {
    @Test("a marketer builds a form on the page; bad input comes back next to its input with everything kept, and a good one gives the hosted address and the HTML to paste")
    func builder() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (_, marketer) = try await acme.member(app, email: "mia@acme.com", roles: [.marketing], name: "Mia")
            let blank = try await marketer.get("/forms/new")
            #expect(blank.status == .ok)
            #expect(blank.text.contains("id=\"form-builder\""))

            var bad = formBuilderFields(name: " ", after: ("redirect", "javascript:alert(1)"))
            bad = bad.map { $0.0 == "fields.first_name.label" ? ($0.0, String(repeating: "x", count: 101)) : $0 }
            bad.append(("fields.phone.include", "yes"))
            bad.append(("fields.phone.label", "Mobile"))
            bad.append(("fields.phone.position", "soon"))
            let refused = try await marketer.post("/forms", bad)
            #expect(refused.status == .unprocessableEntity)
            #expect(Set(errorFieldNames(refused.text)) == ["name", "fields.first_name.label", "fields.phone.position", "redirect_url"])
            #expect(refused.text.contains("value=\"Work email\""), "what was typed is kept")
            #expect(refused.text.contains("value=\"javascript:alert(1)\""))
            #expect(refused.text.contains("I agree to be contacted about my request."))
            #expect(try await FormRepository(app.db, workspaceID: acme.workspace.id).list().isEmpty, "nothing is saved")

            let id = try await buildForm(marketer)
            let page = try await marketer.get("/forms/\(id.uuidString.lowercased())")
            #expect(page.status == .ok)
            #expect(page.text.contains("No submissions yet."))
            let hosted = try #require(page.text.attribute("href", ofElementWithID: "hosted-url"))
            #expect(hosted.hasSuffix("/f/\(id.uuidString.lowercased())"))
            let snippet = try #require(page.text.components(separatedBy: "id=\"embed-code\"").dropFirst().first?.components(separatedBy: "</textarea>").first)
            #expect(snippet.contains("&lt;form method=\"post\" action=\"\(hosted)\""))
            #expect(snippet.contains("name=\"email\""))
            #expect(snippet.contains("name=\"website\""), "the honeypot")
            #expect(snippet.contains("style=\"position:absolute;left:-10000px"), "hidden by an inline style")
            #expect(snippet.contains("name=\"smk_aid\""))
            #expect(snippet.contains("name=\"consent_1\""))
            #expect(!snippet.contains("_csrf"), "another site cannot have the app's token")

            // Editing: a new consent and a new field; the order follows the numbers.
            var edited = formBuilderFields(fields: [("email", "Work email", true), ("job_title", "Job title", false), ("first_name", "First name", true)],
                                           consents: [("I agree to be contacted about my request.", true), ("Send me the newsletter.", false)])
            edited = edited.map { $0.0 == "consents[0].key" ? ($0.0, "consent_1") : $0 }
            let saved = try await marketer.post("/forms/\(id.uuidString.lowercased())", edited)
            #expect(saved.location == "/forms/\(id.uuidString.lowercased())?notice=saved")
            let form = try #require(try await FormRepository(app.db, workspaceID: acme.workspace.id).find(id))
            #expect(form.definition.fields.map(\.key) == ["email", "job_title", "first_name"])
            #expect(form.definition.consents.map(\.key) == ["consent_1", "consent_2"])

            let list = try await marketer.get("/forms")
            #expect(list.text.contains("data-form=\"\(id.uuidString.lowercased())\""))
            #expect(list.text.contains("Demo request"))
            #expect(list.text.contains("data-nav=\"forms\""))

            // Sales reps do not manage forms.
            let (_, rep) = try await acme.member(app, email: "rui@acme.com", roles: [.sales], name: "Rui")
            #expect(try await rep.get("/forms").status == .forbidden)
            #expect(try await rep.post("/forms/\(id.uuidString.lowercased())", edited).status == .forbidden)
            #expect(!(try await rep.get("/").text.contains("data-nav=\"forms\"")))
        }
    }

    @Test("the hosted page shows the form's fields in order with its consents, on a page of its own, in the visitor's language")
    func hostedPage() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let id = try await buildForm(acme.adminBrowser, formBuilderFields(fields: [("email", "Work email", true), ("country", "Country", false),
                                                                                     ("first_name", "First name", true)]))
            let visitor = Browser(app, acceptLanguage: "pt-BR,pt;q=0.9")
            let page = try await visitor.get("/f/\(id.uuidString.lowercased())?utm_source=linkedin")
            #expect(page.status == .ok)
            #expect(page.text.contains("lang=\"pt-BR\""))
            #expect(page.text.contains("<h1>Demo request</h1>"))
            #expect(!page.text.contains("main-nav"), "no app navigation for visitors")
            #expect(!page.text.contains("_csrf"))
            let email = try #require(page.text.range(of: "Work email *"))
            let country = try #require(page.text.range(of: ">Country<"))
            let first = try #require(page.text.range(of: "First name *"))
            #expect(email.lowerBound < country.lowerBound && country.lowerBound < first.lowerBound)
            #expect(page.text.contains("<option value=\"BR\">Brasil</option>"), "countries in the visitor's language")
            #expect(page.text.contains("name=\"utm_source\" value=\"linkedin\""))
            #expect(page.text.contains("I agree to be contacted about my request. *"))
            #expect(page.text.contains("Request a demo"))
            #expect(page.headers.first(name: "X-Frame-Options") == nil, "sites may show the hosted page in a frame")

            #expect(try await visitor.get("/f/\(UUID().uuidString.lowercased())").status == .notFound)
            #expect(try await visitor.get("/f/not-a-form").status == .notFound)
        }
    }

    @Test("a submission creates the contact with the form as its source, records a form_submitted event through the ingest pipeline and scores it")
    func submissionCreatesAndScores() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            try await activateThroughPages(testDefinition(), app: app, acme: acme)
            let id = try await buildForm(acme.adminBrowser, formBuilderFields(fields: [("email", "Work email", true), ("first_name", "First name", true),
                                                                                     ("job_title", "Job title", false)]))
            let path = "/f/\(id.uuidString.lowercased())"
            let visitor = Browser(app)
            let reply = try await visitor.post(path, [("email", "Lia@Globex.com"), ("first_name", "Lia"), ("job_title", "Diretora de Vendas"),
                                                      ("consent_1", "yes"), ("website", ""), ("smk_aid", ""),
                                                      ("lifecycle_stage", "customer"), ("owner_email", "ana@acme.com")], csrf: false)
            #expect(reply.status == .seeOther)
            #expect(reply.location == path + "?submitted=1")
            let thanks = try await visitor.get(try #require(reply.location))
            #expect(thanks.text.contains("id=\"thank-you\""))
            #expect(thanks.text.contains("Thanks! We will call you soon."))

            let contact = try #require(try await ContactRepository(app.db, workspaceID: acme.workspace.id).find(email: EmailAddress("lia@globex.com")!))
            #expect(contact.firstName == "Lia")
            #expect(contact.source == "form")
            #expect(contact.campaign == "Demo request")
            #expect(contact.lastSource == "form")
            #expect(contact.ownerID == nil, "a visitor cannot choose an owner")
            #expect(contact.stage == .mql, "a director (fit 20) with a form (25 points) qualifies, not the stage the visitor posted")

            let events = try await EventLog(app.db, workspaceID: acme.workspace.id).scoringEvents(of: contact.id)
            #expect(events.count == 1)
            let event = try #require(events.first)
            #expect(event.type == "form_submitted")
            #expect(event.properties["form_id"] == id.uuidString.lowercased())
            #expect(event.properties["form"] == "Demo request")
            #expect(event.properties["consents"] == "consent_1")
            #expect(event.properties["consent.consent_1"] == "I agree to be contacted about my request.")
            let keeper = ScoreKeeper(app.db, workspaceID: acme.workspace.id)
            let score = try #require(try await keeper.score(of: contact.id, definition: try await keeper.activeDefinition(), now: app.clock.now()))
            #expect(score.ledger.contains { $0.ruleID == "form" && $0.cause == .event(id: event.id, type: "form_submitted") })

            let timeline = try await RecordChanges(app.db, workspaceID: acme.workspace.id).timeline(of: contact.id, limit: 10)
            let created = try #require(timeline.first { $0.kind == .created })
            #expect(created.actor == AuditActor(userID: nil, name: "Form: Demo request", channel: .form))
            #expect(try await FormRepository(app.db, workspaceID: acme.workspace.id).find(id)?.submissions == 1)
            #expect(try await acme.adminBrowser.get("/forms/\(id.uuidString.lowercased())").text.contains("1 submission · on "))

            let profile = try await acme.adminBrowser.get("/contacts/\(contact.id.uuidString.lowercased())")
            #expect(profile.text.contains("data-event=\"\(event.id)\""))
            #expect(profile.text.contains("Form submitted"))
        }
    }

    @Test("a second submission with the same email in another case and with blanks updates the contact instead of duplicating it, and keeps its first touch")
    func secondSubmissionUpdates() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let id = try await buildForm(acme.adminBrowser)
            let path = "/f/\(id.uuidString.lowercased())"
            let visitor = Browser(app)
            _ = try await visitor.post(path, [("email", "lia@globex.com"), ("first_name", "Lia"), ("last_name", "Souza"), ("consent_1", "yes"),
                                              ("utm_source", "linkedin"), ("utm_campaign", "q4")], csrf: false)
            let again = try await visitor.post(path, [("email", "  LIA@Globex.COM "), ("first_name", "Lia Maria"), ("last_name", " "), ("consent_1", "yes"),
                                                      ("utm_source", "google")], csrf: false)
            #expect(again.status == .seeOther)
            let contacts = ContactRepository(app.db, workspaceID: acme.workspace.id)
            #expect(try await contacts.count() == 1)
            let contact = try #require(try await contacts.find(email: EmailAddress("lia@globex.com")!))
            #expect(contact.firstName == "Lia Maria")
            #expect(contact.lastName == "Souza", "a blank field keeps what is stored")
            #expect(contact.source == "linkedin")
            #expect(contact.campaign == "q4")
            #expect(contact.lastSource == "google")
            #expect(contact.lastCampaign == "Demo request")
            #expect(try await EventLog(app.db, workspaceID: acme.workspace.id).scoringEvents(of: contact.id).count == 2)
            let timeline = try await RecordChanges(app.db, workspaceID: acme.workspace.id).timeline(of: contact.id, limit: 10)
            #expect(timeline.map(\.kind) == [.updated, .created])
            #expect(try await FormRepository(app.db, workspaceID: acme.workspace.id).find(id)?.submissions == 2)
        }
    }

    @Test("a filled honeypot is answered like a success and nothing is stored")
    func honeypot() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let id = try await buildForm(acme.adminBrowser, formBuilderFields(after: ("redirect", "https://acme.example/thanks")))
            let reply = try await Browser(app).post("/f/\(id.uuidString.lowercased())", [
                ("email", "bot@spam.example"), ("first_name", "Bot"), ("consent_1", "yes"), ("website", "http://spam.example"),
            ], csrf: false)
            #expect(reply.status == .seeOther)
            #expect(reply.location == "https://acme.example/thanks")
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == 0)
            #expect(try await EventLog(app.db, workspaceID: acme.workspace.id).count() == 0)
            #expect(try await FormRepository(app.db, workspaceID: acme.workspace.id).find(id)?.submissions == 0)

            // A person's submission to the same form goes to the form's page.
            let person = try await Browser(app).post("/f/\(id.uuidString.lowercased())", [("email", "lia@globex.com"), ("first_name", "Lia"), ("consent_1", "yes")], csrf: false)
            #expect(person.location == "https://acme.example/thanks")
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == 1)
        }
    }

    @Test("one address that submits forms faster than a person could is answered 429 with Retry-After, and nothing more is stored")
    func rateLimit() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let id = try await buildForm(acme.adminBrowser)
            var statuses: [HTTPStatus] = []
            var retryAfter: String?
            for index in 0..<Int(RateLimitPolicy.formPerIP.burst) + 1 {
                let reply = try await Browser(app).post("/f/\(id.uuidString.lowercased())", [
                    ("email", "lead\(index)@globex.com"), ("first_name", "Lead"), ("consent_1", "yes"),
                ], csrf: false)
                statuses.append(reply.status)
                retryAfter = reply.headers.first(name: .retryAfter) ?? retryAfter
            }
            #expect(statuses.dropLast().allSatisfy { $0 == .seeOther })
            #expect(statuses.last == .tooManyRequests)
            #expect(Int(retryAfter ?? "") ?? 0 >= 1)
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == Int(RateLimitPolicy.formPerIP.burst))
        }
    }

    @Test("an invalid email or a required consent left unticked comes back as 422 naming each field, with the values kept and nothing stored")
    func invalidSubmission() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let id = try await buildForm(acme.adminBrowser)
            let reply = try await Browser(app).post("/f/\(id.uuidString.lowercased())", [
                ("email", "lia@"), ("first_name", "Lia\" onfocus=\"alert(1)\" <b>"), ("last_name", ""), ("smk_aid", "visitor-5"),
            ], csrf: false)
            #expect(reply.status == .unprocessableEntity)
            #expect(errorFieldNames(reply.text) == ["email", "consent_1"])
            #expect(reply.text.contains("id=\"form-errors\""))
            #expect(reply.text.contains("value=\"lia@\""))
            #expect(reply.text.contains("value=\"Lia&quot; onfocus=&quot;alert(1)&quot; &lt;b&gt;\""), "kept, and escaped")
            #expect(!reply.text.contains("onfocus=\"alert"), "what a visitor posts never becomes markup")
            #expect(reply.text.contains("name=\"smk_aid\" value=\"visitor-5\""))
            #expect(reply.text.contains("aria-invalid=\"true\""))
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == 0)
            #expect(try await EventLog(app.db, workspaceID: acme.workspace.id).count() == 0)

            let wrongType = try await Browser(app).send(.POST, "/f/\(id.uuidString.lowercased())", body: #"{"email":"lia@globex.com"}"#, contentType: "application/json")
            #expect(wrongType.status == .unsupportedMediaType)
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == 0)
        }
    }

    @Test("another workspace's form cannot be opened, edited or archived from its signed-in pages, and never shows in its list")
    func sealedPerWorkspace() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let id = try await buildForm(acme.adminBrowser, formBuilderFields(name: "Acme secret form"))
            let globex = try await TestWorkspace.direct(app, email: "gus@globex.com", name: "Globex")
            let path = "/forms/\(id.uuidString.lowercased())"
            #expect(try await globex.adminBrowser.get(path).status == .notFound)
            #expect(try await globex.adminBrowser.post(path, formBuilderFields(name: "Hijacked")).status == .notFound)
            #expect(try await globex.adminBrowser.post(path + "/archive", [("archived", "yes")]).status == .notFound)
            let list = try await globex.adminBrowser.get("/forms")
            #expect(list.status == .ok)
            #expect(!list.text.contains("Acme secret form"))
            let form = try #require(try await FormRepository(app.db, workspaceID: acme.workspace.id).find(id))
            #expect(form.definition.name == "Acme secret form")
            #expect(!form.archived)
            #expect(try await FormRepository(app.db, workspaceID: globex.workspace.id).find(id) == nil)
        }
    }

    @Test("an archived form answers 404 on its page and to submissions, and takes them again once restored")
    func archived() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let id = try await buildForm(acme.adminBrowser)
            let path = "/f/\(id.uuidString.lowercased())"
            let archive = try await acme.adminBrowser.post("/forms/\(id.uuidString.lowercased())/archive", [("archived", "yes")])
            #expect(archive.status == .seeOther)
            #expect(try await acme.adminBrowser.get("/forms/\(id.uuidString.lowercased())").text.contains("id=\"archived-note\""))
            let visitor = Browser(app)
            #expect(try await visitor.get(path).status == .notFound)
            let refused = try await visitor.post(path, [("email", "lia@globex.com"), ("first_name", "Lia"), ("consent_1", "yes")], csrf: false)
            #expect(refused.status == .notFound)
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == 0)

            _ = try await acme.adminBrowser.post("/forms/\(id.uuidString.lowercased())/archive", [("archived", "no")])
            #expect(try await visitor.get(path).status == .ok)
            #expect(try await visitor.post(path, [("email", "lia@globex.com"), ("first_name", "Lia"), ("consent_1", "yes")], csrf: false).status == .seeOther)
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == 1)
        }
    }

    @Test("the smk_aid of a submission gives the visitor's earlier anonymous events to the contact, scored as if they had come in order")
    func anonymousHistoryJoinsTheContact() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            try await activateThroughPages(testDefinition(), app: app, acme: acme)
            let api = APIClient(app: app, token: try await acme.token(app))
            let views = (0..<2).map { #"{"id":"v\#($0)","type":"page_view","anonymous_id":"visitor-1","occurred_at":"2026-11-16T0\#($0 + 8):00:00Z","properties":{"path":"/pricing"}}"# }
            #expect(try await api.call(.POST, "/api/v1/events", json: "{\"events\":[" + views.joined(separator: ",") + "]}").json()["accepted"] as? Int == 2)

            let id = try await buildForm(acme.adminBrowser)
            let reply = try await Browser(app).post("/f/\(id.uuidString.lowercased())", [
                ("email", "lia@globex.com"), ("first_name", "Lia"), ("consent_1", "yes"), ("smk_aid", "visitor-1"),
            ], csrf: false)
            #expect(reply.status == .seeOther)
            let contact = try #require(try await ContactRepository(app.db, workspaceID: acme.workspace.id).find(email: EmailAddress("lia@globex.com")!))
            let events = try await EventLog(app.db, workspaceID: acme.workspace.id).scoringEvents(of: contact.id)
            #expect(events.map(\.id).prefix(2) == ["v0", "v1"])
            #expect(events.last?.type == "form_submitted")
            let keeper = ScoreKeeper(app.db, workspaceID: acme.workspace.id)
            let score = try #require(try await keeper.score(of: contact.id, definition: try await keeper.activeDefinition(), now: app.clock.now()))
            #expect(score.ledger.filter { $0.ruleID == "pricing" }.map(\.points).reduce(0, +) == 20)
            #expect(score.ledger.contains { $0.ruleID == "form" })
        }
    }
}
