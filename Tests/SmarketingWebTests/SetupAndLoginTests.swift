import Foundation
import SmarketingCore
import SmarketingStore
@testable import SmarketingWeb
import Testing
import Vapor

@Suite("Setting up the product and signing in")
struct SetupAndLoginTests {
    @Test("a fresh install sends the first visitor to the setup page")
    func freshInstallOpensSetup() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let home = try await browser.get("/")
            #expect(home.status == .seeOther)
            #expect(home.location == "/setup")
            let login = try await browser.get("/login")
            #expect(login.location == "/setup")
            let setup = try await browser.get("/setup")
            #expect(setup.status == .ok)
            #expect(setup.text.contains("id=\"setup-form\""))
        }
    }

    @Test("setup creates the workspace and signs its admin in")
    func setupCreatesWorkspace() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            #expect(acme.workspace.settings == WorkspaceSettings(name: "Acme", timeZone: "America/Sao_Paulo", currency: "BRL", language: .en))
            #expect(acme.admin.roles == [.admin])

            let home = try await acme.adminBrowser.get("/")
            #expect(home.status == .ok)
            #expect(home.text.contains("Hello, Ana"))
            #expect(home.text.contains("data-nav=\"settings-users\""))
            #expect(try await acme.adminBrowser.get("/setup").location == "/")
            #expect(try await Browser(app).get("/setup").location == "/login")
        }
    }

    @Test("a setup form with bad values names every bad field, keeps what was typed and writes nothing")
    func setupRefusesBadInput() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            try await browser.get("/setup")
            let reply = try await browser.post("/setup", [
                ("workspace_name", "  "), ("time_zone", "Mars/Olympus"), ("currency", "XXQ"), ("language", "fr"),
                ("admin_name", String(repeating: "a", count: 101)), ("admin_email", "ana@"), ("admin_password", "short"),
            ])
            #expect(reply.status == .unprocessableEntity)
            for field in ["workspace_name", "time_zone", "currency", "language", "admin_name", "admin_email", "admin_password"] {
                #expect(reply.text.contains("data-field=\"\(field)\""), "no error shown for \(field)")
            }
            #expect(reply.text.contains("value=\"ana@\""))
            #expect(try await Directory(app.db).hasAnyWorkspace() == false)
        }
    }

    @Test("a form sent without its CSRF token is refused")
    func csrfIsRequired() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let reply = try await browser.post("/setup", [
                ("workspace_name", "Acme"), ("time_zone", "UTC"), ("currency", "USD"), ("language", "en"),
                ("admin_name", "Ana"), ("admin_email", "ana@acme.com"), ("admin_password", "correct horse battery"),
            ], csrf: false)
            #expect(reply.status == .forbidden)
            #expect(try await Directory(app.db).hasAnyWorkspace() == false)
        }
    }

    @Test("a wrong password is refused without saying whether the address exists")
    func wrongPassword() async throws {
        try await withTestApp { app in
            _ = try await TestWorkspace.viaSetup(app)
            let browser = Browser(app)
            try await browser.get("/login")
            let wrong = try await browser.post("/login", [("email", "ana@acme.com"), ("password", "not the password")])
            let unknown = try await browser.post("/login", [("email", "nobody@acme.com"), ("password", "not the password")])
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(wrong.text.contains("class=\"form-error\""))
            #expect(browser.cookies[Cookies.session] == nil)
        }
    }

    @Test("signing in goes to the page asked for, and signing out ends the session")
    func signInAndOut() async throws {
        try await withTestApp { app in
            _ = try await TestWorkspace.viaSetup(app)
            let browser = Browser(app)
            #expect(try await browser.get("/contacts").location == "/login?next=%2Fcontacts")
            let reply = try await browser.post("/login", [("email", " ANA@acme.com "), ("password", "correct horse battery"), ("next", "/contacts")])
            #expect(reply.location == "/contacts")
            #expect(try await browser.get("/contacts").status == .ok)

            let session = try #require(browser.cookies[Cookies.session])
            #expect(try await browser.post("/logout", []).location == "/login")
            let stale = Browser(app)
            stale.cookies[Cookies.session] = session
            #expect(try await stale.get("/").location?.hasPrefix("/login") == true)
        }
    }

    @Test("a next page outside the site is ignored after sign-in")
    func openRedirectIsRefused() async throws {
        try await withTestApp { app in
            _ = try await TestWorkspace.viaSetup(app)
            let browser = Browser(app)
            let reply = try await browser.post("/login", [("email", "ana@acme.com"), ("password", "correct horse battery"), ("next", "//evil.example/x")])
            #expect(reply.location == "/")
        }
    }

    @Test("five failed logins for an address make the next attempts wait, then the window passes")
    func loginThrottle() async throws {
        try await withTestApp { app in
            _ = try await TestWorkspace.viaSetup(app)
            let browser = Browser(app)
            for _ in 0..<5 {
                #expect(try await browser.post("/login", [("email", "ana@acme.com"), ("password", "guess guess")]).status == .unauthorized)
            }
            let blocked = try await browser.post("/login", [("email", "ana@acme.com"), ("password", "correct horse battery")])
            #expect(blocked.status == .tooManyRequests)
            #expect(Int(blocked.headers.first(name: .retryAfter) ?? "") ?? 0 > 0)
            #expect(blocked.text.contains("class=\"form-error\""))

            app.clock.advance(by: 16 * 60)
            let later = try await browser.post("/login", [("email", "ana@acme.com"), ("password", "correct horse battery")])
            #expect(later.status == .seeOther)
        }
    }

    @Test("a deactivated user is signed out and cannot sign in")
    func deactivatedUser() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (rep, repBrowser) = try await acme.member(app, email: "rep@acme.com", roles: [.sales])
            let reply = try await acme.adminBrowser.post("/settings/users/\(rep.id.uuidString.lowercased())", [
                ("name", "Rep"), ("roles", "sales"), ("is_active", "no"),
            ])
            #expect(reply.status == .seeOther)
            #expect(try await repBrowser.get("/").location?.hasPrefix("/login") == true)
            let again = try await Browser(app).post("/login", [("email", "rep@acme.com"), ("password", "correct horse battery")])
            #expect(again.status == .unauthorized)
        }
    }
}
