import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// `POST /email-links`: the signed links of one message to one contact, for a workspace that
/// sends email through another system and wants its opens, clicks and unsubscribes tracked.
struct EmailLinksAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("email-links", use: sign)
    }

    struct SignRequest: Decodable {
        var contactId: String?
        var messageId: String?
        var urls: [String]?
    }

    static let maximumURLs = 100

    func sign(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.manageCampaigns)
        let body = try await req.decodeJSON(SignRequest.self)
        var checker = FieldChecker()
        let contactID = body.contactId.flatMap { UUID(uuidString: $0.trimmingBlanks) }
        if body.contactId == nil { checker.add("contact_id", .required) } else if contactID == nil { checker.add("contact_id", .invalid) }
        let messageID = (body.messageId ?? "").trimmingBlanks
        let urls = body.urls ?? []
        if urls.count > Self.maximumURLs { checker.add("urls", .tooLong(maximum: Self.maximumURLs)) }
        if let failure = LinkToken.check(messageID: messageID, target: nil) { for error in failure.errors { checker.add(error.field, error.code) } }
        for (index, url) in urls.enumerated().prefix(Self.maximumURLs) {
            if let failure = LinkToken.check(messageID: "-", target: url.trimmingBlanks) {
                for error in failure.errors { checker.add("urls[\(index)]", error.code) }
            }
        }
        if !checker.errors.isEmpty { throw ValidationFailure(checker.errors) }
        guard let contactID, try await ContactRepository(req.db, workspaceID: member.workspaceID).find(contactID) != nil else {
            throw ValidationFailure("contact_id", .notInList)
        }
        let signed = try await EmailLinks.sign(contactID: contactID, messageID: messageID, targets: urls.map(\.trimmingBlanks),
                                               workspaceID: member.workspaceID, req: req)
        return try APIJSON.response(signed, status: .ok)
    }
}
