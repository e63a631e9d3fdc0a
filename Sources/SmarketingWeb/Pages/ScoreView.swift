import SmarketingCore
import SmarketingStore
import Vapor

/// A contact's score on its page: the figures, the MQL rule's answer, and every ledger line
/// that explains them; and its stage history with the cause of each move.
enum ScoreView {
    static func panel(score: ContactScore?, definition: CompiledLeadDefinition?, labels: ScoringFieldLabels, zone: String, _ l: Localizer) -> HTMLNode {
        guard let definition else {
            return el("section", [.class("panel"), .id("score")], [
                el("h2", [], text: l(.scoreTitle)),
                el("p", [.class("empty")], [text(l(.scoreNoDefinition) + " "), el("a", [.href(LeadDefinitionPages.path)], text: l(.ldTitle))]),
            ])
        }
        guard let score else {
            return el("section", [.class("panel"), .id("score")], [el("h2", [], text: l(.scoreTitle)), el("p", [.class("empty")], text: l(.scorePending))])
        }
        func points(_ value: Double) -> String { NumberText.format((value * 10).rounded() / 10) }
        let facts: [(String, String, String)] = [
            ("fit", l(.scoreFit), String(score.fit)),
            ("engagement", l(.scoreEngagement), points(score.engagement)),
            ("total", l(.scoreTotal), points(score.total)),
        ]
        let rows: [HTMLNode] = score.ledger.map { entry in
            let cause: String = switch entry.cause {
            case .field(let name, let value): labels.label(name) + " = " + (value ?? "—")
            case .event(let id, let type): type + " · " + id
            }
            return el("tr", [.data("rule", entry.ruleID), .data("kind", entry.kind.rawValue)], [
                cell(l.dateTime(entry.time, timeZone: zone)),
                cell(entry.ruleID),
                cell(kindName(entry.kind, l)),
                cell(DefinitionView.signed(entry.points) + (entry.requestedPoints.map { " " + l(.scoreCapped, DefinitionView.signed($0)) } ?? "")),
                cell(cause),
                cell("v\(entry.definitionVersion)"),
            ])
        }
        return el("section", [.class("panel"), .id("score"), .data("mql", score.evaluation.isMQL ? "yes" : "no")], [
            el("h2", [], text: l(.scoreTitle)),
            el("div", [.class("stats")], facts.map { id, label, value in
                el("div", [.class("stat"), .id("score-" + id)], [el("span", [.class("stat-value")], text: value), el("span", [.class("stat-label")], text: label)])
            } + [
                el("div", [.class("stat"), .id("score-mql")], [
                    el("span", [.class("stat-value")], text: score.evaluation.isMQL ? "MQL" : (score.evaluation.cell?.description ?? "—")),
                    el("span", [.class("stat-label")], text: score.evaluation.cell.map { l(.scoreCell, $0.description) } ?? l(.scoreVersion, String(score.definitionVersion))),
                ]),
            ]),
            el("p", [.class("hint")], text: l(.scoreExplained, points(score.ledgerTotal), String(score.definitionVersion))),
            dataTable(id: "score-ledger", caption: l(.scoreLedger), headers: [l(.scoreWhen), l(.scoreRule), l(.scoreKind), l(.ldPoints), l(.scoreCause), l(.ldVersion)],
                      rows: rows, empty: l(.scoreNoPoints)),
        ])
    }

    static func stageHistory(_ changes: [StageChange], zone: String, _ l: Localizer) -> HTMLNode {
        el("section", [.class("panel"), .id("stage-history")], [
            el("h2", [], text: l(.stageHistory)),
            changes.isEmpty ? el("p", [.class("empty")], text: l(.stageHistoryEmpty)) : el("ol", [.class("timeline")], changes.map { change in
                el("li", [.class("timeline-item"), .data("to", change.to.rawValue)], [
                    el("p", [.class("timeline-head")], [
                        el("strong", [], text: l.stageName(change.from) + " → " + l.stageName(change.to)),
                        text(" · \(change.actor.name) · \(l.dateTime(change.at, timeZone: zone))"),
                    ]),
                    el("p", [], text: change.cause),
                ])
            }),
        ])
    }

    static func kindName(_ kind: ScoreRuleKind, _ l: Localizer) -> String {
        switch kind {
        case .fit: l(.scoreFit)
        case .engagement: l(.scoreEngagement)
        case .frequency: l(.ldFrequencyRules)
        }
    }
}
