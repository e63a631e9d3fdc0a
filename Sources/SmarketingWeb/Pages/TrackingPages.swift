import SmarketingCore
import SmarketingStore
import Vapor

/// Where a workspace sees its behaviour events arrive: how another system sends them (the batch
/// ingest API) and the latest events received, each with the contact it was matched to.
struct TrackingPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("settings", "tracking", use: show)
    }

    func show(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let l = req.l
        let zone = member.workspace.settings.timeZone
        let events = try await EventLog(req.db, workspaceID: member.workspaceID).recent(limit: 50)
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
        return Page(title: l(.trackingTitle), area: .settings, body: [
            settingsTabs(req, current: .tracking),
            pageHeader(l(.trackingTitle), subtitle: l(.trackingIntro)),
            el("section", [.class("panel"), .id("ingest-help")], [
                el("h2", [], text: l(.trackingAPITitle)),
                el("p", [], [text(l(.trackingAPIHelp) + " "), el("a", [.href(SiteURL.tokens.path)], text: l(.tokensTitle)),
                             text(" · "), el("a", [.href(SiteURL.apiGuide.path)], text: l(.trackingAPIGuide))]),
                el("pre", [.id("ingest-example")], [el("code", [], text: example)]),
            ]),
            el("h2", [], text: l(.trackingEventsTitle)),
            dataTable(id: "events-table", caption: l(.trackingEventsTitle),
                      headers: [l(.trackingReceived), l(.trackingType), l(.trackingWho), l(.trackingProperties), l(.trackingOccurred), l(.trackingEventID)],
                      rows: rows, empty: l(.trackingEventsEmpty)),
        ]).response(for: req)
    }
}
