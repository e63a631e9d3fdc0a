import FluentKit
import Foundation
import SmarketingCore

/// A stored version of the lead definition and who made it.
public struct StoredLeadDefinition: Sendable, Equatable {
    public var id: UUID
    public var version: LeadDefinitionVersion
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date

    public var number: Int { version.number }
    public var status: LeadDefinitionStatus { version.status }
}

/// The versions of one workspace's lead definition: at most one draft and one active version at
/// a time, every older one retired and kept. Edits, approvals and activations go to the audit log.
public struct LeadDefinitions: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// Why a change to a version was refused.
    public enum Problem: Error, Sendable, Equatable {
        case refused(LeadDefinitionVersion.Refusal)
        /// The definition has problems (rules that cannot match, unknown fields...); activation
        /// also needs every threshold reachable.
        case invalid([LeadDefinitionProblem])
        case noDraft
    }

    public func active() async throws -> StoredLeadDefinition? {
        try await LeadDefinitionRow.query(on: db).filter(\.$workspaceID == workspaceID)
            .filter(\.$status == LeadDefinitionStatus.active.rawValue).first().flatMap(Self.stored)
    }

    public func draft() async throws -> StoredLeadDefinition? {
        let open = [LeadDefinitionStatus.draft, .approvedByMarketing, .approvedBySales, .approved].map(\.rawValue)
        return try await LeadDefinitionRow.query(on: db).filter(\.$workspaceID == workspaceID)
            .filter(\.$status ~~ open).sort(\.$version, .descending).first().flatMap(Self.stored)
    }

    /// Every version, newest first.
    public func list() async throws -> [StoredLeadDefinition] {
        try await LeadDefinitionRow.query(on: db).filter(\.$workspaceID == workspaceID).sort(\.$version, .descending).all()
            .compactMap(Self.stored)
    }

    public func find(version: Int) async throws -> StoredLeadDefinition? {
        try await LeadDefinitionRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$version == version).first()
            .flatMap(Self.stored)
    }

    /// The draft being prepared, opened when there is none: a copy of the active definition as
    /// the next version, or the starter example when nothing was ever defined.
    public func openDraft(by actor: AuditActor, now: Date) async throws -> StoredLeadDefinition {
        // After the commit: copies in memory read the change from then on.
        defer { StoreGeneration.definitions.bump() }
        if let draft = try await draft() { return draft }
        return try await StoreTuning.writeTransaction(db) { tx in
            let repository = LeadDefinitions(tx, workspaceID: workspaceID)
            if let draft = try await repository.draft() { return draft }
            let latest = try await LeadDefinitionRow.query(on: tx).filter(\.$workspaceID == workspaceID).sort(\.$version, .descending).first()
            let number = (latest?.version ?? 0) + 1
            var definition = try await repository.active()?.version.definition ?? LeadDefinitionStarter.example()
            definition.version = number
            let version = LeadDefinitionVersion(draft: definition)
            let row = LeadDefinitionRow()
            row.id = UUID()
            row.workspaceID = workspaceID
            row.version = number
            row.createdBy = actor.name
            row.createdAt = now
            try Self.write(version, to: row, now: now)
            try await row.create(on: tx)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .leadDefinitionDraftOpened, by: actor, entityType: "lead_definition", entityID: row.id,
                change: AuditChange(before: [:], after: ["version": String(number)]), at: now
            )
            guard let stored = Self.stored(row) else { throw Problem.noDraft }
            return stored
        }
    }

    /// Replaces the draft's rules. Refused with every problem when a rule cannot work (an
    /// unknown field, a rule that never matches, a value out of range...); a threshold the rules
    /// cannot reach yet is allowed while drafting and only stops approval and activation.
    /// A change of content clears the draft's approvals.
    public func saveDraft(_ definition: LeadDefinition, knownFields: Set<String>, by actor: AuditActor, now: Date) async throws -> StoredLeadDefinition {
        // After the commit: copies in memory read the change from then on.
        defer { StoreGeneration.definitions.bump() }
        return try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await Self.draftRow(tx, workspaceID: workspaceID), var version = Self.version(of: row) else { throw Problem.noDraft }
            var edited = definition
            edited.version = version.number
            let problems = edited.problems(knownFields: knownFields).filter { !Self.allowedWhileDrafting($0) }
            if !problems.isEmpty { throw Problem.invalid(problems) }
            let before = version.digest
            try Self.attempt { () throws(LeadDefinitionVersion.Refusal) in try version.edit(edited) }
            if version.digest == before, let unchanged = Self.stored(row) { return unchanged }
            try Self.write(version, to: row, now: now)
            try await row.update(on: tx)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .leadDefinitionDraftSaved, by: actor, entityType: "lead_definition", entityID: row.id,
                change: AuditChange(before: ["digest": String(before.prefix(12))],
                                    after: ["digest": String(version.digest.prefix(12)), "version": String(version.number)]), at: now
            )
            guard let stored = Self.stored(row) else { throw Problem.noDraft }
            return stored
        }
    }

    /// One side's approval of the draft's exact content (`reviewedDigest`, the digest the
    /// approver saw). Refused when the definition still has problems.
    public func approve(side: Role.Side, user: User, reviewedDigest: String, knownFields: Set<String>, by actor: AuditActor,
                        now: Date) async throws -> StoredLeadDefinition {
        try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await Self.draftRow(tx, workspaceID: workspaceID), var version = Self.version(of: row) else { throw Problem.noDraft }
            let problems = version.definition.problems(knownFields: knownFields)
            if !problems.isEmpty { throw Problem.invalid(problems) }
            try Self.attempt { () throws(LeadDefinitionVersion.Refusal) in
                try version.approve(by: user.id, roles: user.roles, for: side, reviewedDigest: reviewedDigest, at: now)
            }
            try Self.write(version, to: row, now: now)
            try await row.update(on: tx)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .leadDefinitionApproved, by: actor, entityType: "lead_definition", entityID: row.id,
                change: AuditChange(before: [:], after: ["side": side.rawValue, "version": String(version.number),
                                                         "digest": String(version.digest.prefix(12))]), at: now
            )
            guard let stored = Self.stored(row) else { throw Problem.noDraft }
            return stored
        }
    }

    /// Makes the approved draft the active definition and retires the one it replaces, in one
    /// transaction. Re-scoring the contacts under it is the caller's next step.
    public func activate(knownFields: Set<String>, by actor: AuditActor, now: Date) async throws -> StoredLeadDefinition {
        // After the commit: copies in memory read the change from then on.
        defer { StoreGeneration.definitions.bump() }
        return try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await Self.draftRow(tx, workspaceID: workspaceID), var version = Self.version(of: row) else { throw Problem.noDraft }
            let problems = version.definition.problems(knownFields: knownFields)
            if !problems.isEmpty { throw Problem.invalid(problems) }
            try Self.attempt { () throws(LeadDefinitionVersion.Refusal) in try version.activate(at: now) }
            var retired: Int?
            if let current = try await LeadDefinitionRow.query(on: tx).filter(\.$workspaceID == workspaceID)
                .filter(\.$status == LeadDefinitionStatus.active.rawValue).first(), var old = Self.version(of: current) {
                try Self.attempt { () throws(LeadDefinitionVersion.Refusal) in try old.retire(at: now) }
                try Self.write(old, to: current, now: now)
                try await current.update(on: tx)
                retired = old.number
            }
            try Self.write(version, to: row, now: now)
            try await row.update(on: tx)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .leadDefinitionActivated, by: actor, entityType: "lead_definition", entityID: row.id,
                change: AuditChange(before: retired.map { ["active_version": String($0)] } ?? [:],
                                    after: ["active_version": String(version.number), "digest": String(version.digest.prefix(12))]), at: now
            )
            guard let stored = Self.stored(row) else { throw Problem.noDraft }
            return stored
        }
    }

    /// Runs a change of a version, turning its refusal into ``Problem/refused(_:)``.
    private static func attempt(_ change: () throws(LeadDefinitionVersion.Refusal) -> Void) throws(Problem) {
        do { try change() } catch { throw .refused(error) }
    }

    /// Problems a draft may have while it is being written.
    public static func allowedWhileDrafting(_ problem: LeadDefinitionProblem) -> Bool {
        if case .unreachable = problem.reason { return true }
        return false
    }

    private static func draftRow(_ db: any Database, workspaceID: UUID) async throws -> LeadDefinitionRow? {
        let open = [LeadDefinitionStatus.draft, .approvedByMarketing, .approvedBySales, .approved].map(\.rawValue)
        return try await LeadDefinitionRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$status ~~ open)
            .sort(\.$version, .descending).first()
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }()

    private static func write(_ version: LeadDefinitionVersion, to row: LeadDefinitionRow, now: Date) throws {
        row.status = version.status.rawValue
        row.body = String(decoding: try encoder.encode(version), as: UTF8.self)
        row.updatedAt = now
    }

    static func version(of row: LeadDefinitionRow) -> LeadDefinitionVersion? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try? decoder.decode(LeadDefinitionVersion.self, from: Data(row.body.utf8))
    }

    static func stored(_ row: LeadDefinitionRow) -> StoredLeadDefinition? {
        guard let id = row.id, let version = version(of: row) else { return nil }
        return StoredLeadDefinition(id: id, version: version, createdBy: row.createdBy, createdAt: row.createdAt, updatedAt: row.updatedAt)
    }
}
