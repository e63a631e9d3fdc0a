import FluentKit
import Foundation

/// Remembers the answer to a create sent with an `Idempotency-Key`, so a client that retries
/// after a lost answer gets the same answer and nothing is created twice.
public struct IdempotencyKeys: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    public struct Stored: Sendable, Equatable {
        public var requestHash: String
        public var status: Int
        public var body: String

        public init(requestHash: String, status: Int, body: String) {
            self.requestHash = requestHash
            self.status = status
            self.body = body
        }
    }

    /// How long a key is remembered.
    public static let lifetime: TimeInterval = 24 * 3600

    public func find(_ key: String, now: Date) async throws -> Stored? {
        guard let row = try await IdempotencyKeyRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$key == key).first(),
              now.timeIntervalSince(row.createdAt) < Self.lifetime
        else { return nil }
        return Stored(requestHash: row.requestHash, status: row.status, body: row.body)
    }

    /// Stores an answer; when another request stored one for the key first, returns that one.
    public func store(_ key: String, _ stored: Stored, now: Date) async throws -> Stored {
        try await IdempotencyKeyRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$key == key)
            .filter(\.$createdAt < now.addingTimeInterval(-Self.lifetime)).delete()
        let row = IdempotencyKeyRow()
        row.id = UUID()
        row.workspaceID = workspaceID
        row.key = key
        row.requestHash = stored.requestHash
        row.status = stored.status
        row.body = stored.body
        row.createdAt = now
        do {
            try await row.create(on: db)
            return stored
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return try await find(key, now: now) ?? stored
        }
    }
}
