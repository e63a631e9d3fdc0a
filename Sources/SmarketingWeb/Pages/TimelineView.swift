import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// A record's timeline, newest first: what changed, who changed it and when, each changed field
/// with its value before and after; for a contact also what it did (marketing's touches) and
/// what sales did with it (activities, tasks, deals).
enum TimelineView {
    /// One line of a timeline: a change of the record, something the contact did, an activity a
    /// rep logged, or a change of one of its tasks or deals.
    enum Item {
        case change(RecordChange)
        case event(ContactEvent)
        case activity(Activity)
        case sales(SalesChange)

        var at: Date {
            switch self {
            case .change(let change): change.at
            case .event(let event): event.event.time
            case .activity(let activity): activity.occurredAt
            case .sales(let change): change.at
            }
        }

        var id: UUID {
            switch self {
            case .change(let change): change.id
            case .event(let event): event.rowID
            case .activity(let activity): activity.id
            case .sales(let change): change.id
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

    /// A contact's changes, events, activities and sales changes merged into one page of `limit`
    /// lines, and whether there is an older page (every source reads `limit + 1` lines after the
    /// same cursor).
    static func merged(_ changes: [RecordChange], _ events: [ContactEvent], _ activities: [Activity] = [], _ sales: [SalesChange] = [],
                       limit: Int) -> (items: [Item], more: Bool) {
        let all = (changes.map(Item.change) + events.map(Item.event) + activities.map(Item.activity) + sales.map(Item.sales))
            .sorted(by: Item.newestFirst)
        return (Array(all.prefix(limit)), all.count > limit)
    }

    /// Reads one page of a contact's whole timeline after `cursor`: `limit + 1` lines of each
    /// source, merged by the caller. Deal lines only for a reader who may see the contact's deals.
    static func read(_ db: any Database, workspaceID: UUID, contactID: UUID, limit: Int, after cursor: PageCursor?, includeDeals: Bool) async throws
        -> (changes: [RecordChange], events: [ContactEvent], activities: [Activity], sales: [SalesChange]) {
        let changes = try await RecordChanges(db, workspaceID: workspaceID).timeline(of: contactID, limit: limit + 1, after: cursor)
        let events = try await EventLog(db, workspaceID: workspaceID).timeline(of: contactID, limit: limit + 1, after: cursor)
        let activities = try await Activities(db, workspaceID: workspaceID).list(of: contactID, limit: limit + 1, after: cursor)
        let sales = try await SalesChanges(db, workspaceID: workspaceID).timeline(of: contactID, limit: limit + 1, after: cursor, includeDeals: includeDeals)
        return (changes, events, activities, sales)
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
            case .activity(let activity):
                self.activity(activity, zone: zone, l)
            case .sales(let change):
                sales(change, zone: zone, l)
            }
        })
    }

    private static func icon(_ symbol: String) -> HTMLNode {
        el("span", [.class("timeline-icon"), .aria("hidden", "true")], text: symbol)
    }

    private static func activity(_ activity: Activity, zone: String, _ l: Localizer) -> HTMLNode {
        let symbol = switch activity.kind {
        case .call: "☎"
        case .email: "✉"
        case .meeting: "◉"
        case .note: "✎"
        }
        return el("li", [.class("timeline-item timeline-activity"), .data("kind", "activity"), .data("activity-kind", activity.kind.rawValue),
                         .data("activity", activity.id.uuidString.lowercased())], [
            el("p", [.class("timeline-head")], [
                icon(symbol),
                el("strong", [], text: l.kindName(activity.kind)),
                activity.outcome.map { group([text(" "), el("span", [.class("badge outcome-\($0.rawValue)")], text: l.outcomeName($0))]) } ?? .empty,
                text(" · \(activity.actor.name) · \(l.dateTime(activity.occurredAt, timeZone: zone))"),
                activity.durationMinutes.map { text(" · " + l(.timelineMinutes, String($0))) } ?? .empty,
            ]),
            activity.notes.map { el("p", [.class("activity-notes")], text: $0) } ?? .empty,
            activity.nextStep.map { el("p", [.class("activity-next-step")], text: l(.timelineNextStep, $0)) } ?? .empty,
        ])
    }

    private static func sales(_ change: SalesChange, zone: String, _ l: Localizer) -> HTMLNode {
        let shown = { (field: String) in DealPages.shownChange(field, change.change, zone: zone, l) }
        let kind = change.subject.rawValue + "_" + change.kind.rawValue
        let shownFields = change.subject == .deal ? ["stage", "amount", "currency", "expected_close_date", "lost_reason"] : ["due_at"]
        let lines = change.change.fields.filter(shownFields.contains)
        return el("li", [.class("timeline-item timeline-\(change.subject.rawValue)"), .data("kind", kind)], [
            el("p", [.class("timeline-head")], [
                icon(change.subject == .deal ? "◆" : "☑"),
                el("strong", [], text: salesChangeName(change, l)),
                text(" · "),
                change.subject == .deal ? el("a", [.href(SiteURL.deal(change.subjectID).path)], text: change.title) : el("span", [], text: change.title),
                text(" · \(change.actor.name) · \(l.dateTime(change.at, timeZone: zone))"),
            ]),
            lines.isEmpty ? .empty : el("dl", [.class("changes")], lines.flatMap { field in
                [el("dt", [], text: DealPages.fieldLabel(field, l)), el("dd", [], text: shown(field))]
            }),
        ])
    }

    /// What a task or deal change was, in words.
    static func salesChangeName(_ change: SalesChange, _ l: Localizer) -> String {
        switch (change.subject, change.kind) {
        case (.task, .created): l(.timelineTaskCreated)
        case (.task, .completed): l(.timelineTaskCompleted)
        case (.task, .reopened): l(.timelineTaskReopened)
        case (.task, _): l(.timelineTaskUpdated)
        case (.deal, .created): l(.timelineDealCreated)
        case (.deal, .won): l(.timelineDealWon)
        case (.deal, .lost): l(.timelineDealLost)
        case (.deal, _): l(.timelineDealUpdated)
        }
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
