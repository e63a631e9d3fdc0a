import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// Sales qualification through the API: `POST /contacts/{id}/qualify` with the answers to the
/// SQL criteria by key, and the contact's qualifications, newest first.
struct QualificationAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("contacts", ":contactID", "qualify", use: qualify)
        routes.get("contacts", ":contactID", "qualifications", use: list)
    }

    struct QualifyRequest: Decodable {
        var answers: [String: String]?
    }

    struct QualificationDTO: Encodable {
        var contactId: UUID
        var definitionVersion: Int
        var answers: [SQLQualification.Answer]
        var actorName: String
        var at: Date

        init(_ value: SQLQualification) {
            contactId = value.contactID
            definitionVersion = value.definitionVersion
            answers = value.answers
            actorName = value.actor.name
            at = value.at
        }
    }

    struct QualificationListDTO: Encodable {
        var data: [QualificationDTO]
    }

    func qualify(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let contact = try await find(req, member)
        guard try await member.mayWork(contact, on: req.db) else { throw Abort(.forbidden, reason: "Only the rep who works this lead, or their sales manager, may qualify it.") }
        let body = try await req.decodeJSON(QualifyRequest.self)
        guard let qualification = try await SQLQualifications(req.db, workspaceID: member.workspaceID)
            .qualify(contact.id, answers: body.answers ?? [:], by: member.actor, now: req.now)
        else { throw Abort(.notFound) }
        return try APIJSON.response(QualificationDTO(qualification))
    }

    func list(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let contact = try await find(req, member)
        let history = try await SQLQualifications(req.db, workspaceID: member.workspaceID).history(of: contact.id, limit: 100)
        return try APIJSON.response(QualificationListDTO(data: history.map(QualificationDTO.init)))
    }

    private func find(_ req: Request, _ member: Member) async throws -> Contact {
        guard let contact = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(try req.uuidParameter("contactID"))
        else { throw Abort(.notFound) }
        return contact
    }
}
