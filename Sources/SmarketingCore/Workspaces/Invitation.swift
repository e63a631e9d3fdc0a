import Foundation

/// The rules of an invitation link: how long it lives and when it can be used.
public struct InvitationTerms: Sendable, Equatable, Codable {
    /// How long a link stays valid after it is sent.
    public static let lifetime: TimeInterval = 7 * 24 * 3600

    public var createdAt: Date
    public var expiresAt: Date
    public var acceptedAt: Date?
    public var revokedAt: Date?

    public init(createdAt: Date, expiresAt: Date, acceptedAt: Date? = nil, revokedAt: Date? = nil) {
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
        self.revokedAt = revokedAt
    }

    public static func issued(at now: Date) -> InvitationTerms {
        InvitationTerms(createdAt: now, expiresAt: now.addingTimeInterval(lifetime))
    }

    public enum State: String, Sendable, Codable {
        case pending, accepted, expired, revoked
    }

    public func state(at now: Date) -> State {
        if acceptedAt != nil { return .accepted }
        if revokedAt != nil { return .revoked }
        if now >= expiresAt { return .expired }
        return .pending
    }
}

/// A pending or past invitation to join a workspace.
public struct Invitation: Sendable, Equatable, Codable, Identifiable {
    public var id: UUID
    public var workspaceID: UUID
    public var email: EmailAddress
    public var roles: Set<Role>
    public var teamIDs: [UUID]
    public var invitedBy: UUID?
    public var terms: InvitationTerms

    public init(id: UUID, workspaceID: UUID, email: EmailAddress, roles: Set<Role>, teamIDs: [UUID], invitedBy: UUID?, terms: InvitationTerms) {
        self.id = id
        self.workspaceID = workspaceID
        self.email = email
        self.roles = roles
        self.teamIDs = teamIDs
        self.invitedBy = invitedBy
        self.terms = terms
    }
}

/// A personal API token as listed to its owner: never the secret itself, only a hint.
public struct APIToken: Sendable, Equatable, Codable, Identifiable {
    public var id: UUID
    public var userID: UUID
    public var name: String
    /// The first characters of the secret, so its owner can tell tokens apart.
    public var hint: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(id: UUID, userID: UUID, name: String, hint: String, createdAt: Date, lastUsedAt: Date?, revokedAt: Date?) {
        self.id = id
        self.userID = userID
        self.name = name
        self.hint = hint
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    public static let nameMaximumLength = 60
}
