import Foundation
import SmarketingCore
import SmarketingStore
@testable import SmarketingWeb
import Testing
import Vapor

@Suite("The REST API: tokens, errors, documents")
struct APITests {
    @Test("a token created on the page works on the API until it is revoked")
    func tokenLifecycleThroughPages() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let page = try await acme.adminBrowser.post("/settings/tokens", [("name", "CRM sync")])
            let secret = try #require(page.text.text(ofElementWithID: "new-token"))
            #expect(secret.hasPrefix("smk_"))
            #expect(try await acme.adminBrowser.get("/settings/tokens").text.contains(secret) == false)

            let api = APIClient(app: app, token: secret)
            let me = try await api.call(.GET, "/api/v1/me")
            #expect(me.status == .ok)
            #expect(try me.json()["email"] as? String == "ana@acme.com")
            #expect((try me.json()["permissions"] as? [String])?.contains("manageWorkspace") == true)

            let token = try #require(try await APITokenRepository(app.db, workspaceID: acme.workspace.id).list(userID: acme.admin.id).first)
            #expect(try await acme.adminBrowser.post("/settings/tokens/\(token.id.uuidString.lowercased())/revoke", []).status == .seeOther)
            let after = try await api.call(.GET, "/api/v1/me")
            #expect(after.status == .unauthorized)
            #expect(try after.errorCode() == "unauthorized")
        }
    }

    @Test("a token created through the API is shown once and stored hashed")
    func tokenThroughAPI() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let api = APIClient(app: app, token: try await acme.token(app))
            let created = try await api.call(.POST, "/api/v1/tokens", json: #"{"name":"Zapier"}"#)
            #expect(created.status == .created)
            let secret = try #require(try created.json()["token"] as? String)
            let list = try await api.call(.GET, "/api/v1/tokens")
            #expect(!list.text.contains(secret))
            #expect(try await APIClient(app: app, token: secret).call(.GET, "/api/v1/me").status == .ok)
        }
    }

    @Test("missing, malformed and unknown tokens get 401 in the error shape")
    func unauthorized() async throws {
        try await withTestApp { app in
            _ = try await TestWorkspace.viaSetup(app)
            for token in [nil, "smk_unknown", "Basic abc", String(repeating: "x", count: 500)] as [String?] {
                let reply = try await APIClient(app: app, token: token).call(.GET, "/api/v1/me")
                #expect(reply.status == .unauthorized)
                let error = try #require(try reply.json()["error"] as? [String: Any])
                #expect(error["code"] as? String == "unauthorized")
                #expect((error["message"] as? String)?.isEmpty == false)
                #expect(error["fields"] is [Any])
            }
        }
    }

    @Test("bad input names each field; malformed, mistyped and oversized bodies are refused without writing")
    func badInput() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let api = APIClient(app: app, token: try await acme.token(app))

            let invalid = try await api.call(.PATCH, "/api/v1/workspace", json: #"{"name":"","time_zone":"Mars/Base","currency":"ZZZ","language":"klingon"}"#)
            #expect(invalid.status == .unprocessableEntity)
            #expect(try Set(invalid.errorFields()) == ["name", "time_zone", "currency", "language"])

            let malformed = try await api.call(.PATCH, "/api/v1/workspace", json: #"{"name": "#)
            #expect(malformed.status == .badRequest)
            let wrongType = try await api.call(.PATCH, "/api/v1/workspace", json: #"{"name": 42}"#)
            #expect(wrongType.status == .badRequest)
            #expect(try wrongType.errorFields() == ["name"])
            let notJSON = try await api.call(.PATCH, "/api/v1/workspace", json: "name=x", contentType: "application/x-www-form-urlencoded")
            #expect(notJSON.status == .unsupportedMediaType)
            let huge = try await api.call(.POST, "/api/v1/teams", json: #"{"name":""# + String(repeating: "a", count: 2_000_000) + #""}"#)
            #expect(huge.status == .payloadTooLarge)
            let long = try await api.call(.POST, "/api/v1/teams", json: #"{"name":""# + String(repeating: "a", count: 61) + #""}"#)
            #expect(long.status == .unprocessableEntity)
            #expect(try long.errorFields() == ["name"])
            let badIDs = try await api.call(.POST, "/api/v1/invitations", json: #"{"email":"x@acme.com","roles":["sales"],"team_ids":["nope"]}"#)
            #expect(try badIDs.errorFields() == ["team_ids"])

            #expect(try await WorkspaceRepository(app.db, workspaceID: acme.workspace.id).get()?.settings.name == "Acme")
            #expect(try await TeamRepository(app.db, workspaceID: acme.workspace.id).list().isEmpty)
            #expect(try await InvitationRepository(app.db, workspaceID: acme.workspace.id).list().isEmpty)
        }
    }

    @Test("admins manage teams, users and invitations through the API")
    func peopleThroughAPI() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let api = APIClient(app: app, token: try await acme.token(app))
            let invitation = try await api.call(.POST, "/api/v1/invitations", json: #"{"email":"Rep@Acme.com","roles":["sales"]}"#)
            #expect(invitation.status == .created)
            #expect((try invitation.json()["url"] as? String)?.contains("/invite/inv_") == true)
            let (rep, _) = try await acme.member(app, email: "bia@acme.com", roles: [.sales])

            let team = try await api.call(.POST, "/api/v1/teams", json: #"{"name":"SDRs","member_ids":["\#(rep.id)"]}"#)
            #expect(team.status == .created)
            let teamID = try #require(try team.json()["id"] as? String)
            let user = try await api.call(.PATCH, "/api/v1/users/\(rep.id)", json: #"{"roles":["sales","sales_manager"]}"#)
            #expect(user.status == .ok)
            #expect(try user.json()["roles"] as? [String] == ["sales", "sales_manager"])
            #expect((try user.json()["team_ids"] as? [String])?.map { $0.lowercased() } == [teamID.lowercased()])
            #expect(try await api.call(.DELETE, "/api/v1/teams/\(teamID)").status == .noContent)

            let audit = try await api.call(.GET, "/api/v1/audit-log?limit=2")
            #expect(audit.status == .ok)
            let entries = try #require(try audit.json()["data"] as? [[String: Any]])
            #expect(entries.count == 2)
            #expect(entries.first?["action"] as? String == "team.deleted")
            #expect(try audit.json()["next_cursor"] is String)
            #expect(try await api.call(.GET, "/api/v1/audit-log?limit=0").status == .unprocessableEntity)
            #expect(try await api.call(.GET, "/api/v1/audit-log?after=garbage").status == .unprocessableEntity)
        }
    }

    @Test("contacts page through the API with a cursor, newest first, without repeats")
    func contactPagination() async throws {
        try await withTestApp { app in
            let summary = try await DemoSeeder(app.db).seed(DemoWorkspace.make(seed: 9, contactCount: 45, emailDomain: "demo.test"), passwordHash: "x", now: app.clock.now())
            let token = try await APITokenRepository(app.db, workspaceID: summary.workspace.id).create(for: summary.users[0], name: "t", by: .system, now: app.clock.now()).1
            let api = APIClient(app: app, token: token)
            var seen: [String] = []
            var cursor: String?
            repeat {
                let reply = try await api.call(.GET, "/api/v1/contacts?limit=20" + (cursor.map { "&after=\($0)" } ?? ""))
                #expect(reply.status == .ok)
                let body = try reply.json()
                seen += (body["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = body["next_cursor"] as? String
            } while cursor != nil
            #expect(seen.count == 45)
            #expect(Set(seen).count == 45)
        }
    }

    @Test("the OpenAPI document describes exactly the API routes that exist")
    func openAPIMatchesRoutes() async throws {
        try await withTestApp { app in
            let reply = try await APIClient(app: app, token: nil).call(.GET, "/api/v1/openapi.json")
            #expect(reply.status == .ok)
            let document = try reply.json()
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            for (path, operations) in paths {
                for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
            }
            var routed = Set<String>()
            for route in app.routes.all {
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                if path.hasPrefix("/api/") { routed.insert("\(route.method.rawValue) \(path)") }
            }
            #expect(documented == routed, "only documented: \(documented.subtracting(routed)); only routed: \(routed.subtracting(documented))")

            let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let references = reply.text.components(separatedBy: "#/components/schemas/").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
            for name in Set(references) { #expect(schemas[name] != nil, "missing schema \(name)") }
        }
    }
}
