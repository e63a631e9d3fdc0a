import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// The API speaks snake_case JSON with ISO 8601 times.
enum APIJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// A JSON response with the product's encoder.
    static func response<T: Encodable>(_ value: T, status: HTTPResponseStatus = .ok) throws -> Response {
        let response = Response(status: status)
        try response.content.encode(value, using: encoder)
        return response
    }
}

extension Request {
    static let maximumJSONBytes = 1024 * 1024

    /// Decodes a JSON body; a body of another type answers 415, a malformed one 400 naming the field.
    func decodeJSON<T: Decodable>(_ type: T.Type, using decoder: JSONDecoder = APIJSON.decoder) async throws -> T {
        try decoder.decode(T.self, from: Data(try await jsonBody().readableBytesView))
    }

    /// The bytes of a JSON body, collected: a body of another type answers 415, an empty one
    /// 400, one over ``maximumJSONBytes`` 413.
    func jsonBody() async throws -> ByteBuffer {
        guard headers.contentType == .json else { throw Abort(.unsupportedMediaType, reason: "Send the body as application/json.") }
        if body.data == nil { _ = try await body.collect(max: Self.maximumJSONBytes).get() }
        guard let buffer = body.data, buffer.readableBytes > 0 else { throw Abort(.badRequest, reason: "The request body is empty.") }
        guard buffer.readableBytes <= Self.maximumJSONBytes else { throw Abort(.payloadTooLarge) }
        return buffer
    }

    /// Reads `limit` (1...200, default 50) and `after` (a cursor from `next_cursor`).
    func pageQuery() throws -> (limit: Int, after: PageCursor?) {
        var checker = FieldChecker()
        var limit = 50
        if let raw = query[String.self, at: "limit"] {
            if let value = Int(raw), (1...200).contains(value) { limit = value } else { checker.add("limit", .invalid) }
        }
        var cursor: PageCursor?
        if let raw = query[String.self, at: "after"], !raw.isEmpty {
            cursor = PageCursor(token: raw)
            if cursor == nil { checker.add("after", .invalid) }
        }
        try checker.throwIfAny()
        return (limit, cursor)
    }

    func uuidParameter(_ name: String) throws -> UUID {
        guard let id = parameters.get(name, as: UUID.self) else { throw Abort(.notFound) }
        return id
    }
}

/// A page of a list: the items and the cursor of the next page (absent on the last page).
struct ListPage<Item: Encodable>: Encodable {
    var data: [Item]
    var nextCursor: String?

    init(items: [Item], limit: Int, cursor: (Item) -> PageCursor) {
        self.data = Array(items.prefix(limit))
        self.nextCursor = items.count > limit ? data.last.map { cursor($0).token } : nil
    }
}

// MARK: DTOs (the API's own shapes, apart from Core values and store rows)

struct UserDTO: Codable, Equatable {
    var id: UUID
    var email: String
    var name: String
    var roles: [String]
    var language: String?
    var isActive: Bool
    var teamIds: [UUID]
    var createdAt: Date

    init(_ user: User, teamIDs: [UUID]) {
        id = user.id
        email = user.email.value
        name = user.name
        roles = user.roles.sorted().map(\.rawValue)
        language = user.language?.rawValue
        isActive = user.isActive
        self.teamIds = teamIDs.sorted { $0.uuidString < $1.uuidString }
        createdAt = user.createdAt
    }
}

struct MeDTO: Codable {
    var id: UUID
    var email: String
    var name: String
    var roles: [String]
    var language: String?
    var workspace: WorkspaceDTO
    var permissions: [String]
}

struct WorkspaceDTO: Codable {
    var id: UUID
    var name: String
    var timeZone: String
    var currency: String
    var language: String
    var createdAt: Date

    init(_ workspace: Workspace) {
        id = workspace.id
        name = workspace.settings.name
        timeZone = workspace.settings.timeZone
        currency = workspace.settings.currency
        language = workspace.settings.language.rawValue
        createdAt = workspace.createdAt
    }
}

struct TeamDTO: Codable {
    var id: UUID
    var name: String
    var memberIds: [UUID]

    init(_ team: Team) {
        id = team.id
        name = team.name
        memberIds = team.memberIDs.sorted { $0.uuidString < $1.uuidString }
    }
}

struct InvitationDTO: Codable {
    var id: UUID
    var email: String
    var roles: [String]
    var teamIds: [UUID]
    var state: String
    var createdAt: Date
    var expiresAt: Date
    /// The link to send, present only in the answer to the create call.
    var url: String?

    init(_ invitation: Invitation, now: Date, url: String? = nil) {
        id = invitation.id
        email = invitation.email.value
        roles = invitation.roles.sorted().map(\.rawValue)
        teamIds = invitation.teamIDs
        state = invitation.terms.state(at: now).rawValue
        createdAt = invitation.terms.createdAt
        expiresAt = invitation.terms.expiresAt
        self.url = url
    }
}

struct APITokenDTO: Codable {
    var id: UUID
    var name: String
    var hint: String
    var createdAt: Date
    var lastUsedAt: Date?
    var revokedAt: Date?
    /// The secret, present only in the answer to the create call.
    var token: String?

    init(_ token: APIToken, secret: String? = nil) {
        id = token.id
        name = token.name
        hint = token.hint
        createdAt = token.createdAt
        lastUsedAt = token.lastUsedAt
        revokedAt = token.revokedAt
        self.token = secret
    }
}

struct AuditEntryDTO: Codable {
    var id: UUID
    var at: Date
    var actorUserId: UUID?
    var actorName: String
    var channel: String
    var action: String
    var entityType: String
    var entityId: UUID?
    var before: [String: String]
    var after: [String: String]

    init(_ entry: AuditEntry) {
        id = entry.id
        at = entry.at
        actorUserId = entry.actor.userID
        actorName = entry.actor.name
        channel = entry.actor.channel.rawValue
        action = entry.action
        entityType = entry.entityType
        entityId = entry.entityID
        before = entry.change.before
        after = entry.change.after
    }
}

struct ContactDTO: Codable {
    var id: UUID
    var firstName: String
    var lastName: String
    var email: String?
    var phone: String?
    var jobTitle: String?
    var seniority: String?
    var country: String?
    var source: String?
    var campaign: String?
    var lastSource: String?
    var lastCampaign: String?
    var birthDate: String?
    var age: Int?
    var companyId: UUID?
    var ownerId: UUID?
    var lifecycleStage: String
    /// Custom field values by key, as text (numbers with a dot, dates ISO, several choices joined by "; ").
    var custom: [String: String]
    var createdAt: Date
    var updatedAt: Date
    /// Only in the answer to a create: `created`, or `updated` when a contact with that email existed.
    var outcome: String?

    init(_ contact: Contact) {
        id = contact.id
        firstName = contact.firstName
        lastName = contact.lastName
        email = contact.email?.value
        phone = contact.phone
        jobTitle = contact.jobTitle
        seniority = contact.seniority
        country = contact.country
        source = contact.source
        campaign = contact.campaign
        lastSource = contact.lastSource
        lastCampaign = contact.lastCampaign
        birthDate = contact.birthDate
        age = contact.age
        companyId = contact.companyID
        ownerId = contact.ownerID
        lifecycleStage = contact.stage.rawValue
        custom = contact.custom.mapValues(\.storageText)
        createdAt = contact.createdAt
        updatedAt = contact.updatedAt
    }
}

struct CompanyDTO: Codable {
    var id: UUID
    var name: String
    var domain: String?
    var employeeCount: Int?
    var industry: String?
    var revenueBand: String?
    var country: String?
    /// Custom field values by key, as text (as for contacts).
    var custom: [String: String]
    var createdAt: Date
    var updatedAt: Date
    /// Only in the answer to a create: `created`, or `updated` when a company with that domain existed.
    var outcome: String?

    init(_ company: Company) {
        id = company.id
        name = company.name
        domain = company.domain
        employeeCount = company.employeeCount
        industry = company.industry
        revenueBand = company.revenueBand
        country = company.country
        custom = company.custom.mapValues(\.storageText)
        createdAt = company.createdAt
        updatedAt = company.updatedAt
    }
}
