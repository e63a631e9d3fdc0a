import Foundation
import NIOCore
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
@testable import SmarketingWeb
import Testing
import Vapor
import VaporTesting

/// The moment every web test starts at (the app clock is stopped there).
let testNow = Date(timeIntervalSince1970: 1_795_000_000)

/// Configures the whole application on a fresh database (SQLite in memory, or PostgreSQL when
/// `DATABASE_URL` is set), runs the test, and shuts everything down.
func withTestApp(_ body: (Application) async throws -> Void) async throws {
    try await TestDatabase.withFresh { location in
        let app = try await Application.make(.testing)
        do {
            try await configure(app, config: AppConfig(database: location, bcryptCost: 4, autoMigrate: true))
            app.clock.set(testNow)
            try await body(app)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

/// A response read as a person or a program would: status, headers, text.
struct Reply {
    let status: HTTPStatus
    let headers: HTTPHeaders
    let text: String

    var location: String? { headers.first(name: .location) }

    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    /// The field names of an API error body.
    func errorFields() throws -> [String] {
        let error = try json()["error"] as? [String: Any]
        return (error?["fields"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    }

    func errorCode() throws -> String? {
        (try json()["error"] as? [String: Any])?["code"] as? String
    }
}

/// A browser for tests: keeps cookies, sends forms with the CSRF token like the pages do.
final class Browser: @unchecked Sendable {
    let app: Application
    var cookies: [String: String] = [:]
    var acceptLanguage: String?

    init(_ app: Application, acceptLanguage: String? = nil) {
        self.app = app
        self.acceptLanguage = acceptLanguage
    }

    @discardableResult
    func get(_ path: String) async throws -> Reply {
        try await send(.GET, path, body: nil, contentType: nil)
    }

    /// Submits a form; the CSRF token is the one the csrf cookie holds (a GET first sets it).
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf: Bool = true) async throws -> Reply {
        if csrf && cookies[Cookies.csrf] == nil { try await get("/login") }
        var all = fields
        if csrf, let token = cookies[Cookies.csrf] { all.append(("_csrf", token)) }
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.POST, path, body: body, contentType: "application/x-www-form-urlencoded")
    }

    func send(_ method: HTTPMethod, _ path: String, body: String?, contentType: String?, headers extra: HTTPHeaders = [:]) async throws -> Reply {
        try await send(method, path, bytes: body.map { Data($0.utf8) }, contentType: contentType, headers: extra)
    }

    /// Sends a body byte for byte (an upload in another encoding than UTF-8).
    func send(_ method: HTTPMethod, _ path: String, bytes body: Data?, contentType: String?, headers extra: HTTPHeaders = [:]) async throws -> Reply {
        var headers = extra
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if let acceptLanguage { headers.replaceOrAdd(name: .acceptLanguage, value: acceptLanguage) }
        if let contentType { headers.replaceOrAdd(name: .contentType, value: contentType) }
        let response = try await app.performTest(request: TestingHTTPRequest(
            method: method, url: URI(path: path), headers: headers,
            body: body.map { ByteBuffer(bytes: $0) } ?? ByteBuffer()
        ))
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";").first.map(String.init) ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if parts[1].isEmpty || header.contains("Max-Age=0") { cookies[parts[0]] = nil } else { cookies[parts[0]] = parts[1] }
        }
        return Reply(status: response.status, headers: response.headers, text: response.body.string)
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// Talks to the REST API with a token.
struct APIClient {
    let app: Application
    let token: String?

    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, json: String? = nil, contentType: String = "application/json") async throws -> Reply {
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        if json != nil { headers.replaceOrAdd(name: .contentType, value: contentType) }
        let response = try await app.performTest(request: TestingHTTPRequest(
            method: method, url: URI(path: path), headers: headers, body: json.map { ByteBuffer(string: $0) } ?? ByteBuffer()
        ))
        return Reply(status: response.status, headers: response.headers, text: response.body.string)
    }
}

/// A workspace made for a test, with its admin signed in.
struct TestWorkspace {
    let workspace: Workspace
    let admin: User
    let adminBrowser: Browser
    let adminPassword = "correct horse battery"

    /// Creates a workspace through the setup page, as a person does on a fresh install.
    static func viaSetup(_ app: Application, email: String = "ana@acme.com", name: String = "Acme") async throws -> TestWorkspace {
        let browser = Browser(app)
        try await browser.get("/setup")
        let reply = try await browser.post("/setup", [
            ("workspace_name", name), ("time_zone", "America/Sao_Paulo"), ("currency", "BRL"), ("language", "en"),
            ("admin_name", "Ana Admin"), ("admin_email", email), ("admin_password", "correct horse battery"),
        ])
        #expect(reply.status == .seeOther, "setup answered \(reply.status): \(reply.text.prefix(400))")
        let (admin, _) = try #require(try await Directory(app.db).userForLogin(email: EmailAddress(email)!))
        let workspace = try #require(try await WorkspaceRepository(app.db, workspaceID: admin.workspaceID).get())
        return TestWorkspace(workspace: workspace, admin: admin, adminBrowser: browser)
    }

    /// Creates a workspace straight in the store (for tests that need several).
    static func direct(_ app: Application, email: String, name: String) async throws -> TestWorkspace {
        let hash = try await app.password.async(on: app.threadPool, hopTo: app.eventLoopGroup.any()).hash("correct horse battery")
        let (workspace, admin) = try await Directory(app.db).createWorkspace(
            WorkspaceSettings(name: name, timeZone: "UTC", currency: "USD", language: .en),
            admin: .init(email: EmailAddress(email)!, name: "Admin of \(name)", passwordHash: hash, roles: [.admin], language: nil),
            via: .command, now: app.clock.now()
        )
        let browser = try await signIn(app, admin)
        return TestWorkspace(workspace: workspace, admin: admin, adminBrowser: browser)
    }

    /// Adds a user with the given roles (through an accepted invitation) and signs them in.
    func member(_ app: Application, email: String, roles: Set<Role>, name: String = "Member") async throws -> (User, Browser) {
        let invitations = InvitationRepository(app.db, workspaceID: workspace.id)
        let (invitation, _) = try await invitations.create(email: EmailAddress(email)!, roles: roles, teamIDs: [], by: .user(admin, via: .page), now: app.clock.now())
        let hash = try await app.password.async(on: app.threadPool, hopTo: app.eventLoopGroup.any()).hash("correct horse battery")
        let user = try await invitations.accept(invitation.id, name: name, passwordHash: hash, language: nil, now: app.clock.now())
        return (user, try await Self.signIn(app, user))
    }

    static func signIn(_ app: Application, _ user: User) async throws -> Browser {
        let browser = Browser(app)
        browser.cookies[Cookies.session] = try await SessionRepository(app.db).start(for: user, now: app.clock.now())
        return browser
    }

    func token(_ app: Application, for user: User? = nil) async throws -> String {
        let owner = user ?? admin
        return try await APITokenRepository(app.db, workspaceID: workspace.id).create(for: owner, name: "test", by: .user(owner, via: .page), now: app.clock.now()).1
    }
}

extension String {
    /// The value of an HTML attribute on the element with an id, e.g. the invitation link.
    func attribute(_ name: String, ofElementWithID id: String) -> String? {
        guard let start = range(of: "id=\"\(id)\"") else { return nil }
        let tagStart = self[..<start.lowerBound].lastIndex(of: "<") ?? start.lowerBound
        let tagEnd = self[start.upperBound...].firstIndex(of: ">") ?? endIndex
        let tag = self[tagStart..<tagEnd]
        guard let attribute = tag.range(of: "\(name)=\"") else { return nil }
        let rest = tag[attribute.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]).replacingOccurrences(of: "&amp;", with: "&") }
    }

    /// The text of the element with an id (no nested markup expected).
    func text(ofElementWithID id: String) -> String? {
        guard let start = range(of: "id=\"\(id)\"") else { return nil }
        guard let open = self[start.upperBound...].firstIndex(of: ">") else { return nil }
        let rest = self[index(after: open)...]
        return rest.firstIndex(of: "<").map { String(rest[..<$0]) }
    }
}
