import SmarketingCore
import SmarketingStore
import Vapor

/// Companies as people read them: the list and a company's profile.
struct DirectoryPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("companies", use: listCompanies)
        routes.get("companies", ":companyID", use: showCompany)
    }

    static let pageSize = 50

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
