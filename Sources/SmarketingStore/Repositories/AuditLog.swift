import FluentKit
import Foundation
import SmarketingCore

/// The workspace's audit log: who changed what, with the values before and after.
public struct AuditLog: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// Records a change; call it on the same transaction as the change itself.
    public func record(
        _ action: AuditAction, by actor: AuditActor, entityType: String, entityID: UUID?, change: AuditChange, at now: Date
    ) async throws {
        let row = AuditEntryRow()
        row.id = TimeOrderedID.make(at: now)
        row.workspaceID = workspaceID
        row.actorUserID = actor.userID
        row.actorLabel = actor.name
        row.via = actor.channel.rawValue
        row.action = action.rawValue
        row.entityType = entityType
        row.entityID = entityID
        row.before = Self.encode(change.before)
        row.after = Self.encode(change.after)
        row.at = now
        try await row.create(on: db)
    }

    /// The row ``record(_:by:entityType:entityID:change:at:)`` writes, for ``BulkInsert`` with
    /// `AuditEntryRow.bulkColumns`.
    static func row(_ action: AuditAction, by actor: AuditActor, entityType: String, entityID: UUID?, change: AuditChange, at now: Date,
                    workspaceID: UUID) -> [BulkValue] {
        [.uuid(TimeOrderedID.make(at: now)), .uuid(workspaceID), BulkValue(actor.userID), .text(actor.name), .text(actor.channel.rawValue),
         .text(action.rawValue), .text(entityType), BulkValue(entityID), .text(encode(change.before)), .text(encode(change.after)), .date(now)]
    }

    /// Newest first; pass the last entry of a page as `after` to read the next one.
    public func list(limit: Int, after cursor: PageCursor? = nil) async throws -> [AuditEntry] {
        var query = AuditEntryRow.query(on: db).filter(\.$workspaceID == workspaceID)
        if let cursor {
            query = query.group(.or) { or in
                or.filter(\.$at < cursor.date)
                or.group(.and) { and in
                    and.filter(\.$at == cursor.date)
                    and.filter(\.$id < cursor.id)
                }
            }
        }
        let rows = try await query.sort(\.$at, .descending).sort(\.$id, .descending).limit(limit).all()
        return rows.map { row in
            AuditEntry(
                id: row.id ?? UUID(),
                actor: AuditActor(userID: row.actorUserID, name: row.actorLabel, channel: AuditActor.Channel(rawValue: row.via) ?? .system),
                action: row.action, entityType: row.entityType, entityID: row.entityID,
                change: AuditChange(before: Self.decode(row.before), after: Self.decode(row.after)), at: row.at
            )
        }
    }

    /// A flat JSON object with sorted keys. Written by hand: imports encode one per row, and
    /// a `JSONEncoder` costs more than the row's insert.
    static func encode(_ values: [String: String]) -> String {
        var json = "{"
        for (index, key) in values.keys.sorted().enumerated() {
            if index > 0 { json += "," }
            appendQuoted(key, to: &json)
            json += ":"
            appendQuoted(values[key] ?? "", to: &json)
        }
        return json + "}"
    }

    private static func appendQuoted(_ text: String, to json: inout String) {
        json += "\""
        let plain = text.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        if plain {
            json += text
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": json += "\\\""
                case "\\": json += "\\\\"
                case "\n": json += "\\n"
                case "\r": json += "\\r"
                case "\t": json += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: json.unicodeScalars.append(scalar)
                }
            }
        }
        json += "\""
    }

    static func decode(_ text: String) -> [String: String] {
        FlatJSON.decode(text) ?? (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }
}

/// A position in a list sorted by time then id, newest first: the last row a page showed.
public struct PageCursor: Sendable, Equatable {
    public var date: Date
    public var id: UUID

    public init(date: Date, id: UUID) {
        self.date = date
        self.id = id
    }

    /// A compact, URL-safe text form: milliseconds since 1970 and the id.
    public var token: String { "\(Int64((date.timeIntervalSince1970 * 1000).rounded()))_\(id.uuidString.lowercased())" }

    public init?(token: String) {
        let parts = token.split(separator: "_")
        guard parts.count == 2, let millis = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.date = Date(timeIntervalSince1970: Double(millis) / 1000)
        self.id = id
    }
}
