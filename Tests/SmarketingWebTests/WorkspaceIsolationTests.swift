import Foundation
import SmarketingCore
import SmarketingStore
@testable import SmarketingWeb
import Testing
import Vapor

@Suite("Every workspace is sealed from every other")
struct WorkspaceIsolationTests {
    /// Workspace A (a demo workspace full of data) and an admin of workspace B.
    struct Fixture {
        var ids: [String: String]
        var markers: [String]
        var outsiderBrowser: Browser
        var outsiderAPI: APIClient
        var acmeToken: String
        var acmeID: UUID
    }

    func makeFixture(_ app: Application) async throws -> Fixture {
        let demo = DemoWorkspace.make(seed: 3, contactCount: 12, emailDomain: "acme.test")
        let summary = try await DemoSeeder(app.db).seed(demo, passwordHash: "x", now: app.clock.now())
        let acme = summary.workspace.id
        let admin = summary.users[0]
        let team = try #require(try await TeamRepository(app.db, workspaceID: acme).list().first)
        let contact = try #require(try await ContactRepository(app.db, workspaceID: acme).page(limit: 1, after: nil).first)
        let company = try #require(try await CompanyRepository(app.db, workspaceID: acme).page(limit: 1, after: nil).first)
        let (invitation, _) = try await InvitationRepository(app.db, workspaceID: acme)
            .create(email: EmailAddress("pending@acme.test")!, roles: [.sales], teamIDs: [], by: .user(admin, via: .page), now: app.clock.now())
        let (token, secret) = try await APITokenRepository(app.db, workspaceID: acme).create(for: admin, name: "acme-token", by: .user(admin, via: .page), now: app.clock.now())

        let field = try await CustomFieldRepository(app.db, workspaceID: acme)
            .create(entity: .contact, key: "acme_secret", label: "Acme secret field", type: .text, options: [], by: .user(admin, via: .page), now: app.clock.now())
        let rule = try await RoutingSetup(app.db, workspaceID: acme)
            .createRule(RoutingRule(id: UUID(), name: "Acme routing rule", position: 0, conditions: [], teamID: team.id), by: .user(admin, via: .page), now: app.clock.now())
        let importRecord = try await ImportRepository(app.db, workspaceID: acme)
            .create(fileName: "acme-leads.csv", storedPath: "/nonexistent/acme.csv", delimiter: ",", encoding: .utf8, userID: admin.id, now: app.clock.now())
        let run = try await ScoringRuns(app.db, workspaceID: acme).start(.whatIf, version: 1, total: 0, now: app.clock.now())
        let form = try await FormRepository(app.db, workspaceID: acme).create(FormDefinition(
            name: "Acme secret form", fields: [FormField(key: "email", label: "Email", required: true)], submitLabel: "Send",
            afterSubmit: .message("Thanks")
        ), now: app.clock.now())
        let actor = AuditActor.user(admin, via: .page)
        let endpoint = try await WebhookEndpoints(app.db, workspaceID: acme).create(
            WebhookEndpointInput(url: URL(string: "https://hooks.acme.test/secret")!, description: "Acme secret hook", eventTypes: [], active: true),
            by: actor, now: app.clock.now())
        try await WebhookEvents(app.db, workspaceID: acme).emit(.leadMQL, data: [:], now: app.clock.now())
        let delivery = try #require(try await WebhookEndpoints(app.db, workspaceID: acme).deliveries(of: endpoint.id).first)
        let writer = ContactWriter(app.db, workspaceID: acme)
        let (lead, _) = try #require(try await writer.save(try ContactInput.check(["email": "handed@acme.test", "lifecycle_stage": "lead"], customFields: []).get(),
                                                           mode: .replace, definitions: [], by: actor, now: app.clock.now()))
        _ = try await writer.save(try ContactInput.check(["email": "handed@acme.test", "lifecycle_stage": "mql"], customFields: []).get(), id: lead.id, mode: .merge, definitions: [],
                                  by: actor, now: app.clock.now())
        let handoff = try #require(try await Handoffs(app.db, workspaceID: acme).latest(of: lead.id))
        let messageID = Outbox.newID(at: app.clock.now())
        try await Outbox(app.db, workspaceID: acme).enqueue(try MailMessage(
            from: MailSettings.defaultFrom, to: [MailAddress(EmailAddress("lia@acme.test")!)], subject: "Acme secret message", text: "Secret",
            id: messageID, date: app.clock.now()
        ), kind: .test, now: app.clock.now())
        let deal = try #require(try await Deals(app.db, workspaceID: acme).create(
            DealInput.check(["name": "Acme secret deal", "amount": "1000", "expected_close_date": "2026-12-01"], defaultCurrency: "BRL"),
            contactID: contact.id, by: .user(admin, via: .page), now: app.clock.now()))
        let task = try #require(try await SalesTasks(app.db, workspaceID: acme).create(
            TaskInput.check(["title": "Acme secret task", "due_at": "2026-12-01T10:00"], timeZone: "UTC"),
            contactID: contact.id, assigneeID: admin.id, by: .user(admin, via: .page), now: app.clock.now()))
        let globex = try await TestWorkspace.direct(app, email: "gus@globex.test", name: "Globex")
        return Fixture(
            ids: [
                "userID": admin.id.uuidString.lowercased(), "teamID": team.id.uuidString.lowercased(),
                "contactID": contact.id.uuidString.lowercased(), "companyID": company.id.uuidString.lowercased(),
                "invitationID": invitation.id.uuidString.lowercased(), "tokenID": token.id.uuidString.lowercased(),
                "fieldID": field.id.uuidString.lowercased(),
                "ruleID": rule.id.uuidString.lowercased(),
                "importID": importRecord.id.uuidString.lowercased(), "runID": run.id.uuidString.lowercased(),
                "formID": form.id.uuidString.lowercased(), "messageID": messageID.uuidString.lowercased(),
                "endpoint": endpoint.id.uuidString.lowercased(), "delivery": delivery.id.uuidString.lowercased(),
                "handoff": handoff.id.uuidString.lowercased(), "handoffID": handoff.id.uuidString.lowercased(),
                "dealID": deal.deal.id.uuidString.lowercased(), "taskID": task.id.uuidString.lowercased(),
            ],
            markers: ["acme.test", "acme-leads.csv", "acme_secret", "Acme secret field", team.name, contact.lastName + "", company.name, "acme-token", summary.workspace.settings.name,
                      "Acme secret form", "hooks.acme.test", "Acme secret message", "Acme secret deal", "Acme secret task"],
            outsiderBrowser: globex.adminBrowser,
            outsiderAPI: APIClient(app: app, token: try await globex.token(app)),
            acmeToken: secret, acmeID: acme
        )
    }

    @Test("every route that names a record answers 404 to another workspace's admin, and changes nothing")
    func everyRecordRouteIsSealed() async throws {
        try await withTestApp { app in
            let fixture = try await makeFixture(app)
            var checked = 0
            for route in app.routes.all {
                let parameters = route.path.compactMap { component -> String? in
                    if case .parameter(let name) = component { return name }
                    return nil
                }
                guard !parameters.isEmpty else { continue }
                if parameters == ["token"] { continue } // invitation links are secrets, not ids
                if route.path.first?.description == "f" { continue } // hosted forms are public pages by design
                var path = ""
                for component in route.path {
                    switch component {
                    case .parameter(let name):
                        let id = try #require(fixture.ids[name], "the isolation matrix has no record for :\(name) (route \(route.description)); add one")
                        path += "/" + id
                    default:
                        path += "/" + component.description
                    }
                }
                let reply: Reply
                if path.hasPrefix("/api/") {
                    let body: String? = [.POST, .PATCH, .PUT].contains(route.method) ? #"{"name":"Hijacked","roles":["admin"],"is_active":false}"# : nil
                    reply = try await fixture.outsiderAPI.call(route.method, path, json: body)
                } else if route.method == .GET {
                    reply = try await fixture.outsiderBrowser.get(path)
                } else {
                    reply = try await fixture.outsiderBrowser.post(path, [("name", "Hijacked"), ("roles", "admin"), ("is_active", "no")])
                }
                #expect(reply.status == .notFound, "\(route.method) \(route.description) answered \(reply.status)")
                for marker in fixture.markers where !marker.isEmpty {
                    #expect(!reply.text.contains(marker), "\(route.method) \(route.description) leaked \(marker)")
                }
                checked += 1
            }
            #expect(checked >= 15)

            // Nothing of workspace A changed.
            let acmeAPI = APIClient(app: app, token: fixture.acmeToken)
            #expect(try await acmeAPI.call(.GET, "/api/v1/me").status == .ok)
            let teams = try await TeamRepository(app.db, workspaceID: fixture.acmeID).list()
            #expect(!teams.contains { $0.name == "Hijacked" })
            #expect(teams.count == 3)
            let users = try await UserRepository(app.db, workspaceID: fixture.acmeID).list()
            #expect(users.allSatisfy { $0.isActive && $0.name != "Hijacked" })
            let invitation = try await InvitationRepository(app.db, workspaceID: fixture.acmeID).list().first
            #expect(invitation?.terms.state(at: app.clock.now()) == .pending)
        }
    }

    @Test("every list page and list endpoint shows only the caller's own workspace")
    func everyListIsSealed() async throws {
        try await withTestApp { app in
            let fixture = try await makeFixture(app)
            var checked = 0
            for route in app.routes.all where route.method == .GET {
                let isParameterised = route.path.contains { if case .parameter = $0 { return true } else { return false } }
                guard !isParameterised else { continue }
                let path = "/" + route.path.map(\.description).joined(separator: "/")
                // The live channel is an endless stream; WebTrackingTests checks each workspace hears only its own.
                if path == SiteURL.live.path { continue }
                let reply = path.hasPrefix("/api/") ? try await fixture.outsiderAPI.call(.GET, path) : try await fixture.outsiderBrowser.get(path)
                for marker in fixture.markers where !marker.isEmpty {
                    #expect(!reply.text.contains(marker), "GET \(path) leaked \(marker)")
                }
                checked += 1
            }
            #expect(checked >= 15)
        }
    }

    @Test("a token only ever acts in its own workspace")
    func tokensAreScoped() async throws {
        try await withTestApp { app in
            let fixture = try await makeFixture(app)
            let me = try await fixture.outsiderAPI.call(.GET, "/api/v1/me")
            let body = try me.json()
            #expect((body["workspace"] as? [String: Any])?["name"] as? String == "Globex")
            let contacts = try await fixture.outsiderAPI.call(.GET, "/api/v1/contacts")
            #expect((try contacts.json()["data"] as? [Any])?.isEmpty == true)
        }
    }
}
