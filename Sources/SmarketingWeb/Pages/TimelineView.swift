import SmarketingCore
import SmarketingStore
import Vapor

/// A record's timeline, newest first: what changed, who changed it and when, each changed field
/// with its value before and after.
enum TimelineView {
    /// One line of a timeline: a change of the record, or (for a contact) something it did.
    enum Item {
        case change(RecordChange)
        case event(ContactEvent)

        var at: Date {
            switch self {
            case .change(let change): change.at
            case .event(let event): event.event.time
            }
        }

        var id: UUID {
            switch self {
            case .change(let change): change.id
            case .event(let event): event.rowID
            }
        }

        /// Newest first, then by id, the order each source is read in (ids compare as their
        /// text, which is also their byte order).
        static func newestFirst(_ lhs: Item, _ rhs: Item) -> Bool {
            lhs.at != rhs.at ? lhs.at > rhs.at : lhs.id.uuidString > rhs.id.uuidString
        }

        /// The next page's cursor: the last item shown.
        var cursor: PageCursor { PageCursor(date: at, id: id) }
    }

    /// A contact's changes and events merged into one page of `limit` lines, and whether there
    /// is an older page (both sources read `limit + 1` lines after the same cursor).
    static func merged(_ changes: [RecordChange], _ events: [ContactEvent], limit: Int) -> (items: [Item], more: Bool) {
        let all = (changes.map(Item.change) + events.map(Item.event)).sorted(by: Item.newestFirst)
        return (Array(all.prefix(limit)), all.count > limit)
    }

    static func list(_ changes: some Collection<RecordChange>, labels: (String) -> String, zone: String, _ l: Localizer) -> HTMLNode {
        list(changes.map(Item.change), points: [:], labels: labels, zone: zone, l)
    }

    /// `points` are the ledger lines each event gave, by event id.
    static func list(_ items: [Item], points: [String: [ScoreEntry]], labels: (String) -> String, zone: String, _ l: Localizer) -> HTMLNode {
        guard !items.isEmpty else { return el("p", [.class("empty")], text: l(.timelineEmpty)) }
        return el("ol", [.class("timeline"), .id("timeline")], items.map { item in
            switch item {
            case .change(let change):
                el("li", [.class("timeline-item"), .data("kind", change.kind.rawValue)], [
                    el("p", [.class("timeline-head")], [
                        el("strong", [], text: ContactFieldLabels.changeKind(change.kind, l)),
                        text(" · \(change.actor.name) · \(l.dateTime(change.at, timeZone: zone))"),
                    ]),
                    el("dl", [.class("changes")], change.change.fields.flatMap { field in
                        [el("dt", [], text: labels(field)),
                         el("dd", [], text: ContactPages.shownChange(field, before: change.change.before[field], after: change.change.after[field], l))]
                    }),
                ])
            case .event(let contactEvent):
                event(contactEvent.event, points: points[contactEvent.event.id] ?? [], zone: zone, l)
            }
        })
    }

    private static func event(_ event: ScoringEvent, points: [ScoreEntry], zone: String, _ l: Localizer) -> HTMLNode {
        let total = points.reduce(0) { $0 + $1.points }
        let properties = event.properties.keys.sorted().map { "\($0)=\(event.properties[$0] ?? "")" }.joined(separator: " · ")
        return el("li", [.class("timeline-item timeline-event"), .data("kind", "event"), .data("event", event.id)], [
            el("p", [.class("timeline-head")], [
                el("strong", [], text: eventName(event.type, l)),
                text(" · \(l.dateTime(event.time, timeZone: zone))"),
                points.isEmpty ? .empty : el("span", [.class("badge event-points")], text: l(.timelinePoints, (total >= 0 ? "+" : "") + String(total),
                                                                                             points.map(\.ruleID).joined(separator: ", "))),
            ]),
            properties.isEmpty ? .empty : el("p", [.class("event-properties")], text: properties),
        ])
    }

    /// A standard event type in the user's language; another type as it was sent.
    static func eventName(_ type: String, _ l: Localizer) -> String {
        switch StandardEventType(rawValue: type) {
        case .pageView: l(.eventPageView)
        case .formSubmitted: l(.eventFormSubmitted)
        case .emailOpened: l(.eventEmailOpened)
        case .emailClicked: l(.eventEmailClicked)
        case .emailUnsubscribed: l(.eventEmailUnsubscribed)
        case .identified: l(.eventIdentified)
        case nil: type
        }
    }
}
