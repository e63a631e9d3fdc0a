import SmarketingCore
import SmarketingStore
import Vapor

/// `/api/v1/companies`: companies, newest first, with cursor pagination.
struct DirectoryAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("companies", use: companies)
        routes.get("companies", ":companyID", use: company)
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
