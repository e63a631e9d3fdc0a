import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SmarketingStore

/// A fresh, empty database for one test: SQLite in memory by default, or a new PostgreSQL
/// database (created from `DATABASE_URL`, dropped afterwards) when that variable is set, so the
/// same tests prove both engines.
public enum TestDatabase {
    public static var isPostgres: Bool {
        !(ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "").isEmpty
    }

    /// Runs `body` with the location of a fresh database, then removes it.
    public static func withFresh<T>(_ body: (DatabaseLocation) async throws -> T) async throws -> T {
        guard let base = ProcessInfo.processInfo.environment["DATABASE_URL"], !base.isEmpty else {
            return try await body(.sqliteMemory)
        }
        let name = "smk_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await administer(base, "CREATE DATABASE \(name)")
        guard var components = URLComponents(string: base) else { throw ConfigurationError(variable: "DATABASE_URL", reason: "is not a URL") }
        components.path = "/" + name
        let location = DatabaseLocation.postgres(url: components.string ?? base)
        do {
            let result = try await body(location)
            try await administer(base, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            return result
        } catch {
            try? await administer(base, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
    }

    private static func administer(_ url: String, _ statement: String) async throws {
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        databases.use(try DatabaseLocation.postgres(url: url).factory(maxConnectionsPerEventLoop: 1), as: .psql)
        do {
            if let db = databases.database(.psql, logger: Logger(label: "test-database"), on: MultiThreadedEventLoopGroup.singleton.any()) as? any SQLDatabase {
                try await db.raw(SQLQueryString(statement)).run()
            }
            await databases.shutdownAsync()
        } catch {
            await databases.shutdownAsync()
            throw error
        }
    }

    /// Runs `body` with a migrated, empty database of the product, without the web layer.
    public static func withStore<T>(_ body: (any Database) async throws -> T) async throws -> T {
        try await withFresh { try await withStore(at: $0, body) }
    }

    /// The same in a SQLite file of its own (whatever `DATABASE_URL` says), removed afterwards:
    /// for what only a database file does (a second connection to it).
    public static func withSQLiteFileStore<T>(_ body: (any Database) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smk-test-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await withStore(at: .sqliteFile(path: directory.appendingPathComponent("store.sqlite").path), body)
    }

    /// The same with a handle to the database on each of the other event loops besides the
    /// test's own (the first), each loop with its own connections: for what only writers on
    /// other connections do.
    public static func withStoreOnEveryLoop<T>(_ body: ([any Database]) async throws -> T) async throws -> T {
        try await withFresh { try await withStore(at: $0, body) }
    }

    private static func withStore<T>(at location: DatabaseLocation, _ body: (any Database) async throws -> T) async throws -> T {
        try await withStore(at: location) { (handles: [any Database]) in try await body(handles[0]) }
    }

    private static func withStore<T>(at location: DatabaseLocation, _ body: ([any Database]) async throws -> T) async throws -> T {
        do {
            let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
            databases.use(try location.factory(maxConnectionsPerEventLoop: 2), as: location.databaseID, isDefault: true)
            let logger = Logger(label: "store-test")
            let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
            let migrations = Migrations()
            migrations.add(StoreMigrations.all)
            let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: eventLoop, migrationLogLevel: .debug)
            do {
                // A database file runs in WAL mode, as the product's does (`StoreTuning.prepare`).
                if case .sqliteFile = location, let db = databases.database(logger: logger, on: eventLoop) { try await StoreTuning.prepare(db) }
                try await migrator.setupIfNeeded().get()
                try await migrator.prepareBatch().get()
                // One handle per event loop, each with the pool of its loop: the first is the
                // test's own, the others are other connections to the same database.
                let others = MultiThreadedEventLoopGroup.singleton.makeIterator().filter { $0 !== eventLoop }.compactMap { loop in
                    databases.database(logger: logger, on: loop)
                }
                guard let db = databases.database(logger: logger, on: eventLoop) else {
                    throw ConfigurationError(variable: "database", reason: "could not be opened")
                }
                let result = try await body([db] + others)
                await databases.shutdownAsync()
                return result
            } catch {
                await databases.shutdownAsync()
                throw error
            }
        }
    }
}
