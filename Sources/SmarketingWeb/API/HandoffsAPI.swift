import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// The handoff through the API: the leads waiting for sales (a rep sees theirs, a sales manager
/// their teams', others all), a rep's answer, and a checked stage move of a contact (refused
/// with the allowed stages when the lifecycle does not allow it).
struct HandoffsAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("handoffs", use: list)
        routes.post("handoffs", ":handoffID", "decision", use: decide)
        routes.post("contacts", ":contactID", "stage", use: moveStage)
    }

    struct HandoffDTO: Encodable {
        var id: UUID
        var contactId: UUID
        var contactName: String
        var email: String?
        var companyName: String?
        var stage: String
        var status: String
        var mqlAt: Date
        var cause: String
        var source: String?
        var campaign: String?
        var ownerId: UUID?
        var fit: Int?
        var engagement: Double?
        var rules: [RuleDTO]
        var decidedAt: Date?
        var decidedBy: String?
        var reason: String?
        var note: String?
        var outcome: String?

        struct RuleDTO: Encodable {
            var ruleId: String
            var points: Int
        }

        init(_ item: HandoffItem) {
            let handoff = item.handoff
            id = handoff.id
            contactId = handoff.contactID
            contactName = item.contactName
            email = item.email
            companyName = item.companyName
            stage = item.stage.rawValue
            status = handoff.status.rawValue
            mqlAt = handoff.mqlAt
            cause = handoff.cause
            source = handoff.source
            campaign = handoff.campaign
            ownerId = handoff.ownerID
            fit = handoff.fit
            engagement = handoff.engagement
            rules = handoff.rules.map { RuleDTO(ruleId: $0.ruleID, points: $0.points) }
            decidedAt = handoff.decidedAt
            decidedBy = handoff.decidedByName
            reason = handoff.reasonLabel
            note = handoff.note
            outcome = handoff.outcome?.rawValue
        }
    }

    struct HandoffListDTO: Encodable {
        var data: [HandoffDTO]
    }

    func list(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let store = Handoffs(req.db, workspaceID: member.workspaceID)
        let owners = try await HandoffPages.scope(of: member, on: req.db).owners
        var checker = FieldChecker()
        let status = req.query[String.self, at: "status"] ?? "pending"
        if !["pending", "decided"].contains(status) { checker.add("status", .notInList) }
        let limit = APIListLimit.read(req, into: &checker)
        try checker.throwIfAny()
        let items = status == "pending" ? try await store.pending(ownedBy: owners, limit: limit) : try await store.decided(ownedBy: owners, limit: limit)
        return try APIJSON.response(HandoffListDTO(data: items.map(HandoffDTO.init)))
    }

    struct DecisionRequest: Decodable {
        var decision: String?
        var reason: String?
        var then: String?
        var note: String?
    }

    func decide(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let id = try req.uuidParameter("handoffID")
        let store = Handoffs(req.db, workspaceID: member.workspaceID)
        guard let handoff = try await store.find(id) else { throw Abort(.notFound) }
        let mates = try await HandoffPages.scope(of: member, on: req.db).mates
        guard HandoffPages.mayDecide(member, ownerID: handoff.ownerID, mates: mates) else {
            throw Abort(.forbidden, reason: "Only the lead's rep or their sales manager answers it.")
        }
        let body = try await req.decodeJSON(DecisionRequest.self)
        let decision = try HandoffDecision.parse(decision: body.decision, reason: body.reason, then: body.then, note: body.note, reasons: try await store.reasons())
        _ = try await req.application.live.announcing(req.db) {
            try await store.decide(id, decision, by: member.actor, now: req.now)
        }
        req.application.jobs.wake()
        guard let item = try await store.item(id) else { throw Abort(.notFound) }
        return try APIJSON.response(HandoffDTO(item))
    }

    struct StageRequest: Decodable {
        var stage: String?
        var reason: String?
    }

    func moveStage(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let contactID = try req.uuidParameter("contactID")
        guard let contact = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(contactID) else { throw Abort(.notFound) }
        guard try await member.mayMoveStage(contact, on: req.db) else { throw Abort(.forbidden, reason: "Your role does not allow moving this contact.") }
        let body = try await req.decodeJSON(StageRequest.self)
        guard let raw = body.stage, !raw.trimmingBlanks.isEmpty else { throw ValidationFailure("stage", .required) }
        guard let stage = LifecycleStage(name: raw) else { throw ValidationFailure("stage", .notInList) }
        let moved = try await req.application.live.announcing(req.db) {
            try await StageChanges(req.db, workspaceID: member.workspaceID).move(contactID: contactID, to: stage, reason: body.reason, by: member.actor, now: req.now)
        }
        req.application.jobs.wake()
        guard let moved else { throw Abort(.notFound) }
        return try APIJSON.response(ContactDTO(moved))
    }
}

extension Member {
    /// Who may move a contact between stages by hand: whoever may edit it, and the rep who
    /// works it (or their sales manager).
    func mayMoveStage(_ contact: Contact, on db: any Database) async throws -> Bool {
        if try await !editable([contact], on: db).isEmpty { return true }
        return try await mayWork(contact, on: db)
    }
}
