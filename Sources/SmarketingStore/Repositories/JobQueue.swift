import FluentKit
import Foundation
import SmarketingCore
import SQLKit

/// A job waiting in the queue, or claimed by a worker.
public struct QueuedJob: Sendable, Equatable {
    public var id: UUID
    public var workspaceID: UUID?
    public var kind: String
    public var payload: String
    public var uniqueKey: String?
    /// Tries so far, this one included once claimed.
    public var attempts: Int
    public var maxAttempts: Int
    public var runAt: Date
    public var status: JobStatus
    public var lastError: String?
    public var createdAt: Date
    public var finishedAt: Date?
}

public enum JobStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for its time (a first try, or a retry after a failure).
    case queued
    /// Claimed by a worker until its lease ends; a worker that died leaves it to be claimed again.
    case running
    case done
    /// Given up after its last attempt, or failed in a way no retry would mend.
    case failed
}

/// A job to write in the queue, in the transaction of the change that causes it.
public struct NewJob: Sendable {
    /// Given by a producer that keeps the job's id beside its own rows (a webhook delivery).
    public var id: UUID?
    public var workspaceID: UUID?
    public var kind: String
    public var payload: String
    /// At most one job ever has this key (a schedule's tick, a delivery's id).
    public var uniqueKey: String?
    public var runAt: Date
    public var maxAttempts: Int

    public init(id: UUID? = nil, workspaceID: UUID?, kind: String, payload: String, uniqueKey: String? = nil, runAt: Date, maxAttempts: Int) {
        self.id = id
        self.workspaceID = workspaceID
        self.kind = kind
        self.payload = payload
        self.uniqueKey = uniqueKey
        self.runAt = runAt
        self.maxAttempts = max(1, maxAttempts)
    }
}

/// The database's job queue (outbox pattern). Producers write jobs inside their own transaction,
/// so a job exists if and only if the change that caused it committed. Workers claim due jobs
/// with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers and instances never
/// take the same job; SQLite has one writer at a time), then mark them done, or failed with a
/// retry time. A job whose worker died is claimed again when its lease ends. A worker's result
/// counts only while it still holds the lease, so each job is completed exactly once.
public struct JobQueue: Sendable {
    let db: any Database

    public init(_ db: any Database) {
        self.db = db
    }

    /// A job's payload naming one record: `{"<key>":"<uuid>"}`.
    public static func payload(_ key: String, _ id: UUID) -> String {
        #"{"\#(key)":"\#(id.uuidString.lowercased())"}"#
    }

    /// The record a payload of ``payload(_:_:)`` names, nil when it names none.
    public static func id(_ key: String, inPayload payload: String) -> UUID? {
        guard let data = payload.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let text = object[key] as? String else { return nil }
        return UUID(uuidString: text)
    }

    static let columns = "id, workspace_id, kind, payload, unique_key, status, attempts, max_attempts, run_at, last_error, created_at, finished_at"

    /// Writes jobs (inside the caller's transaction when `db` is one); a job whose unique key is
    /// already taken is skipped. Returns how many were written. Jobs without a unique key go in
    /// a few multi-row statements (a re-scoring may hand thousands of leads over at once).
    @discardableResult
    public static func enqueue(_ jobs: [NewJob], now: Date, on db: any Database) async throws -> Int {
        guard !jobs.isEmpty, let sql = db as? any SQLDatabase else { return 0 }
        func values(_ job: NewJob) -> [BulkValue] {
            [.uuid(job.id ?? TimeOrderedID.make(at: now)), BulkValue(job.workspaceID), .text(job.kind), .text(job.payload), BulkValue(job.uniqueKey),
             .text(JobStatus.queued.rawValue), .integer(0), .integer(job.maxAttempts), .date(job.runAt), .date(now), .date(now)]
        }
        let columns = ["id", "workspace_id", "kind", "payload", "unique_key", "status", "attempts", "max_attempts", "run_at", "created_at", "updated_at"]
        let plain = jobs.filter { $0.uniqueKey == nil }
        try await BulkInsert.run(into: "jobs", columns: columns, rows: plain.map(values), on: db)
        var written = plain.count
        for job in jobs where job.uniqueKey != nil {
            let rows = try await sql.insert(into: "jobs").columns(columns)
                .values(values(job).map { $0.bind })
                .ignoringConflicts(with: ["unique_key"])
                .returning("id")
                .all()
            written += rows.count
        }
        return written
    }

    /// Whether some job is due (a read, which on SQLite takes no write lock: idle workers ask
    /// this before claiming).
    public func hasDue(now: Date, kinds: [String]? = nil) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        var query: SQLQueryString = """
            SELECT id FROM jobs WHERE ((status = \(bind: JobStatus.queued.rawValue) AND run_at <= \(bind: now)) \
            OR (status = \(bind: JobStatus.running.rawValue) AND locked_until < \(bind: now)))
            """
        if let kinds, !kinds.isEmpty { query = query + " AND kind IN (\(binds: kinds))" }
        return try await sql.raw(query + " LIMIT 1").first() != nil
    }

    /// Claims up to `limit` due jobs for `worker` until `now + lease`: jobs queued for a time
    /// already past, and running jobs whose lease ended (their worker died). Oldest due first.
    public func claim(worker: String, limit: Int, lease: TimeInterval, now: Date, kinds: [String]? = nil) async throws -> [QueuedJob] {
        guard let sql = db as? any SQLDatabase, try await hasDue(now: now, kinds: kinds) else { return [] }
        let postgres = sql.dialect.name != "sqlite"
        var due: SQLQueryString = """
            SELECT id FROM jobs WHERE ((status = \(bind: JobStatus.queued.rawValue) AND run_at <= \(bind: now)) \
            OR (status = \(bind: JobStatus.running.rawValue) AND locked_until < \(bind: now)))
            """
        if let kinds, !kinds.isEmpty {
            due = due + " AND kind IN (\(binds: kinds))"
        }
        due = due + " ORDER BY run_at LIMIT \(literal: max(1, limit))" + (postgres ? " FOR UPDATE SKIP LOCKED" : "")
        let query: SQLQueryString = """
            UPDATE jobs SET status = \(bind: JobStatus.running.rawValue), locked_by = \(bind: worker), \
            locked_until = \(bind: now.addingTimeInterval(lease)), attempts = attempts + 1, updated_at = \(bind: now) \
            WHERE id IN (\(due)) RETURNING \(unsafeRaw: Self.columns)
            """
        let claimed = try await StoreTuning.writeTransaction(db) { tx in
            try await (tx as! any SQLDatabase).raw(query).all().map(Self.job)
        }
        return claimed.sorted { $0.runAt < $1.runAt }
    }

    /// Marks a claimed job done; false when the worker no longer held it (its lease ended and
    /// another worker claimed it), in which case the other worker's result counts.
    @discardableResult
    public func complete(_ id: UUID, worker: String, now: Date) async throws -> Bool {
        try await Self.complete(id, worker: worker, now: now, on: db)
    }

    /// ``complete(_:worker:now:)`` inside a transaction of the job's own writes, so that what the
    /// job wrote and its completion commit together (exactly once).
    @discardableResult
    public static func complete(_ id: UUID, worker: String, now: Date, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let rows = try await sql.update("jobs")
            .set("status", to: SQLBind(JobStatus.done.rawValue)).set("finished_at", to: SQLBind(now)).set("updated_at", to: SQLBind(now))
            .set("locked_by", to: SQLLiteral.null).set("locked_until", to: SQLLiteral.null)
            .where("id", .equal, SQLBind(id)).where("status", .equal, SQLBind(JobStatus.running.rawValue))
            .where("locked_by", .equal, SQLBind(worker))
            .returning("id").all()
        return !rows.isEmpty
    }

    /// What happened to a failed job.
    public enum FailureOutcome: Sendable, Equatable {
        case retryAt(Date)
        case gaveUp
        /// The worker no longer held the job.
        case notHeld
    }

    /// Records a failed try: the job goes back to the queue for `retryAt`, or is given up when
    /// there is none (its last attempt, or an error no retry would mend).
    @discardableResult
    public func fail(_ id: UUID, worker: String, error: String, retryAt: Date?, now: Date) async throws -> FailureOutcome {
        guard let sql = db as? any SQLDatabase else { return .notHeld }
        var update = sql.update("jobs")
            .set("last_error", to: SQLBind(String(error.prefix(2000)))).set("updated_at", to: SQLBind(now))
            .set("locked_by", to: SQLLiteral.null).set("locked_until", to: SQLLiteral.null)
        if let retryAt {
            update = update.set("status", to: SQLBind(JobStatus.queued.rawValue)).set("run_at", to: SQLBind(retryAt))
        } else {
            update = update.set("status", to: SQLBind(JobStatus.failed.rawValue)).set("finished_at", to: SQLBind(now))
        }
        let rows = try await update.where("id", .equal, SQLBind(id)).where("status", .equal, SQLBind(JobStatus.running.rawValue))
            .where("locked_by", .equal, SQLBind(worker)).returning("id").all()
        guard !rows.isEmpty else { return .notHeld }
        return retryAt.map(FailureOutcome.retryAt) ?? .gaveUp
    }

    /// Puts a failed job (or a queued one waiting for a retry) back to run now, with a fresh
    /// count of attempts: a person's "retry" on a delivery log. False when the job is not in
    /// this workspace or is running or done.
    @discardableResult
    public func retryNow(_ id: UUID, workspaceID: UUID, now: Date) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let rows = try await sql.update("jobs")
            .set("status", to: SQLBind(JobStatus.queued.rawValue)).set("run_at", to: SQLBind(now)).set("attempts", to: SQLBind(0))
            .set("finished_at", to: SQLLiteral.null).set("updated_at", to: SQLBind(now))
            .where("id", .equal, SQLBind(id)).where("workspace_id", .equal, SQLBind(workspaceID))
            .where("status", .in, SQLGroupExpression(SQLList([SQLBind(JobStatus.failed.rawValue), SQLBind(JobStatus.queued.rawValue)])))
            .returning("id").all()
        return !rows.isEmpty
    }

    /// One job of a workspace.
    public func find(_ id: UUID, workspaceID: UUID) async throws -> QueuedJob? {
        guard let sql = db as? any SQLDatabase else { return nil }
        return try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM jobs WHERE id = \(bind: id) AND workspace_id = \(bind: workspaceID)")
            .first().map(Self.job)
    }

    /// The jobs of a workspace of these kinds, newest first.
    public func list(workspaceID: UUID, kinds: [String], status: JobStatus? = nil, limit: Int) async throws -> [QueuedJob] {
        guard let sql = db as? any SQLDatabase, !kinds.isEmpty else { return [] }
        var query: SQLQueryString = "SELECT \(unsafeRaw: Self.columns) FROM jobs WHERE workspace_id = \(bind: workspaceID) AND kind IN ("
        query = query + "\(binds: kinds))"
        if let status { query = query + " AND status = \(bind: status.rawValue)" }
        query = query + " ORDER BY created_at DESC, id DESC LIMIT \(literal: max(1, min(limit, 1000)))"
        return try await sql.raw(query).all().map(Self.job)
    }

    /// How many jobs wait in each status (for operations' metrics).
    public func counts() async throws -> [JobStatus: Int] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        var result: [JobStatus: Int] = [:]
        for row in try await sql.raw("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status").all() {
            if let status = JobStatus(rawValue: try row.decode(column: "status", as: String.self)) {
                result[status] = try row.decode(column: "n", as: Int.self)
            }
        }
        return result
    }

    /// Removes jobs done before `before` (failed ones stay for their logs); returns how many.
    @discardableResult
    public func purge(doneBefore before: Date) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { return 0 }
        return try await sql.delete(from: "jobs").where("status", .equal, SQLBind(JobStatus.done.rawValue))
            .where("finished_at", .lessThan, SQLBind(before))
            .returning("id").all().count
    }

    static func job(_ row: any SQLRow) throws -> QueuedJob {
        QueuedJob(id: try row.decode(column: "id", as: UUID.self), workspaceID: try row.decode(column: "workspace_id", as: UUID?.self),
                  kind: try row.decode(column: "kind", as: String.self), payload: try row.decode(column: "payload", as: String.self),
                  uniqueKey: try row.decode(column: "unique_key", as: String?.self), attempts: try row.decode(column: "attempts", as: Int.self),
                  maxAttempts: try row.decode(column: "max_attempts", as: Int.self), runAt: try row.decode(column: "run_at", as: Date.self),
                  status: JobStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .queued,
                  lastError: try row.decode(column: "last_error", as: String?.self), createdAt: try row.decode(column: "created_at", as: Date.self),
                  finishedAt: try row.decode(column: "finished_at", as: Date?.self))
    }
}
