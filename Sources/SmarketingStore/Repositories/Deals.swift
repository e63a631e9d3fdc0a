import FluentKit
import Foundation
import SmarketingCore
import SQLKit

/// What a deal's save did: the deal as saved, as it was before (nil for a new deal), and
/// whether this save won or lost it (the moment the `deal.won` and `deal.lost` webhooks fire).
public struct DealSave: Sendable, Equatable {
    public var deal: Deal
    public var previous: Deal?
    /// `.won` or `.lost` when this save closed the deal, nil otherwise.
    public var closed: DealStage?
}

/// Filters of the deal list.
public struct DealFilter: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case open, won, lost, all
    }

    public var status: Status
    public var stage: DealStage?
    public var ownerID: UUID?
    public var contactID: UUID?

    public init(status: Status = .open, stage: DealStage? = nil, ownerID: UUID? = nil, contactID: UUID? = nil) {
        self.status = status
        self.stage = stage
        self.ownerID = ownerID
        self.contactID = contactID
    }
}

/// The deals of one workspace. Each save runs in one transaction with its history line, its
/// audit entry and the contact's move through the funnel (``DealStageSync``).
public struct Deals: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// Opens a deal on a contact; nil when the contact is not in the workspace. The owner is the
    /// given one, else the contact's owner.
    public func create(_ input: DealInput, contactID: UUID, by actor: AuditActor, now: Date) async throws -> DealSave? {
        try await StoreTuning.writeTransaction(db) { tx in
            guard let contact = try await ContactRepository(tx, workspaceID: workspaceID).find(contactID) else { return nil }
            let ownerID = input.ownerID ?? contact.ownerID
            if let ownerID { try await ensureOwner(ownerID, on: tx) }
            let deal = Deal.opened(input, id: TimeOrderedID.make(at: now), contactID: contactID, ownerID: ownerID, by: actor, now: now)
            let row = DealRow()
            row.id = deal.id
            row.workspaceID = workspaceID
            row.contactID = contactID
            row.fill(deal)
            try await row.create(on: tx)
            let save = DealSave(deal: deal, previous: nil, closed: deal.isOpen ? nil : deal.stage)
            try await record(save, by: actor, now: now, on: tx)
            try await DealStageSync.apply(deal, contact: contact, by: actor, now: now, on: tx)
            return save
        }
    }

    /// Changes a deal; moving it to won or lost closes it (see ``Deal/applying(_:ownerID:by:now:)``).
    /// Nil when the deal is not in the workspace.
    public func update(_ id: UUID, _ input: DealInput, by actor: AuditActor, now: Date) async throws -> DealSave? {
        try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await DealRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() else { return nil }
            let before = row.value
            let ownerID = input.ownerID ?? before.ownerID
            if let ownerID, ownerID != before.ownerID { try await ensureOwner(ownerID, on: tx) }
            let after = before.applying(input, ownerID: ownerID, by: actor, now: now)
            let closed: DealStage? = !after.isOpen && after.stage != before.stage ? after.stage : nil
            let save = DealSave(deal: after, previous: before, closed: closed)
            guard !AuditChange(before: before.auditFields, after: after.auditFields).isEmpty else { return DealSave(deal: before, previous: before, closed: nil) }
            row.fill(after)
            try await row.update(on: tx)
            try await record(save, by: actor, now: now, on: tx)
            if after.stage != before.stage, let contact = try await ContactRepository(tx, workspaceID: workspaceID).find(after.contactID) {
                try await DealStageSync.apply(after, contact: contact, by: actor, now: now, on: tx)
            }
            return save
        }
    }

    public func find(_ id: UUID) async throws -> Deal? {
        try await DealRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first()?.value
    }

    /// Deals in `scope` matching the filter, newest first, `limit` after the cursor.
    public func list(_ scope: SalesScope, filter: DealFilter = DealFilter(), limit: Int, after cursor: PageCursor? = nil) async throws -> [Deal] {
        var query = scoped(scope, filter)
        if let cursor {
            query = query.group(.or) { or in
                or.filter(\.$createdAt < cursor.date)
                or.group(.and) { $0.filter(\.$createdAt == cursor.date).filter(\.$id < cursor.id) }
            }
        }
        return try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(limit).all().map(\.value)
    }

    /// Open deals in `scope` by expected close date, soonest first (the board's cards).
    public func openByCloseDate(_ scope: SalesScope, ownerID: UUID? = nil, limit: Int) async throws -> [Deal] {
        try await scoped(scope, DealFilter(status: .open, ownerID: ownerID)).sort(\.$expectedCloseDate).sort(\.$id).limit(limit).all().map(\.value)
    }

    /// A contact's deals, newest first.
    public func forContact(_ contactID: UUID, limit: Int = 50) async throws -> [Deal] {
        try await DealRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == contactID)
            .sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(limit).all().map(\.value)
    }

    /// How many deals and how much money per stage and currency, in `scope`, in one grouped query.
    public func summary(_ scope: SalesScope, ownerID: UUID? = nil) async throws -> PipelineSummary {
        guard let sql = db as? any SQLDatabase else { return PipelineSummary([]) }
        var select = sql.select().column("stage").column("currency")
            .column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
            // PostgreSQL sums bigints as numeric; the cast gives an integer on both engines.
            .column(SQLAlias(SQLQueryString("CAST(SUM(amount_minor) AS BIGINT)"), as: SQLIdentifier("total")))
            .from(DealRow.schema)
            .where("workspace_id", .equal, SQLBind(workspaceID))
        if case .owners(let ids) = scope {
            select = select.where("owner_id", .in, SQLGroupExpression(SQLList((ids.isEmpty ? [UUID()] : Array(ids)).map { SQLBind($0) })))
        }
        if let ownerID { select = select.where("owner_id", .equal, SQLBind(ownerID)) }
        let rows = try await select.groupBy("stage").groupBy("currency").all()
        var lines: [(stage: DealStage, currency: String, count: Int, minorUnits: Int64)] = []
        for row in rows {
            guard let stage = DealStage(rawValue: try row.decode(column: "stage", as: String.self)) else { continue }
            let currency = try row.decode(column: "currency", as: String.self)
            let count = try row.decode(column: "n", as: Int.self)
            let total = try row.decode(column: "total", as: Int64?.self) ?? 0
            lines.append((stage: stage, currency: currency, count: count, minorUnits: total))
        }
        return PipelineSummary(lines)
    }

    private func scoped(_ scope: SalesScope, _ filter: DealFilter) -> QueryBuilder<DealRow> {
        var query = DealRow.query(on: db).filter(\.$workspaceID == workspaceID)
        if case .owners(let ids) = scope { query = query.filter(\.$ownerID ~~ Array(ids)) }
        switch filter.status {
        case .open: query = query.filter(\.$stage ~~ DealStage.open.map(\.rawValue))
        case .won: query = query.filter(\.$stage == DealStage.won.rawValue)
        case .lost: query = query.filter(\.$stage == DealStage.lost.rawValue)
        case .all: break
        }
        if let stage = filter.stage { query = query.filter(\.$stage == stage.rawValue) }
        if let ownerID = filter.ownerID { query = query.filter(\.$ownerID == ownerID) }
        if let contactID = filter.contactID { query = query.filter(\.$contactID == contactID) }
        return query
    }

    private func record(_ save: DealSave, by actor: AuditActor, now: Date, on tx: any Database) async throws {
        let change = AuditChange(before: save.previous?.auditFields ?? [:], after: save.deal.auditFields)
        let kind: SalesChange.Kind = switch save.closed {
        case .won: .won
        case .lost: .lost
        default: save.previous == nil ? .created : .updated
        }
        try await SalesChanges(tx, workspaceID: workspaceID).record(kind, .deal, id: save.deal.id, contactID: save.deal.contactID, title: save.deal.name,
                                                                   change: change, by: actor, at: now)
        let action: AuditAction = switch kind {
        case .won: .dealWon
        case .lost: .dealLost
        case .created: .dealCreated
        default: .dealUpdated
        }
        try await AuditLog(tx, workspaceID: workspaceID).record(action, by: actor, entityType: "deal", entityID: save.deal.id, change: change, at: now)
        // The workspace's webhooks hear of a deal won or lost, in this same transaction.
        if let closed = save.closed, let contact = try await ContactRepository(tx, workspaceID: workspaceID).find(save.deal.contactID) {
            let deal = save.deal
            try await WebhookEvents(tx, workspaceID: workspaceID).emit(closed == .won ? .dealWon : .dealLost, data: [
                "contact": WebhookEvents.contactData(contact),
                "deal": .object([
                    "id": .string(deal.id.uuidString.lowercased()), "name": .string(deal.name), "amount": .string(deal.amount.plainText),
                    "currency": .string(deal.amount.currency), "stage": .string(deal.stage.rawValue),
                    "expected_close_date": .string(deal.expectedCloseDate.iso),
                    "lost_reason": deal.lostReason.map { .string($0.rawValue) } ?? .null, "lost_note": deal.lostNote.map(EventJSON.string) ?? .null,
                    "owner_id": deal.ownerID.map { .string($0.uuidString.lowercased()) } ?? .null,
                ]),
            ], now: now)
        }
    }

    private func ensureOwner(_ id: UUID, on tx: any Database) async throws {
        guard try await UserRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() != nil
        else { throw ValidationFailure("owner_id", .notInList) }
    }
}

/// Moves a deal's contact through the funnel as the deal opens, is won or lost
/// (``DealLifecycle`` decides where), through ``StageChanges``: the one place deals change a
/// contact's stage, so the lifecycle's transition rules can take it over.
enum DealStageSync {
    static func apply(_ deal: Deal, contact: Contact, by actor: AuditActor, now: Date, on tx: any Database) async throws {
        guard let target = DealLifecycle.contactStage(after: deal.stage, contact: contact.stage) else { return }
        try await StageChanges(tx, workspaceID: contact.workspaceID).move(contact, to: target, cause: DealLifecycle.cause(deal), by: actor, now: now)
    }
}
