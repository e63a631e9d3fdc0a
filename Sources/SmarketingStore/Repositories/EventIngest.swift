import FluentKit
import Foundation
import SmarketingCore

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
    /// submission, in order.
    public func record(_ submissions: [EventSubmission], now: Date) async throws -> [Outcome] {
        let contacts = ContactRepository(db, workspaceID: workspaceID)
        var byID: [UUID: Contact] = [:]
        let ids = Set(submissions.compactMap { submission -> UUID? in
            if case .contact(let id) = submission.subject { return id }
            return nil
        })
        for chunk in Array(ids).chunked(500) {
            for contact in try await contacts.find(ids: Array(chunk)) { byID[contact.id] = contact }
        }
        var byEmail: [String: Contact] = [:]
        let emails = submissions.compactMap { submission -> EmailAddress? in
            if case .email(let address) = submission.subject { return address }
            return nil
        }
        for contact in try await contacts.find(emails: emails) {
            if let email = contact.email { byEmail[email.value] = contact }
        }
        let log = EventLog(db, workspaceID: workspaceID)
        // A visitor identified before is that contact from then on.
        let known = try await log.contacts(ofVisitors: submissions.compactMap { submission -> String? in
            if case .anonymous(let visitor) = submission.subject { return visitor }
            return nil
        })
        var outcomes: [Outcome?] = Array(repeating: nil, count: submissions.count)
        var items: [(index: Int, event: ScoringEvent, contactID: UUID?, anonymousID: String?, identifies: Bool)] = []
        for (index, submission) in submissions.enumerated() {
            switch submission.subject {
            case .contact(let id):
                guard byID[id] != nil else { outcomes[index] = .refused(ValidationFailure("contact_id", .notInList)); continue }
                items.append((index, submission.event, id, submission.identifies, submission.identifies != nil))
            case .email(let address):
                guard let contact = byEmail[address.value] else { outcomes[index] = .refused(ValidationFailure("email", .notInList)); continue }
                items.append((index, submission.event, contact.id, submission.identifies, submission.identifies != nil))
            case .anonymous(let visitor):
                // A visitor identified before is that contact from then on.
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
        if let definition = try await keeper.activeDefinition() {
            let actor = ScoreKeeper.actor(for: definition)
            for contactID in identified.sorted(by: { $0.uuidString < $1.uuidString }) {
                try await keeper.rescoreHistory(of: contactID, definition: definition, by: actor, now: now)
            }
            // Each contact's events together, applied in the order they happened.
            var byContact: [UUID: [ScoringEvent]] = [:]
            for (contactID, event) in scored where !identified.contains(contactID) { byContact[contactID, default: []].append(event) }
            var contactsByID = byID
            for contact in byEmail.values { contactsByID[contact.id] = contact }
            let missing = byContact.keys.filter { contactsByID[$0] == nil }
            for chunk in missing.chunked(500) {
                for contact in try await contacts.find(ids: Array(chunk)) { contactsByID[contact.id] = contact }
            }
            let batches = byContact.keys.sorted { $0.uuidString < $1.uuidString }.compactMap { id in
                contactsByID[id].map { (contact: $0, events: byContact[id] ?? []) }
            }
            try await keeper.applyAll(batches, definition: definition, by: actor, now: now)
        }
        return outcomes.map { $0 ?? .duplicate }
    }
}
