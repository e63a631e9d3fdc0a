import SmarketingCore
import SmarketingStore
import Vapor

/// The shared database of leads as people read it: contact and company lists and profiles.
struct DirectoryPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("contacts", use: listContacts)
        routes.get("contacts", ":contactID", use: showContact)
        routes.get("companies", use: listCompanies)
        routes.get("companies", ":companyID", use: showCompany)
    }

    static let pageSize = 50

    func listContacts(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let l = req.l
        let cursor = req.query[String.self, at: "after"].flatMap(PageCursor.init(token:))
        let repository = ContactRepository(req.db, workspaceID: member.workspaceID)
        let contacts = try await repository.page(limit: Self.pageSize + 1, after: cursor)
        let shown = Array(contacts.prefix(Self.pageSize))
        let companies = try await CompanyRepository(req.db, workspaceID: member.workspaceID).find(ids: shown.compactMap(\.companyID))
        let owners = Dictionary(uniqueKeysWithValues: try await UserRepository(req.db, workspaceID: member.workspaceID).list().map { ($0.id, $0.name) })
        let total = try await repository.count()
        let rows: [HTMLNode] = shown.map { contact in
            el("tr", [.data("contact", contact.id.uuidString.lowercased())], [
                cell([el("a", [.href(SiteURL.contact(contact.id).path)], text: contact.fullName.isEmpty ? (contact.email?.value ?? "—") : contact.fullName)]),
                cell(contact.email?.value ?? ""),
                cell(contact.jobTitle ?? ""),
                cell(contact.companyID.flatMap { companies[$0]?.name } ?? ""),
                cell([el("span", [.class("badge stage-\(contact.stage.rawValue)")], text: l.stageName(contact.stage))]),
                cell(contact.ownerID.flatMap { owners[$0] } ?? "—"),
            ])
        }
        let next = contacts.count > Self.pageSize ? shown.last.map { PageCursor(date: $0.createdAt, id: $0.id) } : nil
        return Page(title: l(.navContacts), area: .contacts, body: [
            pageHeader(l(.navContacts), subtitle: l(.contactsCount, l.number(total))),
            dataTable(id: "contacts-table", caption: l(.navContacts),
                      headers: [l(.name), l(.email), l(.jobTitle), l(.company), l(.stage), l(.owner)], rows: rows, empty: l(.contactsEmpty)),
            pager(next: next.map { SiteURL.contacts.path + "?after=" + $0.token }, first: cursor == nil ? nil : SiteURL.contacts.path, l),
        ]).response(for: req)
    }

    func showContact(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let l = req.l
        guard let id = req.parameters.get("contactID", as: UUID.self),
              let contact = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(id)
        else { throw Abort(.notFound) }
        let company = try await contact.companyID.asyncFlatMap { try await CompanyRepository(req.db, workspaceID: member.workspaceID).find($0) }
        let owner = try await contact.ownerID.asyncFlatMap { try await UserRepository(req.db, workspaceID: member.workspaceID).find($0) }
        let zone = member.workspace.settings.timeZone
        let facts: [(String, HTMLNode)] = [
            (l(.email), text(contact.email?.value ?? "—")),
            (l(.phone), text(contact.phone ?? "—")),
            (l(.jobTitle), text(contact.jobTitle ?? "—")),
            (l(.seniority), text(contact.seniority ?? "—")),
            (l(.company), company.map { el("a", [.href(SiteURL.company($0.id).path)], text: $0.name) } ?? text("—")),
            (l(.country), text(contact.country ?? "—")),
            (l(.source), text(contact.source ?? "—")),
            (l(.stage), el("span", [.class("badge stage-\(contact.stage.rawValue)")], text: l.stageName(contact.stage))),
            (l(.owner), text(owner?.name ?? "—")),
            (l(.createdAt), text(l.dateTime(contact.createdAt, timeZone: zone))),
        ]
        return Page(title: contact.fullName, area: .contacts, body: [
            pageHeader(contact.fullName, subtitle: contact.jobTitle, actions: [link(l(.backToContacts), .contacts)]),
            el("section", [.class("panel")], [factList(facts)]),
        ]).response(for: req)
    }

    func listCompanies(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let l = req.l
        let cursor = req.query[String.self, at: "after"].flatMap(PageCursor.init(token:))
        let repository = CompanyRepository(req.db, workspaceID: member.workspaceID)
        let companies = try await repository.page(limit: Self.pageSize + 1, after: cursor)
        let shown = Array(companies.prefix(Self.pageSize))
        let total = try await repository.count()
        let rows: [HTMLNode] = shown.map { company in
            el("tr", [.data("company", company.id.uuidString.lowercased())], [
                cell([el("a", [.href(SiteURL.company(company.id).path)], text: company.name)]),
                cell(company.domain ?? ""),
                cell(company.industry ?? ""),
                cell(company.employeeCount.map(l.number) ?? ""),
                cell(company.country ?? ""),
            ])
        }
        let next = companies.count > Self.pageSize ? shown.last.map { PageCursor(date: $0.createdAt, id: $0.id) } : nil
        return Page(title: l(.navCompanies), area: .companies, body: [
            pageHeader(l(.navCompanies), subtitle: l(.companiesCount, l.number(total))),
            dataTable(id: "companies-table", caption: l(.navCompanies),
                      headers: [l(.name), l(.domain), l(.industry), l(.employees), l(.country)], rows: rows, empty: l(.companiesEmpty)),
            pager(next: next.map { SiteURL.companies.path + "?after=" + $0.token }, first: cursor == nil ? nil : SiteURL.companies.path, l),
        ]).response(for: req)
    }

    func showCompany(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let l = req.l
        let repository = CompanyRepository(req.db, workspaceID: member.workspaceID)
        guard let id = req.parameters.get("companyID", as: UUID.self), let company = try await repository.find(id) else {
            throw Abort(.notFound)
        }
        let contacts = try await repository.contactCount(of: company.id)
        let facts: [(String, HTMLNode)] = [
            (l(.domain), text(company.domain ?? "—")),
            (l(.industry), text(company.industry ?? "—")),
            (l(.employees), text(company.employeeCount.map(l.number) ?? "—")),
            (l(.revenueBand), text(company.revenueBand ?? "—")),
            (l(.country), text(company.country ?? "—")),
            (l(.navContacts), text(l.number(contacts))),
        ]
        return Page(title: company.name, area: .companies, body: [
            pageHeader(company.name, subtitle: company.domain, actions: [link(l(.backToCompanies), .companies)]),
            el("section", [.class("panel")], [factList(facts)]),
        ]).response(for: req)
    }

    private func factList(_ facts: [(String, HTMLNode)]) -> HTMLNode {
        el("dl", [.class("facts")], facts.flatMap { label, value in [el("dt", [], text: label), el("dd", [], [value])] })
    }

    private func pager(next: String?, first: String?, _ l: Localizer) -> HTMLNode {
        guard next != nil || first != nil else { return .empty }
        return el("nav", [.class("pager"), .aria("label", l(.pagination))], [
            first.map { el("a", [.href($0)], text: l(.firstPage)) } ?? .empty,
            next.map { el("a", [.href($0), Attr("rel", "next")], text: l(.nextPage)) } ?? .empty,
        ])
    }
}
