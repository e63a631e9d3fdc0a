import FluentKit
import Foundation
import SmarketingCore

/// The score states one writer stored in its last commits, kept in memory so that its next
/// commit need not read and parse them again: the ingest writer scores the same active contacts
/// commit after commit, and reading their states back took a tenth of its time.
///
/// An entry is only as good as the database it came from, so the cache is tied to the writer's
/// connection: each transaction starts (``begin(_:)``, with the write lock held) by comparing the
/// connection's write mark (``RawSQLite/WriteMark``) with the one taken at the end of the last
/// commit (``end(_:)``), and forgets every entry when anything was committed in between, by
/// another connection or by another query on this one. The changes a transaction makes are
/// kept apart until it has committed (``committed()``); a failure forgets everything
/// (``discard()``). On PostgreSQL there is no mark to compare and the cache stays empty.
///
/// The one writer uses it from one transaction at a time; the lock only makes that safe to share.
public final class ScoreStateCache: @unchecked Sendable {
    struct Entry: Sendable {
        var rowID: UUID
        var version: Int
        var state: ScoreState
    }

    private struct Key: Hashable {
        var workspaceID: UUID
        var contactID: UUID
    }

    private let lock = NSLock()
    private let capacity: Int
    private var entries: [Key: Entry] = [:]
    /// The mark the last commit ended with; nil before one, or after a failure.
    private var mark: RawSQLite.WriteMark?
    /// The transaction under way: its changes (nil: forget the contact) and closing mark.
    private var staged: [Key: Entry?] = [:]
    private var closing: RawSQLite.WriteMark?
    private var active = false
    /// How many states were found here instead of read (for tests).
    private(set) var hits = 0

    /// At most `capacity` contacts are kept; past that the cache starts again empty.
    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// Starts a write transaction's use of the cache: call it first inside the transaction.
    public func begin(_ tx: any Database) async throws {
        begin(at: try await RawSQLite.with(tx) { try $0.writeMark() })
    }

    /// ``begin(_:)`` with the connection's mark read (nil on PostgreSQL).
    func begin(at current: RawSQLite.WriteMark?) {
        lock.withLock {
            staged = [:]
            closing = nil
            active = current != nil
            if current == nil || current != mark { entries.removeAll(keepingCapacity: true) }
        }
    }

    /// Ends the transaction's use: call it last inside the transaction, after its writes.
    public func end(_ tx: any Database) async throws {
        end(at: try await RawSQLite.with(tx) { try $0.writeMark() })
    }

    /// ``end(_:)`` with the connection's mark read.
    func end(at current: RawSQLite.WriteMark?) {
        lock.withLock { closing = current }
    }

    /// The transaction committed: its states are kept for the next one.
    public func committed() {
        lock.withLock {
            guard active, let closing else { return forget() }
            if entries.count + staged.count > capacity { entries.removeAll(keepingCapacity: true) }
            for (key, entry) in staged { entries[key] = entry }
            mark = closing
            staged = [:]
            self.closing = nil
        }
    }

    /// The transaction failed (or its outcome is unknown): everything is forgotten.
    public func discard() {
        lock.withLock { forget() }
    }

    private func forget() {
        entries.removeAll(keepingCapacity: true)
        staged = [:]
        mark = nil
        closing = nil
    }

    /// The contact's state as this transaction or the last commits left it, if kept.
    func entry(workspaceID: UUID, contactID: UUID) -> Entry? {
        lock.withLock {
            guard active else { return nil }
            let key = Key(workspaceID: workspaceID, contactID: contactID)
            let found = staged[key] ?? entries[key]
            if found != nil { hits += 1 }
            return found
        }
    }

    /// Records what this transaction wrote for a contact; nil when it wrote it another way (a
    /// re-scoring from its history), which the next commit reads back.
    func keep(_ entry: Entry?, workspaceID: UUID, contactID: UUID) {
        lock.withLock {
            guard active else { return }
            staged[Key(workspaceID: workspaceID, contactID: contactID)] = .some(entry)
        }
    }
}
