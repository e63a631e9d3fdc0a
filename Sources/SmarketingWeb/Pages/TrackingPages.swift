import SmarketingCore
import SmarketingStore
import Vapor

/// Where a workspace sets up and watches its behaviour tracking: the t.js snippet with its
/// public key and the sites allowed to use it, the key that signs email links, how another
/// system sends events (the batch ingest API), charts of the events received on each of the last
/// 14 days and by type, and the latest events received, each with the contact it was matched to.
struct TrackingPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("settings", "tracking", use: show)
        routes.post("settings", "tracking", "origins", use: saveOrigins)
        routes.post("settings", "tracking", "public-key", use: rotatePublicKey)
        routes.post("settings", "tracking", "link-key", use: rotateLinkKey)
    }

    func show(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let site = try await TrackingSites(req.db, workspaceID: member.workspaceID).site(now: req.now)
        return try await page(req, member: member, site: site, state: FormState(values: ["allowed_origins": site.allowedOrigins.joined(separator: "\n")]))
            .response(for: req)
    }

    func saveOrigins(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.manageCampaigns)
        let form = try await FormData.read(req)
        let sites = TrackingSites(req.db, workspaceID: member.workspaceID)
        switch SiteOrigins.parse(form.value("allowed_origins") ?? "") {
        case .success(let origins):
            _ = try await sites.setOrigins(origins, now: req.now)
            return req.redirect(to: SiteURL.tracking.path + "?notice=saved", redirectType: .normal)
        case .failure(let failure):
            var page = try await page(req, member: member, site: try await sites.site(now: req.now),
                                      state: FormState(form: form, errors: failure.errors, keeping: ["allowed_origins"]))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
    }

    func rotatePublicKey(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.manageCampaigns)
        _ = try await TrackingSites(req.db, workspaceID: member.workspaceID).rotatePublicKey(now: req.now)
        return req.redirect(to: SiteURL.tracking.path + "?notice=saved", redirectType: .normal)
    }

    func rotateLinkKey(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.manageCampaigns)
        _ = try await TrackingSites(req.db, workspaceID: member.workspaceID).rotateLinkKey(now: req.now)
        return req.redirect(to: SiteURL.tracking.path + "?notice=saved", redirectType: .normal)
    }

    /// The events received on each of the last 14 days of the workspace's calendar, and the same
    /// events by type; nothing when none arrived in those days.
    private func activity(_ req: Request, member: Member) async throws -> HTMLNode {
        let l = req.l
        let zone = TimeZone(identifier: member.workspace.settings.timeZone) ?? TimeZone(identifier: "UTC")!
        let days = CalendarDays(last: 14, endingAt: req.now, timeZone: zone)
        let counts = try await EventLog(req.db, workspaceID: member.workspaceID).receivedCounts(on: days)
        guard !counts.isEmpty else { return .empty }
        var perDay = Array(repeating: 0, count: days.spans.count)
        var perType: [String: Int] = [:]
        for count in counts where perDay.indices.contains(count.day) {
            perDay[count.day] += count.events
            perType[count.type, default: 0] += count.events
        }
        let types = perType.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        return el("section", [.class("panel"), .id("activity-panel")], [
            el("h2", [], text: l(.trackingActivityTitle)),
            BarChart(id: "received-by-day", title: l(.trackingActivityByDay),
                     bars: zip(days.spans, perDay).map { (l.day($0.day), $1) }, valueLabel: l(.trackingActivityEvents)).render(l),
            BarChart(id: "received-by-type", title: l(.trackingActivityByType),
                     bars: types.map { ($0.key, $0.value) }, valueLabel: l(.trackingActivityEvents)).render(l),
        ])
    }

    private func page(_ req: Request, member: Member, site: TrackingSite, state: FormState) async throws -> Page {
        let l = req.l
        let zone = member.workspace.settings.timeZone
        let mayManage = member.user.may(.manageCampaigns)
        let events = try await EventLog(req.db, workspaceID: member.workspaceID).recent(limit: 50)
        let activity = try await activity(req, member: member)
        let snippet = #"<script async src="\#(req.absoluteURL("/t.js"))" data-key="\#(site.publicKey)"></script>"#
        let example = """
        curl -X POST \(req.absoluteURL("/api/v1/events")) \\
          -H "Authorization: Bearer $SMARKETING_TOKEN" -H "Content-Type: application/json" \\
          -d '{"events":[{"id":"crm-1","type":"form_submitted","email":"lia@example.com","properties":{"form":"demo"}}]}'
        """
        let rows: [HTMLNode] = events.map { event in
            let who: HTMLNode = if let contactID = event.contactID {
                el("a", [.href(SiteURL.contact(contactID).path)], text: event.contactName ?? contactID.uuidString.lowercased())
            } else {
                text(l(.trackingVisitor, event.anonymousID ?? "?"))
            }
            return el("tr", [.data("event", event.id)], [
                cell(l.dateTime(event.receivedAt, timeZone: zone)),
                cell([el("code", [], text: event.type)]),
                cell([who]),
                cell(event.properties.keys.sorted().map { "\($0)=\(event.properties[$0] ?? "")" }.joined(separator: " · ")),
                cell(l.dateTime(event.occurredAt, timeZone: zone)),
                cell([el("code", [], text: event.id)]),
            ])
        }
        let originsField = "allowed_origins"
        let originsError = state.error(originsField)
        return Page(title: l(.trackingTitle), area: .settings, body: [
            settingsTabs(req, current: .tracking),
            pageHeader(l(.trackingTitle), subtitle: l(.trackingIntro)),
            Notice.banner(req),
            el("section", [.class("panel"), .id("site-panel")], [
                el("h2", [], text: l(.trackingSiteTitle)),
                el("p", [], text: l(.trackingSiteHelp)),
                el("pre", [.id("tracking-snippet"), .class("snippet")], [el("code", [], text: snippet)]),
                el("p", [.class("hint")], text: l(.trackingSiteCommands)),
                el("p", [], [text(l(.trackingPublicKey) + " "), el("code", [.id("public-key")], text: site.publicKey)]),
                site.allowedOrigins.isEmpty ? el("p", [.class("form-error"), .id("no-origins")], text: l(.trackingNoOrigins)) : .empty,
                mayManage ? Form.post(req, action: SiteURL.trackingOrigins.path, id: "origins-form", [
                    el("div", [.class(originsError == nil ? "field" : "field has-error")], [
                        el("label", [Attr("for", "f-\(originsField)")], [text(l(.trackingOrigins))]),
                        el("textarea", [.id("f-\(originsField)"), .name(originsField), Attr("rows", "4"),
                                        Attr("placeholder", "https://www.example.com")] + (originsError == nil ? [] : [.aria("invalid", "true")]),
                           text: state.values[originsField] ?? ""),
                        el("p", [.class("hint")], text: l(.trackingOriginsHint)),
                        Form.errorLine(l, name: originsField, error: originsError),
                    ]),
                    Form.submit(l(.save), attributes: [.id("save-origins")]),
                ]) : el("p", [.id("allowed-origins")], text: site.allowedOrigins.joined(separator: " · ")),
                mayManage ? Form.post(req, action: SiteURL.trackingPublicKey.path, id: "public-key-form",
                                      attributes: [.data("confirm", l(.trackingRotatePublicKeyConfirm))], [
                    Form.submit(l(.trackingRotatePublicKey), style: "button", attributes: [.id("rotate-public-key")]),
                ]) : .empty,
            ]),
            el("section", [.class("panel"), .id("links-panel")], [
                el("h2", [], text: l(.trackingLinksTitle)),
                el("p", [], text: l(.trackingLinksHelp)),
                el("p", [], [text(l(.trackingLinkKeyVersion) + " "), el("strong", [.id("link-key-version")], text: String(site.linkKeyVersion))]),
                mayManage ? Form.post(req, action: SiteURL.trackingLinkKey.path, id: "link-key-form",
                                      attributes: [.data("confirm", l(.trackingRotateLinkKeyConfirm))], [
                    Form.submit(l(.trackingRotateLinkKey), style: "button", attributes: [.id("rotate-link-key")]),
                ]) : .empty,
            ]),
            el("section", [.class("panel"), .id("ingest-help")], [
                el("h2", [], text: l(.trackingAPITitle)),
                el("p", [], [text(l(.trackingAPIHelp) + " "), el("a", [.href(SiteURL.tokens.path)], text: l(.tokensTitle)),
                             text(" · "), el("a", [.href(SiteURL.apiGuide.path)], text: l(.trackingAPIGuide))]),
                el("pre", [.id("ingest-example")], [el("code", [], text: example)]),
            ]),
            activity,
            el("h2", [], text: l(.trackingEventsTitle)),
            dataTable(id: "events-table", caption: l(.trackingEventsTitle),
                      headers: [l(.trackingReceived), l(.trackingType), l(.trackingWho), l(.trackingProperties), l(.trackingOccurred), l(.trackingEventID)],
                      rows: rows, empty: l(.trackingEventsEmpty)),
        ])
    }
}
