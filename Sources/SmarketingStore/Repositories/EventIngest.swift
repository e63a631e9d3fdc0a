import FluentKit
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

    /// Stores and scores checked events (run it inside a transaction); returns one outcome per
    /// submission, in order. It reads the contacts the events name and the contacts their
    /// visitors were identified as, inserts the new events, then scores them with
    /// ``ScoreKeeper/applyEvents(_:definition:by:now:cache:)``: on PostgreSQL a few statements
    /// whatever the number of events, on SQLite statements prepared once and run once per key
    /// or row on the connection's own handle. With a `cache` (the ingest writer's), score
    /// states are taken from it and kept in it.
    public func record(_ submissions: [EventSubmission], now: Date, cache: ScoreStateCache? = nil) async throws -> [Outcome] {
        var ids = Set<UUID>(), emails = Set<String>(), visitors = Set<String>()
        for submission in submissions {
            switch submission.subject {
            case .contact(let id): ids.insert(id)
            case .email(let address): emails.insert(address.value)
            case .anonymous(let visitor): visitors.insert(visitor)
            }
        }
        let named = try await contacts(ids: ids, emails: emails)
        let log = EventLog(db, workspaceID: workspaceID)
        // A visitor identified before is that contact from then on.
        let known = try await log.contacts(ofVisitors: Array(visitors))
        var outcomes: [Outcome?] = Array(repeating: nil, count: submissions.count)
        var items: [(index: Int, event: ScoringEvent, contactID: UUID?, anonymousID: String?, identifies: Bool)] = []
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
        let stored = try await log.record(items.map { (event: $0.event, contactID: $0.contactID, anonymousID: $0.anonymousID) }, now: now)
        var fresh = Set(stored.map(\.id))
        var scored: [(contactID: UUID, event: ScoringEvent)] = []
        for item in items {
            // The first event of an id in the batch is the one stored; a repeat is a replay.
            if fresh.remove(item.event.id) != nil {
                outcomes[item.index] = .stored
                if let contactID = item.contactID { scored.append((contactID, item.event)) }
            } else {
                outcomes[item.index] = .duplicate
            }
        }
        // A visitor identified as a contact: its earlier anonymous events become the contact's,
        // and the contact is scored again from its whole history, as if they had come in order.
        var identified = Set<UUID>()
        for item in items where item.identifies && outcomes[item.index] == .stored {
            guard let contactID = item.contactID, let visitor = item.anonymousID else { continue }
            if try await log.attach(visitor: visitor, to: contactID) > 0 { identified.insert(contactID) }
        }
        let keeper = ScoreKeeper(db, workspaceID: workspaceID)
        if !scored.isEmpty || !identified.isEmpty, let definition = try await keeper.activeDefinition() {
            let actor = ScoreKeeper.actor(for: definition)
            for contactID in identified.sorted(by: UUIDText.precedes) {
                cache?.keep(nil, workspaceID: workspaceID, contactID: contactID)
                try await keeper.rescoreHistory(of: contactID, definition: definition, by: actor, now: now)
            }
            // Each contact's events together, applied in the order they happened. A visitor's
            // contact found through an earlier identification was not read above.
            var byContact: [UUID: [ScoringEvent]] = [:]
            for (contactID, event) in scored where !identified.contains(contactID) { byContact[contactID, default: []].append(event) }
            var stages = named.stages
            let unread = Set(byContact.keys).subtracting(stages.keys)
            if !unread.isEmpty { stages.merge(try await contacts(ids: unread, emails: []).stages) { first, _ in first } }
            let batches = byContact.keys.sorted(by: UUIDText.precedes).compactMap { id in
                stages[id].map { (contactID: id, stage: $0, events: byContact[id] ?? []) }
            }
            try await keeper.applyEvents(batches, definition: definition, by: actor, now: now, cache: cache)
        }
        return outcomes.map { $0 ?? .duplicate }
    }

    /// The workspace's contacts with these ids or addresses: who they are and their stage.
    private func contacts(ids: Set<UUID>, emails: Set<String>) async throws
        -> (byID: Set<UUID>, byEmail: [String: UUID], stages: [UUID: LifecycleStage]) {
        guard !ids.isEmpty || !emails.isEmpty else { return ([], [:], [:]) }
        if let found = try await RawSQLite.with(db, { [workspaceID] raw in try Self.contacts(ids: ids, emails: emails, workspaceID: workspaceID, on: raw) }) {
            return found
        }
        var byID = Set<UUID>(), byEmail: [String: UUID] = [:], stages: [UUID: LifecycleStage] = [:]
        guard let sql = db as? any SQLDatabase else { return (byID, byEmail, stages) }
        func read(_ column: String, _ values: [any SQLExpression]) async throws -> [any SQLRow] {
            var rows: [any SQLRow] = []
            for chunk in values.chunked(500) {
                let select = sql.select().columns("id", "email", "lifecycle_stage").from(ContactRow.schema)
                    .where("workspace_id", .equal, SQLBind(workspaceID))
                    .where(SQLIdentifier(column), .in, SQLGroupExpression(SQLList(Array(chunk))))
                rows += try await DirectRows.all(db, select)
            }
            return rows
        }
        func note(_ row: any SQLRow) throws -> UUID {
            let id = try row.uuid("id")
            stages[id] = LifecycleStage(rawValue: try row.decode(column: "lifecycle_stage", as: String.self)) ?? .lead
            return id
        }
        for row in try await read("id", ids.map { SQLBind($0) }) { byID.insert(try note(row)) }
        for row in try await read("email", emails.map { SQLBind($0) }) {
            let id = try note(row)
            if let email = try row.decode(column: "email", as: String?.self) { byEmail[email] = id }
        }
        return (byID, byEmail, stages)
    }

    /// ``contacts(ids:emails:)`` on SQLite's own handle: one lookup a contact.
    private static func contacts(ids: Set<UUID>, emails: Set<String>, workspaceID: UUID, on raw: RawSQLite) throws
        -> (byID: Set<UUID>, byEmail: [String: UUID], stages: [UUID: LifecycleStage]) {
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
