import FluentKit
import FluentPostgresDriver
import Foundation
import SmarketingCore
import SQLKit

/// Events from other systems stored and scored together: each event is matched to its contact
/// (by id or email, in this workspace only), stored once per event id, and applied to the
/// contact's score in the caller's transaction, so a contact that qualifies moves to MQL in
/// the same commit that stores the event.
public struct EventIngest: Sendable {
    /// What became of one submitted event.
    public enum Outcome: Sendable, Equatable {
        case stored
        /// The workspace already had an event with this id (a replay): nothing was written.
        case duplicate
        case refused(ValidationFailure)
    }

    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// The event types the workspace accepts: the standard ones and every type a rule of its
    /// active or draft lead definition names.
    public func knownTypes() async throws -> Set<String> {
        var types = Set(StandardEventType.allCases.map(\.rawValue))
        let definitions = LeadDefinitions(db, workspaceID: workspaceID)
        for stored in [try await definitions.active(), try await definitions.draft()].compactMap({ $0 }) {
            let definition = stored.version.definition
            types.formUnion(definition.engagementRules.map(\.eventType))
            types.formUnion(definition.frequencyRules.map(\.eventType))
        }
        return types
    }

    /// Stores and scores the events of several workspaces in one write transaction: the commit
    /// of the ingest writer, which keeps its score states in `cache` (kept once the transaction
    /// committed, all forgotten when it failed). Returns each workspace's outcomes, one per
    /// submission, in order.
    ///
    /// On SQLite the whole transaction runs in one trip to the thread pool on the connection's
    /// own handle (``StoreTuning/handleTransaction(_:start:finish:close:)``): the write lock,
    /// the cache's opening mark, the lookups, the new events, the scores and ledger lines, the
    /// closing mark and the commit. Each trip waits its turn on a busy server, and a commit of a
    /// few dozen events made a dozen of them. What that trip leaves (contacts that qualify and
    /// their handoffs, contacts scored again from their history) follows through the usual
    /// statements before the commit, as does a workspace whose active definition this process
    /// has not compiled yet (``record(_:now:cache:)``, which compiles it). PostgreSQL runs
    /// ``record(_:now:cache:)`` for each workspace.
    ///
    /// `deferringFlush`: on SQLite, the commit does not wait for its WAL to reach the disk
    /// (see ``StoreTuning/handleTransaction(_:deferringFlush:start:finish:close:)``); the
    /// caller answers nobody before ``Commit/durable()`` returns, while it may commit again.
    public static func commit(_ db: any Database, _ work: [(workspaceID: UUID, submissions: [EventSubmission])], now: Date,
                              cache: ScoreStateCache, deferringFlush: Bool = false) async throws -> Commit {
        do {
            let commit = try await transaction(db, work, now: now, cache: cache, deferringFlush: deferringFlush)
            cache.committed()
            return commit
        } catch {
            cache.discard()
            throw error
        }
    }

    private static func transaction(_ db: any Database, _ work: [(workspaceID: UUID, submissions: [EventSubmission])], now: Date,
                                    cache: ScoreStateCache, deferringFlush: Bool) async throws -> Commit {
        if let (outcomes, unflushed) = try await StoreTuning.handleTransaction(db, deferringFlush: deferringFlush, start: { raw in
            try startCommit(work, now: now, cache: cache, on: raw)
        }, finish: { connection, recordings in
            try await finishCommit(work, recordings, now: now, cache: cache, on: connection)
        }, close: { raw in
            cache.end(at: try raw.writeMark())
        }) {
            return Commit(outcomes: outcomes, unflushed: unflushed)
        }
        let outcomes = try await StoreTuning.writeTransaction(db) { tx in
            try await cache.begin(tx)
            // The writer's connection keeps the hot part of a large workspace in memory.
            try await StoreTuning.widenCache(tx)
            var outcomes: [UUID: [Outcome]] = [:]
            for (workspaceID, submissions) in work {
                outcomes[workspaceID] = try await EventIngest(tx, workspaceID: workspaceID).record(submissions, now: now, cache: cache)
            }
            try await cache.end(tx)
            return outcomes
        }
        return Commit(outcomes: outcomes, unflushed: nil)
    }

    /// A commit of ``commit(_:_:now:cache:deferringFlush:)``: each workspace's outcomes, and
    /// whether it is on disk yet.
    public struct Commit: Sendable {
        public var outcomes: [UUID: [Outcome]]
        /// The database file whose WAL holds the commit, not flushed yet.
        let unflushed: String?

        /// Returns once the commit is on disk: at once when it flushed itself; otherwise after a
        /// flush of the WAL that began after the commit (``RawSQLite/WALFlusher``).
        public func durable() async throws {
            guard let unflushed else { return }
            try await RawSQLite.WALFlusher.shared.flushed(unflushed)
        }
    }

    /// The trip of ``commit(_:_:now:cache:)`` on SQLite's own handle, inside its transaction:
    /// done (the cache's closing mark taken) when it left nothing else to do.
    private static func startCommit(_ work: [(workspaceID: UUID, submissions: [EventSubmission])], now: Date, cache: ScoreStateCache,
                                    on raw: RawSQLite) throws -> StoreTuning.HandleStart<[UUID: [Outcome]], [UUID: SQLiteRecording]> {
        cache.begin(at: try raw.writeMark())
        // The writer's connection keeps the hot part of a large workspace in memory.
        try StoreTuning.widenCache(raw)
        var recordings: [UUID: SQLiteRecording] = [:]
        var outcomes: [UUID: [Outcome]] = [:]
        for (workspaceID, submissions) in work {
            let recording = try record(submissions, workspaceID: workspaceID, now: now, cache: cache, on: raw)
            recordings[workspaceID] = recording
            if case .recorded(let recorded) = recording, recorded.isSettled { outcomes[workspaceID] = recorded.outcomes }
        }
        guard outcomes.count == work.count else { return .more(recordings) }
        cache.end(at: try raw.writeMark())
        return .done(outcomes)
    }

    /// What the trip of ``commit(_:_:now:cache:)`` left, through the usual statements on its
    /// connection, inside its transaction.
    private static func finishCommit(_ work: [(workspaceID: UUID, submissions: [EventSubmission])], _ recordings: [UUID: SQLiteRecording],
                                     now: Date, cache: ScoreStateCache, on connection: any Database) async throws -> [UUID: [Outcome]] {
        var outcomes: [UUID: [Outcome]] = [:]
        for (workspaceID, submissions) in work {
            let ingest = EventIngest(connection, workspaceID: workspaceID)
            switch recordings[workspaceID] {
            case .recorded(let recorded)?:
                outcomes[workspaceID] = recorded.outcomes
                try await ingest.finish(recorded, now: now, cache: cache)
            case .needsDefinition?, nil:
                outcomes[workspaceID] = try await ingest.record(submissions, now: now, cache: cache)
            }
        }
        return outcomes
    }

    /// What the SQLite part of a recording (``record(_:workspaceID:now:cache:on:)``) gives back.
    enum SQLiteRecording: Sendable {
        case recorded(Recorded)
        /// The workspace's active definition is not compiled in this process yet: nothing was
        /// written, and the caller records the events through ``record(_:now:cache:)``.
        case needsDefinition
    }

    /// Events stored and scored on SQLite's own handle, and what is left to do after.
    struct Recorded: Sendable {
        var outcomes: [Outcome]
        var definition: CompiledLeadDefinition?
        /// Contacts whose visitors' events became theirs, to score again from their history.
        var identified: [UUID]
        var rest: ScoreKeeper.ScoringRest

        var isSettled: Bool { identified.isEmpty && rest.isEmpty }
    }

    /// Stores and scores checked events (run it inside a transaction); returns one outcome per
    /// submission, in order. It reads the contacts the events name and the contacts their
    /// visitors were identified as, inserts the new events, then scores them with
    /// ``ScoreKeeper/applyEvents(_:definition:by:now:cache:)``: on PostgreSQL a few statements
    /// whatever the number of events, on SQLite statements prepared once and run once per key
    /// or row on the connection's own handle. With a `cache` (the ingest writer's), score
    /// states are taken from it and kept in it.
    public func record(_ submissions: [EventSubmission], now: Date, cache: ScoreStateCache? = nil) async throws -> [Outcome] {
        let subjects = Self.subjects(of: submissions)
        let named = try await contacts(ids: subjects.ids, emails: subjects.emails)
        let log = EventLog(db, workspaceID: workspaceID)
        // A visitor identified before is that contact from then on.
        let known = try await log.contacts(ofVisitors: Array(subjects.visitors))
        var (outcomes, items) = Self.match(submissions, named: named, known: known)
        let stored = try await log.record(items.map { (event: $0.event, contactID: $0.contactID, anonymousID: $0.anonymousID) }, now: now)
        let scored = Self.settle(items, stored: stored, outcomes: &outcomes)
        // A visitor identified as a contact: its earlier anonymous events become the contact's,
        // and the contact is scored again from its whole history, as if they had come in order.
        var identified = Set<UUID>()
        for (visitor, contactID) in Self.identifications(items, outcomes: outcomes) where try await log.attach(visitor: visitor, to: contactID) > 0 {
            identified.insert(contactID)
        }
        let keeper = ScoreKeeper(db, workspaceID: workspaceID)
        if !scored.isEmpty || !identified.isEmpty, let definition = try await keeper.activeDefinition() {
            let actor = ScoreKeeper.actor(for: definition)
            for contactID in identified.sorted(by: UUIDText.precedes) {
                cache?.keep(nil, workspaceID: workspaceID, contactID: contactID)
                try await keeper.rescoreHistory(of: contactID, definition: definition, by: actor, now: now)
            }
            var stages = named.stages
            let byContact = Self.byContact(scored, except: identified)
            let unread = Set(byContact.keys).subtracting(stages.keys)
            if !unread.isEmpty { stages.merge(try await contacts(ids: unread, emails: []).stages) { first, _ in first } }
            try await keeper.applyEvents(Self.batches(byContact, stages: stages), definition: definition, by: actor, now: now, cache: cache)
        }
        return outcomes.map { $0 ?? .duplicate }
    }

    /// ``record(_:now:cache:)`` on SQLite's own handle, up to the new states and ledger lines;
    /// the caller does the rest with ``finish(_:now:cache:)``.
    static func record(_ submissions: [EventSubmission], workspaceID: UUID, now: Date, cache: ScoreStateCache?,
                       on raw: RawSQLite) throws -> SQLiteRecording {
        // First, before anything is written: compiling a definition takes the usual statements.
        var definition: CompiledLeadDefinition?
        if let key = try ScoreKeeper.activeDefinitionKey(workspaceID: workspaceID, on: raw) {
            guard let compiled = CompiledDefinitions.shared.find(key) else { return .needsDefinition }
            definition = compiled
        }
        let subjects = subjects(of: submissions)
        let named = try contacts(ids: subjects.ids, emails: subjects.emails, workspaceID: workspaceID, on: raw)
        let known = try EventLog.contacts(ofVisitors: subjects.visitors, workspaceID: workspaceID, on: raw)
        var (outcomes, items) = match(submissions, named: named, known: known)
        let stored = try EventLog.record(items.map { (event: $0.event, contactID: $0.contactID, anonymousID: $0.anonymousID) },
                                         workspaceID: workspaceID, now: now, on: raw)
        let scored = settle(items, stored: stored, outcomes: &outcomes)
        var identified = Set<UUID>()
        for (visitor, contactID) in identifications(items, outcomes: outcomes)
        where try EventLog.attach(visitor: visitor, to: contactID, workspaceID: workspaceID, on: raw) > 0 {
            identified.insert(contactID)
        }
        var rest = ScoreKeeper.ScoringRest()
        if let definition, !scored.isEmpty || !identified.isEmpty {
            for contactID in identified { cache?.keep(nil, workspaceID: workspaceID, contactID: contactID) }
            var stages = named.stages
            let byContact = byContact(scored, except: identified)
            let unread = Set(byContact.keys).subtracting(stages.keys)
            if !unread.isEmpty { stages.merge(try contacts(ids: unread, emails: [], workspaceID: workspaceID, on: raw).stages) { first, _ in first } }
            rest = try ScoreKeeper.applyEvents(batches(byContact, stages: stages), definition: definition, workspaceID: workspaceID, now: now,
                                               cache: cache, on: raw)
        }
        return .recorded(Recorded(outcomes: outcomes.map { $0 ?? .duplicate }, definition: definition,
                                  identified: identified.sorted(by: UUIDText.precedes), rest: rest))
    }

    /// What a recording on SQLite's own handle left: the identified contacts scored again from
    /// their history, the contacts that qualify moved, and the late events' contacts rescored.
    func finish(_ recorded: Recorded, now: Date, cache: ScoreStateCache?) async throws {
        guard let definition = recorded.definition else { return }
        let keeper = ScoreKeeper(db, workspaceID: workspaceID)
        let actor = ScoreKeeper.actor(for: definition)
        for contactID in recorded.identified {
            try await keeper.rescoreHistory(of: contactID, definition: definition, by: actor, now: now)
        }
        try await keeper.finish(recorded.rest, definition: definition, by: actor, now: now, cache: cache)
    }

    private typealias Item = (index: Int, event: ScoringEvent, contactID: UUID?, anonymousID: String?, identifies: Bool)
    private typealias NamedContacts = (byID: Set<UUID>, byEmail: [String: UUID], stages: [UUID: LifecycleStage])

    /// The contact ids, addresses and visitors the submissions name.
    private static func subjects(of submissions: [EventSubmission]) -> (ids: Set<UUID>, emails: Set<String>, visitors: Set<String>) {
        var ids = Set<UUID>(), emails = Set<String>(), visitors = Set<String>()
        for submission in submissions {
            switch submission.subject {
            case .contact(let id): ids.insert(id)
            case .email(let address): emails.insert(address.value)
            case .anonymous(let visitor): visitors.insert(visitor)
            }
        }
        return (ids, emails, visitors)
    }

    /// Each submission's contact (`named` by id or email, or `known` as a visitor's): the events
    /// to store, and a refusal for those that name a contact the workspace does not have.
    private static func match(_ submissions: [EventSubmission], named: NamedContacts, known: [String: UUID]) -> (outcomes: [Outcome?], items: [Item]) {
        var outcomes: [Outcome?] = Array(repeating: nil, count: submissions.count)
        var items: [Item] = []
        for (index, submission) in submissions.enumerated() {
            switch submission.subject {
            case .contact(let id):
                guard named.byID.contains(id) else { outcomes[index] = .refused(ValidationFailure("contact_id", .notInList)); continue }
                items.append((index, submission.event, id, submission.identifies, submission.identifies != nil))
            case .email(let address):
                guard let id = named.byEmail[address.value] else { outcomes[index] = .refused(ValidationFailure("email", .notInList)); continue }
                items.append((index, submission.event, id, submission.identifies, submission.identifies != nil))
            case .anonymous(let visitor):
                items.append((index, submission.event, known[visitor], visitor, false))
            }
        }
        return (outcomes, items)
    }

    /// Marks each item stored or a replay (the first event of an id in the batch is the one
    /// stored; a repeat is a replay); returns the stored events of contacts, to score.
    private static func settle(_ items: [Item], stored: [ScoringEvent], outcomes: inout [Outcome?]) -> [(contactID: UUID, event: ScoringEvent)] {
        var fresh = Set(stored.map(\.id))
        var scored: [(contactID: UUID, event: ScoringEvent)] = []
        for item in items {
            if fresh.remove(item.event.id) != nil {
                outcomes[item.index] = .stored
                if let contactID = item.contactID { scored.append((contactID, item.event)) }
            } else {
                outcomes[item.index] = .duplicate
            }
        }
        return scored
    }

    /// The visitors that stored events identify, with their contacts.
    private static func identifications(_ items: [Item], outcomes: [Outcome?]) -> [(visitor: String, contactID: UUID)] {
        items.compactMap { item in
            guard item.identifies, outcomes[item.index] == .stored, let contactID = item.contactID, let visitor = item.anonymousID else { return nil }
            return (visitor, contactID)
        }
    }

    /// Each contact's events together (a visitor's contact found through an earlier
    /// identification included); the `identified` ones are scored from their history instead.
    private static func byContact(_ scored: [(contactID: UUID, event: ScoringEvent)], except identified: Set<UUID>) -> [UUID: [ScoringEvent]] {
        var byContact: [UUID: [ScoringEvent]] = [:]
        for (contactID, event) in scored where !identified.contains(contactID) { byContact[contactID, default: []].append(event) }
        return byContact
    }

    /// The contacts' events with their stages, in a fixed order, applied in the order they happened.
    private static func batches(_ byContact: [UUID: [ScoringEvent]], stages: [UUID: LifecycleStage])
        -> [(contactID: UUID, stage: LifecycleStage, events: [ScoringEvent])] {
        byContact.keys.sorted(by: UUIDText.precedes).compactMap { id in
            stages[id].map { (contactID: id, stage: $0, events: byContact[id] ?? []) }
        }
    }

    /// The workspace's contacts with these ids or addresses: who they are and their stage.
    private func contacts(ids: Set<UUID>, emails: Set<String>) async throws -> NamedContacts {
        guard !ids.isEmpty || !emails.isEmpty else { return ([], [:], [:]) }
        if let found = try await RawSQLite.with(db, { [workspaceID] raw in try Self.contacts(ids: ids, emails: emails, workspaceID: workspaceID, on: raw) }) {
            return found
        }
        var byID = Set<UUID>(), byEmail: [String: UUID] = [:], stages: [UUID: LifecycleStage] = [:]
        var binds = PostgresBindings(capacity: 3)
        binds.append(workspaceID)
        binds.append(Array(ids))
        binds.append(Array(emails))
        for row in try await PostgresRows.query(db, Self.namedContacts, binds) ?? [] {
            let (id, email, stage) = try row.decode((UUID, String?, String).self)
            stages[id] = LifecycleStage(rawValue: stage) ?? .lead
            if ids.contains(id) { byID.insert(id) }
            if let email, emails.contains(email) { byEmail[email] = id }
        }
        return (byID, byEmail, stages)
    }

    /// The contacts of ``contacts(ids:emails:)`` on PostgreSQL: one statement, the ids and the
    /// addresses bound as two arrays, each looked up through its own unique index. Not one
    /// `id = ANY($2) OR email = ANY($3)`: for that, a planner without statistics on the table
    /// yet (a fresh import or demo, before autovacuum analyzed it) read the whole workspace
    /// through `contacts_workspace_name` and tested each row against both arrays: 2.8 ms a
    /// commit at 10,000 contacts instead of 0.14, and half the server's work of a commit.
    private static let namedContacts = "SELECT id, email, lifecycle_stage FROM \"\(ContactRow.schema)\" WHERE workspace_id = $1 AND id = ANY($2)"
        + " UNION ALL SELECT id, email, lifecycle_stage FROM \"\(ContactRow.schema)\" WHERE workspace_id = $1 AND email = ANY($3)"

    /// ``contacts(ids:emails:)`` on SQLite's own handle: one lookup a contact.
    private static func contacts(ids: Set<UUID>, emails: Set<String>, workspaceID: UUID, on raw: RawSQLite) throws -> NamedContacts {
        var byID = Set<UUID>(), byEmail: [String: UUID] = [:], stages: [UUID: LifecycleStage] = [:]
        let select = "SELECT id, email, lifecycle_stage FROM \"\(ContactRow.schema)\" WHERE workspace_id = ? AND "
        func note(_ row: RawSQLite.Statement) -> UUID? {
            guard let id = row.uuid(0) else { return nil }
            stages[id] = row.text(2).flatMap(LifecycleStage.init(rawValue:)) ?? .lead
            return id
        }
        try raw.lookup(select + "id = ?", workspaceID: workspaceID, keys: ids, bind: { $0.bind(2, $1) }) { row in
            if let id = note(row) { byID.insert(id) }
        }
        try raw.lookup(select + "email = ?", workspaceID: workspaceID, keys: emails, bind: { $0.bind(2, $1) }) { row in
            if let id = note(row), let email = row.text(1) { byEmail[email] = id }
        }
        return (byID, byEmail, stages)
    }
}
