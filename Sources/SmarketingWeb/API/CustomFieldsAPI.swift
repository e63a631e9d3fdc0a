import SmarketingCore
import SmarketingStore
import Vapor

/// `/api/v1/custom-fields`: the workspace's own fields; everyone reads them, admins change them.
struct CustomFieldsAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("custom-fields", use: list)
        routes.post("custom-fields", use: create)
        routes.patch("custom-fields", ":fieldID", use: update)
        routes.delete("custom-fields", ":fieldID", use: delete)
    }

    func list(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let fields = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list()
        return try APIJSON.response(CustomFieldListDTO(data: fields.map(CustomFieldDTO.init)))
    }

    struct FieldRequest: Decodable {
        var entity: String?
        var key: String?
        var label: String?
        var type: String?
        var options: [String]?
    }

    func create(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.manageWorkspace)
        let body = try await req.decodeJSON(FieldRequest.self)
        let checked = try CustomFieldDefinition.check(key: body.key, label: body.label, type: body.type, options: body.options ?? [],
                                                      entity: body.entity ?? "contact")
        let field = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).create(
            entity: checked.entity, key: checked.key, label: checked.label, type: checked.type, options: checked.options,
            by: member.actor, now: req.now
        )
        return try APIJSON.response(CustomFieldDTO(field), status: .created)
    }

    func update(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let repository = CustomFieldRepository(req.db, workspaceID: member.workspaceID)
        guard let field = try await repository.find(try req.uuidParameter("fieldID")) else { throw Abort(.notFound) }
        try member.require(.manageWorkspace)
        let body = try await req.decodeJSON(FieldRequest.self)
        let checked = try CustomFieldDefinition.check(key: field.key, label: body.label ?? field.label, type: field.type.rawValue,
                                                      options: body.options ?? field.options, entity: field.entity.rawValue)
        guard let updated = try await repository.update(field.id, label: checked.label, options: checked.options, by: member.actor, now: req.now) else {
            throw Abort(.notFound)
        }
        return try APIJSON.response(CustomFieldDTO(updated))
    }

    func delete(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let repository = CustomFieldRepository(req.db, workspaceID: member.workspaceID)
        guard let field = try await repository.find(try req.uuidParameter("fieldID")) else { throw Abort(.notFound) }
        try member.require(.manageWorkspace)
        _ = try await repository.delete(field.id, by: member.actor, now: req.now)
        return Response(status: .noContent)
    }
}

struct CustomFieldDTO: Encodable {
    var id: UUID
    var entity: String
    var key: String
    var label: String
    var type: String
    var options: [String]

    init(_ field: CustomFieldDefinition) {
        id = field.id
        entity = field.entity.rawValue
        key = field.key
        label = field.label
        type = field.type.rawValue
        options = field.options
    }
}

struct CustomFieldListDTO: Encodable {
    var data: [CustomFieldDTO]
}
