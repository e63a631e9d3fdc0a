import Fluent
import SmarketingStore
import Vapor

/// `smarketing migrate`: brings the database schema up to date (needed before the first
/// start on PostgreSQL; SQLite migrates on every start).
struct MigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Brings the database schema up to date." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await StoreTuning.prepare(app.db)
        try await app.autoMigrate()
        context.console.print("Database is up to date (\(app.config.database)).")
    }
}
