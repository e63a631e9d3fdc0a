import Fluent
import SmarketingStore
import Vapor

/// Wires the whole application: configuration, database, migrations, middleware, routes and
/// commands. The executable and the tests both call it.
public func configure(_ app: Application, config: AppConfig) async throws {
    app.config = config
    app.passwords.use(.bcrypt(cost: config.bcryptCost))
    app.decoyPasswordHash = try Bcrypt.hash(SecretToken(prefix: "").secret, cost: config.bcryptCost)

    app.databases.use(try config.database.factory(), as: config.database.databaseID, isDefault: true)
    for migration in StoreMigrations.all { app.migrations.add(migration) }
    app.metrics.databasePoolSize.set(Double(config.database.isPostgres ? 4 * System.coreCount : 1))

    app.middleware = Middlewares()
    app.middleware.use(RequestObservationMiddleware())
    app.middleware.use(ErrorResponseMiddleware())
    app.routes.defaultMaxBodySize = "1mb"

    try routes(app)

    app.asyncCommands.use(MigrateCommand(), as: "migrate")
    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(ImportCommand(), as: "import")
    app.asyncCommands.use(RescoreCommand(), as: "rescore")
    app.asyncCommands.use(SendTestMailCommand(), as: "send-test-mail")
    app.ingest = IngestPipeline(app)
    app.lifecycle.use(IngestPipelineLifecycle())
    app.live = LiveHub()
    app.lifecycle.use(LiveHubLifecycle())
    // The job queue: handlers of each kind, workers started with the server, woken after commits.
    HandoffNotifier.register(app)
    WebhookDeliverer.register(app)
    HandoffMail.register(app)
    TaskReminders.register(app)
    app.live.onCommittedMoves { [weak app] in app?.jobs.wake() }
    app.lifecycle.use(JobRunnerLifecycle(workers: config.jobWorkers))
    app.rateLimits = RateLimits()

    if !config.database.isPostgres || config.autoMigrate {
        try await StoreTuning.prepare(app.db)
        try await app.autoMigrate()
    }
    if !config.database.isPostgres {
        // One process owns an SQLite file: an import it was running when it stopped is now interrupted.
        try await ImportRepository.interruptStaleRuns(app.db, now: app.clock.now())
        try await StoreTuning.tuneConnections(app.eventLoopGroup.makeIterator().compactMap {
            app.databases.database(logger: app.logger, on: $0)
        })
        // A re-scoring run killed while it had the engagement index aside left it out.
        try await EngagementIndex.restore(app.db)
        // Re-scoring a stopped server left half done continues where it stopped.
        let command = CommandLine.arguments.dropFirst().first { !$0.hasPrefix("-") }
        if app.environment != .testing, command == nil || command == "serve" {
            try await ScoringService.resumeInterrupted(app)
        }
    }
}

func routes(_ app: Application) throws {
    try app.register(collection: OperationsRoutes())
    // Public endpoints of web tracking and email links: no session, rate-limited per caller.
    try app.register(collection: CollectRoutes())
    try app.register(collection: EmailLinkRoutes())
    app.get("assets", "app-\(Assets.version).css") { _ in Assets.serve(Assets.stylesheet, type: "text/css; charset=utf-8") }
    app.get("assets", "app-\(Assets.version).js") { _ in Assets.serve(Assets.script, type: "text/javascript; charset=utf-8") }

    // Public forms: no session and no CSRF token, other sites post to them.
    try app.register(collection: PublicFormRoutes())

    let pages = app.grouped(PageSessionMiddleware())
    try pages.register(collection: AuthPages())
    let signedIn = pages.grouped(RequireMemberMiddleware())
    try signedIn.register(collection: HomePage())
    try signedIn.register(collection: CompanyPages())
    try signedIn.register(collection: ContactPages())
    try signedIn.register(collection: QualificationPages())
    try signedIn.register(collection: SalesPages())
    try signedIn.register(collection: TaskPages())
    try signedIn.register(collection: DealPages())
    try signedIn.register(collection: LeadDefinitionPages())
    try signedIn.register(collection: RoutingPages())
    try signedIn.register(collection: CustomFieldPages())
    try signedIn.register(collection: TrackingPages())
    try signedIn.register(collection: LiveRoutes())
    try signedIn.register(collection: FormPages())
    try signedIn.register(collection: HandoffPages())
    try signedIn.register(collection: WebhookPages())
    try signedIn.register(collection: ImportPages())
    try signedIn.register(collection: AccountPages())
    try signedIn.register(collection: AdminPages())
    try signedIn.register(collection: OutboxPages())

    let api = app.grouped("api", "v1")
    api.get("openapi.json") { _ in try OpenAPIDocument.response() }
    let authenticated = api.grouped(TokenAuthMiddleware())
    try authenticated.register(collection: AccountAPI())
    try authenticated.register(collection: PeopleAPI())
    try authenticated.register(collection: CompaniesAPI())
    try authenticated.register(collection: ContactsAPI())
    try authenticated.register(collection: HandoffsAPI())
    try authenticated.register(collection: CustomFieldsAPI())
    try authenticated.register(collection: ScoringAPI())
    try authenticated.register(collection: QualificationAPI())
    try authenticated.register(collection: RoutingAPI())
    try authenticated.register(collection: SalesAPI())
    try authenticated.register(collection: EventsAPI())
    try authenticated.register(collection: EmailLinksAPI())
}

extension Application {
    private struct DecoyKey: StorageKey {
        typealias Value = String
    }

    /// A bcrypt hash of a random password, verified against when a login names an unknown
    /// address, so answer times do not reveal which addresses have accounts.
    var decoyPasswordHash: String {
        get { storage[DecoyKey.self] ?? "" }
        set { storage[DecoyKey.self] = newValue }
    }
}
