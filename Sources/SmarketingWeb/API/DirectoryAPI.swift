import SmarketingCore
import SmarketingStore
import Vapor

/// `/api/v1/contacts` and `/api/v1/companies`: the shared database of leads, newest first,
/// with cursor pagination.
struct DirectoryAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("contacts", use: contacts)
        routes.get("contacts", ":contactID", use: contact)
        routes.get("companies", use: companies)
        routes.get("companies", ":companyID", use: company)
    }

    func contacts(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let (limit, cursor) = try req.pageQuery()
        let contacts = try await ContactRepository(req.db, workspaceID: member.workspaceID).page(limit: limit + 1, after: cursor)
        return try APIJSON.response(ListPage(items: contacts.map(ContactDTO.init), limit: limit) { PageCursor(date: $0.createdAt, id: $0.id) })
    }

    func contact(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard let contact = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(try req.uuidParameter("contactID")) else {
            throw Abort(.notFound)
        }
        return try APIJSON.response(ContactDTO(contact))
    }

    func companies(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let (limit, cursor) = try req.pageQuery()
        let companies = try await CompanyRepository(req.db, workspaceID: member.workspaceID).page(limit: limit + 1, after: cursor)
        return try APIJSON.response(ListPage(items: companies.map(CompanyDTO.init), limit: limit) { PageCursor(date: $0.createdAt, id: $0.id) })
    }

    func company(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard let company = try await CompanyRepository(req.db, workspaceID: member.workspaceID).find(try req.uuidParameter("companyID")) else {
            throw Abort(.notFound)
        }
        return try APIJSON.response(CompanyDTO(company))
    }
}
