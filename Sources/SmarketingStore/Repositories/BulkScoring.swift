import FluentKit
import FluentSQLiteDriver
import Foundation
import NIOPosix
import SmarketingCore
import SQLKit

/// Scores every contact of a workspace under a definition, a batch of contacts at a time in id
/// order: their profiles, companies, custom values and events in a few set-based queries, the
/// Core engine over each history, and the results upserted. A few batches make one transaction
/// that also moves the run's progress, so a run that stops resumes after its last committed
/// batch and no contact is ever left half re-scored.
public struct BulkScoring: Sendable {
    let db: any Database
    public let workspaceID: UUID
    public var batchSize = 500
    /// Stops an activation run (still `running`, so it resumes where it stopped) once at least
    /// this many contacts of this call are scored; nil scores them all.
    public var contactLimit: Int?
    /// An activation run with at least this many contacts left sets the engagement index aside
    /// (see ``EngagementIndex``) when its workspace holds at least half of the stored scores.
    public var setsIndexAsideFrom = 100_000

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// Re-scores every contact under `definition` (an activation run) and moves those who
    /// qualify to MQL, or compares `definition` with `old` without writing scores (a what-if run).
    /// An activation run checkpoints the WAL itself from start to end (``StoreTuning/writingInBulk(_:_:)``).
    public func run(_ run: ScoringRun, definition: CompiledLeadDefinition, old: CompiledLeadDefinition?, now: @Sendable () -> Date,
                    progress: @Sendable (ScoringRun) async -> Void = { _ in }) async throws -> ScoringRun {
        guard run.kind == .activation else { return try await batches(run, definition: definition, old: old, now: now, progress: progress) }
        return try await StoreTuning.writingInBulk(db) {
            try await WriteGate.KeptTurn.keep(db, every: Self.turnKept) { turn in
                try await batches(run, definition: definition, old: old, now: now, turn: turn, progress: progress)
            }
        }
    }

    /// How long an activation run keeps the writers' turn (on SQLite) before it lets the
    /// writers waiting for it go: handoff notifications and ingest wait at most about that long
    /// behind a model change.
    static let turnKept = Duration.seconds(2)

    private func batches(_ run: ScoringRun, definition: CompiledLeadDefinition, old: CompiledLeadDefinition?, now: @Sendable () -> Date,
                         turn: WriteGate.KeptTurn? = nil, progress: @Sendable (ScoringRun) async -> Void) async throws -> ScoringRun {
        let runs = ScoringRuns(db, workspaceID: workspaceID)
        var current = run
        var whatIf = run.kind == .whatIf ? WhatIf(old: old ?? Self.nothing, new: definition) : nil
        if run.kind == .whatIf { current.lastContactID = nil; current.processed = 0 }
        let allFields = try await CustomFieldRepository(db, workspaceID: workspaceID).list()
        let startedAt = current.processed
        // An activation run on a database file reads on a second connection (see BulkReader).
        let reader = run.kind == .activation ? try await BulkReader.open(besides: db) : nil
        let setAside = run.kind == .activation
            ? try await EngagementIndex.setAside(db, workspaceID: workspaceID, contactsLeft: run.total - run.processed, from: setsIndexAsideFrom)
            : false
        // Batches read and being scored ahead of the next transaction, in the reader's snapshot
        // that follows a commit, with the mark the committed transaction left.
        var carried: CarriedBatches?
        defer { carried?.batches.forEach { $0.cancel() } }
        do {
            while true {
                if whatIf == nil, let contactLimit, current.processed - startedAt >= contactLimit {
                    if setAside { try await EngagementIndex.restore(db) }
                    return current
                }
                let time = now()
                let after = current.lastContactID
                let size = batchSize
                if var comparison = whatIf {
                    let batch = try await StoreTuning.writeTransaction(db) { tx in
                        try await StoreTuning.widenCache(tx, megabytes: 256)
                        var reader = BulkScoring(tx, workspaceID: workspaceID)
                        reader.batchSize = size
                        return try await reader.histories(after: after, fields: allFields, today: CalendarDay(utc: time))
                    }
                    guard let last = batch.last else { break }
                    for history in batch { comparison.add(history, now: time) }
                    whatIf = comparison
                    current.processed += batch.count
                    current.lastContactID = last.id
                } else {
                    // A few batches per transaction, which also moves the run's progress, on a
                    // connection set for writing in bulk while it lasts.
                    let processed = current.processed
                    let runID = current.id
                    let limit = contactLimit.map { $0 - (processed - startedAt) }
                    let held = carried
                    carried = nil
                    let done = try await StoreTuning.bulkWriting(db) { connection in
                        let done = try await StoreTuning.writeTransaction(connection) { tx in
                            var scoring = BulkScoring(tx, workspaceID: workspaceID)
                            scoring.batchSize = size
                            // The batches read since the last commit hold if nobody wrote since.
                            var first: [PipelinedBatch] = [], snapshot: Int?
                            if let held {
                                let mark = try await RawSQLite.with(tx) { try $0.writeMark() }
                                let from = try? await held.batches.first?.read.value
                                if from?.after == after && mark == held.mark {
                                    (first, snapshot) = (held.batches, held.snapshot)
                                } else {
                                    held.batches.forEach { $0.cancel() }
                                }
                            }
                            let done = try await scoring.rescore(after: after, limit: limit, fields: allFields, definition: definition, now: time,
                                                                 reader: reader.map { ($0, snapshot ?? $0.newSnapshot()) }, carried: first)
                            if let last = done.last {
                                try await ScoringRuns(tx, workspaceID: workspaceID).advance(runID, processed: processed + done.count, lastContactID: last)
                            }
                            // Taken after the transaction's last write, while it still holds the write lock.
                            let mark = done.exhausted || reader == nil ? nil : try await RawSQLite.with(tx) { try $0.writeMark() }
                            return (count: done.count, last: done.last, mark: mark)
                        }
                        // Committed: the next transaction's first batches are read in a snapshot
                        // that starts now, while `bulkWriting` checkpoints the log.
                        let wanted = limit.map { ($0 - done.count + size - 1) / size } ?? Self.batchesCarried
                        guard let reader, let mark = done.mark, let last = done.last, wanted > 0 else {
                            return (count: done.count, last: done.last, next: nil as CarriedBatches?)
                        }
                        let snapshot = reader.newSnapshot()
                        var next: [PipelinedBatch] = []
                        for _ in 0..<min(Self.batchesCarried, wanted) {
                            next.append(Self.pipelined(after: next.last?.read, start: last, size: size, on: reader, in: snapshot, workspaceID: workspaceID,
                                                       fields: allFields, today: CalendarDay(utc: time), definition: definition, now: time))
                        }
                        return (count: done.count, last: done.last, next: CarriedBatches(batches: next, snapshot: snapshot, mark: mark))
                    }
                    carried = done.next
                    guard let last = done.last else { break }
                    current.processed += done.count
                    current.lastContactID = last
                    await turn?.yieldIfDue()
                }
                await progress(current)
            }
            // Built again before the run counts as completed, so that a completed run leaves the
            // store as it found it.
            if setAside { try await EngagementIndex.restore(db) }
            try await runs.finish(current.id, status: .completed, whatIf: whatIf?.report, now: now())
            current.status = .completed
            current.whatIf = whatIf?.report
            current.finishedAt = now()
        } catch {
            if setAside { try? await EngagementIndex.restore(db) }
            try? await runs.finish(current.id, status: .interrupted, message: String(describing: error), now: now())
            current.status = .interrupted
            throw error
        }
        return current
    }

    /// How many batches one transaction of an activation run re-scores: 16,000 contacts, which
    /// hold the write lock for about a second. Each commit writes every index page its
    /// transaction changed, and the engagement index takes a run's rows in random order, so
    /// fewer, larger transactions write fewer pages (18% fewer bytes than with 16 batches).
    static let batchesPerTransaction = 32

    /// How many batches are read for the next transaction once one commits, with a reader: they
    /// are read and scored while the writing connection checkpoints the log and starts the
    /// next transaction (see ``rescore``).
    static let batchesCarried = 16

    /// How many batches are read (and scored) ahead of the one being written, with a reader.
    static let batchesAhead = 16

    /// Batches read for the next transaction of a run once one commits: in the reader's
    /// `snapshot`, which the next transaction reads on in only if the connection's mark is still
    /// `mark` (no other writer committed since).
    struct CarriedBatches: Sendable {
        var batches: [PipelinedBatch]
        var snapshot: Int
        var mark: RawSQLite.WriteMark
    }

    /// A batch of contacts on its way through a run's pipeline: read, scored, then written.
    struct PipelinedBatch: Sendable {
        /// The batch as read; nil when no contacts were left.
        let read: Task<BatchRead?, any Error>
        let scoring: Task<Scored?, any Error>

        func cancel() {
            read.cancel()
            scoring.cancel()
        }
    }

    /// A batch scored: the contacts after `after` through `last`, `count` of them.
    struct Scored: Sendable {
        var batch: ScoredBatch
        var after: UUID?
        var last: UUID
        var count: Int
    }

    /// Re-scores the contacts after `after` (id order), a batch at a time, up to
    /// ``batchesPerTransaction`` batches or until `limit` contacts are done, inside the caller's
    /// transaction; answers how many were done, the last one's id, and whether no contacts are
    /// left. The batches are pipelined, so that the connection writes while other cores read
    /// and score:
    /// - with a `reader` (a database file) and the snapshot this transaction reads in, batches
    ///   are read on it one after the other, up to ``batchesAhead`` ahead of the one being
    ///   written, and each is decoded and scored as soon as it is read. The first ones may have
    ///   been read already (`carried`): the caller reads ``batchesCarried`` batches once the
    ///   transaction before commits, in a snapshot that starts after that commit, and passes
    ///   them on only if no writer committed in between (``RawSQLite/WriteMark``), so that the
    ///   snapshot shows what this transaction sees. The reader's transaction ends before this
    ///   one commits, so that the commit can start SQLite's log over once it is checkpointed;
    /// - without one, the transaction's connection reads the next batch between two writes, and
    ///   it is scored while the connection writes the batch before.
    func rescore(after: UUID?, limit: Int?, fields: [CustomFieldDefinition], definition: CompiledLeadDefinition,
                 now: Date, reader: (BulkReader, snapshot: Int)? = nil, carried: [PipelinedBatch] = []) async throws -> (count: Int, last: UUID?, exhausted: Bool) {
        let (workspaceID, size, today) = (workspaceID, batchSize, CalendarDay(utc: now))
        let own = min(Self.batchesPerTransaction, limit.map { max(1, ($0 + size - 1) / size) } ?? .max)
        var pipeline = carried, planned = carried.count, tail = carried.last?.read
        defer { pipeline.forEach { $0.cancel() } }
        // Plans the next batches, each read after the one before it.
        func plan() async throws {
            while planned < own, pipeline.count < (reader == nil ? 1 : Self.batchesAhead + 1) {
                let batch: PipelinedBatch
                if let (reader, snapshot) = reader {
                    batch = Self.pipelined(after: tail, start: after, size: size, on: reader, in: snapshot, workspaceID: workspaceID, fields: fields,
                                           today: today, definition: definition, now: now)
                } else {
                    guard let from = try await Self.cursor(after: tail, start: after, size: size) else { return }
                    let read = try await self.read(after: from, fields: fields, today: today)
                    batch = Self.scoring(Task { read.contacts.isEmpty ? nil : read }, workspaceID: workspaceID, definition: definition, now: now)
                }
                pipeline.append(batch)
                planned += 1
                tail = batch.read
            }
        }
        try await plan()
        var count = 0, last: UUID?, written = 0
        // The transaction's new MQLs, moved (and routed and handed off) together once its
        // batches are written: a few per batch, with a dozen statements each time whatever their number.
        var promoted: ScoredBatch?
        while written < own, !pipeline.isEmpty {
            let batch = pipeline.removeFirst()
            try await plan()
            guard let scored = try await batch.scoring.value else { break }
            try await replace(scored.batch, after: scored.after, through: scored.last, definition: definition)
            (written, count, last) = (written + 1, count + scored.count, scored.last)
            if promoted == nil { promoted = ScoredBatch(actor: scored.batch.actor, now: scored.batch.now) }
            promoted?.promotions += scored.batch.promotions
            promoted?.promotionScores.merge(scored.batch.promotionScores) { _, later in later }
        }
        if let promoted {
            try await StageChanges(db, workspaceID: workspaceID).moveAll(promoted.promotions, to: .mql, by: promoted.actor, now: promoted.now,
                                                                         scores: promoted.promotionScores)
        }
        // Calls on the reader run in order, so this waits for every read planned before it.
        if let (reader, _) = reader { try await reader.end() }
        // Fewer batches than planned: the contacts ran out.
        return (count, last, written < own)
    }

    /// The batch after `previous` (or after `start`, for the first), read on `reader` in
    /// `snapshot` once `previous` is read, and scored once read.
    static func pipelined(after previous: Task<BatchRead?, any Error>?, start: UUID?, size: Int, on reader: BulkReader, in snapshot: Int,
                          workspaceID: UUID, fields: [CustomFieldDefinition], today: CalendarDay, definition: CompiledLeadDefinition,
                          now: Date) -> PipelinedBatch {
        let read = Task { () -> BatchRead? in
            guard let from = try await Self.cursor(after: previous, start: start, size: size) else { return nil }
            // A read of batches no transaction will write stops here.
            try Task.checkCancellation()
            let batch = try await reader.batch(of: workspaceID, after: from, limit: size, fields: fields, today: today, in: snapshot)
            return batch.contacts.isEmpty ? nil : batch
        }
        return scoring(read, workspaceID: workspaceID, definition: definition, now: now)
    }

    /// A batch being read, scored once it is.
    private static func scoring(_ read: Task<BatchRead?, any Error>, workspaceID: UUID, definition: CompiledLeadDefinition, now: Date) -> PipelinedBatch {
        let scoring = Task { () -> Scored? in
            guard let batch = try await read.value, let last = batch.contacts.last else { return nil }
            let histories = try await scoringThreads.runIfActive { try batch.histories() }
            return Scored(batch: try await Self.scoredInHalves(histories, workspaceID: workspaceID, definition: definition, now: now),
                          after: batch.after, last: last.id, count: batch.contacts.count)
        }
        return PipelinedBatch(read: read, scoring: scoring)
    }

    /// Where the batch after `previous` (a batch being read) starts: after its last contact; nil
    /// when it was the last. Without one, at `start`.
    private static func cursor(after previous: Task<BatchRead?, any Error>?, start: UUID?, size: Int) async throws -> UUID?? {
        guard let previous else { return .some(start) }
        guard let batch = try await previous.value, batch.contacts.count == size, let last = batch.contacts.last else { return nil }
        return .some(last.id)
    }

    /// Replaces the scores and this version's ledger lines of the contacts after `after`
    /// through `last` (a batch of the run, in id order) with a scored batch; the caller moves
    /// the ones who qualify to MQL. A score row is updated in place (its indexes move only where a value
    /// changed); a contact without one gets a new row.
    private func replace(_ batch: ScoredBatch, after: UUID?, through last: UUID, definition: CompiledLeadDefinition) async throws {
        let workspaceID = workspaceID
        let done: Void? = try await RawSQLite.with(db) { raw in
            let delete = try RawSQLite.Statement(raw, "DELETE FROM \"\(ScoreChangeRow.schema)\" WHERE workspace_id = ? AND contact_id <= ? AND definition_version = ?"
                                                 + (after == nil ? "" : " AND contact_id > ?"))
            delete.bind(1, workspaceID)
            delete.bind(2, last)
            delete.bind(3, definition.version)
            if let after { delete.bind(4, after) }
            while try delete.step() {}
            try raw.write(into: ContactScoreRow.schema, columns: ContactScoreRow.bulkColumns, rows: batch.scores, conflict: ContactScoreRow.upsertConflict(ContactScoreRow.bulkColumns))
        }
        if done == nil { try await replaceThroughSQLKit(batch, after: after, through: last, definition: definition) }
    }

    /// The same on engines other than SQLite.
    private func replaceThroughSQLKit(_ batch: ScoredBatch, after: UUID?, through last: UUID, definition: CompiledLeadDefinition) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let delete = sql.delete(from: ScoreChangeRow.schema).where("workspace_id", .equal, SQLBind(workspaceID))
            .where("contact_id", .lessThanOrEqual, SQLBind(last)).where("definition_version", .equal, SQLBind(definition.version))
        if let after { delete.where("contact_id", .greaterThan, SQLBind(after)) }
        try await delete.run()
        try await ContactScoreRow.upsert(batch.scores, columns: ContactScoreRow.bulkColumns, on: db)
    }

    /// What the contacts would be under no definition at all: nobody qualifies.
    static let nothing = CompiledLeadDefinition(LeadDefinition(version: 0, mql: .thresholds(fit: 1_000_000, engagement: 1_000_000)))

    /// The next batch of contacts after `after` (id order), with everything the engine reads.
    func histories(after: UUID?, fields: [CustomFieldDefinition], today: CalendarDay) async throws -> [ContactHistory] {
        try await read(after: after, fields: fields, today: today).histories()
    }

    /// The same, with its events not yet decoded.
    private func read(after: UUID?, fields: [CustomFieldDefinition], today: CalendarDay) async throws -> BatchRead {
        guard let sql = db as? any SQLDatabase else { return BatchRead(today: today) }
        let (workspaceID, size) = (workspaceID, batchSize)
        if let batch = try await RawSQLite.with(db, { try Self.batch(of: workspaceID, after: after, limit: size, fields: fields, today: today, on: $0) }) {
            return batch
        }
        let select = sql.select().column(SQLLiteral.all).from(ContactRow.schema)
            .where("workspace_id", .equal, SQLBind(workspaceID)).orderBy("id").limit(batchSize)
        if let after { select.where("id", .greaterThan, SQLBind(after)) }
        var batch = try await read(try await select.all().map { try RowDecoding.contact($0) }, events: .idRange(after: after), fields: fields, today: today)
        batch.after = after
        return batch
    }

    /// The workspace's next batch of contacts after `after` (id order, at most `limit`), with
    /// everything the engine reads of them, read on `raw`.
    static func batch(of workspaceID: UUID, after: UUID?, limit: Int, fields: [CustomFieldDefinition], today: CalendarDay,
                      on raw: RawSQLite) throws -> BatchRead {
        var batch = BatchRead(after: after, contacts: try contacts(of: workspaceID, after: after, limit: limit, on: raw), today: today)
        guard let last = batch.contacts.last else { return batch }
        if !fields.isEmpty {
            let values = try customValues(of: workspaceID, records: batch.contacts.map(\.id), fields: fields, on: raw)
            for index in batch.contacts.indices { batch.contacts[index].custom = values[batch.contacts[index].id] ?? [:] }
        }
        let companyIDs = Array(Set(batch.contacts.compactMap(\.companyID)))
        batch.companies = try companies(of: workspaceID, ids: companyIDs, on: raw)
        if !fields.isEmpty, !companyIDs.isEmpty {
            let values = try customValues(of: workspaceID, records: companyIDs, fields: fields, on: raw)
            for id in companyIDs { batch.companies[id]?.custom = values[id] ?? [:] }
        }
        batch.eventBytes = try events(of: workspaceID, after: after, through: last.id, on: raw)
        return batch
    }

    /// The workspace's companies of these ids, read on `raw`.
    static func companies(of workspaceID: UUID, ids: [UUID], on raw: RawSQLite) throws -> [UUID: Company] {
        var companies: [UUID: Company] = [:]
        for chunk in ids.chunked(1000) {
            let select = try RawSQLite.Statement(raw, "SELECT id, name, domain, employee_count, industry, revenue_band, country, created_at, updated_at FROM \""
                                                 + CompanyRow.schema + "\" WHERE workspace_id = ? AND id IN (" + DirectRows.placeholders(chunk.count) + ")")
            for (index, id) in ([workspaceID] + chunk).enumerated() { select.bind(Int32(index + 1), id) }
            while try select.step() {
                guard let id = select.text(0).flatMap(UUIDText.parse), let name = select.text(1),
                      let created = select.double(7), let updated = select.double(8)
                else { throw DirectRows.UnexpectedRow(table: CompanyRow.schema, row: "company " + (select.text(0) ?? "without id")) }
                companies[id] = Company(id: id, workspaceID: workspaceID, name: name, domain: select.text(2), employeeCount: select.integer(3),
                                        industry: select.text(4), revenueBand: select.text(5), country: select.text(6),
                                        createdAt: Date(timeIntervalSince1970: created), updatedAt: Date(timeIntervalSince1970: updated))
            }
        }
        return companies
    }

    /// The custom values of these records (contacts or companies) by field key, read on `raw`.
    static func customValues(of workspaceID: UUID, records: [UUID], fields: [CustomFieldDefinition], on raw: RawSQLite) throws -> [UUID: [String: CustomFieldValue]] {
        let byID = Dictionary(uniqueKeysWithValues: fields.map { ($0.id, $0) })
        var result: [UUID: [String: CustomFieldValue]] = [:]
        for chunk in records.chunked(1000) {
            let select = try RawSQLite.Statement(raw, "SELECT record_id, field_id, text_value, number_value FROM \"" + CustomFieldValueRow.schema
                                                 + "\" WHERE workspace_id = ? AND record_id IN (" + DirectRows.placeholders(chunk.count) + ")")
            for (index, id) in ([workspaceID] + chunk).enumerated() { select.bind(Int32(index + 1), id) }
            while try select.step() {
                guard let record = select.text(0).flatMap(UUIDText.parse), let field = select.text(1).flatMap(UUIDText.parse).flatMap({ byID[$0] }),
                      let value = CustomFieldRepository.value(select.text(2) ?? "", number: select.double(3), of: field) else { continue }
                result[record, default: [:]][field.key] = value
            }
        }
        return result
    }

    /// The workspace's contacts after `after` in id order, at most `limit`, read on `raw`.
    static func contacts(of workspaceID: UUID, after: UUID?, limit: Int, on raw: RawSQLite) throws -> [Contact] {
        let select = try RawSQLite.Statement(raw, "SELECT \(SQLiteContactColumns.rawColumns) FROM \"\(ContactRow.schema)\" WHERE workspace_id = ?"
                                             + (after == nil ? "" : " AND id > ?") + " ORDER BY id LIMIT ?")
        select.bind(1, workspaceID)
        if let after { select.bind(2, after) }
        select.bind(after == nil ? 2 : 3, limit)
        var contacts: [Contact] = []
        contacts.reserveCapacity(limit)
        while try select.step() { contacts.append(try SQLiteContactColumns.contact(select)) }
        return contacts
    }

    /// The events of the workspace's contacts after `after` through `last` in id order, each
    /// contact's oldest first, read on `raw`: one range of the `(workspace_id, contact_id,
    /// occurred_at, id)` index.
    static func events(of workspaceID: UUID, after: UUID?, through last: UUID, on raw: RawSQLite) throws -> EventRowBytes {
        let select = try RawSQLite.Statement(raw, eventsSelect + (after == nil ? "" : " AND contact_id > ?") + " AND contact_id <= ?" + eventsOrder)
        for (index, id) in ([workspaceID] + (after.map { [$0] } ?? []) + [last]).enumerated() { select.bind(Int32(index + 1), id) }
        var rows = EventRowBytes()
        try rows.read(select)
        return rows
    }

    /// These contacts (at most a batch) with everything the engine reads.
    func histories(ids: [UUID], fields: [CustomFieldDefinition], today: CalendarDay) async throws -> [ContactHistory] {
        guard let sql = db as? any SQLDatabase, !ids.isEmpty else { return [] }
        var contacts: [Contact] = []
        for chunk in ids.chunked(1000) {
            let statement = "SELECT * FROM \"\(ContactRow.schema)\" WHERE workspace_id = ? AND id IN (" + DirectRows.placeholders(chunk.count) + ")"
            if let rows = try await DirectRows.sqlite(db, statement, [.text(workspaceID.uuidString)] + chunk.map { .text($0.uuidString) }) {
                contacts += try SQLiteContactColumns.contacts(rows)
                continue
            }
            contacts += try await sql.select().column(SQLLiteral.all).from(ContactRow.schema)
                .where("workspace_id", .equal, SQLBind(workspaceID))
                .where("id", .in, SQLGroupExpression(SQLList(chunk.map { SQLBind($0) }))).all().map { try RowDecoding.contact($0) }
        }
        return try await read(contacts, fields: fields, today: today).histories()
    }

    /// Which events a batch of contacts reads.
    private enum EventScope {
        /// Those of the contacts named.
        case contacts
        /// Those of every contact of the workspace after this id through the batch's last (the
        /// batch is every contact in that range): one range of the events index.
        case idRange(after: UUID?)
    }

    /// A batch of contacts as read, with what the engine reads of them; their events as SQLite
    /// gave them (decoding them is work that can run off the connection, beside the next read).
    struct BatchRead: Sendable {
        /// The batch's contacts are those after this one (id order).
        var after: UUID?
        var contacts: [Contact] = []
        var companies: [UUID: Company] = [:]
        var today: CalendarDay
        var eventBytes = EventRowBytes()
        /// Events already decoded (engines other than SQLite).
        var events: [UUID: [ScoringEvent]] = [:]

        func histories() throws -> [ContactHistory] {
            var events = self.events
            try eventBytes.group(into: &events)
            return contacts.map { BulkScoring.history($0, companies: companies, events: events[$0.id] ?? [], today: today) }
        }
    }

    /// `contacts` with everything the engine reads.
    private func read(_ contacts: [Contact], events scope: EventScope = .contacts, fields: [CustomFieldDefinition],
                      today: CalendarDay) async throws -> BatchRead {
        guard db is any SQLDatabase, let last = contacts.last else { return BatchRead(today: today) }
        var batch = BatchRead(contacts: contacts, today: today)
        let ids = contacts.map(\.id)
        if !fields.isEmpty {
            let values = try await customValues(of: ids, fields: fields)
            for index in batch.contacts.indices { batch.contacts[index].custom = values[batch.contacts[index].id] ?? [:] }
        }
        batch.companies = try await companies(of: batch.contacts, fields: fields)
        switch scope {
        case .contacts: try await events(of: ids, into: &batch)
        case .idRange(let after): try await events(after: after, through: last.id, into: &batch)
        }
        return batch
    }

    /// What the engine reads of one contact: its profile (with its company, when known) and events.
    private static func history(_ contact: Contact, companies: [UUID: Company], events: [ScoringEvent], today: CalendarDay) -> ContactHistory {
        ContactHistory(id: contact.id, stage: contact.stage,
                       profile: ScoringProfile(contact: contact, company: contact.companyID.flatMap { companies[$0] }, today: today),
                       events: events)
    }

    /// The companies of these contacts, with their custom values.
    private func companies(of contacts: [Contact], fields: [CustomFieldDefinition]) async throws -> [UUID: Company] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        let companyIDs = Array(Set(contacts.compactMap(\.companyID)))
        var companies: [UUID: Company] = [:]
        for chunk in companyIDs.chunked(1000) {
            let select = sql.select().column(SQLLiteral.all).from(CompanyRow.schema)
                .where("workspace_id", .equal, SQLBind(workspaceID))
                .where("id", .in, SQLGroupExpression(SQLList(chunk.map { SQLBind($0) })))
            for row in try await DirectRows.all(db, select) {
                let company = try RowDecoding.company(row)
                companies[company.id] = company
            }
        }
        if !fields.isEmpty, !companyIDs.isEmpty {
            let values = try await customValues(of: companyIDs, fields: fields)
            for id in companyIDs { companies[id]?.custom = values[id] ?? [:] }
        }
        return companies
    }

    /// The scores of contacts this transaction creates, from the values the caller holds: they
    /// have no events and no score yet, so nothing is read back. Pure work, so that it can run
    /// while their rows are being inserted; nil when a fit rule reads company fields (the
    /// companies must then be read, see ``scoreNew(_:fields:definition:today:now:)``).
    static func scoredNew(_ contacts: [Contact], workspaceID: UUID, definition: CompiledLeadDefinition, today: CalendarDay,
                          now: Date) -> ScoredBatch? {
        guard !definition.readsCompanyFields else { return nil }
        return scored(contacts.map { history($0, companies: [:], events: [], today: today) }, workspaceID: workspaceID, definition: definition, now: now)
    }

    /// Scores contacts this transaction has just created, reading their companies first (a fit
    /// rule reads company fields); nothing is replaced.
    func scoreNew(_ contacts: [Contact], fields: [CustomFieldDefinition], definition: CompiledLeadDefinition, today: CalendarDay,
                  now: Date) async throws {
        guard !contacts.isEmpty else { return }
        let companies = try await companies(of: contacts, fields: fields)
        try await write(contacts.map { Self.history($0, companies: companies, events: [], today: today) }, definition: definition, now: now)
    }

    private struct ValueRow: Decodable {
        var recordID: UUID
        var fieldID: UUID
        var textValue: String
        var numberValue: Double?

        enum CodingKeys: String, CodingKey {
            case recordID = "record_id", fieldID = "field_id", textValue = "text_value", numberValue = "number_value"
        }
    }

    private func customValues(of ids: [UUID], fields: [CustomFieldDefinition]) async throws -> [UUID: [String: CustomFieldValue]] {
        guard let sql = db as? any SQLDatabase, !ids.isEmpty else { return [:] }
        let byID = Dictionary(uniqueKeysWithValues: fields.map { ($0.id, $0) })
        var result: [UUID: [String: CustomFieldValue]] = [:]
        for chunk in ids.chunked(1000) {
            let rows = try await sql.select().columns("record_id", "field_id", "text_value", "number_value").from(CustomFieldValueRow.schema)
                .where("workspace_id", .equal, SQLBind(workspaceID))
                .where("record_id", .in, SQLGroupExpression(SQLList(chunk.map { SQLBind($0) })))
                .all(decoding: ValueRow.self)
            for row in rows {
                guard let definition = byID[row.fieldID],
                      let value = CustomFieldRepository.value(row.textValue, number: row.numberValue, of: definition) else { continue }
                result[row.recordID, default: [:]][definition.key] = value
            }
        }
        return result
    }

    /// What the engine reads of a workspace's events (the columns ``group(_:into:)`` expects),
    /// and their order: by contact, each contact's oldest first.
    private static let eventsSelect = "SELECT contact_id, external_id, type, properties, occurred_at FROM events WHERE workspace_id = ?"
    private static let eventsOrder = " ORDER BY contact_id, occurred_at, id"

    /// The events of these contacts, each contact's oldest first.
    private func events(of ids: [UUID], into batch: inout BatchRead) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for chunk in ids.chunked(1000) {
            let statement = Self.eventsSelect + " AND contact_id IN (" + DirectRows.placeholders(chunk.count) + ")" + Self.eventsOrder
            if let rows = try await eventBytes(statement, [workspaceID] + chunk, adding: batch.eventBytes) {
                batch.eventBytes = rows
                continue
            }
            let select = sql.select().where("contact_id", .in, SQLGroupExpression(SQLList(chunk.map { SQLBind($0) })))
            try await Self.group(eventRows(select), into: &batch.events)
        }
    }

    /// The events of the workspace's contacts after `after` through `last` in id order, each
    /// contact's oldest first: one range of the `(workspace_id, contact_id, occurred_at, id)` index.
    /// Through SQLKit: on SQLite a batch is read whole on the connection's handle (see
    /// ``batch(of:after:limit:fields:today:on:)``).
    private func events(after: UUID?, through last: UUID, into batch: inout BatchRead) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let select = sql.select().where("contact_id", .lessThanOrEqual, SQLBind(last))
        if let after { select.where("contact_id", .greaterThan, SQLBind(after)) }
        try await Self.group(eventRows(select), into: &batch.events)
    }

    /// The rows of `select` (its filters on contact ids set) with what the engine reads of an
    /// event, in the order `group` expects; on engines other than SQLite.
    private func eventRows(_ select: SQLSelectBuilder) async throws -> [any SQLRow] {
        try await select.columns("contact_id", "external_id", "type", "properties", "occurred_at").from(EventRow.schema)
            .where("workspace_id", .equal, SQLBind(workspaceID))
            .orderBy("contact_id").orderBy("occurred_at").orderBy("id")
            .all()
    }

    /// `rows` and those of an events statement (see ``eventsSelect``) bound to `ids`, as SQLite
    /// holds them; nil when `db` is not SQLite.
    private func eventBytes(_ statement: String, _ ids: [UUID], adding rows: EventRowBytes) async throws -> EventRowBytes? {
        try await RawSQLite.with(db) { raw in
            let select = try RawSQLite.Statement(raw, statement)
            for (index, id) in ids.enumerated() { select.bind(Int32(index + 1), id) }
            var rows = rows
            try rows.read(select)
            return rows
        }
    }

    /// Event rows read through SQLKit (`contact_id, external_id, type, properties, occurred_at`,
    /// ordered by contact) added to each contact's list.
    private static func group(_ rows: [any SQLRow], into result: inout [UUID: [ScoringEvent]]) throws {
        for row in rows {
            let contactID = try row.decode(column: "contact_id", as: UUID.self)
            result[contactID, default: []].append(EventLog.scoringEvent(
                id: try row.decode(column: "external_id", as: String.self), type: try row.decode(column: "type", as: String.self),
                properties: try row.decode(column: "properties", as: String.self), at: try row.decode(column: "occurred_at", as: Date.self)
            ))
        }
    }

    /// Inserts the scores of contacts that have none yet, and moves the ones who qualify to MQL.
    func write(_ histories: [ContactHistory], definition: CompiledLeadDefinition, now: Date) async throws {
        try await insert(Self.scored(histories, workspaceID: workspaceID, definition: definition, now: now))
    }

    /// A batch's score rows and the contacts it moves to MQL, before anything is written.
    struct ScoredBatch: Sendable {
        var scores: [[BulkValue]] = []
        var promotions: [(contactID: UUID, from: LifecycleStage, cause: String)] = []
        var promotionScores: [UUID: HandoffScores] = [:]
        var actor: AuditActor
        var now: Date
    }

    /// Scores a batch as ``scored(_:workspaceID:definition:now:)`` does, each half on a core of
    /// its own when one is free (on ``scoringThreads``): scoring is the longest stage of a run's
    /// pipeline, and while the connection waits for it the other core has little else to do.
    static func scoredInHalves(_ histories: [ContactHistory], workspaceID: UUID, definition: CompiledLeadDefinition, now: Date) async throws -> ScoredBatch {
        guard histories.count >= 64 else { return try await scoringThreads.runIfActive { scored(histories, workspaceID: workspaceID, definition: definition, now: now) } }
        let (firstHalf, secondHalf) = (Array(histories[..<(histories.count / 2)]), Array(histories[(histories.count / 2)...]))
        async let first = scoringThreads.runIfActive { scored(firstHalf, workspaceID: workspaceID, definition: definition, now: now) }
        let second = try await scoringThreads.runIfActive { scored(secondHalf, workspaceID: workspaceID, definition: definition, now: now) }
        var batch = try await first
        batch.scores += second.scores
        batch.promotions += second.promotions
        batch.promotionScores.merge(second.promotionScores) { first, _ in first }
        return batch
    }

    /// Threads of their own, one per core, on which a run decodes and scores its batches. On
    /// Swift's cooperative threads (one per core too) scoring held them for milliseconds at a
    /// time, while the reading and the writing connection each waited for one of them to make
    /// its next call: the stages took turns instead of overlapping.
    static let scoringThreads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(2, ProcessInfo.processInfo.activeProcessorCount))
        pool.start()
        return pool
    }()

    static func scored(_ histories: [ContactHistory], workspaceID: UUID, definition: CompiledLeadDefinition, now: Date) -> ScoredBatch {
        var batch = ScoredBatch(actor: ScoreKeeper.actor(for: definition), now: now)
        batch.scores.reserveCapacity(histories.count)
        for history in histories {
            let result = definition.rescore(profile: history.profile, events: history.events, now: now)
            batch.scores.append([.uuid(TimeOrderedID.make(at: now)), .uuid(workspaceID), .uuid(history.id), .integer(definition.version),
                                 .integer(result.state.fit), .real(result.state.engagementValue), result.state.asOf.map(BulkValue.date) ?? .null,
                                 definition.engagementKey(value: result.state.engagementValue, asOf: result.state.asOf).map(BulkValue.real) ?? .null,
                                 .bool(result.mql.isMQL), BulkValue(result.mql.cell?.description), .text(ScoreKeeper.encodeState(result.state)),
                                 .text(ScoreLedgerText.encode(result.ledger)), .date(now)])
            if case .becomeMQL(let cause) = definition.stageDecision(for: history.stage, fit: result.fit, engagement: result.engagement) {
                batch.promotions.append((history.id, history.stage, cause.description))
                batch.promotionScores[history.id] = HandoffScores(definitionVersion: definition.version, fit: cause.fit, engagement: cause.engagement,
                                                                  rulePoints: result.ledger.reduce(into: [:]) { $0[$1.ruleID, default: 0] += $1.points })
            }
        }
        return batch
    }

    /// Inserts a scored batch and moves its new MQLs.
    func insert(_ batch: ScoredBatch) async throws {
        try await BulkInsert.run(into: ContactScoreRow.schema, columns: ContactScoreRow.bulkColumns, rows: batch.scores, on: db)
        try await StageChanges(db, workspaceID: workspaceID).moveAll(batch.promotions, to: .mql, by: batch.actor, now: batch.now,
                                                                     scores: batch.promotionScores)
    }
}
