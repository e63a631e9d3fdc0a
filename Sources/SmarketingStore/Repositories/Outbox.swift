import FluentKit
import Foundation
import SmarketingCore
import SQLKit

final class OutboxMessageRow: Model, @unchecked Sendable {
    static let schema = "outbox_messages"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @OptionalField(key: "contact_id") var contactID: UUID?
    @Field(key: "kind") var kind: String
    /// `[MailAddress]` as JSON.
    @Field(key: "to_addresses") var toAddresses: String
    /// `MailAddress` as JSON.
    @Field(key: "from_address") var fromAddress: String
    @OptionalField(key: "reply_to") var replyTo: String?
    @Field(key: "subject") var subject: String
    @Field(key: "text_body") var textBody: String
    @OptionalField(key: "html_body") var htmlBody: String?
    /// `[MailHeader]` as JSON.
    @Field(key: "headers") var headers: String
    @Field(key: "message_id") var messageID: String
    @Field(key: "status") var status: String
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "delivery_note") var deliveryNote: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?

    init() {}

    var value: OutboxMessage {
        let decoder = JSONDecoder()
        let fallback = MailAddress(EmailAddress(stored: "unknown@invalid.invalid"))
        let from = (try? decoder.decode(MailAddress.self, from: Data(fromAddress.utf8))) ?? fallback
        let message = MailMessage.unchecked(
            from: from,
            to: (try? decoder.decode([MailAddress].self, from: Data(toAddresses.utf8))) ?? [],
            replyTo: replyTo.flatMap { try? decoder.decode(MailAddress.self, from: Data($0.utf8)) },
            subject: subject, text: textBody, html: htmlBody,
            headers: (try? decoder.decode([MailHeader].self, from: Data(headers.utf8))) ?? [],
            messageID: messageID, date: createdAt
        )
        return OutboxMessage(
            id: id ?? UUID(), workspaceID: workspaceID, contactID: contactID, kind: MailKind(rawValue: kind), message: message,
            status: OutboxStatus(rawValue: status) ?? .failed, attempts: attempts, lastError: lastError, deliveryNote: deliveryNote,
            createdAt: createdAt, updatedAt: updatedAt, sentAt: sentAt
        )
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}

/// Where the listing of an outbox continues: after the message with this time and id.
public struct OutboxCursor: Sendable, Equatable {
    public var createdAt: Date
    public var id: UUID

    public init(createdAt: Date, id: UUID) {
        self.createdAt = createdAt
        self.id = id
    }

    /// `<milliseconds>_<id>`, for a URL.
    public var token: String {
        "\(Int64((createdAt.timeIntervalSince1970 * 1000).rounded()))_\(id.uuidString.lowercased())"
    }

    public init?(token: String) {
        let parts = token.split(separator: "_")
        guard parts.count == 2, let millis = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.createdAt = Date(timeIntervalSince1970: Double(millis) / 1000)
        self.id = id
    }
}

/// The outbox of one workspace: messages are written here (``enqueue(_:kind:contactID:now:on:)``,
/// inside the caller's transaction when it has one) and a delivery takes them one at a time
/// (``claim(_:now:)``) and records what the transport did. Every query is filtered by the
/// workspace, so another workspace's message is as unknown as a missing one.
public struct Outbox: Sendable {
    let db: any Database
    public let workspaceID: UUID

    /// A message found in `sending` longer than this was left by a process that stopped while
    /// sending it; a delivery may take it again.
    public static let sendingLease: TimeInterval = 600

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// An id for a new message, ordered by time; make the ``MailMessage`` with it so its
    /// Message-ID and its outbox row share it.
    public static func newID(at now: Date) -> UUID {
        TimeOrderedID.make(at: now)
    }

    /// Writes a checked message as `queued`, on `database` when given (the caller's
    /// transaction: the message then commits or rolls back with the change that caused it).
    /// The row's id is the one the Message-ID starts with, or a new one.
    @discardableResult
    public func enqueue(
        _ message: MailMessage, kind: MailKind, contactID: UUID? = nil, now: Date, on database: (any Database)? = nil
    ) async throws -> OutboxMessage {
        let errors = message.check()
        if !errors.isEmpty { throw ValidationFailure(errors) }
        let row = OutboxMessageRow()
        row.id = UUID(uuidString: String(message.messageID.prefix { $0 != "@" })) ?? Self.newID(at: now)
        row.workspaceID = workspaceID
        row.contactID = contactID
        row.kind = kind.rawValue
        row.toAddresses = OutboxMessageRow.encode(message.to)
        row.fromAddress = OutboxMessageRow.encode(message.from)
        row.replyTo = message.replyTo.map { OutboxMessageRow.encode($0) }
        row.subject = message.subject
        row.textBody = message.text
        row.htmlBody = message.html
        row.headers = OutboxMessageRow.encode(message.headers)
        row.messageID = message.messageID
        row.status = OutboxStatus.queued.rawValue
        row.attempts = 0
        row.createdAt = now
        row.updatedAt = now
        try await row.create(on: database ?? db)
        return row.value
    }

    public struct Page: Sendable {
        public var messages: [OutboxMessage]
        /// Where the next page starts; nil on the last page.
        public var next: OutboxCursor?
    }

    /// The workspace's messages, newest first, all or those in one status.
    public func list(status: OutboxStatus? = nil, limit: Int = 50, after cursor: OutboxCursor? = nil) async throws -> Page {
        let limit = max(1, min(limit, 500))
        var query = OutboxMessageRow.query(on: db).filter(\.$workspaceID == workspaceID)
        if let status { query = query.filter(\.$status == status.rawValue) }
        if let cursor {
            query = query.group(.or) { or in
                or.filter(\.$createdAt < cursor.createdAt)
                or.group(.and) { and in
                    and.filter(\.$createdAt == cursor.createdAt)
                    and.filter(\.$id < cursor.id)
                }
            }
        }
        let rows = try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(limit + 1).all()
        let messages = rows.prefix(limit).map(\.value)
        let next = rows.count > limit ? messages.last.map { OutboxCursor(createdAt: $0.createdAt, id: $0.id) } : nil
        return Page(messages: Array(messages), next: next)
    }

    /// How many messages the workspace has in each status.
    public func counts() async throws -> [OutboxStatus: Int] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        let rows = try await sql.select().column("status").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(OutboxMessageRow.schema).where("workspace_id", .equal, SQLBind(workspaceID)).groupBy("status").all()
        var counts: [OutboxStatus: Int] = [:]
        for row in rows {
            if let status = OutboxStatus(rawValue: try row.decode(column: "status", as: String.self)) {
                counts[status] = try row.decode(column: "n", as: Int.self)
            }
        }
        return counts
    }

    public func find(_ id: UUID) async throws -> OutboxMessage? {
        try await row(id)?.value
    }

    /// Takes a message for delivery: `queued` (or `sending` for longer than the lease) becomes
    /// `sending` with one more attempt, in one statement, so two deliveries of the same message
    /// never both send it. Nil when the message is not there or not waiting.
    public func claim(_ id: UUID, now: Date) async throws -> OutboxMessage? {
        guard let sql = db as? any SQLDatabase else { return nil }
        let stale = now.addingTimeInterval(-Self.sendingLease)
        let claimed = try await sql.update(OutboxMessageRow.schema)
            .set(SQLColumn("status"), to: SQLBind(OutboxStatus.sending.rawValue))
            .set(SQLColumn("attempts"), to: SQLBinaryExpression(SQLColumn("attempts"), .add, SQLLiteral.numeric("1")))
            .set(SQLColumn("updated_at"), to: SQLBind(now))
            .where("id", .equal, SQLBind(id))
            .where("workspace_id", .equal, SQLBind(workspaceID))
            .where { group in
                group.where("status", .equal, SQLBind(OutboxStatus.queued.rawValue))
                    .orWhere { stuck in
                        stuck.where("status", .equal, SQLBind(OutboxStatus.sending.rawValue)).where("updated_at", .lessThan, SQLBind(stale))
                    }
            }
            .returning("id")
            .all()
        guard !claimed.isEmpty else { return nil }
        return try await find(id)
    }

    /// The server accepted the message.
    public func markSent(_ id: UUID, reply: String?, now: Date) async throws {
        try await record(id, status: .sent, error: nil, note: reply, sentAt: now, now: now)
    }

    /// The transport keeps the message in the outbox on purpose.
    public func markHeld(_ id: UUID, reason: String, now: Date) async throws {
        try await record(id, status: .held, error: nil, note: reason, sentAt: nil, now: now)
    }

    /// The delivery failed. A failure that may pass (`retriable`) puts the message back in the
    /// queue with its error; any other one fails it for good.
    public func markFailed(_ id: UUID, error: String, retriable: Bool, now: Date) async throws {
        try await record(id, status: retriable ? .queued : .failed, error: String(error.prefix(2_000)), note: nil, sentAt: nil, now: now)
    }

    private func record(_ id: UUID, status: OutboxStatus, error: String?, note: String?, sentAt: Date?, now: Date) async throws {
        try await OutboxMessageRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id)
            .set(\.$status, to: status.rawValue)
            .set(\.$lastError, to: error)
            .set(\.$deliveryNote, to: note.map { String($0.prefix(2_000)) })
            .set(\.$sentAt, to: sentAt)
            .set(\.$updatedAt, to: now)
            .update()
    }

    private func row(_ id: UUID) async throws -> OutboxMessageRow? {
        try await OutboxMessageRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first()
    }
}
