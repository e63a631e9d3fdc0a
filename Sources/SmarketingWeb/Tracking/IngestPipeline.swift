import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// The one writer of ingested events. Requests wait in a buffer; the writer commits everything
/// waiting (up to ``eventsPerCommit`` events) in one transaction (events, scores, ledger lines
/// and stage changes) and only then answers each waiting request. While a commit runs, new
/// requests gather for the next one, so the commit rate follows the load without a timer, and
/// an answered event is already on disk.
actor IngestPipeline {
    static let eventsPerCommit = 1000

    private struct Waiting: Sendable {
        var workspaceID: UUID
        var submissions: [EventSubmission]
        var continuation: CheckedContinuation<[EventIngest.Outcome], any Error>
    }

    /// Weak: the application keeps the pipeline in its storage.
    private weak var app: Application?
    /// Every commit runs on this event loop, so on SQLite it always has the same connection,
    /// whose page cache stays warm: a connection whose last reading predates another
    /// connection's commit starts again from a cold cache.
    private let loop: any EventLoop
    /// On PostgreSQL, the writer's own thread and connection (made at the first commit).
    private var writerLoop: IngestWriterLoop?
    private var stopped = false
    /// The states this writer stored, for its next commits (see ``ScoreStateCache``).
    private let states = ScoreStateCache()
    private var waiting: [Waiting] = []
    /// The writer's task while it runs; nil when nothing waits.
    private var drainer: Task<Void, Never>?
    /// How many events the last commit stored: the load the next one can expect.
    private var lastCommitEvents = 0

    /// Group commit: when fewer events wait than the last commit stored, the clients it just
    /// answered are most likely sending their next events; waiting up to 2 ms for them lets one
    /// commit serve them all instead of a small commit now and another after it. A lone
    /// request (the last commit stored little) never waits.
    private func gather() async {
        for _ in 0..<4 {
            let events = waiting.reduce(0) { $0 + $1.submissions.count }
            guard events < Self.eventsPerCommit, events * 4 < lastCommitEvents * 3 else { return }
            try? await Task.sleep(for: .microseconds(500))
        }
    }

    init(_ app: Application) {
        self.app = app
        self.loop = app.eventLoopGroup.any()
    }

    /// Stores and scores `submissions` with the next commit; returns after that commit, one
    /// outcome per submission in order.
    func submit(_ submissions: [EventSubmission], workspaceID: UUID) async throws -> [EventIngest.Outcome] {
        guard !submissions.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            waiting.append(Waiting(workspaceID: workspaceID, submissions: submissions, continuation: continuation))
            if drainer == nil {
                // The writer is the one stage every event goes through one at a time: its steps
                // go ahead of the requests' own work on the executor instead of queueing behind it
                // (and on PostgreSQL run on its own thread).
                drainer = Task(executorPreference: writer()?.executor, priority: .high) { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !waiting.isEmpty {
            await gather()
            var batch: [Waiting] = []
            var events = 0
            while let next = waiting.first, batch.isEmpty || events + next.submissions.count <= Self.eventsPerCommit {
                batch.append(waiting.removeFirst())
                events += next.submissions.count
            }
            lastCommitEvents = events
            let metrics = app?.metrics
            do {
                let started = ContinuousClock.now
                let (outcomes, commit) = try await commit(batch)
                let committed = ContinuousClock.now
                metrics?.ingestCommitTime.record(committed - started)
                metrics?.ingestCommitEvents.record(Double(events))
                answer(batch, outcomes, once: commit, committed: committed, metrics: metrics)
            } catch where batch.count > 1 {
                // One request's failure must not fail the others that shared its commit.
                for request in batch {
                    do {
                        let (outcomes, commit) = try await commit([request])
                        try await commit.durable()
                        request.continuation.resume(returning: outcomes[0])
                    } catch {
                        request.continuation.resume(throwing: error)
                    }
                }
            } catch {
                for request in batch { request.continuation.resume(throwing: error) }
            }
        }
        drainer = nil
    }

    /// Answers a commit's requests once it is on disk. The writer does not wait for that: on
    /// SQLite its commits leave the flush of the WAL to a thread of its own
    /// (`deferringFlush`), and the next commit runs while the disk works.
    private nonisolated func answer(_ batch: [Waiting], _ outcomes: [[EventIngest.Outcome]], once commit: EventIngest.Commit,
                                    committed: ContinuousClock.Instant, metrics: ProductMetrics?) {
        Task(priority: .high) {
            do {
                try await commit.durable()
                metrics?.ingestDurableWait.record(ContinuousClock.now - committed)
                for (request, outcome) in zip(batch, outcomes) { request.continuation.resume(returning: outcome) }
            } catch {
                for request in batch { request.continuation.resume(throwing: error) }
            }
        }
    }

    /// The writer's own loop on PostgreSQL, made on first use; nil on SQLite or once stopped.
    private func writer() -> IngestWriterLoop? {
        guard let app, !stopped, app.config.database.isPostgres else { return nil }
        if let writerLoop { return writerLoop }
        guard let factory = try? app.config.database.factory(maxConnectionsPerEventLoop: 1) else { return nil }
        let made = IngestWriterLoop(configuration: factory, id: app.config.database.databaseID, threadPool: app.threadPool)
        writerLoop = made
        return made
    }

    /// Stops the writer's own loop, if it has one, once the writer's task is over (the commit
    /// under way done, those waiting refused): commits from then on are refused.
    func shutdown() async {
        stopped = true
        await drainer?.value
        let loop = writerLoop
        writerLoop = nil
        await loop?.shutdown()
    }

    private func commit(_ batch: [Waiting]) async throws -> ([[EventIngest.Outcome]], EventIngest.Commit) {
        let own = writer()
        guard let app, !stopped, let db = own?.database(logger: app.logger) ?? app.databases.database(logger: app.logger, on: loop) else {
            throw Abort(.serviceUnavailable, reason: "The server is stopping.")
        }
        let now = app.clock.now()
        // One recording per workspace, whatever the number of requests: the requests' events
        // go in together, and each request gets its own outcomes back, in order.
        var workspaces: [UUID] = []
        var submissions: [UUID: [EventSubmission]] = [:]
        for request in batch {
            if submissions[request.workspaceID] == nil { workspaces.append(request.workspaceID) }
            submissions[request.workspaceID, default: []] += request.submissions
        }
        let work = workspaces.map { (workspaceID: $0, submissions: submissions[$0] ?? []) }
        let states = self.states
        // Contacts that became MQL are announced to open pages once the commit succeeded.
        let commit = try await StoreTuning.$transactionExecutor.withValue(own?.executor) {
            try await app.live.announcing(db) {
                try await EventIngest.commit(db, work, now: now, cache: states, deferringFlush: true)
            }
        }
        var outcomes = commit.outcomes.mapValues { ArraySlice($0) }
        let answers = batch.map { request in
            let mine = outcomes[request.workspaceID]?.prefix(request.submissions.count) ?? []
            outcomes[request.workspaceID]?.removeFirst(mine.count)
            return Array(mine)
        }
        return (answers, commit)
    }
}

/// Closes the ingest writer's own connection and thread with the server.
struct IngestPipelineLifecycle: LifecycleHandler {
    func shutdownAsync(_ app: Application) async {
        await app.ingest.shutdown()
    }
}

extension Application {
    private struct IngestPipelineKey: StorageKey {
        typealias Value = IngestPipeline
    }

    /// The writer every ingest request goes through, set up by `configure`.
    var ingest: IngestPipeline {
        get {
            guard let pipeline = storage[IngestPipelineKey.self] else { fatalError("configure(_:) sets up the ingest pipeline") }
            return pipeline
        }
        set { storage[IngestPipelineKey.self] = newValue }
    }
}
