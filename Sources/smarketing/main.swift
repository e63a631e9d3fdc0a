import Logging
import SmarketingStore
import SmarketingWeb
import Vapor

// Before anything else starts a task (see ConcurrencyExecutor); SMARKETING_EXECUTOR=pool keeps
// Swift Concurrency's own threads.
if ProcessInfo.processInfo.environment["SMARKETING_EXECUTOR"] != "pool" {
    ConcurrencyExecutor.runOnEventLoops()
}
var env = try Environment.detect()
let config: AppConfig
do {
    config = try AppConfig.fromEnvironment()
} catch {
    FileHandle.standardError.write(Data("smarketing: configuration error: \(error)\n".utf8))
    exit(78)
}
if config.logFormat == .json {
    let level = Logger.Level(rawValue: Environment.get("LOG_LEVEL") ?? "info") ?? .info
    LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
} else {
    try LoggingSystem.bootstrap(from: &env)
}

let app = try await Application.make(env)
do {
    try await configure(app, config: config)
    app.logger.info("smarketing starting", metadata: ["database": .string(config.database.description)])
    try await app.execute()
} catch {
    app.logger.report(error: error)
    try? await app.asyncShutdown()
    throw error
}
try await app.asyncShutdown()
