import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// The links in a workspace's emails: the open pixel (`/e/o/TOKEN`), click redirects
/// (`/e/c/TOKEN`) and the unsubscribe page (`/e/u/TOKEN`). Each token is signed with the
/// workspace's link key; a forged or altered one is not found (404). An expired click still
/// takes the reader to its page, without recording the click. A click on a site the workspace
/// tracks carries the token on (`smk_c`), so t.js there can name the visitor.
struct EmailLinkRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("e", "o", ":token", use: open)
        routes.get("e", "c", ":token", use: click)
        routes.get("e", "u", ":token", use: unsubscribePage)
        routes.post("e", "u", ":token", use: unsubscribe)
    }

    /// A transparent 1×1 GIF.
    static let pixel: [UInt8] = [0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
                                 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
                                 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b]

    func open(req: Request) async throws -> Response {
        let link = try await token(req, kind: .open)
        if link.records(at: req.now) {
            try await record(.emailOpened, link, req)
        }
        return Response(status: .ok, headers: ["Content-Type": "image/gif", "Cache-Control": "no-store, max-age=0"],
                        body: .init(data: Data(Self.pixel)))
    }

    func click(req: Request) async throws -> Response {
        let link = try await token(req, kind: .click)
        var target = link.target
        if link.records(at: req.now) {
            try await record(.emailClicked, link, req, properties: ["url": link.target])
            let site = try await TrackingSites(req.db, workspaceID: link.workspaceID).site(now: req.now)
            if let origin = SiteOrigins.origin(target), site.allowedOrigins.contains(origin) {
                // The token goes before the fragment, which browsers keep to themselves.
                let fragment = target.firstIndex(of: "#") ?? target.endIndex
                let base = target[..<fragment]
                target = base + (base.contains("?") ? "&" : "?") + "smk_c=" + (req.parameters.get("token") ?? "") + target[fragment...]
            }
        }
        return Response(status: .found, headers: ["Location": target, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"])
    }

    func unsubscribePage(req: Request) async throws -> Response {
        let link = try await token(req, kind: .unsubscribe)
        let l = req.l
        let contact = try await ContactRepository(req.db, workspaceID: link.workspaceID).find(link.contactID)
        let workspace = try await WorkspaceRepository(req.db, workspaceID: link.workspaceID).get()
        let address = contact?.email?.value ?? ""
        var already = false
        if let email = contact?.email {
            already = try await EmailSuppressions(req.db, workspaceID: link.workspaceID).suppression(of: email) != nil
        }
        let body: [HTMLNode] = already
            ? [el("h1", [], text: l(.unsubscribeDoneTitle)), el("p", [.id("unsubscribe-done")], text: l(.unsubscribeDone, address))]
            : [
                el("h1", [], text: l(.unsubscribeTitle)),
                el("p", [], text: l(.unsubscribeQuestion, address, workspace?.settings.name ?? "")),
                el("form", [Attr("method", "post"), Attr("action", req.url.path)], [
                    el("button", [.id("unsubscribe"), .type("submit"), .class("button")], text: l(.unsubscribeButton)),
                ]),
            ]
        return Page(title: l(.unsubscribeTitle), area: nil, body: body, publicPage: true).response(for: req)
    }

    /// The page's button, or a mail client's one-click unsubscribe (RFC 8058).
    func unsubscribe(req: Request) async throws -> Response {
        let link = try await token(req, kind: .unsubscribe)
        let l = req.l
        let contact = try await ContactRepository(req.db, workspaceID: link.workspaceID).find(link.contactID)
        if let email = contact?.email {
            let added = try await EmailSuppressions(req.db, workspaceID: link.workspaceID)
                .suppress(email, contactID: link.contactID, reason: EmailSuppressions.unsubscribeLink, messageID: link.messageID, now: req.now)
            if added { try await record(.emailUnsubscribed, link, req) }
        }
        return Page(title: l(.unsubscribeDoneTitle), area: nil, body: [
            el("h1", [], text: l(.unsubscribeDoneTitle)),
            el("p", [.id("unsubscribe-done")], text: l(.unsubscribeDone, contact?.email?.value ?? "")),
        ], publicPage: true).response(for: req)
    }

    // MARK: Tokens

    /// The link of the request's token, when the workspace's key signed it for this kind of
    /// link; else 404, as for a page that does not exist.
    private func token(_ req: Request, kind: LinkToken.Kind) async throws -> LinkToken {
        try req.application.rateLimits.check(.emailLinkPerIP, key: req.clientAddress, now: req.now)
        guard let text = req.parameters.get("token"), let link = try await Self.verify(text, db: req.db), link.kind == kind else {
            throw Abort(.notFound)
        }
        return link
    }

    static func verify(_ token: String, db: any Database) async throws -> LinkToken? {
        guard let claim = LinkToken.claimedKey(of: token),
              let key = try await TrackingSites(db, workspaceID: claim.workspaceID).linkKey(version: claim.keyVersion),
              let link = LinkToken.open(token, key: key), link.workspaceID == claim.workspaceID
        else { return nil }
        return link
    }

    /// The contact a click link of this workspace was sent to (t.js names a visitor with it).
    static func contact(ofLink token: String, workspaceID: UUID, db: any Database) async throws -> UUID? {
        guard let link = try await verify(token, db: db), link.kind == .click, link.workspaceID == workspaceID else { return nil }
        return link.contactID
    }

    private func record(_ type: StandardEventType, _ link: LinkToken, _ req: Request, properties: [String: String] = [:]) async throws {
        var properties = properties
        properties["message_id"] = link.messageID
        let event = ScoringEvent(id: "\(type.rawValue)-\(UUID().uuidString.lowercased())", type: type.rawValue, time: req.now, properties: properties)
        _ = try await req.application.ingest.submit([EventSubmission(event: event, subject: .contact(link.contactID))], workspaceID: link.workspaceID)
    }
}

/// Signs the links of a message a workspace sends (`POST /api/v1/email-links`): the open
/// pixel, the unsubscribe link and, for each page the message links to, a click link.
enum EmailLinks {
    struct Signed: Encodable {
        var openUrl: String
        var unsubscribeUrl: String
        var clickUrls: [String]
    }

    static func sign(contactID: UUID, messageID: String, targets: [String], workspaceID: UUID, req: Request) async throws -> Signed {
        let now = req.now
        let (key, version) = try await TrackingSites(req.db, workspaceID: workspaceID).signingKey(now: now)
        func url(_ kind: LinkToken.Kind, _ path: String, target: String = "", expires: Bool) -> String {
            let token = LinkToken(kind: kind, workspaceID: workspaceID, contactID: contactID, messageID: messageID, target: target,
                                  expiresAt: expires ? now.addingTimeInterval(LinkToken.lifetime) : nil, keyVersion: version)
            return req.absoluteURL("/e/\(path)/" + token.signed(with: key))
        }
        return Signed(openUrl: url(.open, "o", expires: true), unsubscribeUrl: url(.unsubscribe, "u", expires: false),
                      clickUrls: targets.map { url(.click, "c", target: $0, expires: true) })
    }
}
