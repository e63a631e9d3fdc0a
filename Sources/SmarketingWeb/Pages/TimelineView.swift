import SmarketingCore
import SmarketingStore
import Vapor

/// A record's timeline, newest first: what changed, who changed it and when, each changed field
/// with its value before and after.
enum TimelineView {
    static func list(_ changes: some Collection<RecordChange>, labels: (String) -> String, zone: String, _ l: Localizer) -> HTMLNode {
        guard !changes.isEmpty else { return el("p", [.class("empty")], text: l(.timelineEmpty)) }
        return el("ol", [.class("timeline"), .id("timeline")], changes.map { change in
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
        })
    }
}
