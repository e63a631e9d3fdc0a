import SmarketingCore
import SmarketingStore
import Vapor

/// Companies as people work with them: a list with search, filters on any company field, sort
/// and keyset pages; a profile with its contacts and timeline; forms to create, edit and delete.
struct CompanyPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("companies", use: list)
        routes.get("companies", "new", use: newForm)
        routes.post("companies", use: create)
        routes.get("companies", "export.csv") { req in try await CompanyExport.response(req, member: try req.requireMember()) }
        routes.get("companies", ":companyID", use: show)
        routes.get("companies", ":companyID", "edit", use: editForm)
        routes.post("companies", ":companyID", use: update)
        routes.post("companies", ":companyID", "delete", use: delete)
    }

    static let pageSize = 50

    // MARK: List

    func list(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let l = req.l
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.company)
        let query: CompanyQuery
        do {
            query = try CompanyQuery.parse(ContactListURL.items(of: req), customFields: definitions)
        } catch {
            return req.redirect(to: SiteURL.companies.path + "?notice=bad_filter")
        }
        let cursor = req.query[String.self, at: "after"].flatMap(CompanyCursor.init(token:))
        let search = CompanySearch(req.db, workspaceID: member.workspaceID)
        let page = try await search.page(query, limit: Self.pageSize, after: cursor, definitions: definitions)
        let total = cursor == nil ? try await search.count(query, definitions: definitions) : nil
        let counts = try await CompanyRepository(req.db, workspaceID: member.workspaceID).contactCounts(of: page.companies.map(\.id))
        let base = CompanyListURL(query: query)

        let rows: [HTMLNode] = page.companies.map { company in
            el("tr", [.data("company", company.id.uuidString.lowercased())], [
                cell([el("a", [.href(SiteURL.company(company.id).path)], text: company.name)]),
                cell(company.domain ?? ""),
                cell(company.industry ?? ""),
                cell(company.employeeCount.map(l.number) ?? ""),
                cell(company.country ?? ""),
                cell(l.number(counts[company.id] ?? 0)),
            ])
        }
        let columns: [(String, CompanySort?)] = [(l(.name), .name), (l(.domain), nil), (l(.industry), nil), (l(.employees), nil),
                                                 (l(.country), nil), (l(.navContacts), nil)]
        let headers: [HTMLNode] = columns.map { label, sort in
            guard let sort else { return el("th", [Attr("scope", "col")], text: label) }
            let next: CompanySort = query.sort == sort ? .nameDescending : sort
            let current = query.sort == .name ? "ascending" : query.sort == .nameDescending ? "descending" : "none"
            return el("th", [Attr("scope", "col"), .aria("sort", current)], [
                el("a", [.href(base.with(sort: next).path)], text: label + (current == "ascending" ? " ▲" : current == "descending" ? " ▼" : "")),
            ])
        }
        let table: HTMLNode = page.companies.isEmpty
            ? el("p", [.class("empty"), .id("companies-table")], text: query.isFiltered ? l(.companiesNoMatch) : l(.companiesEmpty))
            : el("div", [.class("table-wrap")], [
                el("table", [.id("companies-table")], [
                    el("caption", [.class("visually-hidden")], text: l(.navCompanies)),
                    el("thead", [], [el("tr", [], headers)]),
                    el("tbody", [], rows),
                ]),
            ])
        let fields = CompanyFieldLabels.filterable(l) + definitions.map { ($0.fieldName, $0.label) }
        let chips = query.filters.enumerated().map { index, filter in
            (text: FilterBar.chipText(filter, fields: fields, l), remove: base.removingFilter(at: index).path)
        }
        let mayEdit = AccessPolicy.mayEditCompanies(member.user.roles)
        return Page(title: l(.navCompanies), area: .companies, body: [
            pageHeader(l(.navCompanies), subtitle: total.map { l.count($0, one: .companiesCountOne, other: .companiesCount) }, actions: [
                el("a", [.class("button-secondary"), .href(base.exportPath)], text: l(.exportCSV)),
                mayEdit ? el("a", [.class("button-primary"), .href("/companies/new")], text: l(.companyNew)) : .empty,
            ]),
            Notice.banner(req),
            FilterBar.node(l, action: SiteURL.companies.path, search: query.search, searchHint: l(.companySearchHint), filters: query.filters,
                           fields: fields, sort: query.sort.rawValue, chips: chips),
            table,
            el("nav", [.class("pager"), .aria("label", l(.pagination))], [
                cursor == nil ? .empty : el("a", [.href(base.path)], text: l(.firstPage)),
                page.next.map { el("a", [.href(base.with(after: $0).path), Attr("rel", "next")], text: l(.nextPage)) } ?? .empty,
            ]),
        ]).response(for: req)
    }

    // MARK: Profile

    func show(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let l = req.l
        let (company, definitions) = try await findCompany(req, member)
        let zone = member.workspace.settings.timeZone
        let contactQuery = ContactQuery(filters: [FieldFilter(field: "company_id", operation: .equals, values: [company.id.uuidString.lowercased()])],
                                        sort: .name)
        let contactDefinitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let search = ContactSearch(req.db, workspaceID: member.workspaceID)
        let contacts = try await search.page(contactQuery, limit: 25, after: nil, definitions: contactDefinitions)
        let contactTotal = try await search.count(contactQuery, definitions: contactDefinitions)
        let timelineCursor = req.query[String.self, at: "timeline_after"].flatMap(PageCursor.init(token:))
        let changes = try await RecordChanges(req.db, workspaceID: member.workspaceID).timeline(of: company.id, limit: 26, after: timelineCursor)
        let mayEdit = AccessPolicy.mayEditCompanies(member.user.roles)
        let keeper = ScoreKeeper(req.db, workspaceID: member.workspaceID)
        let rollUp = try await keeper.companyScore(of: company.id, definition: try await keeper.activeDefinition(), now: req.now)

        var facts: [(String, HTMLNode)] = [
            (l(.domain), company.domain.map { el("a", [.href("https://" + $0), Attr("rel", "noopener noreferrer")], text: $0) } ?? text("—")),
            (l(.industry), text(company.industry ?? "—")),
            (l(.employees), text(company.employeeCount.map(l.number) ?? "—")),
            (l(.revenueBand), text(company.revenueBand ?? "—")),
            (l(.country), text(company.country ?? "—")),
            (l(.createdAt), text(l.dateTime(company.createdAt, timeZone: zone))),
        ]
        if let rollUp, let best = rollUp.maximum {
            func points(_ value: Double) -> String { NumberText.format((value * 10).rounded() / 10) }
            facts.append((l(.companyScore), el("span", [.id("company-score")],
                                                  text: l(.companyScoreText, points(best), l.number(rollUp.contacts), points(rollUp.sum)))))
        }
        facts += definitions.map { ($0.label, text(company.custom[$0.key].map { ContactPages.shown($0, l) } ?? "—")) }
        let contactRows: [HTMLNode] = contacts.contacts.map { contact in
            el("tr", [.data("contact", contact.id.uuidString.lowercased())], [
                cell([el("a", [.href(SiteURL.contact(contact.id).path)], text: contact.displayName)]),
                cell(contact.jobTitle ?? ""),
                cell(contact.email?.value ?? ""),
                cell([el("span", [.class("badge stage-\(contact.stage.rawValue)")], text: l.stageName(contact.stage))]),
            ])
        }
        let allContacts = ContactListURL(query: contactQuery).path
        let timeline = TimelineView.list(changes.prefix(25), labels: { CompanyFieldLabels.label($0, definitions: definitions, l) }, zone: zone, l)
        let nextTimeline = changes.count > 25 ? changes[24] : nil
        return Page(title: company.name, area: .companies, body: [
            pageHeader(company.name, subtitle: [company.industry, company.domain].compactMap { $0 }.joined(separator: " · "), actions: [
                link(l(.backToCompanies), .companies),
                mayEdit ? el("a", [.class("button-primary"), .href("/companies/\(company.id.uuidString.lowercased())/edit")], text: l(.edit)) : .empty,
            ]),
            Notice.banner(req),
            el("div", [.class("columns")], [
                el("section", [.class("panel")], [el("h2", [], text: l(.companyDetails)), el("dl", [.class("facts")], facts.flatMap { [el("dt", [], text: $0.0), el("dd", [], [$0.1])] })]),
                el("section", [.class("panel")], [
                    el("h2", [], text: l(.timeline)),
                    timeline,
                    nextTimeline.map { el("a", [.href(SiteURL.company(company.id).path + "?timeline_after=" + PageCursor(date: $0.at, id: $0.id).token)], text: l(.olderChanges)) } ?? .empty,
                ]),
            ]),
            el("section", [.class("panel"), .id("company-contacts")], [
                el("h2", [], text: l(.companyContacts) + " (" + l.number(contactTotal) + ")"),
                contactRows.isEmpty ? el("p", [.class("empty")], text: l(.companyContactsEmpty)) : el("div", [.class("table-wrap")], [
                    el("table", [], [
                        el("caption", [.class("visually-hidden")], text: l(.companyContacts)),
                        el("thead", [], [el("tr", [], [l(.name), l(.jobTitle), l(.email), l(.stage)].map { el("th", [Attr("scope", "col")], text: $0) })]),
                        el("tbody", [], contactRows),
                    ]),
                ]),
                contactTotal > 0 ? el("a", [.href(allContacts)], text: l(.companyContactsAll, l.number(contactTotal))) : .empty,
            ]),
            mayEdit ? el("section", [.class("panel danger-zone")], [
                Form.post(req, action: "/companies/\(company.id.uuidString.lowercased())/delete", id: "company-delete-form",
                          attributes: [.data("confirm", l(.companyDeleteConfirm))], [Form.submit(l(.companyDelete), style: "button-danger")]),
            ]) : .empty,
        ]).response(for: req)
    }

    // MARK: Create, edit, delete

    func newForm(req: Request) async throws -> Response {
        let member = try requireEditor(req)
        return try await formPage(req, member: member, company: nil, state: FormState()).response(for: req)
    }

    func create(req: Request) async throws -> Response {
        let member = try requireEditor(req)
        return try await save(req, member: member, company: nil)
    }

    func editForm(req: Request) async throws -> Response {
        let member = try requireEditor(req)
        let (company, definitions) = try await findCompany(req, member)
        var values = CompanyInput(company: company).fields()
        for definition in definitions where values[definition.fieldName] == nil { values[definition.fieldName] = "" }
        return try await formPage(req, member: member, company: company, state: FormState(values: values)).response(for: req)
    }

    func update(req: Request) async throws -> Response {
        let member = try requireEditor(req)
        let (company, _) = try await findCompany(req, member)
        return try await save(req, member: member, company: company)
    }

    func delete(req: Request) async throws -> Response {
        let member = try requireEditor(req)
        let (company, _) = try await findCompany(req, member)
        _ = try await CompanyWriter(req.db, workspaceID: member.workspaceID).delete([company.id], by: member.actor, now: req.now)
        return req.redirect(to: SiteURL.companies.path + "?notice=deleted", redirectType: .normal)
    }

    private func save(_ req: Request, member: Member, company: Company?) async throws -> Response {
        let form = try await FormData.read(req)
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.company)
        let fields = CustomFieldInputs.read(form, builtIn: CompanyFields.builtIn, definitions: definitions)
        func refused(_ errors: [FieldError]) async throws -> Response {
            var page = try await formPage(req, member: member, company: company, state: FormState(values: fields, errors: errors))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        let input: CompanyInput
        switch CompanyInput.check(fields, customFields: definitions) {
        case .success(let checked): input = checked
        case .failure(let failure): return try await refused(failure.errors)
        }
        do {
            guard let (saved, outcome) = try await CompanyWriter(req.db, workspaceID: member.workspaceID)
                .save(input, id: company?.id, mode: .replace, definitions: definitions, by: member.actor, now: req.now)
            else { throw Abort(.notFound) }
            let notice = company == nil && outcome == .updated ? "existing_company_updated" : (company == nil ? "created" : "saved")
            return req.redirect(to: SiteURL.company(saved.id).path + "?notice=" + notice, redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await refused(failure.errors)
        }
    }

    private func formPage(_ req: Request, member: Member, company: Company?, state: FormState) async throws -> Page {
        let l = req.l
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.company)
        let title = company.map { l(.companyEdit, $0.name) } ?? l(.companyNew)
        let action = company.map { SiteURL.company($0.id).path } ?? SiteURL.companies.path
        let customInputs = CustomFieldInputs.nodes(definitions, state: state, l)
        return Page(title: title, area: .companies, body: [
            pageHeader(title, actions: [company.map { link(l(.backToCompanies), .company($0.id)) } ?? link(l(.backToCompanies), .companies)]),
            Form.post(req, action: action, id: "company-form", attributes: [.class("grid-form")], [
                el("section", [.class("panel")], [
                    el("h2", [], text: l(.companyDetails)),
                    Form.field(l, label: l(.name), name: "name", state: state, required: true, maxLength: CompanyFields.nameMaximumLength, autocomplete: "off"),
                    Form.field(l, label: l(.domain), name: "domain", state: state, maxLength: 253, hint: l(.domainHint)),
                    Form.field(l, label: l(.industry), name: "industry", state: state, maxLength: CompanyFields.labelMaximumLength),
                    Form.field(l, label: l(.employees), name: "employee_count", type: "number", state: state, extra: [Attr("min", "0")]),
                    Form.field(l, label: l(.revenueBand), name: "revenue_band", state: state, maxLength: CompanyFields.labelMaximumLength),
                    Form.field(l, label: l(.country), name: "country", state: state, maxLength: 40, hint: l(.countryHint)),
                ]),
                customInputs.isEmpty ? .empty : el("section", [.class("panel")], [el("h2", [], text: l(.customFields))] + customInputs),
                Form.summary(l, state: state, shown: CompanyFields.builtIn + definitions.map(\.fieldName)),
                el("div", [.class("form-actions")], [Form.submit(l(.save))]),
            ]),
        ])
    }

    // MARK: Shared

    private func requireEditor(_ req: Request) throws -> Member {
        let member = try req.requireMember()
        guard AccessPolicy.mayEditCompanies(member.user.roles) else { throw Abort(.forbidden) }
        return member
    }

    private func findCompany(_ req: Request, _ member: Member) async throws -> (Company, [CustomFieldDefinition]) {
        guard let id = req.parameters.get("companyID", as: UUID.self),
              var company = try await CompanyRepository(req.db, workspaceID: member.workspaceID).find(id)
        else { throw Abort(.notFound) }
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.company)
        company.custom = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).values(of: [id], definitions: definitions)[id] ?? [:]
        return (company, definitions)
    }
}

/// The link of a company list: its query in the URL.
struct CompanyListURL {
    var query: CompanyQuery
    var after: CompanyCursor?

    var queryString: String {
        var components = URLComponents()
        var items = query.items.map { URLQueryItem(name: $0.0, value: $0.1) }
        if let after { items.append(URLQueryItem(name: "after", value: after.token)) }
        components.queryItems = items
        return components.percentEncodedQuery ?? ""
    }

    var path: String { SiteURL.companies.path + (queryString.isEmpty ? "" : "?" + queryString) }

    var exportPath: String {
        let query = CompanyListURL(query: query).queryString
        return "/companies/export.csv" + (query.isEmpty ? "" : "?" + query)
    }

    func with(sort: CompanySort) -> CompanyListURL {
        var copy = CompanyListURL(query: query)
        copy.query.sort = sort
        return copy
    }

    func with(after cursor: CompanyCursor) -> CompanyListURL { CompanyListURL(query: query, after: cursor) }

    func removingFilter(at index: Int) -> CompanyListURL {
        var copy = CompanyListURL(query: query)
        copy.query.filters.remove(at: index)
        return copy
    }
}

/// Words for company fields.
enum CompanyFieldLabels {
    static func filterable(_ l: Localizer) -> [(String, String)] {
        [("name", l(.name)), ("domain", l(.domain)), ("employee_count", l(.employees)), ("industry", l(.industry)),
         ("revenue_band", l(.revenueBand)), ("country", l(.country))]
    }

    static func label(_ field: String, definitions: [CustomFieldDefinition], _ l: Localizer) -> String {
        if let definition = definitions.first(where: { $0.fieldName == field }) { return definition.label }
        return filterable(l).first { $0.0 == field }?.1 ?? field
    }
}
