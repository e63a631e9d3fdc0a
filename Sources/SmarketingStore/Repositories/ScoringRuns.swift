import FluentKit
import Foundation
import SmarketingCore

/// Background work over every contact of a workspace, followed on a page with a progress bar.
public struct ScoringRun: Sendable, Equatable, Identifiable {
    public enum Kind: String, Sendable, Codable {
        /// Re-scoring every contact after a definition became active.
        case activation
        /// Comparing a draft with the active definition, writing nothing but the report.
        case whatIf = "what_if"
        /// Training the predictive model on the recorded outcomes.
        case suggestion
    }

    public enum Status: String, Sendable, Codable {
        case running, completed, interrupted
    }

    public var id: UUID
    public var kind: Kind
    public var definitionVersion: Int
    public var status: Status
    public var total: Int
    public var processed: Int
    public var lastContactID: UUID?
    public var whatIf: WhatIfReport?
    public var suggestion: ModelSuggestion?
    public var message: String?
    public var startedAt: Date
    public var finishedAt: Date?

    /// 0...1.
    public var share: Double { total == 0 ? (status == .completed ? 1 : 0) : min(1, Double(processed) / Double(total)) }
}

/// The scoring runs of one workspace.
public struct ScoringRuns: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    public func start(_ kind: ScoringRun.Kind, version: Int, total: Int, now: Date) async throws -> ScoringRun {
        let row = ScoringRunRow()
        row.id = TimeOrderedID.make(at: now)
        row.workspaceID = workspaceID
        row.kind = kind.rawValue
        row.definitionVersion = version
        row.status = ScoringRun.Status.running.rawValue
        row.total = total
        row.processed = 0
        row.startedAt = now
        try await row.create(on: db)
        return Self.run(row)
    }

    public func find(_ id: UUID) async throws -> ScoringRun? {
        try await ScoringRunRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first().map(Self.run)
    }

    /// The newest run of a kind.
    public func latest(_ kind: ScoringRun.Kind) async throws -> ScoringRun? {
        try await ScoringRunRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$kind == kind.rawValue)
            .sort(\.$startedAt, .descending).sort(\.$id, .descending).first().map(Self.run)
    }

    /// Marks a run as running again, to resume it after its last finished contact.
    public func resume(_ id: UUID) async throws {
        try await ScoringRunRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id)
            .set(\.$status, to: ScoringRun.Status.running.rawValue).set(\.$message, to: nil).update()
    }

    func advance(_ id: UUID, processed: Int, lastContactID: UUID?) async throws {
        try await ScoringRunRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id)
            .set(\.$processed, to: processed).set(\.$lastContactID, to: lastContactID).update()
    }

    func finish(_ id: UUID, status: ScoringRun.Status, whatIf: WhatIfReport? = nil, message: String? = nil, now: Date) async throws {
        try await finish(id, status: status, result: whatIf, message: message, now: now)
    }

    /// Ends a run with its result (a what-if report or a model suggestion) or why it stopped.
    public func finish(_ id: UUID, status: ScoringRun.Status, result value: (some Encodable)?, message: String?, now: Date) async throws {
        let result = try value.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try await ScoringRunRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id)
            .set(\.$status, to: status.rawValue).set(\.$result, to: result).set(\.$message, to: message).set(\.$finishedAt, to: now).update()
    }

    /// Runs of every workspace left running by a process that stopped (on start, before anything
    /// resumes them).
    public static func interrupted(on db: any Database) async throws -> [(workspaceID: UUID, run: ScoringRun)] {
        let rows = try await ScoringRunRow.query(on: db).filter(\.$status == ScoringRun.Status.running.rawValue).all()
        return rows.map { ($0.workspaceID, run($0)) }
    }

    static func run(_ row: ScoringRunRow) -> ScoringRun {
        ScoringRun(
            id: row.id ?? UUID(), kind: ScoringRun.Kind(rawValue: row.kind) ?? .activation, definitionVersion: row.definitionVersion,
            status: ScoringRun.Status(rawValue: row.status) ?? .interrupted, total: row.total, processed: row.processed,
            lastContactID: row.lastContactID, whatIf: row.result.flatMap { try? JSONDecoder().decode(WhatIfReport.self, from: Data($0.utf8)) },
            suggestion: row.result.flatMap { try? JSONDecoder().decode(ModelSuggestion.self, from: Data($0.utf8)) },
            message: row.message, startedAt: row.startedAt, finishedAt: row.finishedAt
        )
    }
}
