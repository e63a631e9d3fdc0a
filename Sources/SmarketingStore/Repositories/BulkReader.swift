import FluentKit
import Foundation
import NIOPosix
import SmarketingCore
import VaporCSQLite

/// A second, read-only connection to the database file, on which an activation run reads its
/// next batches (contacts with their custom values, their companies with theirs, and their
/// events) while the transaction's own connection writes: SQLite's work on two cores instead of
/// one, and the writing connection does nothing but write.
///
/// Its read transaction starts once the run's transaction holds the write lock (no other
/// writer can commit meanwhile) and ends before that transaction commits, so it sees what the
/// run's transaction sees of the rows it reads; the run writes none of them before reading
/// them (it writes scores, ledger lines and the stages of contacts already read). One task
/// uses it at a time (each batch's read waits for the one before it), so it is opened without
/// SQLite's per-call mutex. Only for a database
/// file in WAL mode, where readers never wait for the writer nor it for them.
final class BulkReader: @unchecked Sendable {
    private let raw: RawSQLite

    private init(_ raw: RawSQLite) {
        self.raw = raw
    }

    deinit { sqlite_nio_sqlite3_close_v2(raw.handle) }

    /// A reader of the file `db` keeps its data in; nil when `db` is not SQLite, is in memory,
    /// or is not in WAL mode (the product's databases are; without WAL a reader would block the
    /// writer's commit).
    static func open(besides db: any Database) async throws -> BulkReader? {
        let path = try await RawSQLite.with(db) { raw in
            try raw.value("PRAGMA journal_mode")?.lowercased() == "wal" ? raw.filename : ""
        }
        guard let path, !path.isEmpty else { return nil }
        return try await NIOThreadPool.singleton.runIfActive {
            var handle: OpaquePointer?
            let code = sqlite_nio_sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
            guard code == SQLITE_OK, let handle else {
                if let handle { sqlite_nio_sqlite3_close_v2(handle) }
                throw RawSQLite.Failure(code: code, message: "cannot open the database file to read it")
            }
            let reader = BulkReader(RawSQLite(handle: handle))
            sqlite_nio_sqlite3_busy_timeout(handle, 10_000)
            try reader.raw.execute("PRAGMA cache_size = -65536")
            return reader
        }
    }

    /// Starts a read transaction and fixes its snapshot (ending one a failed run left open);
    /// call it once the run's transaction holds the write lock.
    func begin() async throws {
        try await NIOThreadPool.singleton.runIfActive { [raw] in
            if raw.inTransaction { try raw.execute("COMMIT") }
            try raw.execute("BEGIN")
            try raw.execute("SELECT 1 FROM sqlite_master LIMIT 1")
        }
    }

    /// Ends the read transaction; call it before the run's transaction commits.
    func end() async throws {
        try await NIOThreadPool.singleton.runIfActive { [raw] in
            if raw.inTransaction { try raw.execute("COMMIT") }
        }
    }

    /// The workspace's next batch of contacts after `after` (id order, at most `limit`) with
    /// everything the engine reads of them.
    func batch(of workspaceID: UUID, after: UUID?, limit: Int, fields: [CustomFieldDefinition], today: CalendarDay) async throws -> BulkScoring.BatchRead {
        try await NIOThreadPool.singleton.runIfActive { [raw] in
            try BulkScoring.batch(of: workspaceID, after: after, limit: limit, fields: fields, today: today, on: raw)
        }
    }
}
