import FluentKit
import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import SmarketingCore
import VaporCSQLite

/// A second, read-only connection to the database file, on which an activation run reads its
/// next batches (contacts with their custom values, their companies with theirs, and their
/// events) while the transaction's own connection writes: SQLite's work on two cores instead of
/// one, and the writing connection does nothing but write.
///
/// Each of the run's transactions reads in a snapshot of its own (``newSnapshot()``), which the
/// first read in it starts: right after the transaction before commits, or once this one holds
/// the write lock. The transaction uses the batches read in it only if no other writer committed
/// since the commit before (``RawSQLite/WriteMark``), so the reader sees what the transaction
/// sees of the rows it reads; the run writes none of them before reading them (it writes
/// scores, ledger lines and the stages of contacts already read). The snapshot ends before the
/// transaction commits, so that SQLite can start its log over. Its calls run one at a time, in
/// the order they were made (a batch's read is made once the one before it has read), so it is
/// opened without SQLite's per-call mutex. Only for a database file in WAL mode, where readers
/// never wait for the writer nor it for them.
final class BulkReader: @unchecked Sendable {
    private let raw: RawSQLite
    /// The last call made, which the next one waits for.
    private let lastCall = NIOLockedValueBox<Task<Void, Never>?>(nil)
    /// The snapshot the next transaction of the run reads in.
    private let snapshots = NIOLockedValueBox(0)
    /// The snapshot the connection's read transaction holds; only read and set in its calls.
    private var current: Int?

    private init(_ raw: RawSQLite) {
        self.raw = raw
    }

    deinit { raw.close() }

    /// A reader of the file `db` keeps its data in; nil when `db` is not SQLite, is in memory,
    /// or is not in WAL mode (the product's databases are; without WAL a reader would block the
    /// writer's commit).
    static func open(besides db: any Database) async throws -> BulkReader? {
        let path = try await RawSQLite.with(db) { raw in
            try raw.value("PRAGMA journal_mode")?.lowercased() == "wal" ? raw.filename : ""
        }
        guard let path, !path.isEmpty else { return nil }
        return try await NIOThreadPool.singleton.runIfActive {
            let reader = BulkReader(try RawSQLite.open(path, flags: SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX))
            sqlite_nio_sqlite3_busy_timeout(reader.raw.handle, 10_000)
            try reader.raw.execute("PRAGMA cache_size = -65536")
            return reader
        }
    }

    /// A snapshot for a transaction of the run: the first batch read in it ends the snapshot
    /// before it and starts this one. Call it right after the transaction before commits, or
    /// once the transaction holds the write lock.
    func newSnapshot() -> Int {
        snapshots.withLockedValue { last in
            last += 1
            return last
        }
    }

    /// Ends the read transaction, once every call made before this one is done.
    func end() async throws {
        try await serially { raw, reader in
            if raw.inTransaction { try raw.execute("COMMIT") }
            reader.current = nil
        }
    }

    /// The workspace's next batch of contacts after `after` (id order, at most `limit`) with
    /// everything the engine reads of them, read in `snapshot`.
    func batch(of workspaceID: UUID, after: UUID?, limit: Int, fields: [CustomFieldDefinition], today: CalendarDay,
               in snapshot: Int) async throws -> BulkScoring.BatchRead {
        try await serially { raw, reader in
            if reader.current != snapshot {
                if raw.inTransaction { try raw.execute("COMMIT") }
                try raw.execute("BEGIN")
                try raw.execute("SELECT 1 FROM sqlite_master LIMIT 1")
                reader.current = snapshot
            }
            return try BulkScoring.batch(of: workspaceID, after: after, limit: limit, fields: fields, today: today, on: raw)
        }
    }

    /// Runs `body` on the connection once the calls made before it are done (also those whose
    /// callers stopped waiting), on the thread pool.
    private func serially<T: Sendable>(_ body: @escaping @Sendable (RawSQLite, BulkReader) throws -> T) async throws -> T {
        let call = lastCall.withLockedValue { last -> Task<T, any Error> in
            let previous = last
            let call = Task { [self] in
                await previous?.value
                return try await NIOThreadPool.singleton.runIfActive { try body(self.raw, self) }
            }
            last = Task { _ = try? await call.value }
            return call
        }
        return try await call.value
    }
}
