import SmarketingCore
import SmarketingStore
import Vapor

/// `/api/v1/users`, `/api/v1/teams`, `/api/v1/invitations` and `/api/v1/audit-log`.
/// Everyone may read users and teams; only admins change them, invite, or read the audit log.
struct PeopleAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("users", use: users)
        routes.get("users", ":userID", use: user)
        routes.patch("users", ":userID", use: updateUser)
        routes.get("teams", use: teams)
        routes.post("teams", use: createTeam)
        routes.get("teams", ":teamID", use: team)
        routes.patch("teams", ":teamID", use: updateTeam)
        routes.delete("teams", ":teamID", use: deleteTeam)
        routes.get("invitations", use: invitations)
        routes.post("invitations", use: createInvitation)
        routes.delete("invitations", ":invitationID", use: revokeInvitation)
        routes.get("audit-log", use: auditLog)
    }

    func users(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let repository = UserRepository(req.db, workspaceID: member.workspaceID)
        let users = try await repository.list()
        let teams = try await repository.teamIDs(of: users.map(\.id))
        return try APIJSON.response(ListPage(items: users.map { UserDTO($0, teamIDs: teams[$0.id] ?? []) }, limit: users.count) {
            PageCursor(date: $0.createdAt, id: $0.id)
        })
    }

    func user(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let repository = UserRepository(req.db, workspaceID: member.workspaceID)
        guard let user = try await repository.find(try req.uuidParameter("userID")) else { throw Abort(.notFound) }
        return try APIJSON.response(UserDTO(user, teamIDs: try await repository.teamIDs(of: [user.id])[user.id] ?? []))
    }

    struct UpdateUserRequest: Decodable {
        var name: String?
        var roles: [String]?
        var isActive: Bool?
        var teamIds: [String]?
    }

    func updateUser(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let repository = UserRepository(req.db, workspaceID: member.workspaceID)
        let id = try req.uuidParameter("userID")
        guard try await repository.find(id) != nil else { throw Abort(.notFound) }
        try member.require(.manageWorkspace)
        let body = try await req.decodeJSON(UpdateUserRequest.self)
        var checker = FieldChecker()
        let name = body.name.flatMap { checker.text("name", $0, maximum: User.nameMaximumLength) }
        let roles = body.roles.flatMap { RoleList.check("roles", $0, into: &checker) }
        let teamIDs = body.teamIds.map { Self.ids("team_ids", $0, into: &checker) }
        try checker.throwIfAny()
        guard let user = try await repository.update(id, .init(name: name, roles: roles, isActive: body.isActive, teamIDs: teamIDs),
                                                      by: member.actor, now: req.now)
        else { throw Abort(.notFound) }
        if body.isActive == false { try await SessionRepository(req.db).endAll(userID: id) }
        return try APIJSON.response(UserDTO(user, teamIDs: try await repository.teamIDs(of: [id])[id] ?? []))
    }

    static func ids(_ field: String, _ raw: [String], into checker: inout FieldChecker) -> [UUID] {
        let ids = raw.compactMap(UUID.init(uuidString:))
        if ids.count != raw.count { checker.add(field, .invalid) }
        return ids
    }

    func teams(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let teams = try await TeamRepository(req.db, workspaceID: member.workspaceID).list()
        return try APIJSON.response(ListPage(items: teams.map(TeamDTO.init), limit: teams.count) { PageCursor(date: .distantPast, id: $0.id) })
    }

    func team(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard let team = try await TeamRepository(req.db, workspaceID: member.workspaceID).find(try req.uuidParameter("teamID")) else {
            throw Abort(.notFound)
        }
        return try APIJSON.response(TeamDTO(team))
    }

    struct TeamRequest: Decodable {
        var name: String?
        var memberIds: [String]?
    }

    func createTeam(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.manageWorkspace)
        let body = try await req.decodeJSON(TeamRequest.self)
        var checker = FieldChecker()
        let name = checker.text("name", body.name, maximum: Team.nameMaximumLength)
        let members = Self.ids("member_ids", body.memberIds ?? [], into: &checker)
        try checker.throwIfAny()
        let team = try await TeamRepository(req.db, workspaceID: member.workspaceID)
            .create(name: name ?? "", memberIDs: members, by: member.actor, now: req.now)
        return try APIJSON.response(TeamDTO(team), status: .created)
    }

    func updateTeam(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let repository = TeamRepository(req.db, workspaceID: member.workspaceID)
        let id = try req.uuidParameter("teamID")
        guard try await repository.find(id) != nil else { throw Abort(.notFound) }
        try member.require(.manageWorkspace)
        let body = try await req.decodeJSON(TeamRequest.self)
        var checker = FieldChecker()
        let name = body.name.flatMap { checker.text("name", $0, maximum: Team.nameMaximumLength) }
        let members = body.memberIds.map { Self.ids("member_ids", $0, into: &checker) }
        try checker.throwIfAny()
        guard let team = try await repository.update(id, name: name, memberIDs: members, by: member.actor, now: req.now) else {
            throw Abort(.notFound)
        }
        return try APIJSON.response(TeamDTO(team))
    }

    func deleteTeam(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let repository = TeamRepository(req.db, workspaceID: member.workspaceID)
        let id = try req.uuidParameter("teamID")
        guard try await repository.find(id) != nil else { throw Abort(.notFound) }
        try member.require(.manageWorkspace)
        _ = try await repository.delete(id, by: member.actor, now: req.now)
        return Response(status: .noContent)
    }

    func invitations(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.manageWorkspace)
        let now = req.now
        let invitations = try await InvitationRepository(req.db, workspaceID: member.workspaceID).list()
        return try APIJSON.response(ListPage(items: invitations.map { InvitationDTO($0, now: now) }, limit: invitations.count) {
            PageCursor(date: $0.createdAt, id: $0.id)
        })
    }

    struct CreateInvitationRequest: Decodable {
        var email: String?
        var roles: [String]?
        var teamIds: [String]?
    }

    func createInvitation(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.manageWorkspace)
        let body = try await req.decodeJSON(CreateInvitationRequest.self)
        var checker = FieldChecker()
        let email = checker.email("email", body.email)
        let roles = RoleList.check("roles", body.roles ?? [], into: &checker)
        let teams = Self.ids("team_ids", body.teamIds ?? [], into: &checker)
        try checker.throwIfAny()
        guard let email, let roles else { throw ValidationFailure(checker.errors) }
        let (invitation, secret) = try await InvitationRepository(req.db, workspaceID: member.workspaceID)
            .create(email: email, roles: roles, teamIDs: teams, by: member.actor, now: req.now)
        return try APIJSON.response(InvitationDTO(invitation, now: req.now, url: req.absoluteURL(SiteURL.invite(token: secret).path)), status: .created)
    }

    func revokeInvitation(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let id = try req.uuidParameter("invitationID")
        let repository = InvitationRepository(req.db, workspaceID: member.workspaceID)
        guard try await repository.find(id) != nil else { throw Abort(.notFound) }
        try member.require(.manageWorkspace)
        guard let invitation = try await repository.revoke(id, by: member.actor, now: req.now) else { throw Abort(.notFound) }
        return try APIJSON.response(InvitationDTO(invitation, now: req.now))
    }

    func auditLog(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.readAuditLog)
        let (limit, cursor) = try req.pageQuery()
        let entries = try await AuditLog(req.db, workspaceID: member.workspaceID).list(limit: limit + 1, after: cursor)
        return try APIJSON.response(ListPage(items: entries.map(AuditEntryDTO.init), limit: limit) { PageCursor(date: $0.at, id: $0.id) })
    }
}
