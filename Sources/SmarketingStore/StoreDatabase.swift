import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import SQLKit

/// Where the product keeps its data: an embedded SQLite file (the default) or PostgreSQL.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqliteFile(path: String)
    case sqliteMemory
    case postgres(url: String)

    /// Reads `DATABASE_URL` (PostgreSQL) or falls back to the SQLite file path.
    public static func from(databaseURL: String?, sqlitePath: String) throws(ConfigurationError) -> DatabaseLocation {
        if let url = databaseURL?.trimmingCharacters(in: .whitespaces), !url.isEmpty {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"), URL(string: url)?.host != nil else {
                throw ConfigurationError(variable: "DATABASE_URL", reason: "must be a postgres:// URL with a host")
            }
            return .postgres(url: url)
        }
        guard !sqlitePath.isEmpty else {
            throw ConfigurationError(variable: "SQLITE_PATH", reason: "must not be empty")
        }
        return .sqliteFile(path: sqlitePath)
    }

    public var isPostgres: Bool {
        if case .postgres = self { return true }
        return false
    }

    /// Fluent's configuration for this location.
    public func factory(maxConnectionsPerEventLoop: Int = 4) throws -> DatabaseConfigurationFactory {
        switch self {
        case .sqliteFile(let path):
            return .sqlite(.file(path), sqlLogLevel: .trace)
        case .sqliteMemory:
            return .sqlite(.memory, sqlLogLevel: .trace)
        case .postgres(let url):
            var config = try SQLPostgresConfiguration(url: url)
            config.searchPath = nil
            return .postgres(configuration: config, maxConnectionsPerEventLoop: maxConnectionsPerEventLoop, sqlLogLevel: .trace)
        }
    }

    public var databaseID: DatabaseID { isPostgres ? .psql : .sqlite }

    public var description: String {
        switch self {
        case .sqliteFile(let path): "SQLite file \(path)"
        case .sqliteMemory: "SQLite in memory"
        case .postgres(let url):
            "PostgreSQL at \(URL(string: url).map { "\($0.host ?? "?"):\($0.port ?? 5432)\($0.path)" } ?? "?")"
        }
    }
}

/// A configuration value that stops the start, naming the variable and what is wrong with it.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var variable: String
    public var reason: String

    public init(variable: String, reason: String) {
        self.variable = variable
        self.reason = reason
    }

    public var description: String { "\(variable) \(reason)" }
}

/// Settings applied to a fresh SQLite connection file: write-ahead log for concurrent readers.
public enum StoreTuning {
    public static func prepare(_ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("PRAGMA journal_mode=WAL").run()
    }

    /// Has the connections of these databases (on SQLite, one per event loop: its pool holds one
    /// connection a loop) sleep while they wait for another connection's lock instead of
    /// spinning (``RawSQLite/sleepWhileBusy()``), and leave the WAL to a bulk run writing the
    /// file (``RawSQLite/checkpointOutsideBulkRuns()``). A connection SQLiteNIO opens later (the
    /// pool replaces one that failed) has SQLite's defaults until the next start.
    public static func tuneConnections(_ databases: [any Database]) async throws {
        for db in databases {
            _ = try await RawSQLite.with(db) { raw in
                raw.sleepWhileBusy()
                raw.checkpointOutsideBulkRuns()
            }
        }
    }

    /// Runs `work`, a bulk run writing `db`'s file that checkpoints its WAL itself
    /// (``bulkWriting(_:checkpointPages:_:)``), with the other connections of this process
    /// leaving the WAL to it, also between its transactions (``RawSQLite/BulkRuns``).
    public static func writingInBulk<T>(_ db: any Database, _ work: () async throws -> T) async throws -> T {
        let path = try await RawSQLite.with(db) { $0.filename } ?? ""
        guard !path.isEmpty else { return try await work() }
        RawSQLite.BulkRuns.begin(path)
        defer { RawSQLite.BulkRuns.end(path) }
        return try await work()
    }

    /// Gives a connection that works in bulk (an import, a re-scoring) a page cache of
    /// `megabytes` (64 by default) instead of SQLite's 2 MB, so the indexes of a large workspace
    /// stay in memory while rows go in. The file is not memory-mapped: mapped pages count in the
    /// process's resident memory (1.7 GB for an import, 2.4 GB for re-scoring at a million
    /// contacts), and without the map re-scoring measured faster, not slower. The settings last as
    /// long as the connection.
    public static func widenCache(_ db: any Database, megabytes: Int = 64) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        // Both on the connection's own handle in one trip to the thread pool.
        if try await RawSQLite.with(db, { raw in try widenCache(raw, megabytes: megabytes) }) != nil { return }
        for pragma in cachePragmas(megabytes: megabytes) { try await sql.raw(SQLQueryString(pragma)).run() }
    }

    /// ``widenCache(_:megabytes:)`` on SQLite's own handle (the ingest writer sets it in each
    /// commit's trip).
    static func widenCache(_ raw: RawSQLite, megabytes: Int = 64) throws {
        for pragma in cachePragmas(megabytes: megabytes) { try raw.execute(pragma) }
    }

    private static func cachePragmas(megabytes: Int) -> [String] {
        ["PRAGMA cache_size = " + String(-1024 * max(2, min(megabytes, 1024))), "PRAGMA mmap_size = 0"]
    }

    /// Runs `work` (a transaction of an activation run) on one connection set for writing in
    /// bulk, and gives the connection its settings back after, also when `work` fails; the
    /// connection goes back to the pool between two of the run's transactions. On SQLite:
    /// - its commits are not flushed to disk one by one (`synchronous = NORMAL`). In WAL mode a
    ///   commit still survives the process being killed; one that a power cut loses is a run's
    ///   commit, which also holds the run's progress, so the run resumes before it;
    /// - no commit of this process checkpoints the WAL while `work` runs (``writingInBulk(_:_:)``;
    ///   a run wraps all its transactions in it too): once `work` is done (its transaction
    ///   committed, and what it started after the commit under way), the WAL is checkpointed if
    ///   the connection wrote `checkpointPages` pages into it since the last time (SQLite's
    ///   default is 1,000), so that index pages several commits rewrite (the engagement index
    ///   takes a run's rows in random order) are copied into the database file once, not once
    ///   per commit, and so that the run's reader reads the next batches meanwhile. The
    ///   connection keeps checkpointing after its commits once no bulk run writes the file
    ///   (``RawSQLite/checkpointOutsideBulkRuns()``);
    /// - its page cache is widened to 256 MB (``widenCache(_:megabytes:)``, for the life of the
    ///   connection).
    public static func bulkWriting<T: Sendable>(_ db: any Database, checkpointPages: Int = 40_000,
                                                _ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return try await work(db) }
        // The writers' turn is taken before the connection, never while holding one: a writer
        // ahead may need the pool's connection of that event loop. `work`'s write transactions
        // on the connection have that turn; the checkpoint after it does not need it.
        let turn = await WriteGate.Turn.take(db)
        defer { turn.end() }
        // Read here: Fluent runs the closure below in a task of its own, without this task's locals.
        let held = turn.gate ?? WriteGate.held
        return try await db.withConnection { connection in
            try await WriteGate.$held.withValue(held) {
                try await bulkWriting(connection, checkpointPages: checkpointPages, turn: turn, work)
            }
        }
    }

    private static func bulkWriting<T: Sendable>(_ connection: any Database, checkpointPages: Int, turn: WriteGate.Turn,
                                                 _ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        // Inside a transaction (a caller's own) the connection is left as it is: SQLite
        // refuses to change `synchronous` there.
        let names = ["synchronous"]
        let read = try await RawSQLite.with(connection) { raw in
            if !raw.inTransaction { raw.checkpointOutsideBulkRuns() }
            return raw.inTransaction ? nil : try names.map { ($0, try raw.value("PRAGMA \($0)") ?? "") }
        }
        guard let read, let saved = read, saved.allSatisfy({ Int($0.1) != nil }) else { return try await work(connection) }
        @Sendable func set(_ settings: [(String, String)]) async throws {
            _ = try await RawSQLite.with(connection) { raw in
                for (name, value) in settings { try raw.execute("PRAGMA \(name) = \(value)") }
            }
        }
        do {
            try await set([("synchronous", "NORMAL")])
            try await widenCache(connection, megabytes: 256)
            let result = try await writingInBulk(connection) { try await work(connection) }
            turn.end()
            _ = try await RawSQLite.with(connection) { raw in
                if raw.pagesWritten() >= checkpointPages {
                    _ = try raw.value("PRAGMA wal_checkpoint(PASSIVE)")
                    raw.pagesWritten(reset: true)
                }
            }
            try await set(saved)
            return result
        } catch {
            try? await set(saved)
            throw error
        }
    }

    /// A transaction that writes. On SQLite it takes the write lock before its first read,
    /// waiting its turn behind another connection's writer: a deferred transaction that read
    /// first would fail half-way ("database is locked") when the other connection committed in
    /// between, since SQLite cannot move its snapshot forward. It waits for its turn among the
    /// writers of this process first, without holding a thread (``WriteGate``). PostgreSQL
    /// needs nothing more.
    public static func writeTransaction<T: Sendable>(_ db: any Database, _ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let gate = WriteGate.of(db) else { return try await transaction(db, work) }
        return try await gate.run { try await transaction(db, work) }
    }

    /// The executor the bodies of this task's write transactions run on (``writeTransaction(_:_:)``):
    /// the ingest writer's own thread on PostgreSQL. Nil: Swift's global executor.
    @TaskLocal public static var transactionExecutor: (any TaskExecutor)?

    private static func transaction<T: Sendable>(_ db: any Database, _ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        // Fluent runs the transaction's body in a task of its own, started from the event loop,
        // which inherits neither this task's locals nor its executor: the collector of stage
        // moves and the executor are handed over.
        let log = StageMoveLog.current
        let executor = transactionExecutor
        return try await db.transaction { tx in
            try await withTaskExecutorPreference(executor) {
                try await StageMoveLog.$current.withValue(log) {
                    if let sql = tx as? any SQLDatabase, sql.dialect.name == "sqlite" {
                        // Writes nothing, but starts the write transaction (and waits for the lock).
                        try await sql.raw("UPDATE workspaces SET id = id WHERE 1 = 0").run()
                    }
                    return try await work(tx)
                }
            }
        }
    }

    /// How a transaction's first trip on SQLite's own handle ended
    /// (``handleTransaction(_:start:finish:close:)``).
    enum HandleStart<Done: Sendable, More: Sendable>: Sendable {
        /// Nothing is left to do: the trip committed.
        case done(Done)
        /// The rest follows through the usual statements.
        case more(More)
    }

    /// A write transaction that begins on SQLite's own handle and does its first part there, in
    /// one trip to the thread pool, and that commits in that same trip when `start` leaves
    /// nothing else to do; otherwise `finish` does the rest through the usual statements on the
    /// same connection, and the transaction commits in a last trip, after `close`. A failure
    /// rolls everything back. Each trip waits its turn on a busy server: the ingest writer's
    /// commit, which took a dozen of them, takes one. Nil when `db` is not SQLite, its handle
    /// cannot be reached, or it is already inside a transaction: the caller uses
    /// ``writeTransaction(_:_:)``.
    ///
    /// `deferringFlush`: on a database file in WAL mode whose commits flush the WAL
    /// (`synchronous = FULL`, SQLite's default), this commit does not wait for the disk
    /// (`NORMAL` for this transaction only); the answer then names the database file, and what
    /// it committed is on disk once ``RawSQLite/WALFlusher/flushed(_:)`` returns for that path.
    /// A process that is killed loses nothing either way: the WAL is written before the commit
    /// returns; only a power cut in between could lose it.
    ///
    /// `finish` runs inside the transaction, but on a database that does not know it: it must
    /// not open a transaction of its own.
    static func handleTransaction<Done: Sendable, More: Sendable>(
        _ db: any Database,
        deferringFlush: Bool = false,
        start: @escaping @Sendable (RawSQLite) throws -> HandleStart<Done, More>,
        finish: @escaping @Sendable (any Database, More) async throws -> Done,
        close: @escaping @Sendable (RawSQLite) throws -> Void
    ) async throws -> (done: Done, unflushed: String?)? {
        guard !db.inTransaction, let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return nil }
        let gate = WriteGate.of(db)
        await gate?.enter()
        defer { gate?.leave() }
        // Fluent runs the closure below in a task of its own, without this task's locals.
        let log = StageMoveLog.current
        let held = gate ?? WriteGate.held
        return try await db.withConnection { connection -> (done: Done, unflushed: String?)? in
            try await WriteGate.$held.withValue(held) {
                try await StageMoveLog.$current.withValue(log) {
                    let first = try await RawSQLite.with(connection) { raw -> (started: HandleStart<Done, More>, flush: FlushSetting?) in
                        let flush = deferringFlush ? try FlushSetting.lower(raw) : nil
                        do {
                            // IMMEDIATE: the write lock before the first read (see writeTransaction).
                            try raw.execute("BEGIN IMMEDIATE")
                            let started = try start(raw)
                            if case .done = started {
                                try raw.execute("COMMIT")
                                try flush?.restore(raw)
                            }
                            return (started, flush)
                        } catch {
                            if raw.inTransaction { try? raw.execute("ROLLBACK") }
                            try? flush?.restore(raw)
                            throw error
                        }
                    }
                    guard let first else { return nil }
                    let unflushed = first.flush?.path
                    switch first.started {
                    case .done(let done): return (done, unflushed)
                    case .more(let more):
                        do {
                            let done = try await finish(connection, more)
                            _ = try await RawSQLite.with(connection) { raw in
                                try close(raw)
                                try raw.execute("COMMIT")
                                try first.flush?.restore(raw)
                            }
                            return (done, unflushed)
                        } catch {
                            _ = try? await RawSQLite.with(connection) { raw in
                                if raw.inTransaction { try raw.execute("ROLLBACK") }
                                try first.flush?.restore(raw)
                            }
                            throw error
                        }
                    }
                }
            }
        }
    }

    /// A connection's flush setting lowered for one transaction (``handleTransaction(_:deferringFlush:start:finish:close:)``).
    private struct FlushSetting: Sendable {
        var saved: String
        /// The database file whose WAL the transaction leaves to flush.
        var path: String

        /// Lowers the setting to `NORMAL` on a database file in WAL mode that flushes each
        /// commit; nil (left as it is) otherwise.
        static func lower(_ raw: RawSQLite) throws -> FlushSetting? {
            let path = raw.filename
            guard !path.isEmpty, try raw.value("PRAGMA journal_mode")?.lowercased() == "wal",
                  let saved = try raw.value("PRAGMA synchronous"), let level = Int(saved), level >= 2 else { return nil }
            try raw.execute("PRAGMA synchronous = NORMAL")
            return FlushSetting(saved: saved, path: path)
        }

        func restore(_ raw: RawSQLite) throws {
            try raw.execute("PRAGMA synchronous = " + saved)
        }
    }

    /// Answers whether the database responds to a trivial query.
    public static func ping(_ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("SELECT 1").run()
    }
}
