import FluentKit
import Foundation

final class TrackingSiteRow: Model, @unchecked Sendable {
    static let schema = "tracking_sites"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "public_key") var publicKey: String
    /// Canonical origins, one per line.
    @Field(key: "allowed_origins") var allowedOrigins: String
    /// Base64 of the current link key's bytes.
    @Field(key: "link_key") var linkKey: String
    @Field(key: "link_key_version") var linkKeyVersion: Int
    @OptionalField(key: "previous_link_key") var previousLinkKey: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class EmailSuppressionRow: Model, @unchecked Sendable {
    static let schema = "email_suppressions"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "email") var email: String
    @OptionalField(key: "contact_id") var contactID: UUID?
    @Field(key: "reason") var reason: String
    @OptionalField(key: "message_id") var messageID: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
