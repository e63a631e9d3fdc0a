import Fluent
import Foundation
import NIOConcurrencyHelpers
import SmarketingCore
import SmarketingStore
import Vapor

/// Runs the job queue's work in this process: each kind of job has a handler and a retry
/// policy; workers claim due jobs, run them and record the result. A handler that throws
/// ``JobFailure/permanent(_:)`` gives the job up at once; any other error retries it after
/// the policy's back-off, until its last attempt. Producers wake the workers after their
/// commit, so a job written by this process starts within moments; jobs written by other
/// instances are found by polling.
final class JobRunner: Sendable {
    typealias Handler = @Sendable (QueuedJob, JobContext) async throws -> Void

    /// A handler of jobs that write only to the database: it runs the jobs given (one, or
    /// several of its kind claimed together) inside the transaction `tx` that also completes
    /// them, so that what they wrote and their completion commit together.
    typealias TransactionalHandler = @Sendable ([QueuedJob], JobContext, _ tx: any Database) async throws -> Void

    struct Registration: Sendable {
        var policy: RetryPolicy
        var handler: Handler
        /// Set for a kind whose due jobs run many to a transaction (see ``register(_:policy:inTransaction:)``).
        var inTransaction: TransactionalHandler?
    }

    /// What a handler gets besides its job.
    struct JobContext: Sendable {
        let app: Application
        let worker: String
        var db: any Database { app.db }
        var now: Date { app.clock.now() }
    }

    enum JobFailure: Error, CustomStringConvertible {
        /// No retry would mend it (the record it names is gone, the receiver refused for good).
        case permanent(String)
        /// Worth another try later.
        case transient(String)

        var description: String {
            switch self {
            case .permanent(let text), .transient(let text): text
            }
        }
    }

    /// Periodic jobs: every `interval` seconds, one job of `kind` whose unique key is its tick,
    /// so several instances writing the same tick make one job.
    struct Schedule: Sendable {
        var kind: String
        var interval: TimeInterval
    }

    private let registrations = NIOLockedValueBox<[String: Registration]>([:])
    private let schedules = NIOLockedValueBox<[Schedule]>([])
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])
    private let woken = NIOLockedValueBox<Bool>(false)
    /// How often idle workers look for due jobs written elsewhere (retries, other instances).
    static let pollInterval: TimeInterval = 0.25
    static let lease: TimeInterval = 120
    let instance = String(UUID().uuidString.prefix(8))

    func register(_ kind: String, policy: RetryPolicy, _ handler: @escaping Handler) {
        registrations.withLockedValue { $0[kind] = Registration(policy: policy, handler: handler) }
    }

    /// Registers a kind whose jobs only write to the database: a worker claims up to
    /// ``jobsPerTransaction`` of them at once and runs them in one write transaction that also
    /// completes them. When one of them throws, the transaction is rolled back and each job runs
    /// again alone, in a transaction of its own, so only the failing job fails (and retries).
    /// A model change that hands off thousands of leads queues as many notifications; one
    /// transaction each took the database's write lock thousands of times from the re-scoring
    /// run that made them.
    func register(_ kind: String, policy: RetryPolicy, inTransaction handler: @escaping TransactionalHandler) {
        let alone: Handler = { job, context in
            try await StoreTuning.writeTransaction(context.db) { tx in
                try await handler([job], context, tx)
                try await JobQueue.complete(job.id, worker: context.worker, now: context.now, on: tx)
            }
        }
        registrations.withLockedValue { $0[kind] = Registration(policy: policy, handler: alone, inTransaction: handler) }
    }

    /// How many jobs of a kind registered with `inTransaction:` a worker claims and runs in one
    /// transaction.
    static let jobsPerTransaction = 64

    var kinds: [String] { registrations.withLockedValue { Array($0.keys).sorted() } }

    /// The kinds registered with `inTransaction:`, and the others.
    private var kindsByRunning: (together: [String], alone: [String]) {
        registrations.withLockedValue { all in
            (all.filter { $0.value.inTransaction != nil }.keys.sorted(), all.filter { $0.value.inTransaction == nil }.keys.sorted())
        }
    }

    func schedule(_ kind: String, every interval: TimeInterval) {
        schedules.withLockedValue { $0.append(Schedule(kind: kind, interval: max(1, interval))) }
    }

    /// Writes the current tick of every schedule; a tick already written, by this instance or
    /// another, is skipped by its unique key. Returns how many were new.
    @discardableResult
    func writeTicks(_ app: Application, now: Date) async throws -> Int {
        let jobs = schedules.withLockedValue { $0 }.map { schedule in
            let tick = Int((now.timeIntervalSince1970 / schedule.interval).rounded(.down))
            return NewJob(workspaceID: nil, kind: schedule.kind, payload: "{}", uniqueKey: "\(schedule.kind):\(tick)",
                          runAt: Date(timeIntervalSince1970: Double(tick) * schedule.interval), maxAttempts: RetryPolicy.internalWork.maxAttempts)
        }
        guard !jobs.isEmpty else { return 0 }
        let written = try await JobQueue.enqueue(jobs, now: now, on: app.db)
        if written > 0 { wake() }
        return written
    }

    /// Tells idle workers that jobs were just committed.
    func wake() {
        woken.withLockedValue { $0 = true }
    }

    /// Starts `count` workers until ``stop()``.
    func start(_ app: Application, workers count: Int) {
        guard count > 0 else { return }
        let started = (0..<count).map { index in
            Task { [weak self, weak app] in
                var lastPoll = Date.distantPast
                while !Task.isCancelled {
                    guard let self, let app else { return }
                    let wake = self.woken.withLockedValue { flag in defer { flag = false }; return flag }
                    if wake || Date().timeIntervalSince(lastPoll) >= Self.pollInterval {
                        lastPoll = Date()
                        let ran = (try? await self.runDue(app, worker: "\(self.instance)-\(index)", limit: 4)) ?? 0
                        if ran > 0 { continue }
                    }
                    try? await Task.sleep(nanoseconds: 20_000_000)
                }
            }
        }
        // The schedules' ticks, looked at every few seconds.
        let ticker = Task { [weak self, weak app] in
            while !Task.isCancelled {
                guard let self, let app else { return }
                _ = try? await self.writeTicks(app, now: app.clock.now())
                try? await Task.sleep(nanoseconds: 5_000_000_000)
            }
        }
        tasks.withLockedValue { $0 += started + [ticker] }
    }

    func stop() async {
        let running = tasks.withLockedValue { tasks in defer { tasks = [] }; return tasks }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    /// Claims and runs up to `limit` due jobs as `worker`; returns how many ran. Tests call it
    /// to run the queue by hand.
    @discardableResult
    func runDue(_ app: Application, worker: String = "manual", limit: Int = 100) async throws -> Int {
        let kinds = kindsByRunning
        var ran = 0
        // Jobs of the other kinds first: the jobs a transaction of notifications queues (deliveries,
        // emails) wait for the next call, as they would one at a time.
        if !kinds.alone.isEmpty {
            let jobs = try await JobQueue(app.db).claim(worker: worker, limit: limit, lease: Self.lease, now: app.clock.now(), kinds: kinds.alone)
            for job in jobs { await run(job, app: app, worker: worker) }
            ran += jobs.count
        }
        if !kinds.together.isEmpty {
            let jobs = try await JobQueue(app.db).claim(worker: worker, limit: max(limit, Self.jobsPerTransaction), lease: Self.lease,
                                                        now: app.clock.now(), kinds: kinds.together)
            await runTogether(jobs, app: app, worker: worker)
            ran += jobs.count
        }
        return ran
    }

    /// Runs claimed jobs of kinds registered with `inTransaction:`, each kind's in one write
    /// transaction with their completions; a kind whose transaction fails runs its jobs alone.
    private func runTogether(_ jobs: [QueuedJob], app: Application, worker: String) async {
        for (kind, group) in Dictionary(grouping: jobs, by: \.kind).sorted(by: { $0.key < $1.key }) {
            guard let registration = registrations.withLockedValue({ $0[kind] }), let handler = registration.inTransaction,
                  group.count > 1, group.allSatisfy({ $0.attempts <= $0.maxAttempts }) else {
                for job in group { await run(job, app: app, worker: worker) }
                continue
            }
            let context = JobContext(app: app, worker: worker)
            do {
                try await StoreTuning.writeTransaction(app.db) { tx in
                    try await handler(group, context, tx)
                    for job in group {
                        try await JobQueue.complete(job.id, worker: worker, now: context.now, on: tx)
                    }
                }
                app.metrics.jobsRun.increment(by: Int64(group.count))
                // What they queued (deliveries, emails) is due now.
                wake()
            } catch {
                for job in group { await run(job, app: app, worker: worker) }
            }
        }
    }

    private func run(_ job: QueuedJob, app: Application, worker: String) async {
        let queue = JobQueue(app.db)
        guard let registration = registrations.withLockedValue({ $0[job.kind] }) else { return }
        // A job reclaimed after its worker died counts that try; past its last one it is given up.
        if job.attempts > job.maxAttempts {
            _ = try? await queue.fail(job.id, worker: worker, error: job.lastError ?? "gave up after \(job.maxAttempts) attempts",
                                      retryAt: nil, now: app.clock.now())
            return
        }
        do {
            try await registration.handler(job, JobContext(app: app, worker: worker))
            _ = try await queue.complete(job.id, worker: worker, now: app.clock.now())
            app.metrics.jobsRun.increment()
        } catch {
            let now = app.clock.now()
            let retryAt: Date? = switch error {
            case JobFailure.permanent: nil
            default: registration.policy.nextAttempt(afterAttempts: job.attempts, now: now)
            }
            app.logger.warning("job failed", metadata: ["kind": .string(job.kind), "job": .string(job.id.uuidString),
                                                        "attempt": .stringConvertible(job.attempts), "error": .string("\(error)")])
            app.metrics.jobsFailed.increment()
            _ = try? await queue.fail(job.id, worker: worker, error: "\(error)", retryAt: retryAt, now: now)
        }
    }
}

extension Application {
    private struct JobRunnerKey: StorageKey {
        typealias Value = JobRunner
    }

    /// The job queue's runner of this process.
    var jobs: JobRunner {
        get {
            if let runner = storage[JobRunnerKey.self] { return runner }
            let runner = JobRunner()
            storage[JobRunnerKey.self] = runner
            return runner
        }
        set { storage[JobRunnerKey.self] = newValue }
    }
}

/// Starts the workers once the app has booted, and stops them first on shutdown.
struct JobRunnerLifecycle: LifecycleHandler {
    let workers: Int

    func didBootAsync(_ app: Application) async throws {
        app.jobs.start(app, workers: workers)
    }

    func shutdownAsync(_ app: Application) async {
        await app.jobs.stop()
    }
}
