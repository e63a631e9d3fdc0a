import FluentKit
import FluentSQLiteDriver
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOPosix
import VaporCSQLite

/// The C handle of the SQLite connection a database runs on, for the one path that moves tens
/// of millions of values per run: bulk re-scoring. Through SQLiteNIO every value read becomes
/// an enum holding a Swift string and every row an array of named columns; here a statement is
/// prepared once and its columns are read as bytes where SQLite keeps them.
///
/// SQLiteNIO does not publish the handle, so it is found by reflection on the connection. When
/// a release of SQLiteNIO moves it, ``with(_:_:)`` answers nil and the callers fall back to
/// SQLiteNIO's own API (the store tests check that the handle is found, so such a release fails
/// a test instead of quietly slowing re-scoring down). The connection is opened in serialized
/// mode (`SQLITE_OPEN_FULLMUTEX`), and the handle is only used while the caller holds the
/// connection and awaits the work, so no other query runs on it meanwhile.
struct RawSQLite: @unchecked Sendable {
    let handle: OpaquePointer

    /// A statement SQLite refused, or a step that failed: SQLite's own message.
    struct Failure: Error, CustomStringConvertible {
        var code: Int32
        var message: String
        var description: String { "SQLite error \(code): \(message)" }
    }

    /// Runs `body` with the handle of the connection `db` runs on (inside a transaction, the
    /// transaction's), on NIO's thread pool as SQLiteNIO does (the work blocks on SQLite);
    /// nil when `db` is not SQLite or the handle cannot be reached.
    static func with<T: Sendable>(_ db: any Database, _ body: @escaping @Sendable (RawSQLite) throws -> T) async throws -> T? {
        guard let sqlite = db as? any SQLiteDatabase else { return nil }
        return try await sqlite.withConnection { connection -> T? in
            guard let handle = handle(of: connection) else { return nil }
            let raw = RawSQLite(handle: handle)
            return try await NIOThreadPool.singleton.runIfActive { try body(raw) }
        }
    }

    /// A connection of its own to the database file at `path`, opened with SQLite's `flags`
    /// (to read and write by default); the caller closes it (``close()``).
    static func open(_ path: String, flags: Int32 = SQLITE_OPEN_READWRITE) throws -> RawSQLite {
        var handle: OpaquePointer?
        let code = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            throw Failure(code: code, message: "cannot open the database file")
        }
        return RawSQLite(handle: handle)
    }

    /// Closes a connection ``open(_:flags:)`` opened.
    func close() {
        sqlite_nio_sqlite3_close_v2(handle)
    }

    /// Whether the handle of `db`'s connection can be reached (see the type's notes).
    static func isAvailable(_ db: any Database) async throws -> Bool {
        try await with(db) { _ in true } ?? false
    }

    private static func handle(of connection: SQLiteConnection) -> OpaquePointer? {
        guard let value = Mirror(reflecting: connection).descendant("handle", "raw") else { return nil }
        return value as? OpaquePointer ?? (value as? OpaquePointer?) ?? nil
    }

    func failure(_ code: Int32) -> Failure {
        Failure(code: code, message: sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "unknown")
    }

    /// The first column of a statement's first row, as text; nil when it answers none.
    func value(_ sql: String) throws -> String? {
        let statement = try Statement(self, sql)
        guard try statement.step() else { return nil }
        let value = statement.text(0)
        while try statement.step() {}
        return value
    }

    /// Runs a statement that answers no rows.
    func execute(_ sql: String) throws {
        let statement = try Statement(self, sql)
        while try statement.step() {}
    }

    /// The path of the connection's database file; empty for a database in memory.
    var filename: String {
        sqlite_nio_sqlite3_db_filename(handle, "main").map { String(cString: $0) } ?? ""
    }

    /// How many pages the connection wrote (into the WAL, in WAL mode) since it was opened or
    /// since the last call that reset the count.
    @discardableResult
    func pagesWritten(reset: Bool = false) -> Int {
        var current: Int32 = 0, highest: Int32 = 0
        sqlite_nio_sqlite3_db_status(handle, SQLITE_DBSTATUS_CACHE_WRITE, &current, &highest, reset ? 1 : 0)
        return Int(current)
    }

    /// Makes the connection wait for another connection's lock by sleeping between its tries
    /// (0.1 ms, then a little longer each time up to 2 ms), where SQLiteNIO's handler tries again
    /// at once and keeps a core busy for as long as the other holds the lock: a re-scoring run's
    /// transaction holds the write lock for about a second, and a connection waiting for it
    /// (a job worker, an ingest commit) took a whole core of two from the run. It still waits for
    /// as long as it takes, as SQLiteNIO's does.
    func sleepWhileBusy() {
        sqlite_nio_sqlite3_busy_handler(handle, Self.sleepingBusyHandler, nil)
    }

    static let sleepingBusyHandler: @convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32 = { _, tries in
        usleep(tries < 20 ? 100 * useconds_t(tries + 1) : 2_000)
        return 1
    }

    /// Makes the WAL of the connection's database be checkpointed once it is 1,000 pages long,
    /// as SQLite's own automatic checkpoint does, but by a thread of its own
    /// (``Checkpointer``) instead of the commit that crossed the mark: the copy into the
    /// database file and its flush took about a seventh of the ingest writer's time, and the
    /// writer is the one thread the ingest rate depends on. A writer that keeps writing can
    /// keep the WAL from being started over (SQLite restarts it only when a checkpoint has copied
    /// all of it before the next write begins), so once the WAL reaches ``inlineCheckpointPages``
    /// the commit that finds it so long finishes the copy itself, which is short then.
    /// Nothing is checkpointed while a bulk run writes the same file (``BulkRuns``), which
    /// checkpoints it itself, every 40,000 pages (``StoreTuning/bulkWriting(_:checkpointPages:_:)``):
    /// otherwise each commit of a handoff notification during a model change copied the run's
    /// long WAL into the file.
    func checkpointOutsideBulkRuns() {
        sqlite_nio_sqlite3_wal_hook(handle, Self.checkpointingHook, nil)
    }

    /// The WAL length (in pages) from which a commit checkpoints it in its own time.
    static let inlineCheckpointPages: Int32 = 16_000

    static let checkpointingHook: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32 = { _, handle, name, pages in
        guard pages >= 1000, let handle, let name else { return SQLITE_OK }
        let path = sqlite_nio_sqlite3_db_filename(handle, name).map { String(cString: $0) } ?? ""
        guard !path.isEmpty, !BulkRuns.writing(path) else { return SQLITE_OK }
        if pages < inlineCheckpointPages {
            Checkpointer.shared.request(path)
        } else {
            Checkpointer.shared.takeOver(path)
            sqlite_nio_sqlite3_wal_checkpoint_v2(handle, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        }
        return SQLITE_OK
    }

    /// A thread of the process's own for work that waits on the disk (checkpoints, flushes of
    /// the WAL), started with its name.
    static func startThread(_ name: String, _ body: @escaping @Sendable () -> Void) -> Thread {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
        return thread
    }

    /// The thread that checkpoints the WAL of the process's database files when their commits
    /// ask (``checkpointOutsideBulkRuns()``), one file at a time, each time on a connection it
    /// opens for the purpose and closes after (so it keeps no file open). A passive checkpoint:
    /// it copies what no reader still needs and never makes a writer wait.
    final class Checkpointer: @unchecked Sendable {
        static let shared = Checkpointer()
        private let condition = NSCondition()
        private var pending: [String] = []
        private var running: String?
        private var thread: Thread?

        /// Checkpoints the file at `path` soon (once, however many times it is asked before).
        func request(_ path: String) {
            condition.lock()
            defer { condition.unlock() }
            guard !pending.contains(path) else { return }
            pending.append(path)
            if thread == nil { thread = RawSQLite.startThread("sqlite-checkpoints") { [unowned self] in self.run() } }
            condition.broadcast()
        }

        /// Returns once no checkpoint of the file at `path` is under way, and drops the one asked
        /// for: the caller checkpoints it now.
        func takeOver(_ path: String) {
            condition.lock()
            defer { condition.unlock() }
            while running == path { condition.wait() }
            pending.removeAll { $0 == path }
        }

        /// Returns once every checkpoint asked for has been done.
        func waitUntilIdle() {
            condition.lock()
            defer { condition.unlock() }
            while running != nil || !pending.isEmpty { condition.wait() }
        }

        private func run() {
            while true {
                condition.lock()
                while pending.isEmpty { condition.wait() }
                let path = pending.removeFirst()
                running = path
                condition.unlock()
                Self.checkpoint(path)
                condition.lock()
                running = nil
                condition.broadcast()
                condition.unlock()
            }
        }

        private static func checkpoint(_ path: String) {
            guard !BulkRuns.writing(path), let raw = try? RawSQLite.open(path) else { return }
            defer { raw.close() }
            // As a statement, which reads the schema first: on a connection that has read
            // nothing yet, the C call copied nothing (a store test checks the copy).
            _ = try? raw.value("PRAGMA wal_checkpoint(PASSIVE)")
        }
    }

    /// The thread that flushes to disk the WAL of database files whose commits did not flush it
    /// themselves (``StoreTuning/handleTransaction(_:deferringFlush:start:finish:close:)``):
    /// one flush serves every commit that asked before it began. The ingest writer answers a
    /// commit's requests once its flush is done, while its next commit already runs, where a
    /// commit that flushed its own WAL kept the writer waiting for the disk (2.5 ms of a 6 ms
    /// commit of 32 events).
    final class WALFlusher: @unchecked Sendable {
        static let shared = WALFlusher()
        private let condition = NSCondition()
        private var waiting: [String: [CheckedContinuation<Void, any Error>]] = [:]
        private var thread: Thread?
        private var flushCount = 0

        /// How many flushes ran (for tests).
        var flushes: Int {
            condition.lock()
            defer { condition.unlock() }
            return flushCount
        }

        /// Returns once the WAL of the database file at `path` was flushed by a flush that began
        /// after this call: everything committed before the call is then on disk.
        func flushed(_ path: String) async throws {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                condition.lock()
                defer { condition.unlock() }
                waiting[path, default: []].append(continuation)
                if thread == nil { thread = RawSQLite.startThread("sqlite-wal-flush") { [unowned self] in self.run() } }
                condition.broadcast()
            }
        }

        private func run() {
            while true {
                condition.lock()
                while waiting.isEmpty { condition.wait() }
                let (path, continuations) = waiting.first!
                waiting[path] = nil
                condition.unlock()
                let failure = Self.flush(path + "-wal")
                condition.lock()
                flushCount += 1
                condition.unlock()
                for continuation in continuations {
                    if let failure { continuation.resume(throwing: failure) } else { continuation.resume() }
                }
            }
        }

        /// Flushes the file at `path`, opened for the purpose (so that a WAL SQLite removed and
        /// made again is the one flushed). A WAL that is gone was copied into the database
        /// file, which that copy flushed.
        private static func flush(_ path: String) -> Failure? {
            let descriptor = Glibc.open(path, O_RDONLY)
            guard descriptor >= 0 else {
                return errno == ENOENT ? nil : Failure(code: errno, message: "cannot open \(path) to flush it")
            }
            defer { Glibc.close(descriptor) }
            return fsync(descriptor) == 0 ? nil : Failure(code: errno, message: "cannot flush \(path)")
        }
    }

    /// The database files that bulk runs of this process are writing, which checkpoint their
    /// WAL themselves.
    enum BulkRuns {
        private static let files = NIOLockedValueBox<[String: Int]>([:])

        static func writing(_ path: String) -> Bool {
            files.withLockedValue { $0[path] != nil }
        }

        /// Counts a bulk run writing the file at `path` until ``end(_:)``; runs may overlap.
        static func begin(_ path: String) {
            files.withLockedValue { $0[path, default: 0] += 1 }
        }

        static func end(_ path: String) {
            files.withLockedValue { files in
                guard let count = files[path] else { return }
                files[path] = count > 1 ? count - 1 : nil
            }
        }
    }

    /// How many rows the connection's last INSERT, UPDATE or DELETE changed.
    var changes: Int { Int(sqlite_nio_sqlite3_changes64(handle)) }

    /// Runs a query once per key, with `workspaceID` bound as its first value and the key (by
    /// `bind`) as its second, and hands every row it answers to `row`: point lookups through an
    /// index, one statement prepared once for all of them, where an `IN` list of hundreds of
    /// values costs a statement of that size to parse and a sort of the list.
    func lookup<Key>(_ sql: String, workspaceID: UUID, keys: some Collection<Key>, bind: (Statement, Key) -> Void,
                     row: (Statement) throws -> Void) throws {
        guard !keys.isEmpty else { return }
        let statement = try Statement(self, sql)
        statement.bind(1, workspaceID)
        for key in keys {
            bind(statement, key)
            while try statement.step() { try row(statement) }
            statement.reset()
        }
    }

    /// Whether a transaction is open on the connection.
    var inTransaction: Bool { sqlite_nio_sqlite3_get_autocommit(handle) == 0 }

    /// What the connection has seen of the database's writers so far (see ``WriteMark``).
    func writeMark() throws -> WriteMark {
        WriteMark(handle: Int(bitPattern: handle), dataVersion: try value("PRAGMA data_version") ?? "",
                  changes: Int(sqlite_nio_sqlite3_total_changes64(handle)))
    }

    /// A connection's view of the writers of its database: two marks taken on one connection
    /// are equal only if nothing was committed in between, by another connection (SQLite's
    /// `data_version` moves) or by this one (its count of changed rows moves). A mark taken while
    /// the connection holds the write lock, compared with one taken once it holds it again,
    /// proves that the database is as its own commit in between left it.
    struct WriteMark: Sendable, Equatable {
        var handle: Int
        var dataVersion: String
        var changes: Int
    }

    /// Inserts rows of values (in `columns` order), an upsert when `conflict` is given: one
    /// statement prepared once and run a row at a time. The rows are written together or not at
    /// all (``atomically(_:)``).
    func write(into table: String, columns: [String], rows: [[BulkValue]], conflict: (key: [String], updating: [String])? = nil) throws {
        guard !rows.isEmpty else { return }
        let statement = try Statement(self, BulkInsert.sqliteStatement(into: table, columns: columns, rows: 1, conflict: conflict))
        try atomically {
            for row in rows { try statement.run(row) }
        }
    }

    /// Runs `body`'s statements together or not at all: inside the caller's transaction, which a
    /// failure rolls back; on their own, in a savepoint (inside a transaction a savepoint would
    /// copy every page it changes, to undo it).
    func atomically<T>(_ body: () throws -> T) throws -> T {
        if inTransaction { return try body() }
        try execute("SAVEPOINT raw_write")
        do {
            let result = try body()
            try execute("RELEASE raw_write")
            return result
        } catch {
            try? execute("ROLLBACK TO raw_write")
            try? execute("RELEASE raw_write")
            throw error
        }
    }

    /// A prepared statement, finalized when released.
    final class Statement {
        let raw: RawSQLite
        let pointer: OpaquePointer

        init(_ raw: RawSQLite, _ sql: String) throws {
            self.raw = raw
            var pointer: OpaquePointer?
            let code = sqlite_nio_sqlite3_prepare_v3(raw.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
            guard code == SQLITE_OK, let pointer else { throw raw.failure(code) }
            self.pointer = pointer
        }

        deinit { sqlite_nio_sqlite3_finalize(pointer) }

        /// Starts the statement again with new values (its bound values are kept until bound again).
        func reset() {
            sqlite_nio_sqlite3_reset(pointer)
        }

        /// Binds a text; SQLite copies it.
        func bind(_ index: Int32, _ text: String) {
            var text = text
            text.withUTF8 { bind(index, utf8: UnsafeRawBufferPointer($0)) }
        }

        /// Binds the bytes of a text; SQLite copies them. An empty text is bound as one, not as
        /// NULL (which a missing pointer would mean).
        func bind(_ index: Int32, utf8 bytes: UnsafeRawBufferPointer) {
            let start = (bytes.baseAddress ?? Self.empty).assumingMemoryBound(to: CChar.self)
            _ = sqlite_nio_sqlite3_bind_text(pointer, index, start, Int32(bytes.count), Self.transient)
        }

        func bind(_ index: Int32, _ number: Int) { _ = sqlite_nio_sqlite3_bind_int64(pointer, index, Int64(number)) }
        func bind(_ index: Int32, _ number: Double) { _ = sqlite_nio_sqlite3_bind_double(pointer, index, number) }
        func bindNull(_ index: Int32) { _ = sqlite_nio_sqlite3_bind_null(pointer, index) }

        /// An id as the store writes it (upper-case text).
        func bind(_ index: Int32, _ id: UUID) {
            UUIDText.withText(id) { bind(index, utf8: $0) }
        }

        /// Binds a value as the store writes it on SQLite (see ``BulkValue/sqlite``).
        func bind(_ index: Int32, _ value: BulkValue) {
            switch value {
            case .text(let text): bind(index, text)
            case .integer(let number): bind(index, number)
            case .real(let number): bind(index, number)
            case .uuid(let id): bind(index, id)
            case .date(let date): bind(index, date.timeIntervalSince1970)
            case .bool(let flag): bind(index, flag ? 1 : 0)
            case .null: bindNull(index)
            }
        }

        /// Runs a statement that answers no rows with these values (bound in order), and makes it
        /// ready to run again.
        func run(_ values: [BulkValue]) throws {
            for (index, value) in values.enumerated() { bind(Int32(index + 1), value) }
            while try step() {}
            reset()
        }

        /// Moves to the next row: true when there is one, false when the statement is done.
        func step() throws -> Bool {
            let code = sqlite_nio_sqlite3_step(pointer)
            if code == SQLITE_ROW { return true }
            if code == SQLITE_DONE { return false }
            throw raw.failure(code)
        }

        /// A text column's bytes, valid until the next step or reset; empty for NULL.
        func bytes(_ column: Int32) -> UnsafeRawBufferPointer {
            guard let text = sqlite_nio_sqlite3_column_text(pointer, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            return UnsafeRawBufferPointer(start: text, count: Int(sqlite_nio_sqlite3_column_bytes(pointer, column)))
        }

        /// A column as text (a number as SQLite writes it); nil for NULL.
        func text(_ column: Int32) -> String? {
            sqlite_nio_sqlite3_column_type(pointer, column) == SQLITE_NULL ? nil : String(decoding: bytes(column), as: UTF8.self)
        }

        /// An id column as the store writes it; nil for NULL or a text that is no id.
        func uuid(_ column: Int32) -> UUID? {
            UUIDText.parse(bytes(column))
        }

        /// A whole-number column (a real one cut, a text one read); nil for NULL or a text that is no number.
        func integer(_ column: Int32) -> Int? {
            switch sqlite_nio_sqlite3_column_type(pointer, column) {
            case SQLITE_INTEGER: Int(sqlite_nio_sqlite3_column_int64(pointer, column))
            case SQLITE_FLOAT: Int(exactly: sqlite_nio_sqlite3_column_double(pointer, column).rounded(.towardZero))
            case SQLITE_TEXT: Int(String(decoding: bytes(column), as: UTF8.self))
            default: nil
            }
        }

        /// A number column; a date as Fluent stores it on SQLite (seconds since 1970), whole or
        /// not, or written as text; nil for NULL or a text that is no number.
        func double(_ column: Int32) -> Double? {
            switch sqlite_nio_sqlite3_column_type(pointer, column) {
            case SQLITE_FLOAT, SQLITE_INTEGER: sqlite_nio_sqlite3_column_double(pointer, column)
            case SQLITE_TEXT: Double(String(decoding: bytes(column), as: UTF8.self))
            default: nil
            }
        }

        /// Where an empty text points.
        nonisolated(unsafe) private static let empty = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))

        /// SQLite's "copy the value before returning" destructor.
        static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    }
}
