import Fluent
import SmarketingCore
import SmarketingStore
import Vapor

/// The handoff from marketing to sales, as people see it: the rep's inbox of new MQLs with why
/// each qualified and how long it has waited, where they accept or reject it with an agreed
/// reason; the list of reasons managers keep; and marketing's feedback page, where acceptance
/// and rejection reasons show by week, source, campaign and score rule.
struct HandoffPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("inbox", use: inbox)
        routes.post("inbox", ":handoff", "decide", use: decide)
        routes.get("handoff", "reasons", use: reasons)
        routes.post("handoff", "reasons", use: saveReasons)
        routes.get("feedback", use: feedback)
        routes.post("contacts", ":contactID", "stage", use: moveStage)
    }

    // MARK: The contact page's lifecycle panel

    /// The contact's handoff (to whom, since when, the answer) and, for those who may, a move
    /// to one of the stages the lifecycle allows from here, with a reason where one is needed.
    static func lifecyclePanel(_ req: Request, contact: Contact, handoff: Handoff?, ownerName: String?, mayMove: Bool,
                               state: FormState = FormState(), zone: String) -> HTMLNode {
        let l = req.l
        var lines: [HTMLNode] = []
        if let handoff {
            let status: String = switch handoff.status {
            case .pending: l(.handoffWaiting, waited(req.now.timeIntervalSince(handoff.mqlAt), l))
            case .accepted: l(.handoffAccepted) + (handoff.decidedByName.map { " · " + $0 } ?? "")
            case .rejected: l(.handoffRejected) + " · " + (handoff.reasonLabel ?? "") + (handoff.note.map { " (" + $0 + ")" } ?? "")
            case .closed: "—"
            }
            lines.append(el("p", [.id("handoff-status"), .data("status", handoff.status.rawValue)], [
                el("strong", [], text: l(.lifecycleHandedTo, ownerName ?? l(.handoffUnassigned), l.dateTime(handoff.mqlAt, timeZone: zone))),
                text(" · " + status),
            ]))
        }
        let allowed = LifecycleTransitions.allowed(from: contact.stage)
        if mayMove, !allowed.isEmpty {
            lines.append(Form.post(req, action: "/contacts/\(contact.id.uuidString.lowercased())/stage", id: "stage-form", [
                Form.select(l, label: l(.lifecycleMoveTo), name: "stage", options: allowed.map { ($0.rawValue, l.stageName($0)) }, state: state),
                Form.field(l, label: l(.lifecycleReason), name: "reason", state: state, maxLength: LifecycleTransitions.reasonLimit,
                           hint: l(.lifecycleReasonHint)),
                Form.submit(l(.lifecycleMove), style: "button", attributes: [.id("move-stage")]),
            ]))
        }
        return el("section", [.class("panel"), .id("lifecycle")], [
            el("h2", [], text: l(.lifecycleTitle)),
            el("p", [], [text(l(.stage) + ": "), el("span", [.class("badge stage-\(contact.stage.rawValue)"), .id("current-stage")], text: l.stageName(contact.stage))]),
        ] + lines)
    }

    func moveStage(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let contactID = try req.uuidParameter("contactID")
        guard let contact = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(contactID) else { throw Abort(.notFound) }
        guard try await member.mayMoveStage(contact, on: req.db) else { throw Abort(.forbidden, reason: "Your role does not allow moving this contact.") }
        let form = try await FormData.read(req)
        guard let stage = form.value("stage").flatMap(LifecycleStage.init(rawValue:)) else {
            return try await refusedMove(req, contact: contact, form: form, errors: [FieldError("stage", .notInList)])
        }
        do {
            _ = try await req.application.live.announcing(req.db) {
                try await StageChanges(req.db, workspaceID: member.workspaceID).move(contactID: contactID, to: stage, reason: form.value("reason"),
                                                                                   by: member.actor, now: req.now)
            }
        } catch let refusal as LifecycleTransitionRefusal {
            return try await refusedMove(req, contact: contact, form: form,
                                         errors: refusal.failure.errors.map { $0.field == "lifecycle_stage" ? FieldError("stage", $0.code) : $0 })
        }
        req.application.jobs.wake()
        return req.redirect(to: SiteURL.contact(contactID).path + "?notice=saved", redirectType: .normal)
    }

    /// A refused move comes back as its own small page with the form and its errors (the
    /// contact page is one click away).
    private func refusedMove(_ req: Request, contact: Contact, form: FormData, errors: [FieldError]) async throws -> Response {
        let member = try req.requireMember()
        let l = req.l
        let handoff = try await Handoffs(req.db, workspaceID: member.workspaceID).latest(of: contact.id)
        let panel = Self.lifecyclePanel(req, contact: contact, handoff: handoff, ownerName: nil, mayMove: true,
                                        state: FormState(form: form, errors: errors, keeping: ["stage", "reason"]), zone: member.workspace.settings.timeZone)
        var page = Page(title: contact.displayName, area: .contacts, body: [
            pageHeader(contact.displayName, actions: [el("a", [.href(SiteURL.contact(contact.id).path), .class("button")], text: l(.backToContact))]),
            panel,
        ])
        page.status = .unprocessableEntity
        return page.response(for: req)
    }

    // MARK: Inbox

    /// Who may decide a handoff owned by `ownerID`: its rep, and the rep's sales manager.
    static func mayDecide(_ member: Member, ownerID: UUID?, mates: Set<UUID>) -> Bool {
        RecordAccess.may(.workLeads, user: member.user, ownerID: ownerID, teamMateIDs: mates)
    }

    /// Managers of the reasons list: both teams' managers and admins.
    static func mayEditReasons(_ user: User) -> Bool {
        !user.roles.isDisjoint(with: [.admin, .marketingManager, .salesManager])
    }

    func inbox(req: Request) async throws -> Response {
        let member = try req.requireMember()
        return try await inboxPage(req, member: member, state: nil).response(for: req)
    }

    /// The owners whose handoffs the member sees (a rep their own, a sales manager their
    /// teams', everyone else all of them: marketing watches the queue), and their team mates.
    static func scope(of member: Member, on db: any Database) async throws -> (owners: Set<UUID>?, mates: Set<UUID>) {
        let mates = Set(try await TeamRepository(db, workspaceID: member.workspaceID).teamMateIDs(of: member.user.id))
        switch AccessPolicy.reach(of: member.user.roles, for: .workLeads) {
        case .own: return ([member.user.id], mates)
        case .team: return (mates.union([member.user.id]), mates)
        case .all, nil: return (nil, mates)
        }
    }

    private struct Refused {
        var handoffID: UUID
        var state: FormState
    }

    private func inboxPage(_ req: Request, member: Member, state refused: Refused?) async throws -> Page {
        let l = req.l
        let zone = member.workspace.settings.timeZone
        let store = Handoffs(req.db, workspaceID: member.workspaceID)
        let (owners, mates) = try await Self.scope(of: member, on: req.db)
        let pending = try await store.pending(ownedBy: owners)
        let decided = try await store.decided(ownedBy: owners, limit: 20)
        let reasons = try await store.reasons().filter(\.active)
        let users = try await UserRepository(req.db, workspaceID: member.workspaceID).list()
        let names = Dictionary(users.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let now = req.now
        let cards: [HTMLNode] = pending.map { item in
            let handoff = item.handoff
            let mayDecide = Self.mayDecide(member, ownerID: handoff.ownerID, mates: mates)
            let state = refused?.handoffID == handoff.id ? refused?.state : nil
            let facts: [HTMLNode] = [
                el("span", [.class("badge")], text: l(.handoffWaiting, Self.waited(now.timeIntervalSince(handoff.mqlAt), l))),
                el("span", [], text: l(.handoffOwner) + ": " + (handoff.ownerID.flatMap { names[$0] } ?? l(.handoffUnassigned))),
                handoff.source.map { el("span", [], text: l(.source) + ": " + $0) } ?? .empty,
                handoff.campaign.map { el("span", [], text: l(.campaign) + ": " + $0) } ?? .empty,
            ]
            return el("article", [.class("panel handoff"), .id("handoff-\(handoff.id.uuidString.lowercased())"), .data("contact", item.handoff.contactID.uuidString.lowercased())], [
                el("header", [.class("handoff-head")], [
                    el("h3", [], [el("a", [.href(SiteURL.contact(handoff.contactID).path)], text: item.contactName.isEmpty ? (item.email ?? "—") : item.contactName)]),
                    el("p", [.class("muted")], text: [item.email, item.companyName].compactMap { $0 }.joined(separator: " · ")),
                ]),
                el("p", [.class("handoff-facts")], facts),
                el("p", [.class("handoff-why")], [el("strong", [], text: l(.handoffWhy) + " "), text(handoff.cause)]),
                handoff.rules.isEmpty ? .empty : el("ul", [.class("handoff-rules")], handoff.rules.prefix(6).map { rule in
                    el("li", [.data("rule", rule.ruleID)], [el("code", [], text: rule.ruleID), text(" " + DefinitionView.signed(rule.points))])
                }),
                mayDecide ? decisionForms(req, handoff: handoff, reasons: reasons, state: state) : .empty,
            ])
        }
        let history: [HTMLNode] = decided.map { item in
            let handoff = item.handoff
            return el("tr", [.data("handoff", handoff.id.uuidString.lowercased())], [
                cell([el("a", [.href(SiteURL.contact(handoff.contactID).path)], text: item.contactName.isEmpty ? (item.email ?? "—") : item.contactName)]),
                cell(handoff.status == .accepted ? l(.handoffAccepted) : l(.handoffRejected)),
                cell(handoff.reasonLabel ?? "—"),
                cell(handoff.decidedByName ?? "—"),
                cell(handoff.decidedAt.map { l.dateTime($0, timeZone: zone) } ?? "—"),
                cell(handoff.decidedAt.map { Self.waited($0.timeIntervalSince(handoff.mqlAt), l) } ?? "—"),
            ])
        }
        var actions: [HTMLNode] = [el("a", [.href("/feedback"), .class("button")], text: l(.feedbackTitle))]
        if Self.mayEditReasons(member.user) { actions.append(el("a", [.href("/handoff/reasons"), .class("button"), .id("edit-reasons")], text: l(.reasonsTitle))) }
        return Page(title: l(.inboxTitle), area: .inbox, body: [
            pageHeader(l(.inboxTitle), subtitle: l(.inboxIntro), actions: actions),
            Notice.banner(req),
            el("p", [.id("pending-count")], text: l(.inboxPendingCount, l.number(pending.count))),
            pending.isEmpty ? el("p", [.class("empty"), .id("inbox-empty")], text: l(.inboxEmpty)) : el("div", [.class("handoff-list"), .id("inbox")], cards),
            el("h2", [], text: l(.inboxDecidedTitle)),
            dataTable(id: "decided", caption: l(.inboxDecidedTitle),
                      headers: [l(.contactSingular), l(.handoffAnswer), l(.handoffReason), l(.handoffDecidedBy), l(.handoffDecidedAt), l(.handoffTimeToAnswer)],
                      rows: history, empty: l(.inboxDecidedEmpty)),
        ], refreshSeconds: nil)
    }

    private func decisionForms(_ req: Request, handoff: Handoff, reasons: [RejectionReason], state: FormState?) -> HTMLNode {
        let l = req.l
        let action = "/inbox/\(handoff.id.uuidString.lowercased())/decide"
        let state = state ?? FormState(values: ["then": "recycled"])
        return el("div", [.class("handoff-actions")], [
            Form.post(req, action: action, attributes: [.class("inline-form accept-form")], [
                void("input", [.type("hidden"), .name("decision"), .value("accept")]),
                Form.submit(l(.handoffAccept), attributes: [.class("button-primary accept")]),
            ]),
            el("details", [.class("reject")] + (state.errors.isEmpty ? [] : [.flag("open")]), [
                el("summary", [.class("button")], text: l(.handoffReject)),
                Form.post(req, action: action, attributes: [.class("reject-form")], [
                    void("input", [.type("hidden"), .name("decision"), .value("reject")]),
                    Form.select(l, label: l(.handoffReason), name: "reason",
                                options: [("", l(.handoffChooseReason))] + reasons.map { ($0.key, $0.label) }, state: state),
                    Form.select(l, label: l(.handoffThen), name: "then",
                                options: [("recycled", l(.handoffThenRecycle)), ("disqualified", l(.handoffThenDisqualify))], state: state),
                    el("div", [.class(state.error("note") == nil ? "field" : "field has-error")], [
                        el("label", [Attr("for", "f-note-\(handoff.id.uuidString.lowercased())")], text: l(.handoffNote)),
                        el("textarea", [.id("f-note-\(handoff.id.uuidString.lowercased())"), .name("note"), Attr("rows", "2"),
                                        Attr("maxlength", String(HandoffDecision.noteLimit))], text: state.values["note"] ?? ""),
                        Form.errorLine(l, name: "note", error: state.error("note")),
                    ]),
                    Form.submit(l(.handoffRejectSubmit), style: "button-danger", attributes: [.class("button-danger reject-submit")]),
                ]),
            ]),
        ])
    }

    func decide(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard let id = req.parameters.get("handoff").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        let store = Handoffs(req.db, workspaceID: member.workspaceID)
        guard let handoff = try await store.find(id) else { throw Abort(.notFound) }
        let mates = try await Self.scope(of: member, on: req.db).mates
        guard Self.mayDecide(member, ownerID: handoff.ownerID, mates: mates) else { throw Abort(.forbidden, reason: "Only the lead's rep or their manager decides.") }
        let form = try await FormData.read(req)
        let decision: HandoffDecision
        do {
            decision = try HandoffDecision.parse(decision: form.value("decision"), reason: form.value("reason"), then: form.value("then"),
                                                 note: form.value("note"), reasons: try await store.reasons())
        } catch let failure as ValidationFailure {
            var page = try await inboxPage(req, member: member, state: Refused(handoffID: id, state: FormState(form: form, errors: failure.errors,
                                                                                                               keeping: ["reason", "then", "note"])))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        do {
            _ = try await req.application.live.announcing(req.db) {
                try await store.decide(id, decision, by: member.actor, now: req.now)
            }
        } catch HandoffError.alreadyDecided {
            return req.redirect(to: "/inbox?notice=already_decided", redirectType: .normal)
        } catch HandoffError.transition {
            return req.redirect(to: "/inbox?notice=stage_moved", redirectType: .normal)
        }
        req.application.jobs.wake()
        return req.redirect(to: "/inbox?notice=" + (decision == .accept ? "accepted" : "rejected"), redirectType: .normal)
    }

    /// "3 h 05 min", "2 d 4 h", "45 s": how long a lead has waited.
    static func waited(_ seconds: TimeInterval, _ l: Localizer) -> String {
        let total = max(0, Int(seconds))
        let days = total / 86_400, hours = total % 86_400 / 3600, minutes = total % 3600 / 60
        if days > 0 { return "\(days) d \(hours) h" }
        if hours > 0 { return String(format: "%d h %02d min", hours, minutes) }
        if minutes > 0 { return "\(minutes) min" }
        return "\(total) s"
    }

    // MARK: Rejection reasons

    func reasons(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard Self.mayEditReasons(member.user) else { throw Abort(.forbidden, reason: "Only managers change the rejection reasons.") }
        let list = try await Handoffs(req.db, workspaceID: member.workspaceID).reasons()
        return reasonsPage(req, lines: list.map { ($0.key, $0.label, $0.active) }, errors: []).response(for: req)
    }

    func saveReasons(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard Self.mayEditReasons(member.user) else { throw Abort(.forbidden, reason: "Only managers change the rejection reasons.") }
        let form = try await FormData.read(req)
        let labels = form.values("label"), keys = form.values("key")
        let active = Set(form.values("active"))
        guard labels.count == keys.count, labels.count <= RejectionReason.listLimit + 10 else { throw Abort(.badRequest, reason: "label and key must pair up") }
        let lines = zip(keys, labels).enumerated().map { index, pair in
            (key: pair.0.isEmpty ? nil : pair.0, label: pair.1, active: pair.0.isEmpty || active.contains(pair.0) || active.contains("new-\(index)"))
        }
        let store = Handoffs(req.db, workspaceID: member.workspaceID)
        do {
            let list = try RejectionReason.checkList(lines, used: try await store.usedReasonKeys())
            try await store.saveReasons(list, by: member.actor, now: req.now)
            return req.redirect(to: "/handoff/reasons?notice=saved", redirectType: .normal)
        } catch let failure as ValidationFailure {
            var page = reasonsPage(req, lines: lines.map { ($0.key ?? "", $0.label, $0.active) }, errors: failure.errors)
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
    }

    private func reasonsPage(_ req: Request, lines: [(String?, String, Bool)], errors: [FieldError]) -> Page {
        let l = req.l
        let state = FormState(errors: errors)
        let rows = lines + Array(repeating: (nil, "", true), count: 3)
        return Page(title: l(.reasonsTitle), area: .inbox, body: [
            pageHeader(l(.reasonsTitle), subtitle: l(.reasonsIntro), actions: [el("a", [.href("/inbox"), .class("button")], text: l(.inboxTitle))]),
            Notice.banner(req),
            Form.summary(l, state: state, shown: rows.indices.map { "reasons[\($0)].label" }),
            Form.post(req, action: "/handoff/reasons", id: "reasons-form", [
                el("table", [.class("data reasons")], [
                    el("thead", [], [el("tr", [], [el("th", [], text: l(.handoffReason)), el("th", [], text: l(.active))])]),
                    el("tbody", [], rows.enumerated().map { index, line in
                        let field = "reasons[\(index)].label"
                        let error = state.error(field)
                        let key = line.0 ?? ""
                        return el("tr", [.data("key", key)], [
                            el("td", [.class(error == nil ? "field" : "field has-error")], [
                                void("input", [.type("hidden"), .name("key"), .value(key)]),
                                void("input", [.type("text"), .name("label"), .value(line.1), .id("reason-\(index)"), .aria("label", l(.handoffReason)),
                                               Attr("maxlength", String(RejectionReason.labelLimit))] + (error == nil ? [] : [.aria("invalid", "true")])),
                                Form.errorLine(l, name: field, error: error),
                            ]),
                            el("td", [], [
                                key.isEmpty ? text(l(.reasonsNew)) :
                                    void("input", [.type("checkbox"), .name("active"), .value(key), .aria("label", l(.active))] + (line.2 ? [.flag("checked")] : [])),
                            ]),
                        ])
                    }),
                ]),
                el("p", [.class("hint")], text: l(.reasonsHint)),
                Form.submit(l(.save), attributes: [.id("save-reasons")]),
            ]),
        ])
    }

    // MARK: Feedback

    func feedback(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let l = req.l
        let days = [30, 90, 365].contains(req.query[Int.self, at: "days"] ?? 90) ? (req.query[Int.self, at: "days"] ?? 90) : 90
        let store = Handoffs(req.db, workspaceID: member.workspaceID)
        let today = try await store.today(now: req.now)
        let report = try await store.feedback(from: today.adding(days: -(days - 1)), to: today, none: l(.feedbackNone))
        if req.query[String.self, at: "format"] == "csv" { return Self.csv(report) }
        func rate(_ tally: HandoffTally) -> String {
            tally.acceptanceRate.map { l.number(Int(($0 * 100).rounded())) + "%" } ?? "—"
        }
        func table(_ id: String, _ title: String, _ groups: [HandoffFeedback.Group]) -> HTMLNode {
            dataTable(id: id, caption: title, headers: [title, l(.feedbackMQLs), l(.handoffAccepted), l(.handoffRejected), l(.feedbackPending), l(.feedbackRate)],
                      rows: groups.prefix(50).map { group in
                          el("tr", [.data("key", group.key)], [cell(group.key), cell(l.number(group.tally.total)), cell(l.number(group.tally.accepted)),
                                                               cell(l.number(group.tally.rejected)), cell(l.number(group.tally.pending)), cell(rate(group.tally))])
                      }, empty: l(.feedbackEmpty))
        }
        let periods = [30, 90, 365].map { value in
            el("a", [.href("/feedback?days=\(value)")] + (value == days ? [.aria("current", "page")] : []), text: l(.feedbackDays, String(value)))
        }
        let overall = report.overall
        let stats: [(String, String, String)] = [
            ("mqls", l(.feedbackMQLs), l.number(overall.total)), ("accepted", l(.handoffAccepted), l.number(overall.accepted)),
            ("rejected", l(.handoffRejected), l.number(overall.rejected)), ("pending", l(.feedbackPending), l.number(overall.pending)),
            ("rate", l(.feedbackRate), rate(overall)),
        ]
        return Page(title: l(.feedbackTitle), area: .feedback, body: [
            pageHeader(l(.feedbackTitle), subtitle: l(.feedbackIntro), actions: [
                el("a", [.href("/feedback?days=\(days)&format=csv"), .class("button"), .id("feedback-csv")], text: l(.exportCSV)),
            ]),
            el("nav", [.class("tabs"), .aria("label", l(.feedbackPeriod))], periods),
            el("div", [.class("stats"), .id("feedback-stats")], stats.map { id, label, value in
                el("div", [.class("stat"), .id("feedback-" + id)], [el("span", [.class("stat-value")], text: value), el("span", [.class("stat-label")], text: label)])
            }),
            WeeklyChart(id: "weekly", title: l(.feedbackWeekly), weeks: report.weeks, l: l).render(),
            BarChart(id: "reasons-chart", title: l(.feedbackReasons), bars: report.reasons.map { ($0.label, $0.count) }, valueLabel: l(.handoffRejected)).render(l),
            table("by-source", l(.source), report.sources),
            table("by-campaign", l(.campaign), report.campaigns),
            table("by-rule", l(.feedbackRule), report.rules),
        ]).response(for: req)
    }

    static func csv(_ report: HandoffFeedback) -> Response {
        var lines = ["dimension,key,mqls,accepted,rejected,pending,acceptance_rate"]
        func quoted(_ text: String) -> String {
            let safe = text.first.map { "=+-@".contains($0) } == true ? "'" + text : text
            return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        func add(_ dimension: String, _ key: String, _ tally: HandoffTally) {
            lines.append([dimension, quoted(key), String(tally.total), String(tally.accepted), String(tally.rejected), String(tally.pending),
                          tally.acceptanceRate.map { String(format: "%.4f", $0) } ?? ""].joined(separator: ","))
        }
        add("overall", "", report.overall)
        for week in report.weeks { add("week", week.start.iso, week.tally) }
        for group in report.sources { add("source", group.key, group.tally) }
        for group in report.campaigns { add("campaign", group.key, group.tally) }
        for group in report.rules { add("rule", group.key, group.tally) }
        for reason in report.reasons { lines.append("reason,\(quoted(reason.label)),,,\(reason.count),,") }
        let response = Response(status: .ok, body: .init(string: lines.joined(separator: "\r\n") + "\r\n"))
        response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentDisposition, value: #"attachment; filename="handoff-feedback.csv""#)
        return response
    }
}

/// Handoffs per week as stacked columns (accepted, rejected, pending) with the acceptance rate
/// as a line, drawn as SVG, and the same numbers as a table.
struct WeeklyChart {
    var id: String
    var title: String
    var weeks: [HandoffFeedback.Week]
    var l: Localizer

    func render() -> HTMLNode {
        let width = 640, height = 220, left = 40, bottom = 30, top = 10
        let plotHeight = height - bottom - top
        let maximum = max(1, weeks.map(\.tally.total).max() ?? 1)
        let step = weeks.isEmpty ? 0 : Double(width - left - 10) / Double(weeks.count)
        let barWidth = max(2, Int(step * 0.7))
        var svg = #"<svg class="chart weekly" role="img" aria-labelledby="\#(id)-title" viewBox="0 0 \#(width) \#(height)" preserveAspectRatio="xMinYMin meet">"#
        svg += #"<title id="\#(id)-title">\#(Attr.escaped(title))</title>"#
        svg += #"<text x="\#(left - 6)" y="\#(top + 8)" text-anchor="end" class="chart-label">\#(maximum)</text>"#
        svg += #"<text x="\#(left - 6)" y="\#(top + plotHeight)" text-anchor="end" class="chart-label">0</text>"#
        var ratePoints: [String] = []
        for (index, week) in weeks.enumerated() {
            let x = left + Int(Double(index) * step)
            var y = top + plotHeight
            for (value, style) in [(week.tally.accepted, "chart-accepted"), (week.tally.rejected, "chart-rejected"), (week.tally.pending, "chart-pending")] where value > 0 {
                let h = max(1, plotHeight * value / maximum)
                y -= h
                svg += #"<rect x="\#(x)" y="\#(y)" width="\#(barWidth)" height="\#(h)" class="\#(style)"><title>\#(week.start.iso): \#(value)</title></rect>"#
            }
            if let rate = week.tally.acceptanceRate {
                ratePoints.append("\(x + barWidth / 2),\(top + plotHeight - Int(Double(plotHeight) * rate))")
            }
            if weeks.count <= 14 || index % max(1, weeks.count / 8) == 0 {
                svg += #"<text x="\#(x)" y="\#(height - 10)" class="chart-label">\#(week.start.iso.dropFirst(5))</text>"#
            }
        }
        if ratePoints.count > 1 { svg += #"<polyline points="\#(ratePoints.joined(separator: " "))" class="chart-rate" fill="none"/>"# }
        svg += "</svg>"
        return el("figure", [.class("chart-figure"), .id(id)], [
            el("figcaption", [], text: title),
            .raw(svg),
            el("p", [.class("chart-legend")], [
                el("span", [.class("legend-accepted")], text: l(.handoffAccepted)), text(" · "),
                el("span", [.class("legend-rejected")], text: l(.handoffRejected)), text(" · "),
                el("span", [.class("legend-pending")], text: l(.feedbackPending)), text(" · "),
                el("span", [.class("legend-rate")], text: l(.feedbackRate)),
            ]),
            el("details", [.class("chart-table")], [
                el("summary", [], text: l(.showAsTable)),
                el("table", [], [
                    el("thead", [], [el("tr", [], [l(.feedbackWeek), l(.handoffAccepted), l(.handoffRejected), l(.feedbackPending), l(.feedbackRate)]
                        .map { el("th", [Attr("scope", "col")], text: $0) })]),
                    el("tbody", [], weeks.map { week in
                        el("tr", [], [cell(week.start.iso), cell(l.number(week.tally.accepted)), cell(l.number(week.tally.rejected)),
                                      cell(l.number(week.tally.pending)),
                                      cell(week.tally.acceptanceRate.map { l.number(Int(($0 * 100).rounded())) + "%" } ?? "—")])
                    }),
                ]),
            ]),
        ])
    }
}
