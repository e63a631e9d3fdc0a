import SmarketingCore
import SmarketingStore
import Vapor

/// `/api/v1/me`, `/api/v1/workspace` and `/api/v1/tokens`: the caller, their workspace and
/// their personal tokens.
struct AccountAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("me", use: me)
        routes.patch("me", use: updateMe)
        routes.get("workspace", use: workspace)
        routes.patch("workspace", use: updateWorkspace)
        routes.get("tokens", use: tokens)
        routes.post("tokens", use: createToken)
        routes.delete("tokens", ":tokenID", use: revokeToken)
    }

    func me(req: Request) async throws -> Response {
        try APIJSON.response(Self.meDTO(try req.requireMember().user, req.requireMember().workspace))
    }

    static func meDTO(_ user: User, _ workspace: Workspace) -> MeDTO {
        MeDTO(id: user.id, email: user.email.value, name: user.name, roles: user.roles.sorted().map(\.rawValue),
              language: user.language?.rawValue, workspace: WorkspaceDTO(workspace),
              permissions: Permission.allCases.filter { user.may($0) }.map(\.rawValue))
    }

    struct UpdateMeRequest: Decodable {
        var name: String?
        var language: String?
    }

    func updateMe(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let body = try await req.decodeJSON(UpdateMeRequest.self)
        var checker = FieldChecker()
        let name = body.name.map { checker.text("name", $0, maximum: User.nameMaximumLength) } ?? member.user.name
        var language = member.user.language
        if let raw = body.language {
            if raw.isEmpty { language = nil } else if let chosen = Language(rawValue: raw) { language = chosen } else { checker.add("language", .notInList) }
        }
        try checker.throwIfAny()
        let users = UserRepository(req.db, workspaceID: member.workspaceID)
        if let name, name != member.user.name {
            _ = try await users.update(member.user.id, .init(name: name), by: member.actor, now: req.now)
        }
        try await users.setLanguage(member.user.id, language, now: req.now)
        guard let user = try await users.find(member.user.id) else { throw Abort(.notFound) }
        return try APIJSON.response(Self.meDTO(user, member.workspace))
    }

    func workspace(req: Request) async throws -> Response {
        try APIJSON.response(WorkspaceDTO(try req.requireMember().workspace))
    }

    struct UpdateWorkspaceRequest: Decodable {
        var name: String?
        var timeZone: String?
        var currency: String?
        var language: String?
    }

    func updateWorkspace(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.manageWorkspace)
        let body = try await req.decodeJSON(UpdateWorkspaceRequest.self)
        let current = member.workspace.settings
        let settings = try WorkspaceSettings.check(
            name: body.name ?? current.name, timeZone: body.timeZone ?? current.timeZone,
            currency: body.currency ?? current.currency, language: body.language ?? current.language.rawValue
        )
        guard let updated = try await WorkspaceRepository(req.db, workspaceID: member.workspaceID).update(settings, by: member.actor, now: req.now) else {
            throw Abort(.notFound)
        }
        return try APIJSON.response(WorkspaceDTO(updated))
    }

    func tokens(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let tokens = try await APITokenRepository(req.db, workspaceID: member.workspaceID).list(userID: member.user.id)
        return try APIJSON.response(ListPage(items: tokens.map { APITokenDTO($0) }, limit: tokens.count) { PageCursor(date: $0.createdAt, id: $0.id) })
    }

    struct CreateTokenRequest: Decodable {
        var name: String?
    }

    func createToken(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let body = try await req.decodeJSON(CreateTokenRequest.self)
        var checker = FieldChecker()
        let name = checker.text("name", body.name, maximum: APIToken.nameMaximumLength)
        try checker.throwIfAny()
        let (token, secret) = try await APITokenRepository(req.db, workspaceID: member.workspaceID)
            .create(for: member.user, name: name ?? "", by: member.actor, now: req.now)
        return try APIJSON.response(APITokenDTO(token, secret: secret), status: .created)
    }

    func revokeToken(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let id = try req.uuidParameter("tokenID")
        guard let token = try await APITokenRepository(req.db, workspaceID: member.workspaceID)
            .revoke(id, userID: member.user.id, by: member.actor, now: req.now)
        else { throw Abort(.notFound) }
        return try APIJSON.response(APITokenDTO(token))
    }
}
