import Crypto
import Foundation
import SmarketingCore
import Testing

@Suite("The rules of public web tracking: site origins, rate limits, public events")
struct TrackingRulesTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test("a site address becomes its origin: lower case, no path, no default port; anything that is not a web address is refused")
    func origins() {
        #expect(SiteOrigins.origin("https://WWW.Acme.com/pricing?x=1") == "https://www.acme.com")
        #expect(SiteOrigins.origin(" http://localhost:3000/ ") == "http://localhost:3000")
        #expect(SiteOrigins.origin("https://acme.com:443") == "https://acme.com")
        #expect(SiteOrigins.origin("http://acme.com:80/x") == "http://acme.com")
        for bad in ["acme.com", "ftp://acme.com", "https://", "https://user@acme.com", "https://acme.com:99999", "javascript:alert(1)", "https://ac me.com", "https://.acme.com"] {
            #expect(SiteOrigins.origin(bad) == nil, "\(bad)")
        }
    }

    @Test("a list of sites is read one per line or comma, without repeats, and one bad line refuses the list naming allowed_origins")
    func originList() throws {
        #expect(try SiteOrigins.parse("https://acme.com\nhttps://ACME.com/blog, http://localhost:8080\n\n").get() == ["https://acme.com", "http://localhost:8080"])
        #expect(try SiteOrigins.parse("").get() == [])
        guard case .failure(let failure) = SiteOrigins.parse("https://acme.com\nnot a site") else { Issue.record("accepted"); return }
        #expect(failure.errors == [FieldError("allowed_origins", .invalid)])
        let many = (0...SiteOrigins.maximumCount).map { "https://s\($0).example" }.joined(separator: "\n")
        guard case .failure(let tooMany) = SiteOrigins.parse(many) else { Issue.record("accepted"); return }
        #expect(tooMany.errors == [FieldError("allowed_origins", .tooLong(maximum: SiteOrigins.maximumCount))])
    }

    @Test("a caller gets its burst at once, then one request per refill period, and is told how long to wait")
    func bucket() {
        let policy = RateLimitPolicy(burst: 3, perSecond: 0.5)
        var table = RateLimitTable(policy: policy)
        #expect((0..<3).map { _ in table.take("1.2.3.4", now: now) } == [nil, nil, nil])
        #expect(table.take("1.2.3.4", now: now) == 2, "one token every 2 s")
        #expect(table.take("5.6.7.8", now: now) == nil, "each caller has its own bucket")
        #expect(table.take("1.2.3.4", now: now.addingTimeInterval(2)) == nil)
        #expect(table.take("1.2.3.4", now: now.addingTimeInterval(2.5)) == 2)
    }

    @Test("a flood of distinct callers cannot grow the table without bound: full buckets are forgotten")
    func boundedTable() {
        var table = RateLimitTable(policy: RateLimitPolicy(burst: 2, perSecond: 1), capacity: 100)
        for index in 0..<1_000 { _ = table.take("caller-\(index)", now: now.addingTimeInterval(Double(index) * 5)) }
        #expect(table.count <= 100)
        var busy = RateLimitTable(policy: RateLimitPolicy(burst: 2, perSecond: 0.001), capacity: 10)
        for index in 0..<10 { _ = busy.take("caller-\(index)", now: now) }
        #expect(busy.take("newcomer", now: now) == 1, "while every bucket is in use a newcomer waits")
    }

    @Test("a page may only speak for its visitor: it needs the anonymous id, cannot name a contact id, and gives an email only when identifying")
    func publicEvents() throws {
        func fields(_ input: EventSubmissionInput) -> [String] {
            switch EventSubmission.checkPublic(input, now: now) {
            case .success: []
            case .failure(let failure): failure.errors.map(\.field)
            }
        }
        let view = try EventSubmission.checkPublic(EventSubmissionInput(id: "v1", type: "page_view", properties: ["path": "/"], anonymousID: "aid-1"), now: now).get()
        #expect(view.subject == .anonymous("aid-1"))
        let identify = try EventSubmission.checkPublic(EventSubmissionInput(id: "i1", type: "identified", email: "Lia@Globex.com", anonymousID: "aid-1"), now: now).get()
        #expect(identify.subject == .email(EmailAddress("lia@globex.com")!))
        #expect(identify.identifies == "aid-1")
        #expect(fields(EventSubmissionInput(id: "i2", type: "identified", properties: ["link": "token"], anonymousID: "aid-1")) == [])
        #expect(fields(EventSubmissionInput(id: "v2", type: "page_view")) == ["anonymous_id", "contact_id"])
        #expect(fields(EventSubmissionInput(id: "v3", type: "page_view", contactID: UUID().uuidString, anonymousID: "aid-1")) == ["contact_id"])
        #expect(fields(EventSubmissionInput(id: "v4", type: "page_view", email: "lia@globex.com", anonymousID: "aid-1")) == ["email"])
        #expect(fields(EventSubmissionInput(id: "i3", type: "identified", anonymousID: "aid-1")) == ["email"])
        #expect(fields(EventSubmissionInput(id: "f1", type: "form_submitted", anonymousID: "aid-1")) == ["type"], "only page views and identification")
    }
}

@Suite("Signed email links")
struct LinkTokenTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    let key = SymmetricKey(data: Data(repeating: 7, count: 32))
    let workspace = UUID(uuidString: "11111111-2222-3333-4444-555555555555")!
    let contact = UUID(uuidString: "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE")!

    func click(_ target: String = "https://www.acme.com/pricing?plan=pro#top") -> LinkToken {
        LinkToken(kind: .click, workspaceID: workspace, contactID: contact, messageID: "newsletter-42", target: target,
                  expiresAt: now.addingTimeInterval(LinkToken.lifetime), keyVersion: 3)
    }

    @Test("a signed link opens to exactly what was signed, and names its workspace and key version before it is checked")
    func roundTrip() throws {
        let token = click().signed(with: key)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "fits a URL path as it is")
        let claim = try #require(LinkToken.claimedKey(of: token))
        #expect(claim.workspaceID == workspace)
        #expect(claim.keyVersion == 3)
        let opened = try #require(LinkToken.open(token, key: key))
        #expect(opened.kind == .click)
        #expect(opened.target == "https://www.acme.com/pricing?plan=pro#top")
        #expect(opened.messageID == "newsletter-42")
        #expect(opened.contactID == contact)
        #expect(abs((opened.expiresAt?.timeIntervalSince1970 ?? 0) - now.addingTimeInterval(LinkToken.lifetime).timeIntervalSince1970) <= 1)
        let unsubscribe = LinkToken(kind: .unsubscribe, workspaceID: workspace, contactID: contact, messageID: "m", expiresAt: nil, keyVersion: 1)
        #expect(LinkToken.open(unsubscribe.signed(with: key), key: key)?.expiresAt == nil, "an unsubscribe link never expires")
    }

    @Test("a token altered anywhere, cut short, or signed with another key does not open")
    func forgery() {
        let token = click().signed(with: key)
        var bytes = Base64URL.decode(token)!
        for index in stride(from: 0, to: bytes.count, by: 7) {
            var altered = bytes
            altered[index] ^= 0x01
            #expect(LinkToken.open(Base64URL.encode(altered), key: key) == nil, "byte \(index)")
        }
        bytes.removeLast()
        #expect(LinkToken.open(Base64URL.encode(bytes), key: key) == nil)
        #expect(LinkToken.open(token, key: SymmetricKey(data: Data(repeating: 8, count: 32))) == nil)
        for junk in ["", "abc", "!!!", String(repeating: "A", count: 5_000)] {
            #expect(LinkToken.open(junk, key: key) == nil)
            #expect(LinkToken.claimedKey(of: junk) == nil)
        }
    }

    @Test("an open or click counts until the link expires; after it, it is no longer recorded")
    func expiry() {
        let link = click()
        #expect(link.records(at: now))
        #expect(link.records(at: now.addingTimeInterval(LinkToken.lifetime)))
        #expect(!link.records(at: now.addingTimeInterval(LinkToken.lifetime + 1)))
    }

    @Test("a sender must give a message id and http(s) targets without blanks")
    func check() {
        #expect(LinkToken.check(messageID: "m-1", target: "https://acme.com/x") == nil)
        #expect(LinkToken.check(messageID: "", target: nil)?.errors == [FieldError("message_id", .required)])
        #expect(LinkToken.check(messageID: String(repeating: "m", count: 65), target: nil)?.errors == [FieldError("message_id", .tooLong(maximum: 64))])
        #expect(LinkToken.check(messageID: "m", target: "javascript:alert(1)")?.errors == [FieldError("url", .invalid)])
        #expect(LinkToken.check(messageID: "m", target: "https://acme.com/a b")?.errors == [FieldError("url", .invalid)])
    }
}
