import SmarketingCore
import SmarketingStore
import Vapor

/// Contacts as people work with them: a list with search, filters on any field, sort and
/// keyset pages; bulk actions; a profile with its timeline; forms to create, edit, delete
/// and merge.
struct ContactPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("contacts", use: list)
        routes.get("contacts", "new", use: newForm)
        routes.post("contacts", use: create)
        routes.post("contacts", "bulk", use: bulk)
        routes.get("contacts", "export.csv") { req in try await ContactExport.response(req, member: try req.requireMember()) }
        routes.get("contacts", ":contactID", use: show)
        routes.get("contacts", ":contactID", "edit", use: editForm)
        routes.post("contacts", ":contactID", use: update)
        routes.post("contacts", ":contactID", "delete", use: delete)
        routes.get("contacts", ":contactID", "merge", use: mergeForm)
        routes.post("contacts", ":contactID", "merge", use: merge)
    }

    static let pageSize = 50

    // MARK: List

    func list(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let l = req.l
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let query: ContactQuery
        do {
            query = try ContactQuery.parse(ContactListURL.items(of: req), customFields: definitions)
        } catch {
            return req.redirect(to: SiteURL.contacts.path + "?notice=bad_filter")
        }
        let cursor = req.query[String.self, at: "after"].flatMap(ContactCursor.init(token:))
        let search = ContactSearch(req.db, workspaceID: member.workspaceID, now: req.now)
        let page = try await search.page(query, limit: Self.pageSize, after: cursor, definitions: definitions)
        let total = cursor == nil ? try await search.count(query, definitions: definitions) : nil
        let users = try await UserRepository(req.db, workspaceID: member.workspaceID).list()
        let owners = Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0.name) })
        let companies = try await CompanyRepository(req.db, workspaceID: member.workspaceID).find(ids: page.contacts.compactMap(\.companyID))
        let keeper = ScoreKeeper(req.db, workspaceID: member.workspaceID)
        let scores = try await keeper.snapshots(of: page.contacts.map(\.id), definition: try await keeper.activeDefinition(), now: req.now)
        let base = ContactListURL(query: query)
        let filteredCompanies = try await CompanyRepository(req.db, workspaceID: member.workspaceID)
            .find(ids: query.filters.filter { $0.field == "company_id" }.flatMap(\.values).compactMap(UUID.init(uuidString:)))

        let rows: [HTMLNode] = page.contacts.map { contact in
            el("tr", [.data("contact", contact.id.uuidString.lowercased())], [
                cell([void("input", [.type("checkbox"), .name("ids"), .value(contact.id.uuidString.lowercased()), Attr("form", "bulk-form"),
                                     .aria("label", l(.selectRow, contact.displayName))])]),
                cell([el("a", [.href(SiteURL.contact(contact.id).path)], text: contact.displayName)]),
                cell(contact.email?.value ?? ""),
                cell(contact.jobTitle ?? ""),
                cell(contact.companyID.flatMap { companies[$0]?.name } ?? ""),
                cell([el("span", [.class("badge stage-\(contact.stage.rawValue)")], text: l.stageName(contact.stage))]),
                cell(scores[contact.id].map { NumberText.format(($0.total * 10).rounded() / 10) } ?? "—"),
                cell(contact.ownerID.flatMap { owners[$0] } ?? "—"),
            ])
        }
        let sortable: [(String, ContactSort?)] = [("", nil), (l(.name), .name), (l(.email), nil), (l(.jobTitle), nil), (l(.company), nil),
                                                  (l(.stage), nil), (l(.scoreColumn), nil), (l(.owner), nil)]
        let headers: [HTMLNode] = sortable.map { label, sort in
            guard let sort else { return el("th", [Attr("scope", "col")], text: label) }
            let next: ContactSort = query.sort == sort ? (sort == .name ? .nameDescending : .name) : sort
            let current = query.sort == .name ? "ascending" : query.sort == .nameDescending ? "descending" : "none"
            return el("th", [Attr("scope", "col"), .aria("sort", current)], [
                el("a", [.href(base.with(sort: next).path)], text: label + (current == "ascending" ? " ▲" : current == "descending" ? " ▼" : "")),
            ])
        }
        let table: HTMLNode = page.contacts.isEmpty
            ? el("p", [.class("empty"), .id("contacts-table")], text: query.isFiltered ? l(.contactsNoMatch) : l(.contactsEmpty))
            : el("div", [.class("table-wrap")], [
                el("table", [.id("contacts-table")], [
                    el("caption", [.class("visually-hidden")], text: l(.navContacts)),
                    el("thead", [], [el("tr", [], headers)]),
                    el("tbody", [], rows),
                ]),
            ])
        let mayEdit = member.user.may(.editContacts)
        return Page(title: l(.navContacts), area: .contacts, body: [
            pageHeader(l(.navContacts), subtitle: total.map { l.count($0, one: .contactsCountOne, other: .contactsCount) }, actions: [
                el("a", [.class("button-secondary"), .href(ContactListURL.exportPath(query))], text: l(.exportCSV)),
                mayEdit ? el("a", [.class("button-secondary"), .href(SiteURL.contactImport.path)], text: l(.importTitle)) : .empty,
                mayEdit ? el("a", [.class("button-primary"), .href("/contacts/new")], text: l(.contactNew)) : .empty,
            ]),
            Notice.banner(req),
            filterBar(req, query: query, definitions: definitions, users: users, companies: filteredCompanies),
            mayEdit ? bulkForm(req, query: query, users: users, total: total) : .empty,
            table,
            el("nav", [.class("pager"), .aria("label", l(.pagination))], [
                cursor == nil ? .empty : el("a", [.href(base.path)], text: l(.firstPage)),
                page.next.map { el("a", [.href(base.with(after: $0).path), Attr("rel", "next")], text: l(.nextPage)) } ?? .empty,
            ]),
        ]).response(for: req)
    }

    private func filterBar(_ req: Request, query: ContactQuery, definitions: [CustomFieldDefinition], users: [User], companies: [UUID: Company]) -> HTMLNode {
        let l = req.l
        let base = ContactListURL(query: query)
        let fields: [(String, String)] = ContactFieldLabels.filterable(l) + definitions.map { ($0.fieldName, $0.label) }
        let chipFields = fields + [("owner_id", l(.owner)), ("company_id", l(.company))]
        let chips = query.filters.enumerated().map { index, filter in
            let text = FilterBar.chipText(filter, fields: chipFields, l) { filter in
                switch filter.field {
                case "lifecycle_stage": filter.values.compactMap(LifecycleStage.init(rawValue:)).map(l.stageName).joined(separator: ", ")
                case "owner_id": filter.values.compactMap { id in users.first { $0.id.uuidString.lowercased() == id.lowercased() }?.name }.joined(separator: ", ")
                case "company_id": filter.values.compactMap { UUID(uuidString: $0).flatMap { companies[$0]?.name } }.joined(separator: ", ")
                default: nil
                }
            }
            return (text: text, remove: base.removingFilter(at: index).path)
        }
        return FilterBar.node(l, action: SiteURL.contacts.path, search: query.search, searchHint: l(.searchHint), filters: query.filters,
                              fields: fields, sort: query.sort.rawValue, chips: chips)
    }

    private func bulkForm(_ req: Request, query: ContactQuery, users: [User], total: Int?) -> HTMLNode {
        let l = req.l
        return Form.post(req, action: "/contacts/bulk", id: "bulk-form", attributes: [.class("inline-form bulk")], [
            void("input", [.type("hidden"), .name("query"), .value(ContactListURL(query: query).queryString)]),
            el("div", [.class("field")], [
                el("label", [Attr("for", "bulk-action")], text: l(.bulkAction)),
                el("select", [.id("bulk-action"), .name("action")], [
                    el("option", [.value("assign_owner")], text: l(.bulkAssignOwner)),
                    el("option", [.value("add_to_list")], text: l(.bulkAddToList)),
                    el("option", [.value("delete")], text: l(.bulkDelete)),
                ]),
            ]),
            el("div", [.class("field")], [
                el("label", [Attr("for", "bulk-owner")], text: l(.owner)),
                el("select", [.id("bulk-owner"), .name("owner_id")], [el("option", [.value("none")], text: l(.nobody))]
                    + users.filter(\.isActive).map { el("option", [.value($0.id.uuidString.lowercased())], text: $0.name) }),
            ]),
            el("div", [.class("field")], [
                el("label", [Attr("for", "bulk-list")], text: l(.listName)),
                void("input", [.id("bulk-list"), .name("list"), .type("text"), Attr("maxlength", "80")]),
            ]),
            el("label", [.class("checkbox")], [
                void("input", [.type("checkbox"), .name("all"), .value("yes"), .id("bulk-all")]),
                text(" " + l(.bulkAllResults, total.map(l.number) ?? "…")),
            ]),
            Form.submit(l(.apply), style: "button-secondary", attributes: [.id("bulk-submit")]),
        ])
    }

    func bulk(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.editContacts)
        let form = try await FormData.read(req)
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        var ids = form.values("ids").compactMap(UUID.init(uuidString:))
        if form.value("all") == "yes" {
            let items = URLComponents(string: "?" + (form.value("query") ?? ""))?.queryItems?.map { ($0.name, $0.value ?? "") } ?? []
            let query = try ContactQuery.parse(items, customFields: definitions)
            ids = try await ContactSearch(req.db, workspaceID: member.workspaceID, now: req.now).ids(query, definitions: definitions, limit: 100_000)
        }
        guard !ids.isEmpty else { throw ValidationFailure("ids", .required) }
        ids = try await member.editableIDs(ids, on: req.db)
        let writer = ContactWriter(req.db, workspaceID: member.workspaceID)
        let count: Int
        switch form.value("action") {
        case "assign_owner":
            let owner = form.value("owner_id").flatMap { $0 == "none" ? nil : UUID(uuidString: $0) }
            count = try await writer.assignOwner(ids, to: owner, by: member.actor, now: req.now)
        case "add_to_list":
            var checker = FieldChecker()
            let name = checker.text("list", form.value("list"), maximum: 80)
            try checker.throwIfAny()
            count = try await ContactLists(req.db, workspaceID: member.workspaceID).add(ids, toListNamed: name ?? "", by: member.actor, now: req.now)
        case "delete":
            count = try await writer.delete(ids, by: member.actor, now: req.now)
        default:
            throw ValidationFailure("action", .notInList)
        }
        req.logger.info("bulk action", metadata: ["action": .string(form.value("action") ?? ""), "count": .stringConvertible(count)])
        return req.redirect(to: SiteURL.contacts.path + "?" + (form.value("query") ?? "") + "&notice=bulk_done", redirectType: .normal)
    }

    // MARK: Profile

    func show(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let l = req.l
        let contact = try await findContact(req, member)
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let company = try await contact.companyID.asyncFlatMap { try await CompanyRepository(req.db, workspaceID: member.workspaceID).find($0) }
        let owner = try await contact.ownerID.asyncFlatMap { try await UserRepository(req.db, workspaceID: member.workspaceID).find($0) }
        let zone = member.workspace.settings.timeZone
        let timelineCursor = req.query[String.self, at: "timeline_after"].flatMap(PageCursor.init(token:))
        let salesScope = try await member.salesScope(on: req.db)
        let seesDeals = salesScope == .everyone || salesScope.includes(contact.ownerID)
        let sources = try await TimelineView.read(req.db, workspaceID: member.workspaceID, contactID: contact.id, limit: 25, after: timelineCursor,
                                                  includeDeals: seesDeals)
        let mayEdit = try await mayEdit(contact, member: member, req: req)
        let keeper = ScoreKeeper(req.db, workspaceID: member.workspaceID)
        let definition = try await keeper.activeDefinition()
        let score = try await keeper.score(of: contact.id, definition: definition, now: req.now)
        let stages = try await StageChanges(req.db, workspaceID: member.workspaceID).history(of: contact.id, limit: 20)
        let allFields = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list()
        let qualifications = try await SQLQualifications(req.db, workspaceID: member.workspaceID).history(of: contact.id, limit: 1)
        let mayWork = try await member.mayWork(contact, on: req.db)
        let mayQualify = definition != nil ? mayWork : false
        let tasks = try await SalesTasks(req.db, workspaceID: member.workspaceID).forContact(contact.id)
        let deals = try await Deals(req.db, workspaceID: member.workspaceID).forContact(contact.id).filter { salesScope.includes($0.ownerID) }
        let people = try await UserRepository(req.db, workspaceID: member.workspaceID).list()
        let assignees = mayWork ? try await member.assignableUsers(on: req.db) : []
        let handoff = try await Handoffs(req.db, workspaceID: member.workspaceID).latest(of: contact.id)
        let handoffOwner = try await handoff?.ownerID.asyncFlatMap { try await UserRepository(req.db, workspaceID: member.workspaceID).find($0) }
        let mayMove = try await member.mayMoveStage(contact, on: req.db)

        var facts: [(String, HTMLNode)] = [
            (l(.email), text(contact.email?.value ?? "—")),
            (l(.phone), text(contact.phone ?? "—")),
            (l(.jobTitle), text(contact.jobTitle ?? "—")),
            (l(.seniority), text(contact.seniority ?? "—")),
            (l(.company), company.map { el("a", [.href(SiteURL.company($0.id).path)], text: $0.name) } ?? text("—")),
            (l(.country), text(contact.country ?? "—")),
            (l(.ageOrBirthDate), text(contact.birthDate ?? contact.age.map(String.init) ?? "—")),
            (l(.firstTouch), text([contact.source, contact.campaign].compactMap { $0 }.joined(separator: " · ").nonEmpty ?? "—")),
            (l(.lastTouch), text([contact.lastSource, contact.lastCampaign].compactMap { $0 }.joined(separator: " · ").nonEmpty ?? "—")),
            (l(.stage), el("span", [.class("badge stage-\(contact.stage.rawValue)")], text: l.stageName(contact.stage))),
            (l(.owner), text(owner?.name ?? "—")),
            (l(.createdAt), text(l.dateTime(contact.createdAt, timeZone: zone))),
        ]
        facts += definitions.map { ($0.label, text(contact.custom[$0.key].map { Self.shown($0, l) } ?? "—")) }
        let (items, more) = TimelineView.merged(sources.changes, sources.events, sources.activities, sources.sales, limit: 25)
        var points: [String: [ScoreEntry]] = [:]
        for entry in score?.ledger ?? [] {
            if case .event(let id, _) = entry.cause { points[id, default: []].append(entry) }
        }
        let timeline = TimelineView.list(items, points: points, labels: { ContactFieldLabels.label($0, definitions: definitions, l) }, zone: zone, l)
        let nextTimeline = more ? items.last : nil
        return Page(title: contact.displayName, area: .contacts, body: [
            pageHeader(contact.displayName, subtitle: [contact.jobTitle, company?.name].compactMap { $0 }.joined(separator: " · "), actions: [
                link(l(.backToContacts), .contacts),
                mayEdit ? el("a", [.class("button-secondary"), .href("/contacts/\(contact.id.uuidString.lowercased())/merge")], text: l(.merge)) : .empty,
                mayEdit ? el("a", [.class("button-primary"), .href("/contacts/\(contact.id.uuidString.lowercased())/edit")], text: l(.edit)) : .empty,
            ]),
            Notice.banner(req),
            el("div", [.class("columns")], [
                el("section", [.class("panel")], [el("h2", [], text: l(.profile)), el("dl", [.class("facts")], facts.flatMap { [el("dt", [], text: $0.0), el("dd", [], [$0.1])] })]),
                el("section", [.class("panel")], [
                    el("h2", [], text: l(.timeline)),
                    timeline,
                    nextTimeline.map { el("a", [.id("older-timeline"), .href(SiteURL.contact(contact.id).path + "?timeline_after=" + $0.cursor.token)],
                                          text: l(.olderChanges)) } ?? .empty,
                ]),
            ]),
            SalesPages.panel(req, member: member, contact: contact, mayWork: mayWork, tasks: tasks, deals: deals,
                             users: Dictionary(uniqueKeysWithValues: people.map { ($0.id, $0.name) }), assignees: assignees),
            ScoreView.panel(score: score, definition: definition, labels: ScoringFieldLabels(customFields: allFields, l), zone: zone, l),
            HandoffPages.lifecyclePanel(req, contact: contact, handoff: handoff, ownerName: handoffOwner?.name, mayMove: mayMove, zone: zone),
            QualificationPages.panel(qualifications, contact: contact, mayQualify: mayQualify, zone: zone, l),
            ScoreView.stageHistory(stages, zone: zone, l),
            mayEdit ? el("section", [.class("panel danger-zone")], [
                Form.post(req, action: "/contacts/\(contact.id.uuidString.lowercased())/delete", id: "contact-delete-form",
                          attributes: [.data("confirm", l(.contactDeleteConfirm))], [Form.submit(l(.contactDelete), style: "button-danger")]),
            ]) : .empty,
        ]).response(for: req)
    }

    // MARK: Create, edit, delete

    func newForm(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.editContacts)
        let state = FormState(values: ["lifecycle_stage": LifecycleStage.lead.rawValue,
                                       "owner_email": RecordAccess.forcedOwner(.editContacts, user: member.user) != nil ? member.user.email.value : ""])
        return try await formPage(req, member: member, contact: nil, state: state).response(for: req)
    }

    func create(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.editContacts)
        return try await save(req, member: member, contact: nil)
    }

    func editForm(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let contact = try await findContact(req, member)
        guard try await mayEdit(contact, member: member, req: req) else { throw Abort(.forbidden) }
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let company = try await contact.companyID.asyncFlatMap { try await CompanyRepository(req.db, workspaceID: member.workspaceID).find($0) }
        let owner = try await contact.ownerID.asyncFlatMap { try await UserRepository(req.db, workspaceID: member.workspaceID).find($0) }
        var values = ContactInput(contact: contact, companyName: company?.name, companyDomain: company?.domain, ownerEmail: owner?.email).fields()
        for definition in definitions where values["cf_\(definition.key)"] == nil { values["cf_\(definition.key)"] = "" }
        return try await formPage(req, member: member, contact: contact, state: FormState(values: values)).response(for: req)
    }

    func update(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let contact = try await findContact(req, member)
        guard try await mayEdit(contact, member: member, req: req) else { throw Abort(.forbidden) }
        return try await save(req, member: member, contact: contact)
    }

    private func save(_ req: Request, member: Member, contact: Contact?) async throws -> Response {
        let form = try await FormData.read(req)
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let fields = CustomFieldInputs.read(form, builtIn: ContactFields.builtIn, definitions: definitions)
        let keep = FormState(values: fields)
        func refused(_ errors: [FieldError]) async throws -> Response {
            var page = try await formPage(req, member: member, contact: contact, state: FormState(values: keep.values, errors: errors))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        let input: ContactInput
        switch ContactInput.check(fields, customFields: definitions) {
        case .success(let checked): input = checked
        case .failure(let failure): return try await refused(failure.errors)
        }
        if let error = try await ownerError(input, member: member, req: req) { return try await refused([error]) }
        do {
            guard let (saved, outcome) = try await ContactWriter(req.db, workspaceID: member.workspaceID)
                .save(input, id: contact?.id, mode: .replace, definitions: definitions, by: member.actor, now: req.now)
            else { throw Abort(.notFound) }
            let notice = contact == nil && outcome == .updated ? "existing_updated" : (contact == nil ? "created" : "saved")
            return req.redirect(to: SiteURL.contact(saved.id).path + "?notice=" + notice, redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await refused(failure.errors)
        }
    }

    /// A rep may only give a contact to themselves; a manager to someone of their team.
    private func ownerError(_ input: ContactInput, member: Member, req: Request) async throws -> FieldError? {
        switch AccessPolicy.reach(of: member.user.roles, for: .editContacts) {
        case .all, nil: return nil
        case .own: return input.ownerEmail == member.user.email ? nil : FieldError("owner_email", .notInList)
        case .team:
            let mates = try await TeamRepository(req.db, workspaceID: member.workspaceID).teamMateIDs(of: member.user.id)
            let users = try await UserRepository(req.db, workspaceID: member.workspaceID).list()
            let allowed = Set(users.filter { mates.contains($0.id) }.map(\.email))
            return input.ownerEmail.map(allowed.contains) == true ? nil : FieldError("owner_email", .notInList)
        }
    }

    func delete(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let contact = try await findContact(req, member)
        guard try await mayEdit(contact, member: member, req: req) else { throw Abort(.forbidden) }
        _ = try await ContactWriter(req.db, workspaceID: member.workspaceID).delete([contact.id], by: member.actor, now: req.now)
        return req.redirect(to: SiteURL.contacts.path + "?notice=deleted", redirectType: .normal)
    }

    private func formPage(_ req: Request, member: Member, contact: Contact?, state: FormState) async throws -> Page {
        let l = req.l
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let users = try await UserRepository(req.db, workspaceID: member.workspaceID).list().filter(\.isActive)
        let title = contact == nil ? l(.contactNew) : l(.contactEdit, contact?.displayName ?? "")
        let action = contact.map { SiteURL.contact($0.id).path } ?? SiteURL.contacts.path
        let customInputs = CustomFieldInputs.nodes(definitions, state: state, l)
        return Page(title: title, area: .contacts, body: [
            pageHeader(title, actions: [link(l(.backToContacts), .contacts)]),
            Form.post(req, action: action, id: "contact-form", attributes: [.class("grid-form")], [
                el("section", [.class("panel")], [
                    el("h2", [], text: l(.profile)),
                    Form.field(l, label: l(.firstName), name: "first_name", state: state, maxLength: 100, autocomplete: "off"),
                    Form.field(l, label: l(.lastName), name: "last_name", state: state, maxLength: 100, autocomplete: "off"),
                    Form.field(l, label: l(.email), name: "email", type: "email", state: state, maxLength: EmailAddress.maximumLength, autocomplete: "off"),
                    Form.field(l, label: l(.phone), name: "phone", type: "tel", state: state, maxLength: 40),
                    Form.field(l, label: l(.jobTitle), name: "job_title", state: state, maxLength: 150),
                    Form.field(l, label: l(.seniority), name: "seniority", state: state, maxLength: 100),
                    Form.field(l, label: l(.birthDate), name: "birth_date", type: "date", state: state),
                    Form.field(l, label: l(.age), name: "age", type: "number", state: state, extra: [Attr("min", "0"), Attr("max", "130")]),
                    Form.field(l, label: l(.country), name: "country", state: state, maxLength: 40, hint: l(.countryHint)),
                ]),
                el("section", [.class("panel")], [
                    el("h2", [], text: l(.companyAndOwner)),
                    Form.field(l, label: l(.company), name: "company", state: state, maxLength: 200),
                    Form.field(l, label: l(.domain), name: "company_domain", state: state, maxLength: 253, hint: l(.domainHint)),
                    Form.select(l, label: l(.owner), name: "owner_email", options: [("", l(.nobody))] + users.map { ($0.email.value, $0.name) },
                                state: state, required: false),
                    Form.select(l, label: l(.stage), name: "lifecycle_stage", options: LifecycleStage.allCases.map { ($0.rawValue, l.stageName($0)) },
                                state: state, required: false),
                    Form.field(l, label: l(.firstTouchSource), name: "source", state: state, maxLength: 100),
                    Form.field(l, label: l(.firstTouchCampaign), name: "campaign", state: state, maxLength: 100),
                    Form.field(l, label: l(.lastTouchSource), name: "last_source", state: state, maxLength: 100),
                    Form.field(l, label: l(.lastTouchCampaign), name: "last_campaign", state: state, maxLength: 100),
                ]),
                customInputs.isEmpty ? .empty : el("section", [.class("panel")], [el("h2", [], text: l(.customFields))] + customInputs),
                Form.summary(l, state: state, shown: ContactFields.builtIn + definitions.map { "cf_\($0.key)" }),
                el("div", [.class("form-actions")], [Form.submit(l(.save))]),
            ]),
        ])
    }

    // MARK: Merge

    func mergeForm(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let contact = try await findContact(req, member)
        guard try await mayEdit(contact, member: member, req: req) else { throw Abort(.forbidden) }
        return try await mergePage(req, member: member, contact: contact, error: nil).response(for: req)
    }

    func merge(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let contact = try await findContact(req, member)
        guard try await mayEdit(contact, member: member, req: req) else { throw Abort(.forbidden) }
        let form = try await FormData.read(req)
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let repository = ContactRepository(req.db, workspaceID: member.workspaceID)
        var other: Contact?
        if let raw = form.value("other"), !raw.trimmingBlanks.isEmpty {
            if let id = UUID(uuidString: raw.trimmingBlanks) { other = try await repository.find(id) }
            else if let email = EmailAddress(raw) { other = try await repository.find(email: email) }
        }
        guard let other, other.id != contact.id, try await mayEdit(other, member: member, req: req) else {
            var page = try await mergePage(req, member: member, contact: contact, error: FieldError("other", .notInList))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        guard let survivor = try await ContactWriter(req.db, workspaceID: member.workspaceID)
            .merge(survivorID: contact.id, otherID: other.id, definitions: definitions, by: member.actor, now: req.now)
        else { throw Abort(.notFound) }
        return req.redirect(to: SiteURL.contact(survivor.id).path + "?notice=merged", redirectType: .normal)
    }

    private func mergePage(_ req: Request, member: Member, contact: Contact, error: FieldError?) async throws -> Page {
        let l = req.l
        let state = FormState(errors: error.map { [$0] } ?? [])
        return Page(title: l(.mergeTitle), area: .contacts, body: [
            pageHeader(l(.mergeTitle), subtitle: l(.mergeIntro, contact.displayName), actions: [link(l(.backToContact), .contact(contact.id))]),
            el("section", [.class("panel")], [
                Form.post(req, action: "/contacts/\(contact.id.uuidString.lowercased())/merge", id: "merge-form",
                          attributes: [.data("confirm", l(.mergeConfirm))], [
                    Form.field(l, label: l(.mergeOther), name: "other", state: state, required: true, hint: l(.mergeOtherHint)),
                    Form.submit(l(.merge)),
                ]),
            ]),
        ])
    }

    // MARK: Shared

    private func findContact(_ req: Request, _ member: Member) async throws -> Contact {
        guard let id = req.parameters.get("contactID", as: UUID.self),
              var contact = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(id)
        else { throw Abort(.notFound) }
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        contact.custom = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).values(of: [id], definitions: definitions)[id] ?? [:]
        return contact
    }

    private func mayEdit(_ contact: Contact, member: Member, req: Request) async throws -> Bool {
        try await member.mayEdit(contact, on: req.db)
    }
}

extension ContactPages {
    /// A custom value as a person reads it (yes or no, not true or false).
    static func shown(_ value: CustomFieldValue, _ l: Localizer) -> String {
        if case .boolean(let flag) = value { return flag ? l(.yes) : l(.no) }
        return value.storageText
    }

    /// A timeline line: the new value for a creation, "before → after" for a change.
    static func shownChange(_ field: String, before: String?, after: String?, _ l: Localizer) -> String {
        func word(_ text: String?) -> String? {
            guard let text else { return nil }
            if field == "lifecycle_stage", let stage = LifecycleStage(rawValue: text) { return l.stageName(stage) }
            if text == "true" { return l(.yes) }
            if text == "false" { return l(.no) }
            return text
        }
        guard let old = word(before) else { return word(after) ?? "—" }
        return "\(old) → \(word(after) ?? "—")"
    }
}

extension Contact {
    /// The name to show, falling back to the email, then to a short id.
    var displayName: String {
        let name = fullName
        if !name.isEmpty { return name }
        return email?.value ?? "#" + id.uuidString.prefix(8).lowercased()
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
