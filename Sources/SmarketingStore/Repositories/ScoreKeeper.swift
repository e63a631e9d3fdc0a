import FluentKit
import FluentPostgresDriver
import Foundation
import SmarketingCore
import SQLKit
import VaporCSQLite

/// A contact's score as a page or the API shows it: the figures at `now` and every ledger line
/// of the version that gave them.
public struct ContactScore: Sendable, Equatable {
    public var definitionVersion: Int
    public var fit: Int
    /// Engagement decayed to the moment it was read.
    public var engagement: Double
    public var total: Double
    public var evaluation: MQLEvaluation
    /// Newest first.
    public var ledger: [ScoreEntry]
    /// The ledger's sum decayed to the same moment; equal to `total`.
    public var ledgerTotal: Double
}

/// Keeps contacts' scores in step with the active lead definition: after a field changes, after
/// an event, or in bulk after an activation. Each update writes the engine's state, the ledger
/// lines that explain it, and, when the contact qualifies, its move to MQL with the cause, in
/// the caller's transaction.
public struct ScoreKeeper: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// The active definition, compiled; nil while none was ever activated. Which version is
    /// active is read every time (one small query); its compiled form is kept per stored row and
    /// save time, since reading and compiling it is the larger part of an ingest commit's own
    /// cost.
    public func activeDefinition() async throws -> CompiledLeadDefinition? {
        let key: CompiledDefinitions.Key?
        if let read = try await RawSQLite.with(db, { [workspaceID] raw in try Self.activeDefinitionKey(workspaceID: workspaceID, on: raw) }) {
            key = read
        } else {
            guard let sql = db as? any SQLDatabase else { return nil }
            let select = sql.select().columns("id", "updated_at").from(LeadDefinitionRow.schema)
                .where("workspace_id", .equal, SQLBind(workspaceID)).where("status", .equal, SQLBind(LeadDefinitionStatus.active.rawValue)).limit(1)
            key = try await DirectRows.all(db, select).first.map { row in
                CompiledDefinitions.Key(rowID: try row.uuid("id"), savedAt: try row.decode(column: "updated_at", as: Date.self))
            }
        }
        guard let key else { return nil }
        if let compiled = CompiledDefinitions.shared.find(key) { return compiled }
        guard let stored = try await LeadDefinitions(db, workspaceID: workspaceID).active() else { return nil }
        let compiled = CompiledLeadDefinition(stored.version.definition)
        CompiledDefinitions.shared.keep(compiled, for: key)
        return compiled
    }

    /// Which definition is active, on SQLite's own handle: the key its compiled form is kept
    /// under (``CompiledDefinitions``); nil while none is.
    static func activeDefinitionKey(workspaceID: UUID, on raw: RawSQLite) throws -> CompiledDefinitions.Key? {
        let select = try RawSQLite.Statement(raw, "SELECT id, updated_at FROM \"\(LeadDefinitionRow.schema)\" WHERE workspace_id = ? AND status = ? LIMIT 1")
        select.bind(1, workspaceID)
        select.bind(2, LeadDefinitionStatus.active.rawValue)
        guard try select.step(), let id = select.uuid(0) else { return nil }
        // The store writes times as seconds; anything else would name a stale compiled form.
        guard let savedAt = select.double(1) else { throw RawSQLite.Failure(code: SQLITE_MISMATCH, message: "lead_definitions.updated_at is not a time") }
        return CompiledDefinitions.Key(rowID: id, savedAt: Date(timeIntervalSince1970: savedAt))
    }

    /// The profile the fit rules read: the contact's fields, its company's and both sets of
    /// custom values.
    public func profile(of contact: Contact, today: CalendarDay) async throws -> ScoringProfile {
        try await profiles(of: [contact], today: today)[contact.id] ?? ScoringProfile(contact: contact, company: nil, today: today)
    }

    /// The profiles of several contacts (routing a batch of new MQLs), by contact id, read in a
    /// few queries whatever their number.
    func profiles(of contacts: [Contact], today: CalendarDay) async throws -> [UUID: ScoringProfile] {
        guard !contacts.isEmpty else { return [:] }
        let definitions = try await CustomFieldRepository(db, workspaceID: workspaceID).list()
        let values = CustomFieldRepository(db, workspaceID: workspaceID)
        let contactValues = try await values.values(of: contacts.map(\.id), definitions: definitions.filter { $0.entity == .contact })
        var companies: [UUID: Company] = [:]
        let companyIDs = Array(Set(contacts.compactMap(\.companyID)))
        for chunk in companyIDs.chunked(500) {
            companies.merge(try await CompanyRepository(db, workspaceID: workspaceID).find(ids: Array(chunk))) { first, _ in first }
        }
        let companyValues = try await values.values(of: Array(companies.keys), definitions: definitions.filter { $0.entity == .company })
        var profiles: [UUID: ScoringProfile] = [:]
        for var contact in contacts {
            contact.custom = contactValues[contact.id] ?? [:]
            var company = contact.companyID.flatMap { companies[$0] }
            if let id = company?.id { company?.custom = companyValues[id] ?? [:] }
            profiles[contact.id] = ScoringProfile(contact: contact, company: company, today: today)
        }
        return profiles
    }

    /// Re-reads the contact's fields into its score (after a save): fit rules that start or stop
    /// holding write ledger lines, and a contact that now qualifies becomes an MQL. A contact
    /// without a score yet (or scored under another version) is scored from its whole history.
    /// Does nothing while no definition is active.
    @discardableResult
    public func refresh(contactID: UUID, definition: CompiledLeadDefinition?, by actor: AuditActor, now: Date,
                        fromScratch: Bool = false) async throws -> ScoreState? {
        guard let definition,
              let contact = try await ContactRepository(db, workspaceID: workspaceID).find(contactID) else { return nil }
        let profile = try await profile(of: contact, today: CalendarDay(utc: now))
        let row = try await ContactScoreRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == contactID).first()
        var state: ScoreState
        var ledger: [ScoreEntry] = []
        if !fromScratch, let row, row.definitionVersion == definition.version, let stored = Self.decodeState(row.state), definition.owns(stored) {
            state = stored
            try definition.refit(&state, profile: profile, at: now, ledger: &ledger)
        } else {
            // The whole history is written again as rows: the bulk lines go.
            row?.ledger = nil
            let events = try await EventLog(db, workspaceID: workspaceID).scoringEvents(of: contactID)
            let result = definition.rescore(profile: profile, events: events, now: now)
            state = result.state
            ledger = result.ledger
        }
        try await write(state, ledger: ledger, contact: contact, existing: row, definition: definition, actor: actor, now: now)
        return state
    }

    /// Applies one event to a known contact's score: ``applyAll(_:definition:by:now:)`` for a
    /// single event.
    public func apply(_ event: ScoringEvent, contactID: UUID, definition: CompiledLeadDefinition, by actor: AuditActor, now: Date) async throws {
        guard let contact = try await ContactRepository(db, workspaceID: workspaceID).find(contactID) else { return }
        try await applyAll([(contact: contact, events: [event])], definition: definition, by: actor, now: now)
    }

    /// Applies a commit's events to their contacts' scores together: ``applyEvents(_:definition:by:now:cache:)``
    /// for contacts already read.
    public func applyAll(_ batches: [(contact: Contact, events: [ScoringEvent])], definition: CompiledLeadDefinition, by actor: AuditActor,
                         now: Date) async throws {
        try await applyEvents(batches.map { (contactID: $0.contact.id, stage: $0.contact.stage, events: $0.events) },
                              definition: definition, by: actor, now: now)
    }

    /// Applies a commit's events to their contacts' scores together, in a few statements
    /// whatever the number of contacts: one read of the score rows, each contact's events in
    /// the order they happened, one upsert of the new states, one insert of the new ledger lines
    /// and one move of the contacts that now qualify. A contact whose state is newer than its
    /// first event here (an event that arrived late), or that has no score yet, is scored again
    /// from its whole history instead. With a `cache` (the ingest writer's), states it holds are
    /// not read, and the states written are kept in it.
    public func applyEvents(_ batches: [(contactID: UUID, stage: LifecycleStage, events: [ScoringEvent])], definition: CompiledLeadDefinition,
                            by actor: AuditActor, now: Date, cache: ScoreStateCache? = nil) async throws {
        let cached = Self.cachedStates(of: batches, workspaceID: workspaceID, cache: cache)
        var current = cached.current
        Self.add(try await storedStates(of: cached.unread), to: &current)
        let plan = try Self.plan(batches, current: current, definition: definition, workspaceID: workspaceID, now: now, cache: cache)
        try await BulkInsert.runInTransaction(into: ContactScoreRow.schema, columns: ContactScoreRow.stateColumns, rows: plan.states,
                                              conflict: ContactScoreRow.eventConflict, on: db)
        try await BulkInsert.runInTransaction(into: ScoreChangeRow.schema, columns: ScoreChangeRow.bulkColumns, rows: plan.lines, on: db)
        try await finish(plan.rest, definition: definition, by: actor, now: now, cache: cache)
    }

    /// What scoring events leaves to do once the new states and ledger lines are written: the
    /// contacts that now qualify, and the ones to score again from their whole history.
    struct ScoringRest: Sendable {
        var promotions: [(contactID: UUID, from: LifecycleStage, cause: String)] = []
        var scores: [UUID: HandoffScores] = [:]
        var fromHistory: [UUID] = []

        var isEmpty: Bool { promotions.isEmpty && fromHistory.isEmpty }
    }

    /// The batches' states the cache holds, and the contacts whose states are to be read.
    private static func cachedStates(of batches: [(contactID: UUID, stage: LifecycleStage, events: [ScoringEvent])], workspaceID: UUID,
                                     cache: ScoreStateCache?) -> (current: [UUID: ScoreStateCache.Entry], unread: Set<UUID>) {
        var current: [UUID: ScoreStateCache.Entry] = [:]
        var unread = Set<UUID>()
        for batch in batches {
            if let entry = cache?.entry(workspaceID: workspaceID, contactID: batch.contactID) { current[batch.contactID] = entry } else { unread.insert(batch.contactID) }
        }
        return (current, unread)
    }

    /// Adds the states read from their rows (one whose text does not parse is left out).
    private static func add(_ stored: [UUID: (id: UUID, version: Int, state: String)], to current: inout [UUID: ScoreStateCache.Entry]) {
        for (contactID, row) in stored {
            if let state = decodeState(row.state) { current[contactID] = ScoreStateCache.Entry(rowID: row.id, version: row.version, state: state) }
        }
    }

    /// The new states and ledger lines of ``applyEvents(_:definition:by:now:cache:)`` from the
    /// contacts' `current` states, as rows to write, and what is left to do after them.
    private static func plan(_ batches: [(contactID: UUID, stage: LifecycleStage, events: [ScoringEvent])], current: [UUID: ScoreStateCache.Entry],
                             definition: CompiledLeadDefinition, workspaceID: UUID, now: Date, cache: ScoreStateCache?) throws
        -> (states: [[BulkValue]], lines: [[BulkValue]], rest: ScoringRest) {
        var states: [[BulkValue]] = [], lines: [[BulkValue]] = []
        var rest = ScoringRest()
        for (contactID, stage, events) in batches {
            let ordered = events.sorted(by: ScoringEvent.historyOrder)
            guard let first = ordered.first else { continue }
            guard let row = current[contactID], row.version == definition.version, definition.owns(row.state),
                  (row.state.asOf ?? .distantPast) <= first.time
            else {
                rest.fromHistory.append(contactID)
                continue
            }
            var state = row.state
            var ledger: [ScoreEntry] = []
            for event in ordered { try definition.apply(event, to: &state, ledger: &ledger) }
            cache?.keep(ScoreStateCache.Entry(rowID: row.rowID, version: definition.version, state: state), workspaceID: workspaceID, contactID: contactID)
            states.append(stateValues(state, rowID: row.rowID, contactID: contactID, workspaceID: workspaceID, definition: definition, now: now))
            lines += ledger.map { ledgerValues($0, contactID: contactID, workspaceID: workspaceID, now: now) }
            if case .becomeMQL(let cause) = definition.stageDecision(for: stage, state: state, at: now) {
                rest.promotions.append((contactID, stage, cause.description))
                rest.scores[contactID] = HandoffScores(definitionVersion: definition.version, fit: cause.fit, engagement: cause.engagement)
            }
        }
        return (states, lines, rest)
    }

    /// The part of ``applyEvents(_:definition:by:now:cache:)`` that SQLite's own handle does in
    /// the caller's trip: reading the states the cache does not hold, scoring, and writing the
    /// states and ledger lines. The caller finishes with ``finish(_:definition:by:now:cache:)``.
    static func applyEvents(_ batches: [(contactID: UUID, stage: LifecycleStage, events: [ScoringEvent])], definition: CompiledLeadDefinition,
                            workspaceID: UUID, now: Date, cache: ScoreStateCache?, on raw: RawSQLite) throws -> ScoringRest {
        let cached = cachedStates(of: batches, workspaceID: workspaceID, cache: cache)
        var current = cached.current
        add(try storedStates(of: cached.unread, workspaceID: workspaceID, on: raw), to: &current)
        let plan = try plan(batches, current: current, definition: definition, workspaceID: workspaceID, now: now, cache: cache)
        try raw.write(into: ContactScoreRow.schema, columns: ContactScoreRow.stateColumns, rows: plan.states, conflict: ContactScoreRow.eventConflict)
        try raw.write(into: ScoreChangeRow.schema, columns: ScoreChangeRow.bulkColumns, rows: plan.lines)
        return plan.rest
    }

    /// Moves the contacts that now qualify (after the ledger: the handoff names the rules behind
    /// the points), then scores again from their history the contacts that need it.
    func finish(_ rest: ScoringRest, definition: CompiledLeadDefinition, by actor: AuditActor, now: Date, cache: ScoreStateCache?) async throws {
        try await StageChanges(db, workspaceID: workspaceID).moveAll(rest.promotions, to: .mql, by: Self.actor(for: definition), now: now, scores: rest.scores)
        for contactID in rest.fromHistory {
            cache?.keep(nil, workspaceID: workspaceID, contactID: contactID)
            try await rescoreHistory(of: contactID, definition: definition, by: actor, now: now)
        }
    }

    private static let storedStateLookup = "SELECT contact_id, id, definition_version, state FROM \"\(ContactScoreRow.schema)\" WHERE workspace_id = ? AND contact_id = ?"

    /// The stored score rows of these contacts: row id, version and state text.
    private func storedStates(of contacts: Set<UUID>) async throws -> [UUID: (id: UUID, version: Int, state: String)] {
        guard !contacts.isEmpty else { return [:] }
        if let read = try await RawSQLite.with(db, { [workspaceID] raw in try Self.storedStates(of: contacts, workspaceID: workspaceID, on: raw) }) {
            return read
        }
        var found: [UUID: (id: UUID, version: Int, state: String)] = [:]
        for row in try await PostgresRows.lookup(db, Self.storedStatesOfAll, workspaceID: workspaceID, keys: contacts) ?? [] {
            let (contactID, id, version, state) = try row.decode((UUID, UUID, Int, String).self)
            found[contactID] = (id, version, state)
        }
        return found
    }

    /// ``storedStateLookup`` on PostgreSQL, the contacts bound as one array.
    private static let storedStatesOfAll = "SELECT contact_id, id, definition_version, state FROM \"\(ContactScoreRow.schema)\" WHERE workspace_id = $1 AND contact_id = ANY($2)"

    /// ``storedStates(of:)`` on SQLite's own handle: one lookup a contact.
    private static func storedStates(of contacts: Set<UUID>, workspaceID: UUID, on raw: RawSQLite) throws -> [UUID: (id: UUID, version: Int, state: String)] {
        var found: [UUID: (id: UUID, version: Int, state: String)] = [:]
        guard !contacts.isEmpty else { return found }
        try raw.lookup(storedStateLookup, workspaceID: workspaceID, keys: contacts, bind: { $0.bind(2, $1) }) { row in
            guard let contactID = row.uuid(0), let id = row.uuid(1), let version = row.integer(2), let state = row.text(3) else { return }
            found[contactID] = (id, version, state)
        }
        return found
    }

    /// A score row's values in ``ContactScoreRow/stateColumns`` order.
    static func stateValues(_ state: ScoreState, rowID: UUID, contactID: UUID, workspaceID: UUID, definition: CompiledLeadDefinition,
                            now: Date) -> [BulkValue] {
        let evaluation = definition.evaluate(state, at: now)
        return [.uuid(rowID), .uuid(workspaceID), .uuid(contactID), .integer(definition.version), .integer(state.fit), .real(state.engagementValue),
                state.asOf.map(BulkValue.date) ?? .null, BulkValue(definition.engagementKey(value: state.engagementValue, asOf: state.asOf)),
                .bool(evaluation.isMQL), BulkValue(evaluation.cell?.description), .text(Self.encodeState(state)), .date(now)]
    }

    /// Scores a contact again from its whole stored history (an event that arrived late, or a
    /// visitor's events that became the contact's), replacing this version's ledger lines.
    public func rescoreHistory(of contactID: UUID, definition: CompiledLeadDefinition, by actor: AuditActor, now: Date) async throws {
        try await ScoreChangeRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == contactID)
            .filter(\.$definitionVersion == definition.version).delete()
        try await refresh(contactID: contactID, definition: definition, by: actor, now: now, fromScratch: true)
    }

    /// The contact's score now, explained; nil when it has none under the active definition.
    public func score(of contactID: UUID, definition: CompiledLeadDefinition?, now: Date, ledgerLimit: Int = 200) async throws -> ContactScore? {
        guard let definition,
              let row = try await ContactScoreRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == contactID).first(),
              row.definitionVersion == definition.version, let state = Self.decodeState(row.state)
        else { return nil }
        let rows = try await ScoreChangeRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == contactID)
            .filter(\.$definitionVersion == definition.version).sort(\.$at, .descending).sort(\.$id, .descending).all().map(\.entry)
        let bulk = ScoreLedgerText.decode(row.ledger ?? "").filter { $0.definitionVersion == definition.version }
        // Lines written one at a time come after the bulk ones; newest first, stable.
        let lines = rows + bulk.reversed()
        let engagement = definition.engagement(of: state, at: now)
        return ContactScore(
            definitionVersion: definition.version, fit: state.fit, engagement: engagement, total: Double(state.fit) + engagement,
            evaluation: definition.evaluate(state, at: now), ledger: Array(lines.prefix(ledgerLimit)),
            ledgerTotal: definition.ledgerTotal(lines, at: now)
        )
    }

    /// A company's roll-up: the best and the sum of its contacts' totals now.
    public func companyScore(of companyID: UUID, definition: CompiledLeadDefinition?, now: Date) async throws -> CompanyScore? {
        guard let definition, let sql = db as? any SQLDatabase else { return nil }
        let rows = try await sql.select().column(SQLColumn("state", table: "s")).column(SQLColumn("definition_version", table: "s"))
            .from(SQLAlias(SQLIdentifier(ContactScoreRow.schema), as: SQLIdentifier("s")))
            .join(SQLAlias(SQLIdentifier(ContactRow.schema), as: SQLIdentifier("c")), method: SQLJoinMethod.inner,
                  on: SQLColumn("contact_id", table: "s"), .equal, SQLColumn("id", table: "c"))
            .where(SQLColumn("workspace_id", table: "s"), .equal, SQLBind(workspaceID))
            .where(SQLColumn("company_id", table: "c"), .equal, SQLBind(companyID))
            .all()
        let totals = try rows.compactMap { row -> Double? in
            guard try row.decode(column: "definition_version", as: Int.self) == definition.version,
                  let state = Self.decodeState(try row.decode(column: "state", as: String.self)) else { return nil }
            return definition.total(of: state, at: now)
        }
        return CompanyScore(contactTotals: totals)
    }

    /// Fit and engagement now of some contacts (for a list page), scored under the active version.
    public func snapshots(of contactIDs: [UUID], definition: CompiledLeadDefinition?, now: Date) async throws -> [UUID: ScoreSnapshot] {
        guard let definition, !contactIDs.isEmpty, let sql = db as? any SQLDatabase else { return [:] }
        let rows = try await sql.select().columns("contact_id", "definition_version", "state").from(ContactScoreRow.schema)
            .where("workspace_id", .equal, SQLBind(workspaceID))
            .where("contact_id", .in, SQLGroupExpression(SQLList(contactIDs.map { SQLBind($0) }))).all()
        var result: [UUID: ScoreSnapshot] = [:]
        for row in rows where try row.decode(column: "definition_version", as: Int.self) == definition.version {
            guard let state = Self.decodeState(try row.decode(column: "state", as: String.self)) else { continue }
            result[try row.decode(column: "contact_id", as: UUID.self)] = definition.snapshot(of: state, at: now)
        }
        return result
    }

    // MARK: Writing

    /// Stores a contact's new state and ledger lines, and moves it to MQL when it qualifies.
    func write(_ state: ScoreState, ledger: [ScoreEntry], contact: Contact, existing: ContactScoreRow?, definition: CompiledLeadDefinition,
               actor: AuditActor, now: Date) async throws {
        let row = existing ?? ContactScoreRow()
        if existing == nil {
            row.id = TimeOrderedID.make(at: now)
            row.workspaceID = workspaceID
            row.contactID = contact.id
        }
        let evaluation = definition.evaluate(state, at: now)
        row.definitionVersion = definition.version
        row.fit = state.fit
        row.engagement = state.engagementValue
        row.engagementAt = state.asOf
        row.engagementKey = definition.engagementKey(value: state.engagementValue, asOf: state.asOf)
        row.isMQL = evaluation.isMQL
        row.cell = evaluation.cell?.description
        row.state = Self.encodeState(state)
        row.updatedAt = now
        try await row.save(on: db)
        try await insertLedger(ledger, contactID: contact.id, now: now)
        if case .becomeMQL(let cause) = definition.stageDecision(for: contact.stage, state: state, at: now) {
            try await StageChanges(db, workspaceID: workspaceID).move(contact, to: .mql, cause: cause.description,
                                                                   by: Self.actor(for: definition), now: now,
                                                                   scores: HandoffScores(definitionVersion: definition.version, fit: cause.fit,
                                                                                         engagement: cause.engagement))
        }
    }

    func insertLedger(_ ledger: [ScoreEntry], contactID: UUID, now: Date) async throws {
        guard !ledger.isEmpty else { return }
        try await BulkInsert.run(into: ScoreChangeRow.schema, columns: ScoreChangeRow.bulkColumns,
                                 rows: ledger.map { Self.ledgerValues($0, contactID: contactID, workspaceID: workspaceID, now: now) }, on: db)
    }

    static func ledgerValues(_ entry: ScoreEntry, contactID: UUID, workspaceID: UUID, now: Date) -> [BulkValue] {
        var field: String?, value: String?, eventID: String?, eventType: String?
        switch entry.cause {
        case .field(let name, let text): field = name; value = text
        case .event(let id, let type): eventID = id; eventType = type
        }
        return [.uuid(TimeOrderedID.make(at: now)), .uuid(workspaceID), .uuid(contactID), .integer(entry.definitionVersion), .text(entry.ruleID),
                .text(entry.kind.rawValue), .integer(entry.points), BulkValue(entry.requestedPoints), BulkValue(field), BulkValue(value),
                BulkValue(eventID), BulkValue(eventType), .date(entry.time)]
    }

    /// Who a score-driven stage change is recorded as: the lead definition that qualified it.
    static func actor(for definition: CompiledLeadDefinition) -> AuditActor {
        AuditActor(userID: nil, name: "Lead definition v\(definition.version)", channel: .system)
    }

    static func encodeState(_ state: ScoreState) -> String { state.text }

    static func decodeState(_ text: String) -> ScoreState? {
        ScoreState(text: text) ?? (try? JSONDecoder().decode(ScoreState.self, from: Data(text.utf8)))
    }
}

extension ScoreChangeRow {
    static let bulkColumns = ["id", "workspace_id", "contact_id", "definition_version", "rule_id", "kind", "points", "requested_points",
                              "cause_field", "cause_value", "cause_event_id", "cause_event_type", "at"]
}

extension ContactScoreRow {
    /// Every column but the bulk ledger text, which event scoring leaves as it is.
    static let stateColumns = ["id", "workspace_id", "contact_id", "definition_version", "fit", "engagement", "engagement_at", "engagement_key",
                               "is_mql", "cell", "state", "updated_at"]
    static let bulkColumns = ["id", "workspace_id", "contact_id", "definition_version", "fit", "engagement", "engagement_at", "engagement_key", "is_mql",
                              "cell", "state", "ledger", "updated_at"]

    /// Writes contacts' score rows (values in `columns` order): a contact that has one keeps its
    /// row and id, and gets every other column given; a contact without one gets a new row.
    static func upsert(_ rows: [[BulkValue]], columns: [String], on db: any Database) async throws {
        let conflict = upsertConflict(columns)
        try await BulkInsert.upsert(into: schema, columns: columns, rows: rows, key: conflict.key, updating: conflict.updating, on: db)
    }

    /// How events update a contact's row (``stateColumns`` given): as ``upsertConflict(_:)``
    /// but for the fit, which events do not change. SQLite rewrites the index entries of every
    /// column an update sets, even to the value it had, so each commit wrote pages of the fit's
    /// index (`contact_scores_workspace_fit`) for nothing.
    static let eventConflict: (key: [String], updating: [String]) = {
        let conflict = upsertConflict(stateColumns)
        return (conflict.key, conflict.updating.filter { $0 != "fit" })
    }()

    /// A contact's row is found by its workspace and contact; every column given but those is updated.
    static func upsertConflict(_ columns: [String]) -> (key: [String], updating: [String]) {
        let identity = ["id", "workspace_id", "contact_id"]
        return (["workspace_id", "contact_id"], columns.filter { !identity.contains($0) })
    }
}

/// Compiled lead definitions by stored row and save time (a row saved again is a new key), for
/// the few workspaces a process serves; bounded, forgotten whole when full.
final class CompiledDefinitions: @unchecked Sendable {
    struct Key: Hashable {
        var rowID: UUID
        var savedAt: Date
    }

    static let shared = CompiledDefinitions()
    private let lock = NSLock()
    private var compiled: [Key: CompiledLeadDefinition] = [:]

    func find(_ key: Key) -> CompiledLeadDefinition? {
        lock.withLock { compiled[key] }
    }

    /// Forgets every compiled definition (for tests: the next use compiles it again).
    func removeAll() {
        lock.withLock { compiled.removeAll() }
    }

    func keep(_ definition: CompiledLeadDefinition, for key: Key) {
        lock.withLock {
            if compiled.count >= 256 { compiled.removeAll() }
            compiled[key] = definition
        }
    }
}
