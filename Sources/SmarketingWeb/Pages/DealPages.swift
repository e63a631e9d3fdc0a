import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// `/deals`: the open pipeline as a board by stage with its totals per currency and a chart of
/// its value, then the list of deals with filters in the URL; `/deals/{id}`: one deal, its edit
/// form (won or lost with a reason) and its history.
struct DealPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("deals", use: list)
        routes.get("deals", ":dealID", use: show)
        routes.post("deals", ":dealID", use: update)
        routes.post("deals", ":dealID", "won", use: markWon)
    }

    static let boardSize = 200
    static let pageSize = 50

    // MARK: Board and list

    func list(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let l = req.l
        let settings = member.workspace.settings
        let scope = try await member.salesScope(on: req.db)
        let users = try await UserRepository(req.db, workspaceID: member.workspaceID).list()
        let names = Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0.name) })
        let owners = users.filter { scope.includes($0.id) && ($0.roles.contains(.sales) || $0.roles.contains(.salesManager)) }
        let status = req.query[String.self, at: "status"].flatMap(DealFilter.Status.init(rawValue:)) ?? .open
        let stage = req.query[String.self, at: "stage"].flatMap(DealStage.init(rawValue:))
        let owner = req.query[String.self, at: "owner"].flatMap(UUID.init(uuidString:)).flatMap { id in owners.contains { $0.id == id } ? id : nil }
        let cursor = req.query[String.self, at: "after"].flatMap(PageCursor.init(token:))
        let deals = Deals(req.db, workspaceID: member.workspaceID)
        let summary = try await deals.summary(scope, ownerID: owner)
        let board = try await deals.openByCloseDate(scope, ownerID: owner, limit: Self.boardSize)
        let page = try await deals.list(scope, filter: DealFilter(status: status, stage: stage, ownerID: owner), limit: Self.pageSize + 1, after: cursor)
        let shown = Array(page.prefix(Self.pageSize))
        let contacts = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(ids: Array(Set((board + shown).map(\.contactID))))
        let contactNames = Dictionary(uniqueKeysWithValues: contacts.map { ($0.id, $0.displayName) })

        func totals(_ column: PipelineSummary.Column) -> String {
            summary.currencies(first: settings.currency).compactMap { currency in
                column.totals[currency].map { l.money(Money(minorUnits: $0, currency: currency)) }
            }.joined(separator: " + ")
        }
        let boardColumns: [HTMLNode] = summary.columns.filter { $0.stage.isOpen }.map { column in
            let cards = board.filter { $0.stage == column.stage }
            return el("section", [.class("board-column"), .data("stage", column.stage.rawValue)], [
                el("h3", [], text: l.dealStageName(column.stage)),
                el("p", [.class("board-total"), .data("total", column.stage.rawValue)],
                   text: l.count(column.count, one: .dealsCountOne, other: .dealsCount) + (column.totals.isEmpty ? "" : " · " + totals(column))),
                cards.isEmpty ? el("p", [.class("empty")], text: l(.dealsNoneInStage)) : el("ul", [.class("board-cards")], cards.map { deal in
                    el("li", [.class("board-card"), .data("deal", deal.id.uuidString.lowercased())], [
                        el("a", [.href(SiteURL.deal(deal.id).path)], text: deal.name),
                        el("p", [], text: l.money(deal.amount)),
                        el("p", [.class("hint")], text: [contactNames[deal.contactID], l.day(deal.expectedCloseDate), deal.ownerID.flatMap { names[$0] }]
                            .compactMap { $0 }.joined(separator: " · ")),
                    ])
                }),
            ])
        }
        let closed = summary.columns.filter { !$0.stage.isOpen }.map { column in
            el("span", [.class("badge deal-\(column.stage.rawValue)"), .data("total", column.stage.rawValue)],
               text: l.dealStageName(column.stage) + ": " + l.count(column.count, one: .dealsCountOne, other: .dealsCount)
                   + (column.totals.isEmpty ? "" : " · " + totals(column)))
        }
        let charts = summary.currencies(first: settings.currency).map { currency in
            BarChart(id: "pipeline-chart-\(currency.lowercased())", title: l(.dealsChartTitle, currency),
                     values: summary.openShares(in: currency).map { (l.dealStageName($0.stage), Double($0.minorUnits)) },
                     valueLabel: l(.dealAmount), format: { l.money(Money(minorUnits: Int64($0.rounded()), currency: currency), cents: false) }).render(l)
        }

        func url(after: PageCursor? = nil) -> String {
            var items = ["status=" + status.rawValue]
            if let stage { items.append("stage=" + stage.rawValue) }
            if let owner { items.append("owner=" + owner.uuidString.lowercased()) }
            if let after { items.append("after=" + after.token) }
            return SiteURL.deals.path + "?" + items.joined(separator: "&")
        }
        let statusOptions: [(String, String)] = [("open", l(.dealsStatusOpen)), ("won", l(.dealStageWon)), ("lost", l(.dealStageLost)), ("all", l(.dealsStatusAll))]
        let filter = el("form", [Attr("method", "get"), Attr("action", SiteURL.deals.path), .class("inline-form"), .id("deals-filter")], [
            selectField("f-status", "status", l(.status), statusOptions, selected: status.rawValue),
            selectField("f-stage", "stage", l(.stage), [("", l(.dealsStatusAll))] + DealStage.allCases.map { ($0.rawValue, l.dealStageName($0)) },
                        selected: stage?.rawValue ?? ""),
            owners.count > 1 ? selectField("f-owner", "owner", l(.owner), [("", l(.everyone))] + owners.map { ($0.id.uuidString.lowercased(), $0.name) },
                                           selected: owner?.uuidString.lowercased() ?? "") : .empty,
            Form.submit(l(.filterButton), style: "button-secondary"),
        ])
        let rows: [HTMLNode] = shown.map { deal in
            el("tr", [.data("deal", deal.id.uuidString.lowercased())], [
                cell([el("a", [.href(SiteURL.deal(deal.id).path)], text: deal.name)]),
                cell([el("a", [.href(SiteURL.contact(deal.contactID).path)], text: contactNames[deal.contactID] ?? "—")]),
                cell(l.money(deal.amount)),
                cell([el("span", [.class("badge deal-\(deal.stage.rawValue)")], text: l.dealStageName(deal.stage))]),
                cell(l.day(deal.expectedCloseDate)),
                cell(deal.lostReason.map(l.lostReasonName) ?? ""),
                cell(deal.ownerID.flatMap { names[$0] } ?? "—"),
            ])
        }
        return Page(title: l(.navDeals), area: .deals, body: [
            pageHeader(l(.navDeals)),
            Notice.banner(req),
            el("section", [.class("panel"), .id("pipeline")], [
                el("h2", [], text: l(.dealsBoard)),
                el("div", [.class("board"), .id("deal-board")], boardColumns),
                el("p", [.class("board-closed")], closed),
            ] + charts),
            el("section", [.class("panel"), .id("deal-list")], [
                el("h2", [], text: l(.dealsList)),
                filter,
                dataTable(id: "deals-table", caption: l(.dealsList),
                          headers: [l(.dealName), l(.dealContact), l(.dealAmount), l(.stage), l(.dealCloseDate), l(.dealLostReason), l(.owner)],
                          rows: rows, empty: l(.dealsEmpty)),
                el("nav", [.class("pager"), .aria("label", l(.pagination))], [
                    cursor == nil ? .empty : el("a", [.href(url())], text: l(.firstPage)),
                    page.count > Self.pageSize
                        ? shown.last.map { el("a", [.href(url(after: PageCursor(date: $0.createdAt, id: $0.id))), Attr("rel", "next")],
                                              text: l(.nextPage)) } ?? .empty
                        : .empty,
                ]),
            ]),
        ]).response(for: req)
    }

    private func selectField(_ id: String, _ name: String, _ label: String, _ options: [(String, String)], selected: String) -> HTMLNode {
        el("div", [.class("field")], [
            el("label", [Attr("for", id)], text: label),
            el("select", [.id(id), .name(name)], options.map { value, text in
                el("option", [.value(value)] + (value == selected ? [.flag("selected")] : []), text: text)
            }),
        ])
    }

    // MARK: One deal

    func show(req: Request) async throws -> Response {
        let (member, deal) = try await visible(req)
        return try await dealPage(req, member: member, deal: deal, state: FormState(values: Self.values(deal))).response(for: req)
    }

    func update(req: Request) async throws -> Response {
        let (member, deal) = try await changeable(req)
        let form = try await FormData.read(req)
        let fields = SalesForms.fields(form, SalesForms.dealNames)
        do {
            var input = try DealInput.check(fields, defaultCurrency: member.workspace.settings.currency)
            input.ownerID = try await ownerChoice(input.ownerID, deal: deal, member: member, req: req)
            guard try await Deals(req.db, workspaceID: member.workspaceID).update(deal.id, input, by: member.actor, now: req.now) != nil
            else { throw Abort(.notFound) }
        } catch let failure as ValidationFailure {
            var page = try await dealPage(req, member: member, deal: deal, state: FormState(values: fields, errors: failure.errors))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        return req.redirect(to: SiteURL.deal(deal.id).path + "?notice=deal_saved", redirectType: .normal)
    }

    /// The one-click "won": the deal as it is, in stage won.
    func markWon(req: Request) async throws -> Response {
        let (member, deal) = try await changeable(req)
        var values = Self.values(deal)
        values["stage"] = DealStage.won.rawValue
        let input = try DealInput.check(values, defaultCurrency: member.workspace.settings.currency)
        _ = try await Deals(req.db, workspaceID: member.workspaceID).update(deal.id, input, by: member.actor, now: req.now)
        return req.redirect(to: SiteURL.deal(deal.id).path + "?notice=deal_saved", redirectType: .normal)
    }

    /// A deal's fields as its form holds them.
    static func values(_ deal: Deal) -> [String: String] {
        ["name": deal.name, "amount": deal.amount.plainText, "currency": deal.amount.currency, "stage": deal.stage.rawValue,
         "expected_close_date": deal.expectedCloseDate.iso, "lost_reason": deal.lostReason?.rawValue ?? "", "lost_note": deal.lostNote ?? "",
         "owner_id": deal.ownerID?.uuidString.lowercased() ?? ""]
    }

    private func ownerChoice(_ chosen: UUID?, deal: Deal, member: Member, req: Request) async throws -> UUID? {
        guard let chosen, chosen != deal.ownerID else { return deal.ownerID }
        guard try await member.assignableUsers(on: req.db).contains(where: { $0.id == chosen }) else { throw ValidationFailure("owner_id", .notInList) }
        return chosen
    }

    private func dealPage(_ req: Request, member: Member, deal: Deal, state: FormState) async throws -> Page {
        let l = req.l
        let zone = member.workspace.settings.timeZone
        let contact = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(deal.contactID)
        let history = try await SalesChanges(req.db, workspaceID: member.workspaceID).history(of: deal.id)
        let users = try await UserRepository(req.db, workspaceID: member.workspaceID).list()
        let names = Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0.name) })
        let mayChange = try await member.mayChange(deal, on: req.db)
        var owners = mayChange ? try await member.assignableUsers(on: req.db) : []
        if let current = deal.ownerID, !owners.contains(where: { $0.id == current }), let user = users.first(where: { $0.id == current }) { owners.insert(user, at: 0) }
        let facts: [(String, HTMLNode)] = [
            (l(.dealContact), contact.map { el("a", [.href(SiteURL.contact($0.id).path)], text: $0.displayName) } ?? text("—")),
            (l(.dealAmount), el("span", [.id("deal-amount")], text: l.money(deal.amount))),
            (l(.stage), el("span", [.class("badge deal-\(deal.stage.rawValue)"), .id("deal-stage")], text: l.dealStageName(deal.stage))),
            (l(.dealCloseDate), text(l.day(deal.expectedCloseDate))),
            (l(.owner), text(deal.ownerID.flatMap { names[$0] } ?? "—")),
        ] + (deal.lostReason.map { [(l(.dealLostReason), text(l.lostReasonName($0) + (deal.lostNote.map { " · " + $0 } ?? "")))] } ?? [])
        let historyLines: [HTMLNode] = history.map { change in
            el("li", [.class("timeline-item"), .data("kind", "deal_" + change.kind.rawValue)], [
                el("p", [.class("timeline-head")], [
                    el("strong", [], text: TimelineView.salesChangeName(change, l)),
                    text(" · \(change.actor.name) · \(l.dateTime(change.at, timeZone: zone))"),
                ]),
                el("dl", [.class("changes")], change.change.fields.flatMap { field in
                    [el("dt", [], text: Self.fieldLabel(field, l)), el("dd", [], text: Self.shownChange(field, change.change, zone: zone, names: names, l))]
                }),
            ])
        }
        return Page(title: deal.name, area: .deals, body: [
            pageHeader(deal.name, subtitle: contact?.displayName, actions: [
                link(l(.navDeals), .deals),
                mayChange && deal.isOpen ? Form.post(req, action: SiteURL.dealWon(deal.id).path, id: "deal-won-form", attributes: [.class("inline")],
                                                     [Form.submit(l(.markWon), attributes: [.id("mark-won")])]) : .empty,
            ]),
            Notice.banner(req),
            el("div", [.class("columns")], [
                el("section", [.class("panel")], [
                    el("dl", [.class("facts"), .id("deal-facts")], facts.flatMap { [el("dt", [], text: $0.0), el("dd", [], [$0.1])] }),
                    deal.closedAt.map { el("p", [.id("deal-closed")], text: l(.dealClosedBy, l.dateTime($0, timeZone: zone), deal.closedBy?.name ?? "—")) } ?? .empty,
                ]),
                el("section", [.class("panel")], [
                    el("h2", [], text: l(.dealHistory)),
                    historyLines.isEmpty ? el("p", [.class("empty")], text: l(.timelineEmpty)) : el("ol", [.class("timeline"), .id("deal-history")], historyLines),
                ]),
            ]),
            mayChange ? el("section", [.class("panel")], [
                el("h2", [], text: l(.dealEdit)),
                Form.post(req, action: SiteURL.deal(deal.id).path, id: "deal-form",
                          SalesForms.dealFields(l, state: state, owners: owners, currency: member.workspace.settings.currency)
                              + [Form.summary(l, state: state, shown: SalesForms.dealNames), Form.submit(l(.save))]),
            ]) : .empty,
        ])
    }

    static func fieldLabel(_ field: String, _ l: Localizer) -> String {
        switch field {
        case "name": l(.dealName)
        case "amount": l(.dealAmount)
        case "currency": l(.currency)
        case "stage": l(.stage)
        case "expected_close_date": l(.dealCloseDate)
        case "lost_reason": l(.dealLostReason)
        case "lost_note": l(.dealLostNote)
        case "owner_id": l(.owner)
        case "title": l(.taskTitle)
        case "due_at": l(.taskDue)
        case "assignee_id": l(.taskAssignee)
        case "reminder": l(.taskReminder)
        case "notes": l(.activityNotes)
        case "done": l(.taskDoneLabel, "")
        default: field
        }
    }

    /// A history line's value as people read it (names, money, days, times in the workspace's
    /// zone), "before → after" for a change.
    static func shownChange(_ field: String, _ change: AuditChange, zone: String, names: [UUID: String] = [:], _ l: Localizer) -> String {
        func word(_ value: String?, currency: String?) -> String? {
            guard let value else { return nil }
            switch field {
            case "amount": return Money.parse(value, currency: currency ?? "").map { l.money($0) } ?? value
            case "expected_close_date": return CalendarDay(parsing: value).map(l.day) ?? value
            case "due_at": return ISO8601DateFormatter().date(from: value).map { l.dateTime($0, timeZone: zone) } ?? value
            case "owner_id", "assignee_id": return UUID(uuidString: value).flatMap { names[$0] } ?? value
            case "stage": return DealStage(rawValue: value).map(l.dealStageName) ?? value
            case "lost_reason": return LostReason(rawValue: value).map(l.lostReasonName) ?? value
            case "reminder": return TaskReminder(rawValue: value).map(l.reminderName) ?? value
            case "done": return value == "true" ? l(.yes) : l(.no)
            default: return value
            }
        }
        let before = word(change.before[field], currency: change.before["currency"] ?? change.after["currency"])
        let after = word(change.after[field], currency: change.after["currency"] ?? change.before["currency"])
        guard let before else { return after ?? "—" }
        return "\(before) → \(after ?? "—")"
    }

    /// The member and the deal when the member may see it; 404 otherwise (another workspace's,
    /// or another team's for a rep).
    private func visible(_ req: Request) async throws -> (Member, Deal) {
        let member = try req.requireMember()
        guard let id = req.parameters.get("dealID", as: UUID.self), let deal = try await Deals(req.db, workspaceID: member.workspaceID).find(id),
              try await member.maySee(deal, on: req.db)
        else { throw Abort(.notFound) }
        return (member, deal)
    }

    private func changeable(_ req: Request) async throws -> (Member, Deal) {
        let (member, deal) = try await visible(req)
        guard try await member.mayChange(deal, on: req.db) else { throw Abort(.forbidden) }
        return (member, deal)
    }
}
