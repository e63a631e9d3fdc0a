import SmarketingCore
import SmarketingStore
import Vapor

/// The links of the routing pages.
enum RoutingURL {
    case overview
    case test(email: String)
    case newRule
    case rules
    case rule(UUID)
    case deleteRule(UUID)
    case moveRule(UUID)
    case fallback
    case weights(team: UUID)
    case rep(UUID)
    case routeNow(contact: UUID)
    case assignments(after: PageCursor?)
    case myAvailability

    var path: String {
        switch self {
        case .overview: "/routing"
        case .test(let email): "/routing?test=" + (email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") + "#test-panel"
        case .newRule: "/routing/rules/new"
        case .rules: "/routing/rules"
        case .rule(let id): "/routing/rules/\(id.uuidString.lowercased())"
        case .deleteRule(let id): "/routing/rules/\(id.uuidString.lowercased())/delete"
        case .moveRule(let id): "/routing/rules/\(id.uuidString.lowercased())/move"
        case .fallback: "/routing/fallback"
        case .weights(let team): "/routing/teams/\(team.uuidString.lowercased())/weights"
        case .rep(let id): "/routing/reps/\(id.uuidString.lowercased())"
        case .routeNow(let contact): "/routing/contacts/\(contact.uuidString.lowercased())/route"
        case .assignments(let after): "/routing/assignments" + (after.map { "?after=" + $0.token } ?? "")
        case .myAvailability: "/settings/away"
        }
    }
}

/// Where sales managers (and admins) set up lead routing: the ordered rules and their editor,
/// the fallback owner, each team's reps with their weights and availability, a box that tests
/// routing on a contact without assigning it, and the log of every assignment.
struct RoutingPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("routing", use: overview)
        routes.get("routing", "rules", "new", use: newRule)
        routes.post("routing", "rules", use: createRule)
        routes.get("routing", "rules", ":ruleID", use: editRule)
        routes.post("routing", "rules", ":ruleID", use: saveRule)
        routes.post("routing", "rules", ":ruleID", "delete", use: deleteRule)
        routes.post("routing", "rules", ":ruleID", "move", use: moveRule)
        routes.post("routing", "fallback", use: saveFallback)
        routes.post("routing", "teams", ":teamID", "weights", use: saveWeights)
        routes.get("routing", "reps", ":userID", use: editRep)
        routes.post("routing", "reps", ":userID", use: saveRep)
        routes.post("routing", "contacts", ":contactID", "route", use: routeNow)
        routes.get("routing", "assignments", use: assignments)
        routes.get("settings", "away", use: showMyAbsences)
        routes.post("settings", "away", use: saveMyAbsences)
    }

    private func manager(_ req: Request) throws -> Member {
        let member = try req.requireMember()
        try member.require(.manageRouting)
        return member
    }

    // MARK: Overview

    func overview(req: Request) async throws -> Response {
        let member = try manager(req)
        return try await overviewPage(req, member: member, fallbackState: nil, weightErrors: [:]).response(for: req)
    }

    private func overviewPage(_ req: Request, member: Member, fallbackState: FormState?, weightErrors: [UUID: FormState]) async throws -> Page {
        let l = req.l
        let setup = RoutingSetup(req.db, workspaceID: member.workspaceID)
        let rules = try await setup.rules()
        let teams = try await setup.teams()
        let users = try await UserRepository(req.db, workspaceID: member.workspaceID).list()
        let labels = ScoringFieldLabels(customFields: try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(), l)
        let teamNames = Dictionary(uniqueKeysWithValues: teams.map { ($0.team.id, $0.team.name) })
        let fallback = try await setup.fallbackOwnerID()

        let ruleRows: [HTMLNode] = rules.enumerated().map { index, rule in
            el("tr", [.data("rule", rule.name)], [
                cell(String(index + 1)),
                cell([el("a", [.href(RoutingURL.rule(rule.id).path)], text: rule.name)]),
                cell(rule.conditions.isEmpty ? l(.routingAnyContact)
                    : rule.conditions.map { labels.label($0.field) + " " + DefinitionView.condition($0.condition, l) }.joined(separator: "; ")),
                cell(teamNames[rule.teamID] ?? l(.routingTeamMissing)),
                el("td", [.class("row-actions")], [
                    moveForm(req, rule, direction: "up", label: l(.routingMoveUp), disabled: index == 0),
                    moveForm(req, rule, direction: "down", label: l(.routingMoveDown), disabled: index == rules.count - 1),
                    Form.post(req, action: RoutingURL.deleteRule(rule.id).path, attributes: [.class("inline-form"), .data("confirm", l(.routingDeleteConfirm))], [
                        Form.submit(l(.delete), style: "button-danger button-small"),
                    ]),
                ]),
            ])
        }

        var body: [HTMLNode] = [
            pageHeader(l(.routingTitle), subtitle: l(.routingIntro), actions: [
                el("a", [.class("button-primary"), .id("add-rule"), .href(RoutingURL.newRule.path)], text: l(.routingAddRule)),
                el("a", [.class("button-secondary"), .id("assignments-link"), .href(RoutingURL.assignments(after: nil).path)], text: l(.routingAssignments)),
            ]),
            Notice.banner(req),
            el("section", [.class("panel"), .id("rules-panel")], [
                el("h2", [], text: l(.routingRules)),
                dataTable(id: "rules-table", caption: l(.routingRules),
                          headers: ["#", l(.name), l(.ldConditions), l(.routingTeam), ""], rows: ruleRows, empty: l(.routingNoRules)),
            ]),
            try await testPanel(req, member: member),
        ]
        let fallbackForm = fallbackState ?? FormState(values: ["fallback_owner_id": fallback?.uuidString.lowercased() ?? ""])
        body.append(el("section", [.class("panel"), .id("fallback-panel")], [
            el("h2", [], text: l(.routingFallback)),
            el("p", [.class("hint")], text: l(.routingFallbackHint)),
            Form.post(req, action: RoutingURL.fallback.path, id: "fallback-form", [
                Form.select(l, label: l(.routingFallback), name: "fallback_owner_id",
                            options: [("", l(.routingNobody))] + users.filter(\.isActive).map { ($0.id.uuidString.lowercased(), $0.name) },
                            state: fallbackForm, required: false),
                Form.submit(l(.save)),
            ]),
        ]))
        body.append(el("section", [.class("panel"), .id("teams-panel")], [
            el("h2", [], text: l(.routingTeams)),
            el("p", [.class("hint")], text: l(.routingTeamsHint)),
            teams.isEmpty ? el("p", [.class("empty")], text: l(.routingNoTeams))
                : group(teams.map { teamSection(req, $0, state: weightErrors[$0.team.id]) }),
        ]))
        return Page(title: l(.routingTitle), area: .routing, body: body)
    }

    private func moveForm(_ req: Request, _ rule: RoutingRule, direction: String, label: String, disabled: Bool) -> HTMLNode {
        Form.post(req, action: RoutingURL.moveRule(rule.id).path, attributes: [.class("inline-form")], [
            void("input", [.type("hidden"), .name("direction"), .value(direction)]),
            el("button", [.type("submit"), .class("button-secondary button-small"), .aria("label", label + ": " + rule.name),
                          .data("move", direction)] + (disabled ? [.flag("disabled")] : []),
               text: direction == "up" ? "↑" : "↓"),
        ])
    }

    private func teamSection(_ req: Request, _ setup: RoutingTeamSetup, state: FormState?) -> HTMLNode {
        let l = req.l
        let state = state ?? FormState(values: Dictionary(uniqueKeysWithValues: setup.members.map {
            ("weight." + $0.user.id.uuidString.lowercased(), String($0.weight))
        }))
        let rows: [HTMLNode] = setup.members.map { member in
            let name = "weight." + member.user.id.uuidString.lowercased()
            let availability = member.availability
            return el("tr", [.data("rep", member.user.name)], [
                cell([el("a", [.href(RoutingURL.rep(member.user.id).path)], text: member.user.name)]),
                RoutingForm.input(l, name: name, label: l(.routingWeight) + ": " + member.user.name, state: state, width: "narrow",
                                  extra: [Attr("inputmode", "numeric")], message: l(.routingErrorWeight)),
                cell(availability.timeZone.replacingOccurrences(of: "_", with: " ")),
                cell(Self.hoursSummary(availability.workingHours, l)),
                cell(Self.capacitySummary(availability, l)),
                cell(availability.outOfOffice.isEmpty ? "—" : availability.outOfOffice.map { $0.from.iso + " – " + $0.to.iso }.joined(separator: ", ")),
                cell([el("span", [.class(member.user.isActive && availability.takesLeads ? "badge ok" : "badge muted")],
                         text: member.user.isActive && availability.takesLeads ? l(.routingTakesLeads) : l(.routingPaused))]),
            ])
        }
        return el("div", [.class("routing-team"), .data("team", setup.team.name)], [
            el("h3", [], text: setup.team.name),
            setup.members.isEmpty ? el("p", [.class("empty")], text: l(.routingNoMembers))
                : Form.post(req, action: RoutingURL.weights(team: setup.team.id).path, attributes: [.class("weights-form")], [
                    el("div", [.class("table-wrap")], [
                        el("table", [.class("editor-table")], [
                            el("caption", [.class("visually-hidden")], text: setup.team.name),
                            el("thead", [], [el("tr", [], [l(.routingRep), l(.routingWeight), l(.timeZone), l(.routingHours), l(.routingCapacity),
                                                           l(.routingAway), l(.status)].map { el("th", [Attr("scope", "col")], text: $0) })]),
                            el("tbody", [], rows),
                        ]),
                    ]),
                    Form.submit(l(.routingSaveWeights), style: "button-secondary"),
                ]),
        ])
    }

    static func hoursSummary(_ hours: WorkingHours?, _ l: Localizer) -> String {
        guard let hours else { return l(.routingAnyTime) }
        let days = Weekday.allCases.compactMap { day in hours.days[day].map { weekdayName(day, l) + " " + $0.text } }
        return days.isEmpty ? "—" : days.joined(separator: ", ")
    }

    static func capacitySummary(_ availability: RepAvailability, _ l: Localizer) -> String {
        var parts: [String] = []
        if let day = availability.capacityPerDay { parts.append(l(.routingPerDay, String(day))) }
        if let week = availability.capacityPerWeek { parts.append(l(.routingPerWeek, String(week))) }
        return parts.isEmpty ? l(.routingNoCap) : parts.joined(separator: " · ")
    }

    static func weekdayName(_ day: Weekday, _ l: Localizer) -> String {
        switch day {
        case .monday: l(.routingMonday)
        case .tuesday: l(.routingTuesday)
        case .wednesday: l(.routingWednesday)
        case .thursday: l(.routingThursday)
        case .friday: l(.routingFriday)
        case .saturday: l(.routingSaturday)
        case .sunday: l(.routingSunday)
        }
    }

    // MARK: Test box

    private func testPanel(_ req: Request, member: Member) async throws -> HTMLNode {
        let l = req.l
        let typed = (req.query[String.self, at: "test"] ?? "").trimmingBlanks
        var result: HTMLNode = .empty
        if !typed.isEmpty {
            let contacts = ContactRepository(req.db, workspaceID: member.workspaceID)
            var contact: Contact?
            if let id = UUID(uuidString: typed) {
                contact = try await contacts.find(id)
            } else if let email = EmailAddress(typed) {
                contact = try await contacts.find(email: email)
            }
            if let contact, let preview = try await Router(req.db, workspaceID: member.workspaceID).preview(contactID: contact.id, now: req.now) {
                result = previewView(req, contact: contact, preview: preview)
            } else {
                result = el("p", [.class("field-error"), .id("test-not-found"), Attr("role", "alert")], text: l(.routingTestNotFound))
            }
        }
        return el("section", [.class("panel"), .id("test-panel")], [
            el("h2", [], text: l(.routingTest)),
            el("p", [.class("hint")], text: l(.routingTestHint)),
            el("form", [Attr("method", "get"), Attr("action", RoutingURL.overview.path + "#test-panel"), .id("test-form"), .class("inline-form")], [
                el("label", [Attr("for", "f-test")], text: l(.routingTestContact)),
                void("input", [.id("f-test"), .name("test"), .type("text"), .value(typed), Attr("autocomplete", "off")]),
                Form.submit(l(.routingTestSubmit), style: "button-secondary"),
            ]),
            result,
        ])
    }

    private func previewView(_ req: Request, contact: Contact, preview: RoutingPreview) -> HTMLNode {
        let l = req.l
        let decision = preview.decision
        return el("div", [.id("test-result"), .data("reason", decision.reason.rawValue), Attr("role", "status")], [
            el("dl", [.class("facts")], [
                el("dt", [], text: l(.routingContact)),
                el("dd", [], [el("a", [.href(SiteURL.contact(contact.id).path)], text: contact.fullName.isEmpty ? (contact.email?.value ?? "—") : contact.fullName)]),
                el("dt", [], text: l(.routingResultRule)),
                el("dd", [.id("test-rule")], text: decision.rule?.name ?? "—"),
                el("dt", [], text: l(.routingTeam)),
                el("dd", [.id("test-team")], text: preview.teamName ?? "—"),
                el("dt", [], text: l(.routingResultOwner)),
                el("dd", [.id("test-owner")], text: preview.ownerName ?? l(.routingNoOwner)),
                el("dt", [], text: l(.routingReason)),
                el("dd", [.id("test-reason")], text: Self.reasonText(decision.reason, l)),
                el("dt", [], text: l(.routingSkipped)),
                el("dd", [.id("test-skipped")], text: Self.skippedText(decision.skipped, l)),
            ]),
            Form.post(req, action: RoutingURL.routeNow(contact: contact.id).path, id: "route-now-form", [
                Form.submit(l(.routingRouteNow), style: "button-secondary"),
            ]),
        ])
    }

    static func reasonText(_ reason: RoutingReason, _ l: Localizer) -> String {
        switch reason {
        case .roundRobin: l(.routingReasonRoundRobin)
        case .fallbackNoRuleMatched: l(.routingReasonFallbackNoRule)
        case .fallbackNoRepAvailable: l(.routingReasonFallbackNoRep)
        case .unassignedNoRuleMatched: l(.routingReasonUnassignedNoRule)
        case .unassignedNoRepAvailable: l(.routingReasonUnassignedNoRep)
        }
    }

    static func skippedText(_ skipped: [SkippedRep], _ l: Localizer) -> String {
        guard !skipped.isEmpty else { return "—" }
        return skipped.map { rep in
            let why = switch rep.reason {
            case .inactive: l(.routingSkipInactive)
            case .outOfOffice: l(.routingSkipAway)
            case .outsideWorkingHours: l(.routingSkipHours)
            case .dailyCapacityReached: l(.routingSkipDaily)
            case .weeklyCapacityReached: l(.routingSkipWeekly)
            }
            return rep.name + " (" + why + ")"
        }.joined(separator: ", ")
    }

    func routeNow(req: Request) async throws -> Response {
        let member = try manager(req)
        guard try await Router(req.db, workspaceID: member.workspaceID)
            .assign(contactID: try req.uuidParameter("contactID"), now: req.now, by: member.actor) != nil else { throw Abort(.notFound) }
        return req.redirect(to: RoutingURL.assignments(after: nil).path + "?notice=saved", redirectType: .normal)
    }

    // MARK: Rules

    func newRule(req: Request) async throws -> Response {
        let member = try manager(req)
        let teams = try await TeamRepository(req.db, workspaceID: member.workspaceID).list()
        let state = FormState(values: ["team_id": teams.first?.id.uuidString.lowercased() ?? ""])
        return try await rulePage(req, member: member, rule: nil, state: state).response(for: req)
    }

    func editRule(req: Request) async throws -> Response {
        let member = try manager(req)
        guard let rule = try await RoutingSetup(req.db, workspaceID: member.workspaceID).rule(try req.uuidParameter("ruleID")) else {
            throw Abort(.notFound)
        }
        return try await rulePage(req, member: member, rule: rule, state: FormState(values: RoutingRuleForm.fields(of: rule))).response(for: req)
    }

    func createRule(req: Request) async throws -> Response {
        let member = try manager(req)
        return try await submitRule(req, member: member, existing: nil)
    }

    func saveRule(req: Request) async throws -> Response {
        let member = try manager(req)
        guard let rule = try await RoutingSetup(req.db, workspaceID: member.workspaceID).rule(try req.uuidParameter("ruleID")) else {
            throw Abort(.notFound)
        }
        return try await submitRule(req, member: member, existing: rule)
    }

    private func submitRule(_ req: Request, member: Member, existing: RoutingRule?) async throws -> Response {
        let form = try await FormData.read(req)
        let fields = Dictionary(form.pairs, uniquingKeysWith: { first, _ in first })
        let setup = RoutingSetup(req.db, workspaceID: member.workspaceID)
        let teamIDs = Set(try await TeamRepository(req.db, workspaceID: member.workspaceID).list().map(\.id))
        let id = existing?.id ?? UUID()
        do {
            let rule = try RoutingRuleForm.parse(fields, id: id, position: existing?.position ?? 0,
                                                 knownFields: try await setup.knownFields(), teamIDs: teamIDs).get()
            if existing == nil {
                _ = try await setup.createRule(rule, by: member.actor, now: req.now)
            } else if try await setup.updateRule(rule, by: member.actor, now: req.now) == nil {
                throw Abort(.notFound)
            }
            return req.redirect(to: RoutingURL.overview.path + "?notice=saved", redirectType: .normal)
        } catch let failure as ValidationFailure {
            let errors = failure.errors.map { FieldError(RoutingRuleForm.inputName(of: $0.field), $0.code) }
            var page = try await rulePage(req, member: member, rule: existing, state: FormState(values: fields, errors: errors))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
    }

    private func rulePage(_ req: Request, member: Member, rule: RoutingRule?, state: FormState) async throws -> Page {
        let l = req.l
        let teams = try await TeamRepository(req.db, workspaceID: member.workspaceID).list()
        let labels = ScoringFieldLabels(customFields: try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(), l)
        let typedRows = RepAvailabilityForm.rowIndices("conditions", in: state.values)
        let rows = max(typedRows.map { $0 + 1 }.max() ?? 0, rule?.conditions.count ?? 0) + 2
        let operators: [(value: String, label: String)] = [("equals", l(.opEquals)), ("one_of", l(.opOneOf)), ("contains", l(.opContains)),
                                                             ("range", l(.opBetween)), ("is_set", l(.opIsSet))]
        let messages: [String: String] = Dictionary(uniqueKeysWithValues: state.errors.compactMap { error in
            error.code == .invalid && (error.field.hasSuffix(".max") || error.field.hasSuffix(".min")) ? (error.field, l(.routingErrorRange)) : nil
        })
        let conditionRows: [HTMLNode] = (0..<rows).map { index in
            let path = "conditions[\(index)]"
            return el("tr", [.data("row", String(index))], [
                RoutingForm.select(l, name: path + ".field", label: l(.ldField), options: [("", "—")] + labels.options, state: state),
                RoutingForm.select(l, name: path + ".op", label: l(.ldCondition), options: operators, state: state),
                RoutingForm.input(l, name: path + ".value", label: l(.ldValues), state: state, extra: [Attr("placeholder", l(.ldValuesHint))]),
                RoutingForm.input(l, name: path + ".min", label: l(.ldMinimum), state: state, width: "narrow", extra: [Attr("inputmode", "decimal")],
                                  message: messages[path + ".min"]),
                RoutingForm.input(l, name: path + ".max", label: l(.ldMaximum), state: state, width: "narrow", extra: [Attr("inputmode", "decimal")],
                                  message: messages[path + ".max"]),
                RoutingForm.removeBox(l, path, state: state),
            ])
        }
        let title = rule.map { l(.routingEditRule) + ": " + $0.name } ?? l(.routingNewRule)
        let shown = ["name", "team_id"] + (0..<rows).flatMap { index in ["field", "op", "value", "min", "max"].map { "conditions[\(index)].\($0)" } }
        return Page(title: title, area: .routing, body: [
            el("p", [], [el("a", [.href(RoutingURL.overview.path)], text: "← " + l(.routingTitle))]),
            pageHeader(title),
            Form.summary(l, state: state, shown: shown),
            Form.post(req, action: rule.map { RoutingURL.rule($0.id).path } ?? RoutingURL.rules.path, id: "rule-form", [
                Form.field(l, label: l(.routingRuleName), name: "name", state: state, required: true, maxLength: RoutingRule.nameMaximumLength),
                Form.select(l, label: l(.routingTeam), name: "team_id", options: [("", "—")] + teams.map { ($0.id.uuidString.lowercased(), $0.name) },
                            state: state),
                el("h2", [], text: l(.ldConditions)),
                el("p", [.class("hint")], text: l(.routingConditionsHint)),
                el("div", [.class("table-wrap")], [
                    el("table", [.id("conditions-table"), .class("editor-table")], [
                        el("caption", [.class("visually-hidden")], text: l(.ldConditions)),
                        el("thead", [], [el("tr", [], [l(.ldField), l(.ldCondition), l(.ldValues), l(.ldMinimum), l(.ldMaximum), ""]
                            .map { el("th", [Attr("scope", "col")], text: $0) })]),
                        el("tbody", [], conditionRows),
                    ]),
                ]),
                Form.submit(l(.routingSaveRule)),
            ]),
        ])
    }

    func deleteRule(req: Request) async throws -> Response {
        let member = try manager(req)
        guard try await RoutingSetup(req.db, workspaceID: member.workspaceID).deleteRule(try req.uuidParameter("ruleID"), by: member.actor, now: req.now) else {
            throw Abort(.notFound)
        }
        return req.redirect(to: RoutingURL.overview.path + "?notice=deleted", redirectType: .normal)
    }

    func moveRule(req: Request) async throws -> Response {
        let member = try manager(req)
        let form = try await FormData.read(req)
        let step = form.value("direction") == "up" ? -1 : 1
        guard try await RoutingSetup(req.db, workspaceID: member.workspaceID)
            .moveRule(try req.uuidParameter("ruleID"), by: step, by: member.actor, now: req.now) else { throw Abort(.notFound) }
        return req.redirect(to: RoutingURL.overview.path + "?notice=saved", redirectType: .normal)
    }

    // MARK: Fallback and weights

    func saveFallback(req: Request) async throws -> Response {
        let member = try manager(req)
        let form = try await FormData.read(req)
        let typed = (form.value("fallback_owner_id") ?? "").trimmingBlanks
        do {
            guard typed.isEmpty || UUID(uuidString: typed) != nil else { throw ValidationFailure("fallback_owner_id", .notInList) }
            try await RoutingSetup(req.db, workspaceID: member.workspaceID).setFallbackOwner(UUID(uuidString: typed), by: member.actor, now: req.now)
            return req.redirect(to: RoutingURL.overview.path + "?notice=saved", redirectType: .normal)
        } catch let failure as ValidationFailure {
            var page = try await overviewPage(req, member: member, fallbackState: FormState(form: form, errors: failure.errors, keeping: ["fallback_owner_id"]),
                                              weightErrors: [:])
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
    }

    func saveWeights(req: Request) async throws -> Response {
        let member = try manager(req)
        let teamID = try req.uuidParameter("teamID")
        let form = try await FormData.read(req)
        var checker = FieldChecker()
        var weights: [UUID: Int] = [:]
        var typed: [String: String] = [:]
        for (name, value) in form.pairs where name.hasPrefix("weight.") {
            typed[name] = value
            guard let id = UUID(uuidString: String(name.dropFirst("weight.".count))) else { continue }
            if let weight = RoutingWeight.check(name, value, into: &checker) { weights[id] = weight }
        }
        do {
            try checker.throwIfAny()
            guard try await RoutingSetup(req.db, workspaceID: member.workspaceID).saveWeights(teamID: teamID, weights, by: member.actor, now: req.now) else {
                throw Abort(.notFound)
            }
            return req.redirect(to: RoutingURL.overview.path + "?notice=saved#teams-panel", redirectType: .normal)
        } catch let failure as ValidationFailure {
            var page = try await overviewPage(req, member: member, fallbackState: nil,
                                              weightErrors: [teamID: FormState(values: typed, errors: failure.errors)])
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
    }

    // MARK: Reps

    func editRep(req: Request) async throws -> Response {
        let member = try manager(req)
        let user = try await rep(req, member)
        let availability = try await RoutingSetup(req.db, workspaceID: member.workspaceID).availability(of: user.id)
        return repPage(req, user: user, state: FormState(values: RepAvailabilityForm.fields(of: availability))).response(for: req)
    }

    func saveRep(req: Request) async throws -> Response {
        let member = try manager(req)
        let user = try await rep(req, member)
        let form = try await FormData.read(req)
        let fields = Dictionary(form.pairs, uniquingKeysWith: { first, _ in first })
        do {
            let availability = try RepAvailabilityForm.parse(fields).get()
            try await RoutingSetup(req.db, workspaceID: member.workspaceID).saveAvailability(availability, for: user.id, by: member.actor, now: req.now)
            return req.redirect(to: RoutingURL.overview.path + "?notice=saved#teams-panel", redirectType: .normal)
        } catch let failure as ValidationFailure {
            var page = repPage(req, user: user, state: FormState(values: fields, errors: failure.errors))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
    }

    private func rep(_ req: Request, _ member: Member) async throws -> User {
        guard let user = try await UserRepository(req.db, workspaceID: member.workspaceID).find(try req.uuidParameter("userID")) else {
            throw Abort(.notFound)
        }
        return user
    }

    private func repPage(_ req: Request, user: User, state: FormState) -> Page {
        let l = req.l
        let absenceRows = RepAvailabilityForm.rowIndices("out_of_office", in: state.values)
        let rows = (absenceRows.map { $0 + 1 }.max() ?? 0) + 2
        var messages: [String: String] = [:]
        for error in state.errors where error.code == .invalid {
            if error.field.hasPrefix("working_hours.") { messages[error.field] = l(.routingErrorHours) }
            if error.field.hasPrefix("capacity_per_") { messages[error.field] = l(.routingErrorCapacity) }
            if error.field.hasPrefix("out_of_office[") { messages[error.field] = l(.routingErrorAbsence) }
        }
        let hours: [HTMLNode] = Weekday.allCases.map { day in
            let name = "working_hours." + day.rawValue
            return el("tr", [.data("day", day.rawValue)], [
                el("th", [Attr("scope", "row")], [el("label", [Attr("for", RoutingForm.id(name))], text: Self.weekdayName(day, l))]),
                RoutingForm.input(l, name: name, label: Self.weekdayName(day, l), state: state, extra: [Attr("placeholder", "09:00-18:00")],
                                  message: messages[name]),
            ])
        }
        let absences: [HTMLNode] = (0..<rows).map { index in
            let path = "out_of_office[\(index)]"
            return el("tr", [.data("row", String(index))], [
                RoutingForm.input(l, name: path + ".from", label: l(.routingAbsenceFrom), state: state, type: "date"),
                RoutingForm.input(l, name: path + ".to", label: l(.routingAbsenceTo), state: state, type: "date", message: messages[path + ".to"]),
                RoutingForm.removeBox(l, path, state: state),
            ])
        }
        let title = l(.routingEditRep, user.name)
        var zones = WorkspaceSettings.suggestedTimeZones.map { (value: $0, label: $0.replacingOccurrences(of: "_", with: " ")) }
        if let zone = state.values["time_zone"], !zone.isEmpty, !zones.contains(where: { $0.value == zone }) { zones.insert((zone, zone), at: 0) }
        return Page(title: title, area: .routing, body: [
            el("p", [], [el("a", [.href(RoutingURL.overview.path + "#teams-panel")], text: "← " + l(.routingTitle))]),
            pageHeader(title),
            Form.summary(l, state: state, shown: ["time_zone", "capacity_per_day", "capacity_per_week"]
                + Weekday.allCases.map { "working_hours." + $0.rawValue }
                + (0..<rows).flatMap { ["out_of_office[\($0)].from", "out_of_office[\($0)].to"] }),
            Form.post(req, action: RoutingURL.rep(user.id).path, id: "rep-form", [
                el("div", [.class("field")], [el("label", [.class("checkbox")], [
                    void("input", [.type("checkbox"), .name("takes_leads"), .value("yes"), .id("f-takes_leads")]
                        + (state.values["takes_leads"] == "yes" ? [.flag("checked")] : [])),
                    text(" " + l(.routingTakesLeadsLabel)),
                ])]),
                Form.select(l, label: l(.timeZone), name: "time_zone", options: zones, state: state),
                Form.field(l, label: l(.routingCapacityPerDay), name: "capacity_per_day", state: state, extra: [Attr("inputmode", "numeric")]),
                messages["capacity_per_day"].map { el("p", [.class("hint")], text: $0) } ?? .empty,
                Form.field(l, label: l(.routingCapacityPerWeek), name: "capacity_per_week", state: state, extra: [Attr("inputmode", "numeric")]),
                messages["capacity_per_week"].map { el("p", [.class("hint")], text: $0) } ?? .empty,
                el("h2", [], text: l(.routingHours)),
                el("p", [.class("hint")], text: l(.routingHoursHint)),
                el("table", [.id("hours-table"), .class("editor-table")], [
                    el("caption", [.class("visually-hidden")], text: l(.routingHours)), el("tbody", [], hours),
                ]),
                el("h2", [], text: l(.routingAway)),
                el("p", [.class("hint")], text: l(.routingAbsenceHint)),
                el("table", [.id("absences-table"), .class("editor-table")], [
                    el("caption", [.class("visually-hidden")], text: l(.routingAway)),
                    el("thead", [], [el("tr", [], [l(.routingAbsenceFrom), l(.routingAbsenceTo), ""].map { el("th", [Attr("scope", "col")], text: $0) })]),
                    el("tbody", [], absences),
                ]),
                Form.submit(l(.routingSaveRep)),
            ]),
        ])
    }

    // MARK: A rep's own days away

    /// Anyone who may work leads sets their own days out of office; the rest of their
    /// availability stays as their manager set it.
    func showMyAbsences(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard member.user.may(.workLeads) || member.user.may(.manageRouting) else { throw Abort(.forbidden) }
        let availability = try await RoutingSetup(req.db, workspaceID: member.workspaceID).availability(of: member.user.id)
        return myAbsencesPage(req, state: FormState(values: RepAvailabilityForm.fields(of: availability))).response(for: req)
    }

    func saveMyAbsences(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard member.user.may(.workLeads) || member.user.may(.manageRouting) else { throw Abort(.forbidden) }
        let setup = RoutingSetup(req.db, workspaceID: member.workspaceID)
        let form = try await FormData.read(req)
        let typed = Dictionary(form.pairs.filter { $0.0.hasPrefix("out_of_office[") }, uniquingKeysWith: { first, _ in first })
        var fields = RepAvailabilityForm.fields(of: try await setup.availability(of: member.user.id)).filter { !$0.key.hasPrefix("out_of_office[") }
        fields.merge(typed) { _, new in new }
        do {
            try await setup.saveAvailability(try RepAvailabilityForm.parse(fields).get(), for: member.user.id, by: member.actor, now: req.now)
            return req.redirect(to: RoutingURL.myAvailability.path + "?notice=saved", redirectType: .normal)
        } catch let failure as ValidationFailure {
            var page = myAbsencesPage(req, state: FormState(values: typed, errors: failure.errors))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
    }

    private func myAbsencesPage(_ req: Request, state: FormState) -> Page {
        let l = req.l
        let rows = (RepAvailabilityForm.rowIndices("out_of_office", in: state.values).map { $0 + 1 }.max() ?? 0) + 2
        let absences: [HTMLNode] = (0..<rows).map { index in
            let path = "out_of_office[\(index)]"
            return el("tr", [.data("row", String(index))], [
                RoutingForm.input(l, name: path + ".from", label: l(.routingAbsenceFrom), state: state, type: "date"),
                RoutingForm.input(l, name: path + ".to", label: l(.routingAbsenceTo), state: state, type: "date",
                                  message: state.error(path + ".to")?.code == .invalid ? l(.routingErrorAbsence) : nil),
                RoutingForm.removeBox(l, path, state: state),
            ])
        }
        return Page(title: l(.routingMyAway), area: .settings, body: [
            el("p", [], [el("a", [.href(SiteURL.profile.path)], text: "← " + l(.profileTitle))]),
            pageHeader(l(.routingMyAway), subtitle: l(.routingMyAwayHint)),
            Notice.banner(req),
            Form.summary(l, state: state, shown: (0..<rows).flatMap { ["out_of_office[\($0)].from", "out_of_office[\($0)].to"] }),
            Form.post(req, action: RoutingURL.myAvailability.path, id: "away-form", [
                el("table", [.id("absences-table"), .class("editor-table")], [
                    el("caption", [.class("visually-hidden")], text: l(.routingAway)),
                    el("thead", [], [el("tr", [], [l(.routingAbsenceFrom), l(.routingAbsenceTo), ""].map { el("th", [Attr("scope", "col")], text: $0) })]),
                    el("tbody", [], absences),
                ]),
                Form.submit(l(.save)),
            ]),
        ])
    }

    // MARK: Assignments

    func assignments(req: Request) async throws -> Response {
        let member = try manager(req)
        let l = req.l
        let zone = member.workspace.settings.timeZone
        let cursor = (req.query[String.self, at: "after"]).flatMap(PageCursor.init(token:))
        let pageSize = 50
        let log = LeadAssignments(req.db, workspaceID: member.workspaceID)
        let items = try await log.list(limit: pageSize + 1, after: cursor)
        let shown = Array(items.prefix(pageSize))
        let contacts = Dictionary(uniqueKeysWithValues: try await ContactRepository(req.db, workspaceID: member.workspaceID)
            .find(ids: Array(Set(shown.map(\.contactID)))).map { ($0.id, $0) })
        let rows: [HTMLNode] = shown.map { assignment in
            let contact = contacts[assignment.contactID]
            let contactName = contact.map { $0.fullName.isEmpty ? ($0.email?.value ?? "—") : $0.fullName } ?? "—"
            return el("tr", [.data("reason", assignment.reason.rawValue)], [
                cell(l.dateTime(assignment.at, timeZone: zone)),
                cell([el("a", [.href(SiteURL.contact(assignment.contactID).path)], text: contactName)]),
                cell(assignment.ownerName ?? "—"),
                cell(assignment.teamName ?? "—"),
                cell(assignment.ruleName ?? "—"),
                cell(Self.reasonText(assignment.reason, l)),
                cell(Self.skippedText(assignment.skipped, l)),
                cell(assignment.actor.name),
            ])
        }
        let next = items.count > pageSize ? shown.last.map { PageCursor(date: $0.at, id: $0.id) } : nil
        return Page(title: l(.routingAssignments), area: .routing, body: [
            el("p", [], [el("a", [.href(RoutingURL.overview.path)], text: "← " + l(.routingTitle))]),
            pageHeader(l(.routingAssignments), subtitle: l(.routingAssignmentsIntro)),
            Notice.banner(req),
            dataTable(id: "assignments-table", caption: l(.routingAssignments),
                      headers: [l(.when), l(.routingContact), l(.routingRep), l(.routingTeam), l(.routingResultRule), l(.routingReason),
                                l(.routingSkipped), l(.routingByActor)],
                      rows: rows, empty: l(.routingAssignmentsEmpty)),
            next.map { el("p", [], [el("a", [.id("older-assignments"), .href(RoutingURL.assignments(after: $0).path)], text: l(.routingOlder))]) } ?? .empty,
        ]).response(for: req)
    }
}

/// Inputs in table cells with their errors beside them; ids safe for CSS and labels.
enum RoutingForm {
    static func id(_ name: String) -> String {
        "f-" + name.map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
    }

    static func errorLine(_ l: Localizer, _ name: String, _ state: FormState, message: String?) -> HTMLNode {
        guard let error = state.error(name) else { return .empty }
        return el("p", [.class("field-error"), .id("e-" + id(name)), .data("field", name), Attr("role", "alert")], text: message ?? l.message(for: error))
    }

    static func input(_ l: Localizer, name: String, label: String, state: FormState, type: String = "text", width: String = "",
                      extra: [Attr] = [], message: String? = nil) -> HTMLNode {
        var attributes: [Attr] = [.id(id(name)), .name(name), .type(type), .value(state.values[name] ?? ""), .aria("label", label)]
        if !width.isEmpty { attributes.append(.class(width)) }
        if state.error(name) != nil { attributes += [.aria("invalid", "true"), .aria("describedby", "e-" + id(name))] }
        return el("td", [.class(state.error(name) == nil ? "" : "has-error")], [void("input", attributes + extra), errorLine(l, name, state, message: message)])
    }

    static func select(_ l: Localizer, name: String, label: String, options: [(value: String, label: String)], state: FormState) -> HTMLNode {
        let selected = state.values[name] ?? ""
        var choices = options
        if !selected.isEmpty, !choices.contains(where: { $0.value == selected }) { choices.append((selected, selected)) }
        var attributes: [Attr] = [.id(id(name)), .name(name), .aria("label", label)]
        if state.error(name) != nil { attributes += [.aria("invalid", "true"), .aria("describedby", "e-" + id(name))] }
        return el("td", [.class(state.error(name) == nil ? "" : "has-error")], [
            el("select", attributes, choices.map { option in
                el("option", [.value(option.value)] + (option.value == selected ? [.flag("selected")] : []), text: option.label)
            }),
            errorLine(l, name, state, message: nil),
        ])
    }

    static func removeBox(_ l: Localizer, _ path: String, state: FormState) -> HTMLNode {
        el("td", [], [el("label", [.class("checkbox")], [
            void("input", [.type("checkbox"), .name(path + ".remove"), .value("yes"), .id(id(path + ".remove"))]
                + (state.values[path + ".remove"] == "yes" ? [.flag("checked")] : [])),
            text(" " + l(.ldRemove)),
        ])])
    }
}
