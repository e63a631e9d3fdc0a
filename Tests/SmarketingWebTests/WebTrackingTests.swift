import Foundation
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
@testable import SmarketingWeb
import Testing
import Vapor

@Suite("Web tracking with t.js, signed email links and the live channel")
struct WebTrackingTests {
    /// A scored workspace whose site www.acme.com may send page views; returns its public key.
    func trackedSite(_ app: Application) async throws -> (TestWorkspace, APIClient, contactID: String, key: String) {
        let acme = try await TestWorkspace.viaSetup(app)
        try await activateThroughPages(testDefinition(), app: app, acme: acme)
        let api = APIClient(app: app, token: try await acme.token(app))
        let created = try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"lia@globex.com","first_name":"Lia","job_title":"Diretora de Vendas"}"#)
        let saved = try await acme.adminBrowser.post("/settings/tracking/origins", [("allowed_origins", "https://WWW.acme.com/pricing\nhttp://localhost:3000")])
        #expect(saved.status == .seeOther)
        let site = try await TrackingSites(app.db, workspaceID: acme.workspace.id).site(now: app.clock.now())
        #expect(site.allowedOrigins == ["https://www.acme.com", "http://localhost:3000"])
        return (acme, api, try #require(try created.json()["id"] as? String), site.publicKey)
    }

    func collect(_ app: Application, key: String, origin: String?, _ body: String) async throws -> Reply {
        var headers = HTTPHeaders()
        if let origin { headers.add(name: .origin, value: origin) }
        return try await Browser(app).send(.POST, "/t/collect?k=\(key)", body: body, contentType: "text/plain;charset=UTF-8", headers: headers)
    }

    @Test("t.js is served as a script that revalidates cheaply with its ETag")
    func script() async throws {
        try await withTestApp { app in
            let first = try await Browser(app).get("/t.js")
            #expect(first.status == .ok)
            #expect(first.headers.first(name: .contentType)?.hasPrefix("text/javascript") == true)
            #expect(first.text.contains("sendBeacon"))
            #expect(first.text.contains("doNotTrack"))
            #expect(first.headers[.setCookie].isEmpty)
            let etag = try #require(first.headers.first(name: .eTag))
            let again = try await Browser(app).send(.GET, "/t.js", body: nil, contentType: nil, headers: ["If-None-Match": etag])
            #expect(again.status == .notModified)
        }
    }

    @Test("the tracking page shows the snippet with the public key, and a bad site address is refused naming the field with nothing changed")
    func settingsPage() async throws {
        try await withTestApp { app in
            let (acme, _, _, key) = try await trackedSite(app)
            let page = try await acme.adminBrowser.get("/settings/tracking")
            #expect(page.text.contains("data-key=\"\(key)\""))
            #expect(page.text.contains("/t.js"))
            #expect(page.text.contains("https://www.acme.com\nhttp://localhost:3000"))
            let refused = try await acme.adminBrowser.post("/settings/tracking/origins", [("allowed_origins", "https://www.acme.com\nftp://files.acme.com")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("data-field=\"allowed_origins\""))
            #expect(refused.text.contains("ftp://files.acme.com"), "what the user typed is kept")
            let site = try await TrackingSites(app.db, workspaceID: acme.workspace.id).site(now: app.clock.now())
            #expect(site.allowedOrigins == ["https://www.acme.com", "http://localhost:3000"])
            let (_, rep) = try await acme.member(app, email: "rui@acme.com", roles: [.sales], name: "Rui")
            #expect(try await rep.post("/settings/tracking/public-key", []).status == .forbidden, "a sales rep cannot replace the key")
        }
    }

    @Test("the tracking page charts the events received on each of the last 14 days of the workspace's calendar and by type, counting only the workspace's own")
    func activityCharts() async throws {
        try await withTestApp { app in
            let (acme, api, contactID, _) = try await trackedSite(app)
            func send(_ ids: [String], type: String) async throws {
                let events = ids.map { #"{"id":"\#($0)","type":"\#(type)","contact_id":"\#(contactID)"}"# }
                let reply = try await api.call(.POST, "/api/v1/events", json: #"{"events":[\#(events.joined(separator: ","))]}"#)
                #expect(try reply.json()["accepted"] as? Int == ids.count)
            }
            // 2026-12-05 02:00 UTC is still the 4th in São Paulo, the workspace's time zone.
            let now = Date(timeIntervalSince1970: 1_796_436_000)
            app.clock.set(now.addingTimeInterval(-20 * 86400))
            try await send(["old-1"], type: "page_view")
            app.clock.set(now.addingTimeInterval(-3 * 86400))
            try await send(["a-1", "a-2"], type: "page_view")
            app.clock.set(now)
            try await send(["b-1", "b-2", "b-3"], type: "page_view")
            try await send(["b-4"], type: "email_opened")
            let globex = try await TestWorkspace.direct(app, email: "admin@globex.com", name: "Globex")
            let other = APIClient(app: app, token: try await globex.token(app))
            let theirs = try await other.call(.POST, "/api/v1/events", json: #"{"events":[{"id":"g-1","type":"page_view","anonymous_id":"v-1"},{"id":"g-2","type":"email_clicked","anonymous_id":"v-1"}]}"#)
            #expect(try theirs.json()["accepted"] as? Int == 2)

            // Signed in again: the clock went back and forth past the first session's life.
            let page = try await TestWorkspace.signIn(app, acme.admin).get("/settings/tracking").text
            let byDay = try #require(Self.chartRows(page, id: "received-by-day"))
            #expect(byDay.count == 14)
            #expect(byDay.first?.label == "2026-11-21")
            #expect(byDay.last?.label == "2026-12-04")
            #expect(byDay.filter { $0.value != "0" }.map { "\($0.label) \($0.value)" } == ["2026-12-01 2", "2026-12-04 4"])
            let byType = try #require(Self.chartRows(page, id: "received-by-type"))
            #expect(byType.map { "\($0.label) \($0.value)" } == ["page_view 5", "email_opened 1"])

            let theirPage = try await globex.adminBrowser.get("/settings/tracking").text
            #expect(try #require(Self.chartRows(theirPage, id: "received-by-type")).map { "\($0.label) \($0.value)" } == ["email_clicked 1", "page_view 1"])
        }
    }

    @Test("a workspace that has received no event yet sees no activity chart, and says so once")
    func noActivity() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let page = try await acme.adminBrowser.get("/settings/tracking").text
            #expect(!page.contains("id=\"received-by-day\""))
            #expect(page.contains("No event has arrived yet."))
        }
    }

    /// The rows (label and value) of a chart's table, nil when the page has no such chart.
    static func chartRows(_ page: String, id: String) -> [(label: String, value: String)]? {
        guard let start = page.range(of: "id=\"\(id)\"") else { return nil }
        let rest = page[start.upperBound...]
        guard let body = rest.range(of: "<tbody>"), let end = rest.range(of: "</tbody>") else { return nil }
        let rows = rest[body.upperBound..<end.lowerBound].components(separatedBy: "</tr>").dropLast()
        return rows.map { row in
            let cells = row.components(separatedBy: "<td>").dropFirst().map { $0.components(separatedBy: "</td>")[0] }
            return (cells.first ?? "", cells.dropFirst().first ?? "")
        }
    }

    @Test("page views from an allowed site are stored for the visitor and readable by that site only; other sites and unknown or replaced keys are refused")
    func collectFromSites() async throws {
        try await withTestApp { app in
            let (acme, _, _, key) = try await trackedSite(app)
            let body = #"{"events":[{"id":"aid1-1","type":"page_view","anonymous_id":"aid1","properties":{"path":"/pricing","utm_source":"google"}},{"id":"aid1-2","type":"page_view","anonymous_id":"aid1","contact_id":"\#(UUID().uuidString)"},{"id":"aid1-3","type":"page_view","anonymous_id":"aid1","email":"lia@globex.com"}]}"#
            let stored = try await collect(app, key: key, origin: "https://www.acme.com", body)
            #expect(stored.status == .accepted)
            #expect(stored.headers.first(name: .accessControlAllowOrigin) == "https://www.acme.com")
            #expect(try stored.json()["received"] as? Int == 1)
            let rejected = try #require(try stored.json()["rejected"] as? [[String: Any]])
            #expect(rejected.map { $0["index"] as? Int } == [1, 2], "a page cannot name a contact, nor give an email outside identification")
            let events = EventLog(app.db, workspaceID: acme.workspace.id)
            #expect(try await events.count() == 1)

            let preflight = try await Browser(app).send(.OPTIONS, "/t/collect?k=\(key)", body: nil, contentType: nil,
                                                        headers: ["Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers.first(name: .accessControlAllowOrigin) == "http://localhost:3000")

            let evil = try await collect(app, key: key, origin: "https://evil.example", body)
            #expect(evil.status == .forbidden)
            #expect(evil.headers.first(name: .accessControlAllowOrigin) == nil)
            #expect(try await collect(app, key: key, origin: nil, body).status == .forbidden, "a request without an origin is not a page of the site")
            #expect(try await collect(app, key: "pk_unknown", origin: "https://www.acme.com", body).status == .unauthorized)

            #expect(try await acme.adminBrowser.post("/settings/tracking/public-key", []).status == .seeOther)
            let replaced = try await collect(app, key: key, origin: "https://www.acme.com", #"{"events":[{"id":"aid1-9","type":"page_view","anonymous_id":"aid1"}]}"#)
            #expect(replaced.status == .unauthorized, "the old key is revoked")
            let newKey = try await TrackingSites(app.db, workspaceID: acme.workspace.id).site(now: app.clock.now()).publicKey
            #expect(try await collect(app, key: newKey, origin: "https://www.acme.com", #"{"events":[{"id":"aid1-9","type":"page_view","anonymous_id":"aid1"}]}"#).status == .accepted)
            #expect(try await events.count() == 2)
        }
    }

    @Test("a visitor who identifies becomes the contact with its earlier page views, and the page cannot tell whether an address is known")
    func identify() async throws {
        try await withTestApp { app in
            let (acme, api, id, key) = try await trackedSite(app)
            _ = try await collect(app, key: key, origin: "https://www.acme.com",
                                  #"{"events":[{"id":"v7-1","type":"page_view","anonymous_id":"v7","properties":{"path":"/pricing"}},{"id":"v7-2","type":"page_view","anonymous_id":"v7","properties":{"path":"/pricing/enterprise"}}]}"#)
            let known = try await collect(app, key: key, origin: "https://www.acme.com", #"{"events":[{"id":"v7-3","type":"identified","anonymous_id":"v7","email":"LIA@globex.com"}]}"#)
            let unknown = try await collect(app, key: key, origin: "https://www.acme.com", #"{"events":[{"id":"v8-1","type":"identified","anonymous_id":"v8","email":"nobody@globex.com"}]}"#)
            #expect(known.status == unknown.status)
            #expect(known.text == unknown.text)
            let events = EventLog(app.db, workspaceID: acme.workspace.id)
            #expect(try await events.contact(ofVisitor: "v7")?.uuidString.lowercased() == id.lowercased())
            #expect(try await events.contact(ofVisitor: "v8") == nil)
            // The two pricing views (20 points, the daily cap) and the director's fit make an MQL.
            #expect(try await api.call(.GET, "/api/v1/contacts/\(id)").json()["lifecycle_stage"] as? String == "mql")
        }
    }

    @Test("the public endpoint limits each address, answering 429 with Retry-After")
    func rateLimit() async throws {
        try await withTestApp { app in
            let (_, _, _, key) = try await trackedSite(app)
            var statuses: [HTTPStatus] = []
            var retryAfter: String?
            for _ in 0..<Int(RateLimitPolicy.collectPerIP.burst) + 1 {
                let reply = try await collect(app, key: key, origin: "https://www.acme.com", "{}")
                statuses.append(reply.status)
                retryAfter = reply.headers.first(name: .retryAfter) ?? retryAfter
            }
            #expect(statuses.dropLast().allSatisfy { $0 == .badRequest })
            #expect(statuses.last == .tooManyRequests)
            #expect(Int(retryAfter ?? "") ?? 0 >= 1)
        }
    }

    /// Signs the links of one message to the contact.
    func signedLinks(_ api: APIClient, contactID: String, urls: [String]) async throws -> (open: String, unsubscribe: String, clicks: [String]) {
        let reply = try await api.call(.POST, "/api/v1/email-links", json: """
        {"contact_id":"\(contactID)","message_id":"welcome-1","urls":\(String(decoding: try JSONEncoder().encode(urls), as: UTF8.self))}
        """)
        #expect(reply.status == .ok, "\(reply.text)")
        let json = try reply.json()
        func path(_ url: String?) throws -> String { try #require(url.flatMap(URL.init(string:))?.path) }
        return (try path(json["open_url"] as? String), try path(json["unsubscribe_url"] as? String),
                try (json["click_urls"] as? [String] ?? []).map { try path($0) })
    }

    @Test("opens and clicks of signed links are recorded for the contact; a click on a tracked site carries the link so t.js can name the visitor")
    func emailLinks() async throws {
        try await withTestApp { app in
            let (acme, api, id, key) = try await trackedSite(app)
            let links = try await signedLinks(api, contactID: id, urls: ["https://www.acme.com/pricing?plan=pro#top", "https://partner.example/page"])
            let visitor = Browser(app)
            let pixel = try await visitor.get(links.open)
            #expect(pixel.status == .ok)
            #expect(pixel.headers.first(name: .contentType) == "image/gif")
            let tracked = try await visitor.get(links.clicks[0])
            #expect(tracked.status == .found)
            let location = try #require(tracked.location)
            #expect(location.hasPrefix("https://www.acme.com/pricing?plan=pro&smk_c="))
            #expect(location.hasSuffix("#top"))
            #expect(try await visitor.get(links.clicks[1]).location == "https://partner.example/page", "other sites get the plain address")
            let contactID = try #require(UUID(uuidString: id))
            let events = try await EventLog(app.db, workspaceID: acme.workspace.id).scoringEvents(of: contactID)
            #expect(events.map(\.type).sorted() == ["email_clicked", "email_clicked", "email_opened"])
            #expect(events.first { $0.type == "email_clicked" }?.properties["message_id"] == "welcome-1")

            // On the site, t.js sends the link it arrived with: the visitor is the contact.
            let link = String(location.split(separator: "smk_c=")[1].split(separator: "#")[0])
            let identified = try await collect(app, key: key, origin: "https://www.acme.com",
                                               #"{"events":[{"id":"c1","type":"identified","anonymous_id":"v-mail","properties":{"link":"\#(link)"}}]}"#)
            #expect(try identified.json()["received"] as? Int == 1)
            #expect(try await EventLog(app.db, workspaceID: acme.workspace.id).contact(ofVisitor: "v-mail") == contactID)
        }
    }

    @Test("a forged or altered token is not found, and an expired click still takes the reader to the page without recording the click")
    func forgedAndExpired() async throws {
        try await withTestApp { app in
            let (acme, api, id, _) = try await trackedSite(app)
            let links = try await signedLinks(api, contactID: id, urls: ["https://partner.example/page"])
            let click = try #require(links.clicks.first)
            let token = String(click.split(separator: "/").last!)
            var altered = Array(token)
            altered[altered.count / 2] = altered[altered.count / 2] == "A" ? "B" : "A"
            #expect(try await Browser(app).get("/e/c/\(String(altered))").status == .notFound)
            #expect(try await Browser(app).get("/e/c/not-a-token").status == .notFound)
            #expect(try await Browser(app).get("/e/o/\(token)").status == .notFound, "a click token is not an open pixel")

            let globex = try await TestWorkspace.direct(app, email: "gus@globex.com", name: "Globex")
            let foreign = LinkToken(kind: .click, workspaceID: globex.workspace.id, contactID: UUID(uuidString: id)!, messageID: "x",
                                    target: "https://evil.example", expiresAt: nil, keyVersion: 1)
            let acmeKey = try await TrackingSites(app.db, workspaceID: acme.workspace.id).signingKey(now: app.clock.now()).key
            #expect(try await Browser(app).get("/e/c/" + foreign.signed(with: acmeKey)).status == .notFound, "signed with another workspace's key")

            app.clock.set(testNow.addingTimeInterval(LinkToken.lifetime + 86_400))
            let expired = try await Browser(app).get(links.clicks[0])
            #expect(expired.status == .found)
            #expect(expired.location == "https://partner.example/page")
            #expect(try await Browser(app).get(links.open).status == .ok)
            #expect(try await EventLog(app.db, workspaceID: acme.workspace.id).count() == 0, "nothing recorded after expiry")
        }
    }

    @Test("replacing the link key keeps the links the previous key signed, and the one after that ends them")
    func rotation() async throws {
        try await withTestApp { app in
            let (acme, api, id, _) = try await trackedSite(app)
            let links = try await signedLinks(api, contactID: id, urls: ["https://partner.example/page"])
            #expect(try await acme.adminBrowser.post("/settings/tracking/link-key", []).status == .seeOther)
            #expect(try await Browser(app).get(links.clicks[0]).status == .found)
            #expect(try await acme.adminBrowser.get("/settings/tracking").text.contains("id=\"link-key-version\">2<"))
            _ = try await acme.adminBrowser.post("/settings/tracking/link-key", [])
            #expect(try await Browser(app).get(links.clicks[0]).status == .notFound)
        }
    }

    @Test("an unsubscribe link asks first, then adds the address to the workspace's suppression list once, with an event on the contact")
    func unsubscribe() async throws {
        try await withTestApp { app in
            let (acme, api, id, _) = try await trackedSite(app)
            let links = try await signedLinks(api, contactID: id, urls: [])
            let page = try await Browser(app).get(links.unsubscribe)
            #expect(page.status == .ok)
            #expect(page.text.contains("lia@globex.com"))
            #expect(page.text.contains("id=\"unsubscribe\""))
            let suppressions = EmailSuppressions(app.db, workspaceID: acme.workspace.id)
            #expect(try await suppressions.suppression(of: EmailAddress("lia@globex.com")!) == nil, "opening the page changes nothing")
            let done = try await Browser(app).post(links.unsubscribe, [], csrf: false)
            #expect(done.status == .ok)
            #expect(done.text.contains("id=\"unsubscribe-done\""))
            #expect(try await suppressions.suppression(of: EmailAddress("lia@globex.com")!)?.messageID == "welcome-1")
            // A mail client's one-click unsubscribe (RFC 8058) again: nothing twice.
            _ = try await Browser(app).send(.POST, links.unsubscribe, body: "List-Unsubscribe=One-Click", contentType: "application/x-www-form-urlencoded")
            let events = try await EventLog(app.db, workspaceID: acme.workspace.id).scoringEvents(of: UUID(uuidString: id)!)
            #expect(events.map(\.type) == ["email_unsubscribed"])
            #expect(try await Browser(app).get(links.unsubscribe).text.contains("id=\"unsubscribe-done\""))
        }
    }

    @Test("signing links refuses a missing contact, another workspace's contact and addresses that are not web pages, naming each field")
    func signingRefusals() async throws {
        try await withTestApp { app in
            let (_, api, id, _) = try await trackedSite(app)
            let missing = try await api.call(.POST, "/api/v1/email-links", json: #"{"message_id":"","urls":["javascript:alert(1)","https://ok.example"]}"#)
            #expect(missing.status == .unprocessableEntity)
            #expect(Set(try missing.errorFields()) == ["contact_id", "message_id", "urls[0]"])
            let globex = try await TestWorkspace.direct(app, email: "gus@globex.com", name: "Globex")
            let other = APIClient(app: app, token: try await globex.token(app))
            let sealed = try await other.call(.POST, "/api/v1/email-links", json: #"{"contact_id":"\#(id)","message_id":"m"}"#)
            #expect(sealed.status == .unprocessableEntity)
            #expect(try sealed.errorFields() == ["contact_id"])
        }
    }

    @Test("open pages of the workspace hear at once of a contact that became MQL, and pages of another workspace hear nothing")
    func live() async throws {
        try await withTestApp { app in
            let (acme, api, id, _) = try await trackedSite(app)
            let globex = try await TestWorkspace.direct(app, email: "gus@globex.com", name: "Globex")
            let acmePage = Heard(app.live.listen(workspaceID: acme.workspace.id))
            let globexPage = Heard(app.live.listen(workspaceID: globex.workspace.id))
            let reply = try await api.call(.POST, "/api/v1/events", json: #"{"events":[{"id":"f1","type":"form_submitted","contact_id":"\#(id)"}]}"#)
            #expect(reply.status == .accepted)
            let frame = try #require(await acmePage.next())
            #expect(frame.hasPrefix("event: mql\n"))
            #expect(frame.contains(id.lowercased()))
            #expect(frame.contains("Lia"))
            app.live.publish(LiveHub.Message(kind: "ping"), to: globex.workspace.id)
            #expect(await globexPage.next()?.hasPrefix("event: ping") == true, "the first message another workspace hears is its own")

            // An MQL made by a field change through the API is announced too.
            let second = try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"rui@globex.com","first_name":"Rui"}"#)
            let secondID = try #require(try second.json()["id"] as? String)
            _ = try await api.call(.POST, "/api/v1/events", json: #"{"events":[{"id":"f2","type":"form_submitted","contact_id":"\#(secondID)"}]}"#)
            let edit = try await api.call(.PATCH, "/api/v1/contacts/\(secondID)", json: #"{"job_title":"Director of Sales"}"#)
            #expect(edit.status == .ok)
            #expect(try await api.call(.GET, "/api/v1/contacts/\(secondID)").json()["lifecycle_stage"] as? String == "mql")
            let next = try #require(await acmePage.next())
            #expect(next.contains(secondID.lowercased()))
        }
    }

    @Test("every signed-in page carries the live region, with its messages in the user's language")
    func liveRegion() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let page = try await acme.adminBrowser.get("/contacts")
            #expect(page.text.contains("id=\"live-region\""))
            #expect(page.text.contains("data-source=\"/live\""))
            #expect(page.text.contains("%@ became an MQL"))
        }
    }
}

/// What one open page hears on the live channel, read with a time limit so a missing message
/// fails the test instead of hanging it.
final class Heard: @unchecked Sendable {
    private let lock = NSLock()
    private var frames: [String] = []
    private var task: Task<Void, Never>?

    init(_ stream: AsyncStream<String>) {
        task = Task { [weak self] in
            for await frame in stream {
                guard let self else { return }
                self.lock.withLock { self.frames.append(frame) }
            }
        }
    }

    deinit { task?.cancel() }

    /// The next frame heard within `seconds`, or nil.
    func next(within seconds: Double = 5) async -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let frame = lock.withLock({ frames.isEmpty ? nil : frames.removeFirst() }) { return frame }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return nil
    }
}
