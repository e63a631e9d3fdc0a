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

    /// Gives a connection that works in bulk (an import, a re-scoring) a page cache of
    /// `megabytes` (64 by default) instead of SQLite's 2 MB, so the indexes of a large workspace
    /// stay in memory while rows go in. The file is not memory-mapped: mapped pages count in the
    /// process's resident memory (1.7 GB for an import, 2.4 GB for re-scoring at a million
    /// contacts), and without the map re-scoring measured faster, not slower. The settings last as
    /// long as the connection.
    public static func widenCache(_ db: any Database, megabytes: Int = 64) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("PRAGMA cache_size = \(unsafeRaw: String(-1024 * max(2, min(megabytes, 1024))))").run()
        try await sql.raw("PRAGMA mmap_size = 0").run()
    }

    /// A transaction that writes. On SQLite it takes the write lock before its first read,
    /// waiting its turn behind another connection's writer: a deferred transaction that read
    /// first would fail half-way ("database is locked") when the other connection committed in
    /// between, since SQLite cannot move its snapshot forward. PostgreSQL needs nothing more.
    public static func writeTransaction<T: Sendable>(_ db: any Database, _ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        // Fluent runs the transaction's body in a task of its own, started from the event loop,
        // which does not inherit this task's locals: the collector of stage moves is handed over.
        let log = StageMoveLog.current
        return try await db.transaction { tx in
            try await StageMoveLog.$current.withValue(log) {
                if let sql = tx as? any SQLDatabase, sql.dialect.name == "sqlite" {
                    // Writes nothing, but starts the write transaction (and waits for the lock).
                    try await sql.raw("UPDATE workspaces SET id = id WHERE 1 = 0").run()
                }
                return try await work(tx)
            }
        }
    }

    /// Answers whether the database responds to a trivial query.
    public static func ping(_ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("SELECT 1").run()
    }
}
