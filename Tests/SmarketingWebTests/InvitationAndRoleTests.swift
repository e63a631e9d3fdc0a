import Foundation
import SmarketingCore
import SmarketingStore
@testable import SmarketingWeb
import Testing
import Vapor

@Suite("Inviting people and what each role may do")
struct InvitationAndRoleTests {
    @Test("an admin invites by link; the invitee chooses a password and lands signed in with the invited roles")
    func inviteByLink() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let page = try await acme.adminBrowser.post("/settings/invitations", [("email", "Mia@Acme.com"), ("roles", "marketing"), ("roles", "marketing_manager")])
            #expect(page.status == .ok)
            let link = try #require(page.text.attribute("value", ofElementWithID: "invite-link"))
            let path = try #require(URL(string: link)?.path)
            #expect(path.hasPrefix("/invite/inv_"))
            #expect(page.text.contains("data-email=\"mia@acme.com\""))

            let invitee = Browser(app)
            let form = try await invitee.get(path)
            #expect(form.status == .ok)
            #expect(form.text.contains("mia@acme.com"))
            let short = try await invitee.post(path, [("name", "Mia"), ("password", "short")])
            #expect(short.status == .unprocessableEntity)
            #expect(short.text.contains("data-field=\"password\""))

            let accepted = try await invitee.post(path, [("name", "Mia Marketing"), ("password", "a long enough password")])
            #expect(accepted.location == "/")
            let me = try #require(try await Directory(app.db).userForLogin(email: EmailAddress("mia@acme.com")!)).0
            #expect(me.roles == [.marketing, .marketingManager])
            #expect(me.workspaceID == acme.workspace.id)
            #expect(try await invitee.get("/").status == .ok)
            #expect(try await Browser(app).get(path).status == .gone)
        }
    }

    @Test("an invitation link stops working after seven days, when revoked, or when forged")
    func invitationLinkLimits() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let invitations = InvitationRepository(app.db, workspaceID: acme.workspace.id)
            let (_, late) = try await invitations.create(email: EmailAddress("late@acme.com")!, roles: [.sales], teamIDs: [], by: .user(acme.admin, via: .page), now: app.clock.now())
            let (revoked, revokedSecret) = try await invitations.create(email: EmailAddress("gone@acme.com")!, roles: [.sales], teamIDs: [], by: .user(acme.admin, via: .page), now: app.clock.now())
            let revoke = try await acme.adminBrowser.post("/settings/invitations/\(revoked.id.uuidString.lowercased())/revoke", [])
            #expect(revoke.status == .seeOther)

            #expect(try await Browser(app).get("/invite/\(revokedSecret)").status == .gone)
            #expect(try await Browser(app).get("/invite/inv_forged").status == .notFound)
            #expect(try await Browser(app).get("/invite/\(late)").status == .ok)
            app.clock.advance(by: 7 * 24 * 3600 + 1)
            let expired = try await Browser(app).get("/invite/\(late)")
            #expect(expired.status == .gone)
            #expect(expired.text.contains("expired"))
        }
    }

    @Test("an invitation form with bad values names the fields")
    func inviteRefusesBadInput() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let reply = try await acme.adminBrowser.post("/settings/invitations", [("email", "not an email"), ("roles", "pope")])
            #expect(reply.status == .unprocessableEntity)
            #expect(reply.text.contains("data-field=\"email\""))
            #expect(reply.text.contains("data-field=\"roles\""))
            let taken = try await acme.adminBrowser.post("/settings/invitations", [("email", "ana@acme.com"), ("roles", "sales")])
            #expect(taken.status == .unprocessableEntity)
            #expect(try await InvitationRepository(app.db, workspaceID: acme.workspace.id).list().isEmpty)
        }
    }

    @Test("only admins open user management, workspace settings and the audit log", arguments: [
        Set<Role>([.sales]), [.marketing], [.marketingManager], [.salesManager], [.sales, .marketing],
    ])
    func adminPagesAreForAdmins(roles: Set<Role>) async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (_, browser) = try await acme.member(app, email: "someone@acme.com", roles: roles)
            for path in ["/settings/users", "/settings/workspace", "/settings/teams", "/settings/audit"] {
                let reply = try await browser.get(path)
                #expect(reply.status == .forbidden, "\(path) answered \(reply.status) to \(roles)")
                #expect(reply.text.contains("<h1>"))
            }
            let home = try await browser.get("/")
            #expect(!home.text.contains("data-nav=\"settings-users\""))
            #expect(home.text.contains("data-nav=\"settings\""))
            let invite = try await browser.post("/settings/invitations", [("email", "x@acme.com"), ("roles", "admin")])
            #expect(invite.status == .forbidden)
            #expect(try await InvitationRepository(app.db, workspaceID: acme.workspace.id).list().allSatisfy { $0.email.value != "x@acme.com" })
            #expect(try await browser.get("/settings/tokens").status == .ok)
            #expect(try await browser.get("/settings/profile").status == .ok)
        }
    }

    @Test("the API refuses changes a role does not allow, and says so in the error shape")
    func apiRoleLimits() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (rep, _) = try await acme.member(app, email: "rep@acme.com", roles: [.sales])
            let api = APIClient(app: app, token: try await acme.token(app, for: rep))

            let patch = try await api.call(.PATCH, "/api/v1/workspace", json: #"{"name":"Taken over"}"#)
            #expect(patch.status == .forbidden)
            #expect(try patch.errorCode() == "forbidden")
            #expect(try await api.call(.POST, "/api/v1/invitations", json: #"{"email":"x@acme.com","roles":["admin"]}"#).status == .forbidden)
            #expect(try await api.call(.PATCH, "/api/v1/users/\(rep.id)", json: #"{"roles":["admin"]}"#).status == .forbidden)
            #expect(try await api.call(.GET, "/api/v1/audit-log").status == .forbidden)
            #expect(try await api.call(.GET, "/api/v1/users").status == .ok)
            #expect(try await WorkspaceRepository(app.db, workspaceID: acme.workspace.id).get()?.settings.name == "Acme")
        }
    }

    @Test("an admin manages roles and teams on pages, and the audit log shows who changed what")
    func adminManagesUsersAndTeams() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (rep, _) = try await acme.member(app, email: "rep@acme.com", roles: [.sales], name: "Rui Rep")
            #expect(try await acme.adminBrowser.post("/settings/teams", [("name", "Inbound SDRs")]).location == "/settings/teams?notice=created")
            let team = try #require(try await TeamRepository(app.db, workspaceID: acme.workspace.id).list().first)

            let save = try await acme.adminBrowser.post("/settings/users/\(rep.id.uuidString.lowercased())", [
                ("name", "Rui Rep"), ("roles", "sales"), ("roles", "sales_manager"), ("teams", team.id.uuidString.lowercased()), ("is_active", "yes"),
            ])
            #expect(save.status == .seeOther)
            #expect(try await UserRepository(app.db, workspaceID: acme.workspace.id).find(rep.id)?.roles == [.sales, .salesManager])
            #expect(try await TeamRepository(app.db, workspaceID: acme.workspace.id).find(team.id)?.memberIDs == [rep.id])

            let users = try await acme.adminBrowser.get("/settings/users")
            #expect(users.text.contains("data-email=\"rep@acme.com\""))
            let audit = try await acme.adminBrowser.get("/settings/audit")
            #expect(audit.status == .ok)
            #expect(audit.text.contains("user.updated"))
            #expect(audit.text.contains("sales, sales_manager"))
            #expect(audit.text.contains("<dd>Inbound SDRs</dd>"))

            let removeOnlyAdmin = try await acme.adminBrowser.post("/settings/users/\(acme.admin.id.uuidString.lowercased())", [
                ("name", "Ana Admin"), ("roles", "marketing"), ("is_active", "yes"),
            ])
            #expect(removeOnlyAdmin.status == .unprocessableEntity)
            #expect(removeOnlyAdmin.text.contains("data-field=\"roles\""))
        }
    }

    @Test("the workspace settings page saves valid settings and refuses a bad time zone by name")
    func workspaceSettings() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let bad = try await acme.adminBrowser.post("/settings/workspace", [("name", "Acme BR"), ("time_zone", "Nowhere/City"), ("currency", "BRL"), ("language", "pt-BR")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("data-field=\"time_zone\""))
            #expect(try await WorkspaceRepository(app.db, workspaceID: acme.workspace.id).get()?.settings.name == "Acme")

            let good = try await acme.adminBrowser.post("/settings/workspace", [("name", "Acme BR"), ("time_zone", "America/Manaus"), ("currency", "usd"), ("language", "pt-BR")])
            #expect(good.status == .seeOther)
            let saved = try await WorkspaceRepository(app.db, workspaceID: acme.workspace.id).get()?.settings
            #expect(saved == WorkspaceSettings(name: "Acme BR", timeZone: "America/Manaus", currency: "USD", language: .ptBR))
            let log = try await AuditLog(app.db, workspaceID: acme.workspace.id).list(limit: 1)
            #expect(log.first?.action == "workspace.updated")
            #expect(log.first?.change.before["time_zone"] == "America/Sao_Paulo")
        }
    }
}
