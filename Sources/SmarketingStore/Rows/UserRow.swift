import FluentKit
import Foundation
import SmarketingCore

final class UserRow: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "roles") var roles: String
    @OptionalField(key: "language") var language: String?
    @Field(key: "is_active") var isActive: Bool
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(id: UUID, workspaceID: UUID, email: EmailAddress, name: String, passwordHash: String, roles: Set<Role>, language: Language?, now: Date) {
        self.id = id
        self.workspaceID = workspaceID
        self.email = email.value
        self.name = name
        self.passwordHash = passwordHash
        self.roles = RoleList.encode(roles)
        self.language = language?.rawValue
        self.isActive = true
        self.createdAt = now
        self.updatedAt = now
    }

    var value: User {
        User(
            id: id ?? UUID(), workspaceID: workspaceID,
            email: EmailAddress(stored: email),
            name: name, roles: RoleList.decode(roles), language: language.flatMap(Language.init(rawValue:)),
            isActive: isActive, createdAt: createdAt
        )
    }
}
