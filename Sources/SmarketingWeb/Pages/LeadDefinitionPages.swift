import SmarketingCore
import SmarketingStore
import Vapor

/// The shared lead definition as both teams work on it: the active version and its rules, the
/// draft with its approvals, what-if and score quality, the predictive model's suggestion, every
/// version; and an editor for the draft that needs no JSON.
struct LeadDefinitionPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("lead-definition", use: overview)
        routes.post("lead-definition", "draft", "open", use: openDraft)
        routes.get("lead-definition", "draft", use: editor)
        routes.post("lead-definition", "draft", use: save)
        routes.post("lead-definition", "draft", "approve", use: approve)
        routes.post("lead-definition", "draft", "activate", use: activate)
        routes.post("lead-definition", "draft", "what-if", use: whatIf)
        routes.post("lead-definition", "outcome", use: saveOutcome)
        routes.post("lead-definition", "suggestion", use: suggest)
        routes.post("lead-definition", "suggestion", "accept", use: acceptSuggestion)
    }

    static let path = "/lead-definition"

    // MARK: Overview

    func overview(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let l = req.l
        let zone = member.workspace.settings.timeZone
        let definitions = LeadDefinitions(req.db, workspaceID: member.workspaceID)
        let versions = try await definitions.list()
        let active = versions.first { $0.status == .active }
        let draft = versions.first { $0.version.isDraft }
        let runs = ScoringRuns(req.db, workspaceID: member.workspaceID)
        let rescoring = try await runs.latest(.activation)
        let whatIf = try await runs.latest(.whatIf)
        let suggestion = try await runs.latest(.suggestion)
        let known = try await ScoringService.knownFields(req.db, workspaceID: member.workspaceID)
        let customFields = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list()
        let labels = ScoringFieldLabels(customFields: customFields, l)
        let mayEdit = member.user.may(.editLeadDefinitionDraft)

        var body: [HTMLNode] = [
            pageHeader(l(.ldTitle), subtitle: active.map { l(.ldActiveSince, String($0.number), l.dateTime($0.version.activatedAt ?? $0.updatedAt, timeZone: zone)) }
                ?? l(.ldNoActive)),
            Notice.banner(req),
        ]
        var refresh = false
        if let rescoring, rescoring.status != .completed || rescoring.finishedAt.map({ req.now.timeIntervalSince($0) < 60 }) == true {
            body.append(progressPanel(l, run: rescoring, title: l(.ldRescoring, String(rescoring.definitionVersion)), id: "rescore-progress"))
            refresh = refresh || rescoring.status == .running
        }
        if let draft {
            body.append(draftPanel(req, member: member, draft: draft, known: known, whatIf: whatIf?.definitionVersion == draft.number ? whatIf : nil))
            refresh = refresh || (whatIf?.status == .running && whatIf?.definitionVersion == draft.number)
        } else if mayEdit {
            body.append(el("section", [.class("panel"), .id("draft-panel")], [
                el("h2", [], text: l(.ldDraft)),
                el("p", [], text: l(.ldNoDraft)),
                Form.post(req, action: Self.path + "/draft/open", id: "open-draft-form", [Form.submit(l(.ldStartDraft))]),
            ]))
        }
        if let active {
            body.append(el("section", [.class("panel"), .id("active-definition")], [
                el("h2", [], text: l(.ldActiveVersion, String(active.number))),
                DefinitionView.summary(active.version.definition, labels: labels, l),
            ]))
        }
        body.append(try await qualityPanel(req, member: member, active: active, draft: draft, suggestion: suggestion, customFields: customFields))
        refresh = refresh || suggestion?.status == .running
        body.append(el("section", [.class("panel"), .id("versions")], [
            el("h2", [], text: l(.ldVersions)),
            dataTable(id: "versions-table", caption: l(.ldVersions), headers: [l(.ldVersion), l(.status), l(.ldApprovals), l(.ldCreatedBy), l(.ldUpdated)],
                      rows: versions.map { stored in
                          el("tr", [.data("version", String(stored.number))], [
                              cell("v\(stored.number)"),
                              cell([el("span", [.class("badge status-\(stored.status.rawValue)")], text: Self.statusName(stored.status, l))]),
                              cell(stored.version.approvals.map { "\(Self.sideName($0.side, l)) · \(l.dateTime($0.time, timeZone: zone))" }.joined(separator: "; ")),
                              cell(stored.createdBy),
                              cell(l.dateTime(stored.updatedAt, timeZone: zone)),
                          ])
                      }, empty: l(.ldNoVersions)),
            member.user.may(.readAuditLog) ? el("p", [], [link(l(.auditTitle), .audit)]) : .empty,
        ]))
        var page = Page(title: l(.ldTitle), area: .leadDefinition, body: body)
        if refresh { page.refreshSeconds = 2 }
        return page.response(for: req)
    }

    private func progressPanel(_ l: Localizer, run: ScoringRun, title: String, id: String) -> HTMLNode {
        let percent = Int((run.share * 100).rounded(.down))
        return el("section", [.class("panel"), .id(id), .data("status", run.status.rawValue)], [
            el("h2", [], text: title),
            el("progress", [.id(id + "-bar"), Attr("max", "100"), .value(String(percent))], text: "\(percent)%"),
            el("p", [], text: l(.ldProgress, l.number(run.processed), l.number(run.total), Self.runStatusName(run.status, l))),
            run.message.map { el("p", [.class("field-error")], text: $0) } ?? .empty,
        ])
    }

    private func draftPanel(_ req: Request, member: Member, draft: StoredLeadDefinition, known: Set<String>, whatIf: ScoringRun?) -> HTMLNode {
        let l = req.l
        let zone = member.workspace.settings.timeZone
        let version = draft.version
        let problems = version.definition.problems(knownFields: known)
        let mayEdit = member.user.may(.editLeadDefinitionDraft)
        func approvalLine(_ side: Role.Side) -> HTMLNode {
            let approval = version.approval(for: side)
            return el("li", [.data("side", side.rawValue)], [
                el("strong", [], text: Self.sideName(side, l) + ": "),
                text(approval.map { l(.ldApprovedAt, l.dateTime($0.time, timeZone: zone)) } ?? l(.ldWaitingApproval)),
            ])
        }
        var actions: [HTMLNode] = []
        if mayEdit { actions.append(el("a", [.class("button-primary"), .href(Self.path + "/draft")], text: l(.ldEditDraft))) }
        for (side, role) in [(Role.Side.marketing, Role.marketingManager), (.sales, .salesManager)]
        where member.user.roles.contains(role) && version.approval(for: side) == nil && problems.isEmpty {
            actions.append(Form.post(req, action: Self.path + "/draft/approve", attributes: [.class("inline-form")], [
                void("input", [.type("hidden"), .name("side"), .value(side.rawValue)]),
                void("input", [.type("hidden"), .name("digest"), .value(version.digest)]),
                Form.submit(side == .marketing ? l(.ldApproveMarketing) : l(.ldApproveSales), style: "button-secondary",
                            attributes: [.id("approve-\(side.rawValue)")]),
            ]))
        }
        if mayEdit && version.mayActivate && problems.isEmpty {
            actions.append(Form.post(req, action: Self.path + "/draft/activate", id: "activate-form",
                                     attributes: [.class("inline-form"), .data("confirm", l(.ldActivateConfirm))], [Form.submit(l(.ldActivate))]))
        }
        if mayEdit {
            actions.append(Form.post(req, action: Self.path + "/draft/what-if", id: "what-if-form", attributes: [.class("inline-form")],
                                     [Form.submit(l(.ldRunWhatIf), style: "button-secondary")]))
        }
        return el("section", [.class("panel"), .id("draft-panel"), .data("status", version.status.rawValue)], [
            el("h2", [], text: l(.ldDraftVersion, String(version.number))),
            el("p", [], [el("span", [.class("badge status-\(version.status.rawValue)")], text: Self.statusName(version.status, l)),
                         text(" · " + l(.ldDigest, String(version.digest.prefix(12))))]),
            el("ul", [.class("approvals"), .id("approvals")], [approvalLine(.marketing), approvalLine(.sales)]),
            problems.isEmpty ? .empty : el("div", [.class("form-error"), .id("draft-problems"), Attr("role", "alert")], [
                el("p", [], text: l(.ldDraftProblems)),
                el("ul", [], problems.map { el("li", [], text: "\($0.path): " + l.problem($0.reason)) }),
            ]),
            el("div", [.class("actions")], actions),
            whatIf.map { whatIfView(req, member: member, run: $0) } ?? .empty,
        ])
    }

    private func whatIfView(_ req: Request, member: Member, run: ScoringRun) -> HTMLNode {
        let l = req.l
        guard run.status == .completed, let report = run.whatIf else {
            return progressPanel(l, run: run, title: l(.ldWhatIf), id: "what-if-progress")
        }
        let labels = ScoreHistogram.labels
        let chart = BarChart(id: "what-if-chart", title: l(.ldWhatIfDistribution),
                             values: zip(labels, report.after.counts).map { ($0, Double($1)) }, valueLabel: l(.ldWithDraft),
                             compare: (l(.ldToday), report.before.counts.map(Double.init)), format: { l.number(Int($0)) })
        return el("div", [.id("what-if")], [
            el("h3", [], text: l(.ldWhatIf)),
            el("p", [.id("what-if-summary")], text: l(.ldWhatIfSummary, l.number(report.contacts), l.number(report.entering), l.number(report.leaving))),
            chart.render(l),
            dataTable(id: "what-if-changes", caption: l(.ldWhatIfChanges), headers: [l(.name), l(.stage), l(.ldScoreToday), l(.ldScoreWithDraft), l(.ldEffect)],
                      rows: report.changes.prefix(50).map { change in
                          el("tr", [.data("contact", change.contactID.uuidString.lowercased())], [
                              cell([el("a", [.href(SiteURL.contact(change.contactID).path)], text: String(change.contactID.uuidString.prefix(8)).lowercased())]),
                              cell(l.stageName(change.stage)),
                              cell(NumberText.format((change.before.total * 10).rounded() / 10)),
                              cell(NumberText.format((change.after.total * 10).rounded() / 10)),
                              cell(change.effect == .entersMQL ? l(.ldEntersMQL) : l(.ldLeavesMQL)),
                          ])
                      }, empty: l(.ldWhatIfNoChange)),
        ])
    }

    private func qualityPanel(_ req: Request, member: Member, active: StoredLeadDefinition?, draft: StoredLeadDefinition?, suggestion: ScoringRun?,
                              customFields: [CustomFieldDefinition]) async throws -> HTMLNode {
        let l = req.l
        let outcomes = ScoringOutcomes(req.db, workspaceID: member.workspaceID)
        let choice = try await outcomes.choice()
        let mayEdit = member.user.may(.editLeadDefinitionDraft)
        var content: [HTMLNode] = [el("h2", [], text: l(.ldQuality)), el("p", [.class("hint")], text: l(.ldQualityIntro))]
        if mayEdit {
            let contactFields = customFields.filter { $0.entity == .contact }
            let state = FormState(values: ["outcome_field": choice.field ?? "", "outcome_values": choice.positiveValues.joined(separator: ", "),
                                           "excluded_fields": choice.excludedFields.joined(separator: ", ")])
            content.append(Form.post(req, action: Self.path + "/outcome", id: "outcome-form", attributes: [.class("inline-form")], [
                Form.select(l, label: l(.ldOutcomeField), name: "outcome_field", options: [("", "—")] + contactFields.map { ($0.key, $0.label) },
                            state: state, required: false),
                Form.field(l, label: l(.ldOutcomeValues), name: "outcome_values", state: state, maxLength: 500),
                Form.field(l, label: l(.ldExcludedFields), name: "excluded_fields", state: state, maxLength: 1000, hint: l(.ldExcludedHint)),
                Form.submit(l(.save), style: "button-secondary"),
            ]))
        }
        if choice.field != nil {
            let sample = try await outcomes.sample(choice, today: CalendarDay(utc: req.now))
            let measured: [(String, ScoreQuality)] = [(active, l(.ldActiveShort)), (draft, l(.ldDraftShort))].compactMap { stored, label in
                stored.map { (label + " v\($0.number)", ScoringOutcomes.quality(of: CompiledLeadDefinition($0.version.definition), sample: sample, now: req.now)) }
            }
            func percent(_ value: Double?) -> String { value.map { NumberText.format(($0 * 1000).rounded() / 10) + "%" } ?? "—" }
            func decimal(_ value: Double?) -> String { value.map { NumberText.format(($0 * 1000).rounded() / 1000) } ?? "—" }
            content.append(dataTable(id: "quality-table", caption: l(.ldQuality), headers: [l(.ldVersion), l(.ldContactsMeasured), l(.ldConversions), "AUC", l(.ldTopHalf)],
                                     rows: measured.map { label, quality in
                                         el("tr", [], [cell(label), cell(l.number(quality.count)), cell(l.number(quality.conversions)),
                                                       cell(decimal(quality.auc)), cell(percent(quality.topHalfShare))])
                                     }, empty: l(.ldNoOutcomes)))
            if let first = measured.first, first.1.count > 0 {
                let chart = BarChart(id: "lift-chart", title: l(.ldLiftByDecile),
                                     values: first.1.liftByDecile.enumerated().map { (l(.ldDecile, String($0.offset + 1)), $0.element) },
                                     valueLabel: first.0, compare: measured.count > 1 ? (measured[1].0, measured[1].1.liftByDecile) : nil,
                                     format: { NumberText.format(($0 * 100).rounded() / 100) + "×" })
                content.append(chart.render(l))
            }
            if mayEdit {
                content.append(Form.post(req, action: Self.path + "/suggestion", id: "suggestion-form", attributes: [.class("inline-form")],
                                         [Form.submit(l(.ldTrainModel), style: "button-secondary")]))
            }
        }
        if let suggestion {
            content.append(suggestionView(req, run: suggestion, mayEdit: mayEdit && draft != nil, customFields: customFields))
        }
        return el("section", [.class("panel"), .id("quality")], content)
    }

    private func suggestionView(_ req: Request, run: ScoringRun, mayEdit: Bool, customFields: [CustomFieldDefinition]) -> HTMLNode {
        let l = req.l
        guard run.status == .completed, let suggestion = run.suggestion else {
            return el("div", [.id("suggestion"), .data("status", run.status.rawValue)], [
                el("h3", [], text: l(.ldSuggestion)),
                el("p", [], text: run.status == .running ? l(.ldTraining) : l(.ldTrainingStopped, run.message ?? "")),
            ])
        }
        let labels = ScoringFieldLabels(customFields: customFields, l)
        return el("div", [.id("suggestion"), .data("status", "completed")], [
            el("h3", [], text: l(.ldSuggestion)),
            el("p", [.id("suggestion-auc")], text: l(.ldSuggestionAUC, NumberText.format((suggestion.meanAUC * 1000).rounded() / 1000),
                                                      l.number(suggestion.rows), l.number(suggestion.conversions))),
            DefinitionView.fitTable(suggestion.rules, labels: labels, l, id: "suggested-rules"),
            mayEdit ? Form.post(req, action: Self.path + "/suggestion/accept", id: "accept-suggestion-form",
                                [void("input", [.type("hidden"), .name("run"), .value(run.id.uuidString)]), Form.submit(l(.ldAcceptSuggestion))]) : .empty,
        ])
    }

    // MARK: Actions

    private func editorMember(_ req: Request) throws -> Member {
        let member = try req.requireMember()
        try member.require(.editLeadDefinitionDraft)
        return member
    }

    func openDraft(req: Request) async throws -> Response {
        let member = try editorMember(req)
        _ = try await LeadDefinitions(req.db, workspaceID: member.workspaceID).openDraft(by: member.actor, now: req.now)
        return req.redirect(to: Self.path + "/draft", redirectType: .normal)
    }

    func approve(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.approveLeadDefinition)
        let form = try await FormData.read(req)
        guard let side = form.value("side").flatMap(Role.Side.init(rawValue:)) else { throw ValidationFailure("side", .notInList) }
        let known = try await ScoringService.knownFields(req.db, workspaceID: member.workspaceID)
        do {
            _ = try await LeadDefinitions(req.db, workspaceID: member.workspaceID)
                .approve(side: side, user: member.user, reviewedDigest: form.value("digest") ?? "", knownFields: known, by: member.actor, now: req.now)
        } catch let problem as LeadDefinitions.Problem {
            return req.redirect(to: Self.path + "?notice=" + Self.notice(for: problem), redirectType: .normal)
        }
        return req.redirect(to: Self.path + "?notice=approved", redirectType: .normal)
    }

    func activate(req: Request) async throws -> Response {
        let member = try editorMember(req)
        do {
            _ = try await ScoringService.activate(req, member: member)
        } catch let problem as LeadDefinitions.Problem {
            return req.redirect(to: Self.path + "?notice=" + Self.notice(for: problem), redirectType: .normal)
        }
        return req.redirect(to: Self.path + "?notice=activated", redirectType: .normal)
    }

    func whatIf(req: Request) async throws -> Response {
        let member = try editorMember(req)
        _ = try await ScoringService.whatIf(req, member: member)
        // No `#` in the address: a page with one is not reloaded by its own refresh.
        return req.redirect(to: Self.path, redirectType: .normal)
    }

    func saveOutcome(req: Request) async throws -> Response {
        let member = try editorMember(req)
        let form = try await FormData.read(req)
        let fields = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let key = (form.value("outcome_field") ?? "").trimmingBlanks
        guard key.isEmpty || fields.contains(where: { $0.key == key }) else { throw ValidationFailure("outcome_field", .notInList) }
        func list(_ name: String) -> [String] {
            (form.value(name) ?? "").split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "\n" }).map { String($0).trimmingBlanks }.filter { !$0.isEmpty }
        }
        let excluded = list("excluded_fields").map { name in
            fields.first { $0.key == name || $0.fieldName == name || $0.label.lowercased() == name.lowercased() }?.fieldName ?? name
        }
        try await ScoringOutcomes(req.db, workspaceID: member.workspaceID).save(
            OutcomeChoice(field: key.isEmpty ? nil : key, positiveValues: list("outcome_values"), excludedFields: excluded), now: req.now)
        return req.redirect(to: Self.path + "?notice=saved", redirectType: .normal)
    }

    func suggest(req: Request) async throws -> Response {
        let member = try editorMember(req)
        _ = try await ScoringService.suggest(req, member: member)
        return req.redirect(to: Self.path, redirectType: .normal)
    }

    func acceptSuggestion(req: Request) async throws -> Response {
        let member = try editorMember(req)
        let form = try await FormData.read(req)
        guard let id = form.value("run").flatMap(UUID.init(uuidString:)),
              let run = try await ScoringRuns(req.db, workspaceID: member.workspaceID).find(id), let suggestion = run.suggestion
        else { throw ValidationFailure("run", .notInList) }
        let definitions = LeadDefinitions(req.db, workspaceID: member.workspaceID)
        let draft = try await definitions.openDraft(by: member.actor, now: req.now)
        var definition = draft.version.definition
        let taken = Set(definition.fitRules.map(\.id))
        definition.fitRules += suggestion.rules.filter { !taken.contains($0.id) }
        let known = try await ScoringService.knownFields(req.db, workspaceID: member.workspaceID)
        do {
            _ = try await definitions.saveDraft(definition, knownFields: known, by: member.actor, now: req.now)
        } catch let problem as LeadDefinitions.Problem {
            return req.redirect(to: Self.path + "?notice=" + Self.notice(for: problem), redirectType: .normal)
        }
        return req.redirect(to: Self.path + "/draft?notice=saved", redirectType: .normal)
    }

    // MARK: Editor

    func editor(req: Request) async throws -> Response {
        let member = try editorMember(req)
        guard let draft = try await LeadDefinitions(req.db, workspaceID: member.workspaceID).draft() else {
            return req.redirect(to: Self.path, redirectType: .normal)
        }
        let definition = draft.version.definition
        let state = FormState(values: LeadDefinitionForm.fields(of: definition), multiValues: ["mql.grid.cells": LeadDefinitionForm.cells(of: definition)])
        return try await editorPage(req, member: member, draft: draft, state: state, counts: Self.rowCounts(definition), messages: [:]).response(for: req)
    }

    func save(req: Request) async throws -> Response {
        let member = try editorMember(req)
        let definitions = LeadDefinitions(req.db, workspaceID: member.workspaceID)
        guard let draft = try await definitions.draft() else { return req.redirect(to: Self.path, redirectType: .normal) }
        let form = try await FormData.read(req)
        let kept = FormState(values: Dictionary(form.pairs.filter { $0.0 != "mql.grid.cells" && $0.0 != "_csrf" }, uniquingKeysWith: { _, last in last }),
                             multiValues: ["mql.grid.cells": form.values("mql.grid.cells")])
        let counts = Self.rowCounts(in: form.pairs)
        func refused(_ errors: [FieldError], messages: [String: String] = [:]) async throws -> Response {
            var page = try await editorPage(req, member: member, draft: draft, state: FormState(values: kept.values, multiValues: kept.multiValues, errors: errors),
                                            counts: counts, messages: messages)
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        let (definition, unreadable) = LeadDefinitionForm.read(form.pairs, version: draft.number)
        let known = try await ScoringService.knownFields(req.db, workspaceID: member.workspaceID)
        if !unreadable.isEmpty {
            // Every problem at once: the inputs that are not numbers, and what the check finds elsewhere.
            let problems = definition.problems(knownFields: known).filter { !LeadDefinitions.allowedWhileDrafting($0) }
            let found = Self.rowErrors(problems, pairs: form.pairs)
            var messages: [String: String] = [:]
            var errors = unreadable
            for (error, problem) in zip(found, problems) where !errors.contains(where: { $0.field == error.field }) {
                errors.append(error)
                messages[error.field] = req.l.problem(problem.reason)
            }
            return try await refused(errors, messages: messages)
        }
        do {
            _ = try await definitions.saveDraft(definition, knownFields: known, by: member.actor, now: req.now)
        } catch LeadDefinitions.Problem.invalid(let problems) {
            // Problems name the rule's position among the rows kept; map them back to the form's rows.
            let errors = Self.rowErrors(problems, pairs: form.pairs)
            var messages: [String: String] = [:]
            for (error, problem) in zip(errors, problems) where messages[error.field] == nil { messages[error.field] = req.l.problem(problem.reason) }
            return try await refused(errors, messages: messages)
        }
        return req.redirect(to: Self.path + "?notice=saved", redirectType: .normal)
    }

    private func editorPage(_ req: Request, member: Member, draft: StoredLeadDefinition, state: FormState, counts: RowCounts,
                            messages: [String: String]) async throws -> Page {
        let l = req.l
        let customFields = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list()
        let labels = ScoringFieldLabels(customFields: customFields, l)
        let editor = DefinitionEditor(l: l, state: state, labels: labels, messages: messages)
        let title = l(.ldEditTitle, String(draft.number))
        return Page(title: title, area: .leadDefinition, body: [
            pageHeader(title, subtitle: l(.ldEditIntro), actions: [el("a", [.href(Self.path)], text: l(.ldBack))]),
            Notice.banner(req),
            Form.post(req, action: Self.path + "/draft", id: "definition-form", attributes: [.class("definition-form")], [
                editor.summaryOfErrors(),
                editor.fitSection(rows: counts.fit + 2),
                editor.engagementSection(rows: counts.engagement + 2, conditions: counts.engagementConditions),
                editor.frequencySection(rows: counts.frequency + 1, conditions: counts.frequencyConditions),
                editor.mqlSection(),
                editor.sqlSection(rows: counts.sql + 1),
                el("div", [.class("form-actions")], [Form.submit(l(.ldSaveDraft))]),
            ]),
            el("datalist", [.id("event-types")], StandardEventType.allCases.map { el("option", [.value($0.rawValue)]) }),
        ])
    }

    /// How many rows of each list the editor shows (before its spare rows).
    struct RowCounts {
        var fit = 0, engagement = 0, frequency = 0, sql = 0
        var engagementConditions: [Int: Int] = [:]
        var frequencyConditions: [Int: Int] = [:]
    }

    static func rowCounts(_ definition: LeadDefinition) -> RowCounts {
        var counts = RowCounts(fit: definition.fitRules.count, engagement: definition.engagementRules.count,
                               frequency: definition.frequencyRules.count, sql: definition.sqlCriteria.count)
        for (index, rule) in definition.engagementRules.enumerated() { counts.engagementConditions[index] = rule.conditions.count }
        for (index, rule) in definition.frequencyRules.enumerated() { counts.frequencyConditions[index] = rule.conditions.count }
        return counts
    }

    /// The rows a refused form had, so it comes back with all of them.
    static func rowCounts(in pairs: [(String, String)]) -> RowCounts {
        func highest(_ prefix: String) -> Int {
            pairs.compactMap { name, _ -> Int? in
                guard name.hasPrefix(prefix + "[") else { return nil }
                let rest = name.dropFirst(prefix.count + 1)
                return rest.firstIndex(of: "]").flatMap { Int(rest[..<$0]) }
            }.max().map { $0 + 1 } ?? 0
        }
        var counts = RowCounts(fit: max(0, highest("fit_rules") - 2), engagement: max(0, highest("engagement_rules") - 2),
                               frequency: max(0, highest("frequency_rules") - 1), sql: max(0, highest("sql_criteria") - 1))
        for index in 0..<highest("engagement_rules") { counts.engagementConditions[index] = max(0, highest("engagement_rules[\(index)].conditions") - 1) }
        for index in 0..<highest("frequency_rules") { counts.frequencyConditions[index] = max(0, highest("frequency_rules[\(index)].conditions") - 1) }
        return counts
    }

    /// A problem names a rule by its position among the rules kept; the form's row may differ
    /// (spare and removed rows are skipped). Maps `fit_rules[1]` back to the row it came from.
    static func rowErrors(_ problems: [LeadDefinitionProblem], pairs: [(String, String)]) -> [FieldError] {
        let fields = Dictionary(pairs, uniquingKeysWith: { _, last in last })
        func keptRows(_ list: String, main: [String]) -> [Int] {
            let rows = Set(pairs.compactMap { name, _ -> Int? in
                guard name.hasPrefix(list + "[") else { return nil }
                let rest = name.dropFirst(list.count + 1)
                return rest.firstIndex(of: "]").flatMap { Int(rest[..<$0]) }
            }).sorted()
            return rows.filter { row in
                (fields["\(list)[\(row)].remove"] ?? "") != "yes"
                    && main.contains { !(fields["\(list)[\(row)].\($0)"] ?? "").trimmingBlanks.isEmpty }
            }
        }
        let kept: [String: [Int]] = [
            "fit_rules": keptRows("fit_rules", main: ["field", "values", "min", "max", "points"]),
            "engagement_rules": keptRows("engagement_rules", main: ["event_type", "points"]),
            "frequency_rules": keptRows("frequency_rules", main: ["event_type", "count", "days", "points"]),
            "sql_criteria": keptRows("sql_criteria", main: ["key", "label"]),
        ]
        return problems.map { problem in
            var path = problem.path
            for (list, rows) in kept where path.hasPrefix(list + "[") {
                let rest = path.dropFirst(list.count + 1)
                if let close = rest.firstIndex(of: "]"), let index = Int(rest[..<close]), index < rows.count {
                    path = "\(list)[\(rows[index])]" + rest[rest.index(after: close)...]
                }
            }
            return FieldError(LeadDefinitionForm.inputName(of: path), problem.code)
        }
    }

    static func notice(for problem: LeadDefinitions.Problem) -> String {
        switch problem {
        case .invalid: "definition_invalid"
        case .noDraft: "no_draft"
        case .refused(let refusal):
            switch refusal {
            case .missingApproval: "needs_approvals"
            case .notAnApprover: "not_an_approver"
            case .sameApproverForBothSides: "same_approver"
            case .reviewedOtherContent: "draft_changed"
            case .alreadyApproved: "already_approved"
            case .notADraft, .notActive: "no_draft"
            }
        }
    }

    static func statusName(_ status: LeadDefinitionStatus, _ l: Localizer) -> String {
        switch status {
        case .draft: l(.ldStatusDraft)
        case .approvedByMarketing: l(.ldStatusApprovedByMarketing)
        case .approvedBySales: l(.ldStatusApprovedBySales)
        case .approved: l(.ldStatusApproved)
        case .active: l(.ldStatusActive)
        case .retired: l(.ldStatusRetired)
        }
    }

    static func sideName(_ side: Role.Side, _ l: Localizer) -> String {
        switch side {
        case .marketing: l(.ldSideMarketing)
        case .sales: l(.ldSideSales)
        case .administration: l(.roleAdmin)
        }
    }

    static func runStatusName(_ status: ScoringRun.Status, _ l: Localizer) -> String {
        switch status {
        case .running: l(.ldRunRunning)
        case .completed: l(.importStatusCompleted)
        case .interrupted: l(.ldRunInterrupted)
        }
    }
}
