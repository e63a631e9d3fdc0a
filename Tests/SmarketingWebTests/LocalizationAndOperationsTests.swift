import Foundation
import SmarketingCore
import SmarketingStore
@testable import SmarketingWeb
import Testing
import Vapor

@Suite("The interface in Portuguese and English")
struct LocalizationTests {
    @Test("both catalogs have every key, none empty, with the same placeholders")
    func catalogsAgree() {
        #expect(Set(Catalogs.en.keys) == Set(L10nKey.allCases))
        #expect(Set(Catalogs.ptBR.keys) == Set(L10nKey.allCases))
        let placeholder = /\{\d\}/
        for key in L10nKey.allCases {
            let en = Catalogs.en[key] ?? "", pt = Catalogs.ptBR[key] ?? ""
            #expect(!en.isEmpty && !pt.isEmpty, "\(key.rawValue) is empty")
            #expect(Set(en.matches(of: placeholder).map { String($0.output) }) == Set(pt.matches(of: placeholder).map { String($0.output) }),
                    "\(key.rawValue) has different placeholders")
        }
    }

    @Test("a visitor's page follows the browser's language")
    func acceptLanguage() async throws {
        try await withTestApp { app in
            _ = try await TestWorkspace.viaSetup(app)
            let portuguese = try await Browser(app, acceptLanguage: "pt-BR,pt;q=0.9,en;q=0.5").get("/login")
            #expect(portuguese.text.contains("<html lang=\"pt-BR\">"))
            #expect(portuguese.text.contains(">Entrar</button>"))
            let english = try await Browser(app, acceptLanguage: "en-US").get("/login")
            #expect(english.text.contains("<html lang=\"en\">"))
            #expect(english.text.contains(">Log in</button>"))
        }
    }

    @Test("choosing a language is kept as the user's setting across sessions")
    func languageIsAUserSetting() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let switched = try await acme.adminBrowser.post("/preferences/language", [("language", "pt-BR"), ("next", "/contacts")])
            #expect(switched.location == "/contacts")
            let page = try await acme.adminBrowser.get("/contacts")
            #expect(page.text.contains(">Contatos</a>"))

            let elsewhere = Browser(app, acceptLanguage: "en")
            #expect(try await elsewhere.post("/login", [("email", "ana@acme.com"), ("password", acme.adminPassword)]).status == .seeOther)
            let home = try await elsewhere.get("/")
            #expect(home.text.contains("<html lang=\"pt-BR\">"))
            #expect(home.text.contains(">Configurações</a>"))
            #expect(try await UserRepository(app.db, workspaceID: acme.workspace.id).find(acme.admin.id)?.language == .ptBR)
        }
    }

    @Test("an unknown language is refused by name")
    func unknownLanguage() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let reply = try await acme.adminBrowser.post("/preferences/language", [("language", "xx")])
            #expect(reply.status == .unprocessableEntity)
            #expect(reply.text.contains("language"))
        }
    }
}

@Suite("Health, readiness, metrics and request logs")
struct OperationsTests {
    @Test("health and readiness answer, and metrics count requests by route")
    func healthReadyMetrics() async throws {
        try await withTestApp { app in
            let client = APIClient(app: app, token: nil)
            #expect(try await client.call(.GET, "/health").status == .ok)
            let ready = try await client.call(.GET, "/ready")
            #expect(ready.status == .ok)
            #expect(ready.text.contains("\"database\":\"ok\""))
            _ = try await client.call(.GET, "/api/v1/users/\(UUID())")
            let metrics = try await client.call(.GET, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains(#"smarketing_http_requests_total{method="GET",route="/health",status="200"} 1"#))
            #expect(metrics.text.contains(#"route="/api/v1/users/:userID""#))
            #expect(metrics.text.contains("smarketing_http_request_duration_seconds_bucket"))
            #expect(metrics.text.contains("smarketing_database_up 1"))
            #expect(metrics.text.contains("smarketing_database_pool_connections_max"))
        }
    }

    @Test("every answer carries a request id, the caller's own when it is sane")
    func requestIDs() async throws {
        try await withTestApp { app in
            var headers = HTTPHeaders()
            headers.add(name: "X-Request-Id", value: "trace-123")
            let kept = try await app.performTest(request: .init(method: .GET, url: URI(path: "/health"), headers: headers, body: ByteBuffer()))
            #expect(kept.headers.first(name: "X-Request-Id") == "trace-123")
            headers.replaceOrAdd(name: "X-Request-Id", value: "bad id\nwith newline")
            let replaced = try await app.performTest(request: .init(method: .GET, url: URI(path: "/health"), headers: headers, body: ByteBuffer()))
            #expect(replaced.headers.first(name: "X-Request-Id")?.count == 36)
            // Without one, each request gets an id of its own.
            let first = try await app.performTest(request: .init(method: .GET, url: URI(path: "/health"), headers: [:], body: ByteBuffer()))
            let second = try await app.performTest(request: .init(method: .GET, url: URI(path: "/health"), headers: [:], body: ByteBuffer()))
            let ids = [first, second].compactMap { $0.headers.first(name: "X-Request-Id") }
            #expect(ids.count == 2 && ids.allSatisfy { UUID(uuidString: $0) != nil } && ids[0] != ids[1])
        }
    }

    @Test("an unknown page answers 404 with a page, an unknown API path with the JSON error shape")
    func notFound() async throws {
        try await withTestApp { app in
            let page = try await Browser(app).get("/nowhere")
            #expect(page.status == .notFound)
            #expect(page.text.contains("<h1>"))
            let api = try await APIClient(app: app, token: nil).call(.GET, "/api/v1/nowhere")
            #expect(api.status == .notFound)
            #expect(try api.errorCode() == "not_found")
            let wrongMethod = try await APIClient(app: app, token: nil).call(.PUT, "/api/v1/me", json: "{}")
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers.first(name: .allow) == "GET, PATCH")
        }
    }

    @Test("configuration names the variable that is wrong")
    func configurationErrors() {
        #expect(throws: ConfigurationError.self) { try AppConfig.fromEnvironment(["DATABASE_URL": "mysql://x"]) }
        do {
            _ = try AppConfig.fromEnvironment(["BCRYPT_COST": "99"])
            Issue.record("a bcrypt cost of 99 was accepted")
        } catch {
            #expect(error.variable == "BCRYPT_COST")
        }
        let defaults = try? AppConfig.fromEnvironment([:])
        #expect(defaults?.database == .sqliteFile(path: "./smarketing.sqlite"))
        #expect(defaults?.bcryptCost == 12)
    }
}
