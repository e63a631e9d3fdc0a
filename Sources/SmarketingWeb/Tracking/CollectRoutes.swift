import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// The public side of web tracking: `/t.js` and `POST /t/collect`, where t.js sends page views
/// with the workspace's public key. Only the site origins the workspace allowed get an answer
/// a browser lets the page read (CORS); callers are rate-limited per IP and per workspace; the
/// events go through the ingest pipeline like any other and are answered after the commit.
struct CollectRoutes: RouteCollection {
    static let maximumEvents = 50

    func boot(routes: any RoutesBuilder) throws {
        routes.get("t.js") { req in TrackingScript.response(for: req) }
        routes.on(.OPTIONS, "t", "collect", use: preflight)
        routes.on(.POST, "t", "collect", body: .collect(maxSize: "64kb"), use: collect)
    }

    struct Rejected: Encodable {
        var index: Int
        var fields: [APIFieldError]
    }

    struct Result: Encodable {
        var received: Int
        var rejected: [Rejected]
    }

    func preflight(req: Request) async throws -> Response {
        try req.application.rateLimits.check(.collectPerIP, key: req.clientAddress, now: req.now)
        let (_, origin) = try await site(req)
        var headers = Self.cors(origin)
        headers.add(name: .accessControlAllowMethods, value: "POST")
        headers.add(name: .accessControlAllowHeaders, value: "Content-Type")
        headers.add(name: .accessControlMaxAge, value: "86400")
        return Response(status: .noContent, headers: headers)
    }

    func collect(req: Request) async throws -> Response {
        let now = req.now
        try req.application.rateLimits.check(.collectPerIP, key: req.clientAddress, now: now)
        let (site, origin) = try await site(req)
        do {
            try req.application.rateLimits.check(.collectPerWorkspace, key: site.workspaceID.uuidString, now: now)
        } catch let abort as Abort {
            throw Abort(abort.status, headers: abort.headers.merging(Self.cors(origin)), reason: abort.reason)
        }
        // t.js sends text/plain (no preflight); the body is JSON either way.
        guard let buffer = req.body.data,
              let body = try? JSONDecoder().decode(EventsAPI.IngestRequest.self, from: Data(buffer: buffer)),
              let events = body.events, !events.isEmpty
        else { throw Abort(.badRequest, headers: Self.cors(origin), reason: "The body must be JSON with a list of events.") }
        guard events.count <= Self.maximumEvents else {
            throw Abort(.payloadTooLarge, headers: Self.cors(origin), reason: "At most \(Self.maximumEvents) events per request.")
        }
        var rejected: [Rejected] = []
        var valid: [EventSubmission] = []
        for (index, value) in events.enumerated() {
            switch EventSubmission.checkPublic(EventsAPI.input(value), now: now) {
            case .success(var submission):
                if let link = submission.event.properties["link"] {
                    // Named by the signed email link the visitor came through: that contact.
                    guard let contactID = try await EmailLinkRoutes.contact(ofLink: link, workspaceID: site.workspaceID, db: req.db) else {
                        rejected.append(Rejected(index: index, fields: [APIFieldError(field: "properties.link", code: "invalid", message: req.l(.errorInvalid))]))
                        continue
                    }
                    submission.event.properties["link"] = nil
                    let visitor: String? = if case .anonymous(let visitor) = submission.subject { visitor } else { submission.identifies }
                    submission = EventSubmission(event: submission.event, subject: .contact(contactID), identifies: visitor)
                }
                valid.append(submission)
            case .failure(let failure):
                rejected.append(Rejected(index: index, fields: failure.errors.map {
                    APIFieldError(field: $0.field, code: $0.code.apiCode, message: req.l.message(for: $0))
                }))
            }
        }
        // What became of each event is not told: an `identified` naming an address the
        // workspace does not have must look like one it has.
        _ = try await req.application.ingest.submit(valid, workspaceID: site.workspaceID)
        let response = try APIJSON.response(Result(received: valid.count, rejected: rejected), status: .accepted)
        response.headers.add(contentsOf: Self.cors(origin))
        return response
    }

    /// The workspace of the request's public key and the page's origin, which must be one of
    /// the workspace's sites.
    private func site(_ req: Request) async throws -> (TrackingSite, String) {
        guard let key = req.query[String.self, at: "k"], !key.isEmpty else {
            throw Abort(.unauthorized, reason: "The public key (k) is missing.")
        }
        guard let site = try await TrackingSites.site(publicKey: key, on: req.db) else {
            throw Abort(.unauthorized, reason: "The public key is unknown or was replaced.")
        }
        guard let origin = req.headers.first(name: .origin).flatMap(SiteOrigins.origin), site.allowedOrigins.contains(origin) else {
            throw Abort(.forbidden, reason: "This site is not one of the workspace's tracked sites.")
        }
        return (site, origin)
    }

    static func cors(_ origin: String) -> HTTPHeaders {
        ["Access-Control-Allow-Origin": origin, "Vary": "Origin"]
    }
}

private extension HTTPHeaders {
    func merging(_ other: HTTPHeaders) -> HTTPHeaders {
        var merged = self
        merged.add(contentsOf: other)
        return merged
    }
}
