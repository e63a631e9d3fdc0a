import Foundation

/// A person who works in the product: a marketer, a rep, a manager or an admin.
public struct User: Sendable, Equatable, Codable, Identifiable {
    public var id: UUID
    public var workspaceID: UUID
    public var email: EmailAddress
    public var name: String
    public var roles: Set<Role>
    /// The language the user chose; nil follows the browser, then the workspace.
    public var language: Language?
    public var isActive: Bool
    public var createdAt: Date

    public init(
        id: UUID, workspaceID: UUID, email: EmailAddress, name: String, roles: Set<Role>,
        language: Language?, isActive: Bool, createdAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.email = email
        self.name = name
        self.roles = roles
        self.language = language
        self.isActive = isActive
        self.createdAt = createdAt
    }

    public func may(_ permission: Permission) -> Bool {
        AccessPolicy.allows(roles, permission)
    }

    public static let nameMaximumLength = 100
}

/// A workspace: one company's private space. Nothing in one is visible from another.
public struct Workspace: Sendable, Equatable, Codable, Identifiable {
    public var id: UUID
    public var settings: WorkspaceSettings
    public var createdAt: Date

    public init(id: UUID, settings: WorkspaceSettings, createdAt: Date) {
        self.id = id
        self.settings = settings
        self.createdAt = createdAt
    }
}

/// A group of users (e.g. "Inbound SDRs", "Content"); a user may be in several.
public struct Team: Sendable, Equatable, Codable, Identifiable {
    public var id: UUID
    public var workspaceID: UUID
    public var name: String
    public var memberIDs: [UUID]

    public init(id: UUID, workspaceID: UUID, name: String, memberIDs: [UUID]) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.memberIDs = memberIDs
    }

    public static let nameMaximumLength = 60
}
