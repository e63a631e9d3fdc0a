import SmarketingCore
import SmarketingStore
import Vapor

/// `/api/v1/companies`: list with the same search, filters and sort as the page; create
/// (deduplicated by domain, `Idempotency-Key` honoured), read, update, delete, timeline and CSV
/// export.
struct CompaniesAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("companies", use: list)
        routes.post("companies", use: create)
        routes.get("companies", "export.csv") { req in try await CompanyExport.response(req, member: try req.requireMember()) }
        routes.get("companies", ":companyID", use: read)
        routes.patch("companies", ":companyID", use: update)
        routes.delete("companies", ":companyID", use: delete)
        routes.get("companies", ":companyID", "timeline", use: timeline)
    }

    func list(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.company)
        let query = try CompanyQuery.parse(ContactListURL.items(of: req), customFields: definitions)
        var checker = FieldChecker()
        let limit = APIListLimit.read(req, into: &checker)
        var cursor: CompanyCursor?
        if let raw = req.query[String.self, at: "after"], !raw.isEmpty {
            cursor = CompanyCursor(token: raw)
            if cursor == nil || cursor?.sort != query.sort { checker.add("after", .invalid) }
        }
        try checker.throwIfAny()
        let page = try await CompanySearch(req.db, workspaceID: member.workspaceID).page(query, limit: limit, after: cursor, definitions: definitions)
        return CompanyPageDTO(data: page.companies.map { CompanyDTO($0) }, nextCursor: page.next?.token).response()
    }

    func read(req: Request) async throws -> Response {
        let (_, company, _) = try await find(req)
        return try APIJSON.response(CompanyDTO(company))
    }

    func create(req: Request) async throws -> Response {
        let member = try requireEditor(req)
        let fields = try await ContactsAPI.fields(req)
        return try await Idempotency.run(req, member: member, body: req.body.data) {
            let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.company)
            let (company, outcome) = try await save(req, member: member, fields: fields, id: nil, mode: .replace, definitions: definitions)
            var dto = CompanyDTO(company)
            dto.outcome = outcome.rawValue
            return try APIJSON.response(dto, status: outcome == .created ? .created : .ok)
        }
    }

    func update(req: Request) async throws -> Response {
        let (member, company, definitions) = try await find(req)
        guard AccessPolicy.mayEditCompanies(member.user.roles) else { throw Abort(.forbidden) }
        var fields = CompanyInput(company: company).fields()
        for (key, value) in try await ContactsAPI.fields(req) { fields[key] = value }
        let (saved, _) = try await save(req, member: member, fields: fields, id: company.id, mode: .merge, definitions: definitions)
        return try APIJSON.response(CompanyDTO(saved))
    }

    func delete(req: Request) async throws -> Response {
        let (member, company, _) = try await find(req)
        guard AccessPolicy.mayEditCompanies(member.user.roles) else { throw Abort(.forbidden) }
        _ = try await CompanyWriter(req.db, workspaceID: member.workspaceID).delete([company.id], by: member.actor, now: req.now)
        return Response(status: .noContent)
    }

    func timeline(req: Request) async throws -> Response {
        let (member, company, _) = try await find(req)
        let (limit, cursor) = try req.pageQuery()
        let changes = try await RecordChanges(req.db, workspaceID: member.workspaceID).timeline(of: company.id, limit: limit + 1, after: cursor)
        return try APIJSON.response(ListPage(items: changes.map(RecordChangeDTO.init), limit: limit) { PageCursor(date: $0.at, id: $0.id) })
    }

    private func requireEditor(_ req: Request) throws -> Member {
        let member = try req.requireMember()
        guard AccessPolicy.mayEditCompanies(member.user.roles) else { throw Abort(.forbidden) }
        return member
    }

    private func find(_ req: Request) async throws -> (Member, Company, [CustomFieldDefinition]) {
        let member = try req.requireMember()
        let id = try req.uuidParameter("companyID")
        guard var company = try await CompanyRepository(req.db, workspaceID: member.workspaceID).find(id) else { throw Abort(.notFound) }
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.company)
        company.custom = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).values(of: [id], definitions: definitions)[id] ?? [:]
        return (member, company, definitions)
    }

    private func save(
        _ req: Request, member: Member, fields: [String: String], id: UUID?, mode: ContactWriter.Mode, definitions: [CustomFieldDefinition]
    ) async throws -> (Company, ContactWriter.Outcome) {
        let input = try CompanyInput.check(fields, customFields: definitions).get()
        guard let result = try await CompanyWriter(req.db, workspaceID: member.workspaceID)
            .save(input, id: id, mode: mode, definitions: definitions, by: member.actor, now: req.now)
        else { throw Abort(.notFound) }
        return result
    }
}

struct CompanyPageDTO: Encodable {
    var data: [CompanyDTO]
    var nextCursor: String?
}

/// The `limit` query parameter of list endpoints: 1...200, 50 when absent.
enum APIListLimit {
    static func read(_ req: Request, into checker: inout FieldChecker) -> Int {
        read(req.query[String.self, at: "limit"], into: &checker)
    }

    /// The `limit` of a query already split into items.
    static func read(_ raw: String?, into checker: inout FieldChecker) -> Int {
        guard let raw else { return 50 }
        if let value = Int(raw), (1...200).contains(value) { return value }
        checker.add("limit", .invalid)
        return 50
    }
}
