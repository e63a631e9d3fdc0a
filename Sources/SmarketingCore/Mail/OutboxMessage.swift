import Foundation

/// Where a message stands in the outbox.
public enum OutboxStatus: String, Sendable, Codable, CaseIterable {
    /// Written, waiting to be sent (also after a failure that may pass: see ``OutboxMessage/lastError``).
    case queued
    /// A delivery has taken it and is talking to the mail server.
    case sending
    /// The mail server accepted it.
    case sent
    /// Kept in the outbox on purpose: the outbox transport sends nothing.
    case held
    /// Refused for good (an address the server rejects, wrong credentials): not retried.
    case failed
}

/// Why a message was written; lists filter and show it.
public struct MailKind: RawRepresentable, Sendable, Hashable, Codable {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A message an admin sends to check the mail settings.
    public static let test = MailKind(rawValue: "test")
    /// A new MQL announced to its rep.
    public static let handoff = MailKind(rawValue: "handoff")
    /// Any other notice to a member of the workspace.
    public static let notification = MailKind(rawValue: "notification")
    /// A campaign's email to a contact.
    public static let campaign = MailKind(rawValue: "campaign")
}

/// A message in a workspace's outbox, with what happened to it.
public struct OutboxMessage: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var workspaceID: UUID
    /// The contact it was written to, when it went to one.
    public var contactID: UUID?
    public var kind: MailKind
    public var message: MailMessage
    public var status: OutboxStatus
    /// Deliveries tried so far.
    public var attempts: Int
    /// The last delivery's error; cleared when a later delivery succeeds.
    public var lastError: String?
    /// What the transport said: the server's reply to the message, or why it was held.
    public var deliveryNote: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var sentAt: Date?

    public init(
        id: UUID, workspaceID: UUID, contactID: UUID?, kind: MailKind, message: MailMessage, status: OutboxStatus, attempts: Int,
        lastError: String?, deliveryNote: String?, createdAt: Date, updatedAt: Date, sentAt: Date?
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.contactID = contactID
        self.kind = kind
        self.message = message
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.deliveryNote = deliveryNote
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.sentAt = sentAt
    }
}

extension AccessPolicy {
    /// Who reads the outbox: admins and both teams' managers (messages name contacts and reps).
    public static func mayReadOutbox(_ roles: Set<Role>) -> Bool {
        roles.contains(.admin) || roles.contains(.marketingManager) || roles.contains(.salesManager)
    }

    /// Who sends a test message through the configured transport: admins, who own the settings.
    public static func maySendTestMail(_ roles: Set<Role>) -> Bool {
        roles.contains(.admin)
    }
}
