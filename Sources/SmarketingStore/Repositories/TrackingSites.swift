import Crypto
import FluentKit
import Foundation
import SmarketingCore

/// A workspace's web tracking as its pages show it: the public key t.js sends, and the site
/// origins allowed to send it.
public struct TrackingSite: Sendable, Equatable {
    public var workspaceID: UUID
    public var publicKey: String
    public var allowedOrigins: [String]
    public var linkKeyVersion: Int
    public var updatedAt: Date
}

/// The tracking settings of one workspace, made on first use. The public key is meant to be
/// seen (it is in every page's HTML); a new one revokes the old. The link key signs email
/// links; rotating it keeps the previous key for the links already sent.
public struct TrackingSites: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public static let publicKeyPrefix = "pk_"

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    public func site(now: Date) async throws -> TrackingSite {
        Self.site(try await row(now: now))
    }

    /// Replaces the allowed origins (canonical, see ``SiteOrigins``).
    public func setOrigins(_ origins: [String], now: Date) async throws -> TrackingSite {
        let row = try await row(now: now)
        row.allowedOrigins = origins.joined(separator: "\n")
        row.updatedAt = now
        try await row.update(on: db)
        return Self.site(row)
    }

    /// A new public key; pages still sending the old one are refused from now on.
    public func rotatePublicKey(now: Date) async throws -> TrackingSite {
        let row = try await row(now: now)
        row.publicKey = SecretToken(prefix: Self.publicKeyPrefix).secret
        row.updatedAt = now
        try await row.update(on: db)
        return Self.site(row)
    }

    /// A new link key; links signed by the key before it still open, older ones no longer do.
    public func rotateLinkKey(now: Date) async throws -> TrackingSite {
        let row = try await row(now: now)
        row.previousLinkKey = row.linkKey
        row.linkKey = Self.newKey()
        row.linkKeyVersion += 1
        row.updatedAt = now
        try await row.update(on: db)
        return Self.site(row)
    }

    /// The key that signs new links, with its version.
    public func signingKey(now: Date) async throws -> (key: SymmetricKey, version: Int) {
        let row = try await row(now: now)
        return (Self.key(row.linkKey), row.linkKeyVersion)
    }

    /// The key of `version` when it still opens links (the current one or the one before).
    public func linkKey(version: Int) async throws -> SymmetricKey? {
        guard let row = try await existing() else { return nil }
        if version == row.linkKeyVersion { return Self.key(row.linkKey) }
        if version == row.linkKeyVersion - 1, let previous = row.previousLinkKey { return Self.key(previous) }
        return nil
    }

    /// The workspace a public key belongs to, with its allowed origins; nil for an unknown or
    /// revoked key.
    public static func site(publicKey: String, on db: any Database) async throws -> TrackingSite? {
        guard publicKey.hasPrefix(publicKeyPrefix), publicKey.count <= 100 else { return nil }
        return try await TrackingSiteRow.query(on: db).filter(\.$publicKey == publicKey).first().map(site)
    }

    // MARK: Rows

    private func existing() async throws -> TrackingSiteRow? {
        try await TrackingSiteRow.query(on: db).filter(\.$workspaceID == workspaceID).first()
    }

    private func row(now: Date) async throws -> TrackingSiteRow {
        if let row = try await existing() { return row }
        let row = TrackingSiteRow()
        row.id = TimeOrderedID.make(at: now)
        row.workspaceID = workspaceID
        row.publicKey = SecretToken(prefix: Self.publicKeyPrefix).secret
        row.allowedOrigins = ""
        row.linkKey = Self.newKey()
        row.linkKeyVersion = 1
        row.createdAt = now
        row.updatedAt = now
        do {
            try await row.create(on: db)
            return row
        } catch {
            // Another request made it first.
            if let made = try await existing() { return made }
            throw error
        }
    }

    private static func site(_ row: TrackingSiteRow) -> TrackingSite {
        TrackingSite(workspaceID: row.workspaceID, publicKey: row.publicKey,
                     allowedOrigins: row.allowedOrigins.split(separator: "\n").map(String.init),
                     linkKeyVersion: row.linkKeyVersion, updatedAt: row.updatedAt)
    }

    private static func newKey() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    private static func key(_ text: String) -> SymmetricKey {
        SymmetricKey(data: Data(base64Encoded: text) ?? Data())
    }
}

/// An address that asked to receive no more email from the workspace.
public struct EmailSuppression: Sendable, Equatable {
    public var email: String
    public var contactID: UUID?
    public var reason: String
    public var messageID: String?
    public var at: Date
}

/// The workspace's unsubscribed addresses: every sender checks it before sending.
public struct EmailSuppressions: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public static let unsubscribeLink = "unsubscribe_link"

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// Adds the address; false when it was already there (the first reason is kept).
    @discardableResult
    public func suppress(_ email: EmailAddress, contactID: UUID?, reason: String, messageID: String?, now: Date) async throws -> Bool {
        if try await suppression(of: email) != nil { return false }
        let row = EmailSuppressionRow()
        row.id = TimeOrderedID.make(at: now)
        row.workspaceID = workspaceID
        row.email = email.value
        row.contactID = contactID
        row.reason = reason
        row.messageID = messageID
        row.createdAt = now
        do {
            try await row.create(on: db)
            return true
        } catch {
            if try await suppression(of: email) != nil { return false }
            throw error
        }
    }

    public func suppression(of email: EmailAddress) async throws -> EmailSuppression? {
        try await EmailSuppressionRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$email == email.value).first()
            .map { EmailSuppression(email: $0.email, contactID: $0.contactID, reason: $0.reason, messageID: $0.messageID, at: $0.createdAt) }
    }
}
