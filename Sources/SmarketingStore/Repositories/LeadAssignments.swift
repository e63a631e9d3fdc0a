import FluentKit
import Foundation
import SmarketingCore
import SQLKit

/// The log of lead assignments of one workspace, newest first, and the loads routing counts
/// from it.
public struct LeadAssignments: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// Newest first; pass the last assignment of a page as `after` to read the next one.
    /// `contactID` narrows the log to one contact.
    public func list(limit: Int, after cursor: PageCursor? = nil, contactID: UUID? = nil) async throws -> [RoutingAssignment] {
        var query = LeadAssignmentRow.query(on: db).filter(\.$workspaceID == workspaceID)
        if let contactID { query = query.filter(\.$contactID == contactID) }
        if let cursor {
            query = query.group(.or) { or in
                or.filter(\.$at < cursor.date)
                or.group(.and) { and in
                    and.filter(\.$at == cursor.date)
                    and.filter(\.$id < cursor.id)
                }
            }
        }
        return try await query.sort(\.$at, .descending).sort(\.$id, .descending).limit(max(1, min(limit, 500))).all().map(\.value)
    }

    public func count() async throws -> Int {
        try await LeadAssignmentRow.query(on: db).filter(\.$workspaceID == workspaceID).count()
    }

    static func insert(_ assignments: [RoutingAssignment], workspaceID: UUID, on tx: any Database) async throws {
        try await BulkInsert.run(into: LeadAssignmentRow.schema, columns: [
            "id", "workspace_id", "contact_id", "owner_id", "owner_name", "team_id", "team_name", "rule_id", "rule_name", "reason", "skipped",
            "actor_user_id", "actor_label", "via", "at",
        ], rows: assignments.map { assignment in
            [.uuid(assignment.id), .uuid(workspaceID), .uuid(assignment.contactID), BulkValue(assignment.ownerID), BulkValue(assignment.ownerName),
             BulkValue(assignment.teamID), BulkValue(assignment.teamName), BulkValue(assignment.ruleID), BulkValue(assignment.ruleName),
             .text(assignment.reason.rawValue), .text(LeadAssignmentRow.encode(assignment.skipped)), BulkValue(assignment.actor.userID),
             .text(assignment.actor.name), .text(assignment.actor.channel.rawValue), .date(assignment.at)]
        }, on: tx)
    }

    /// Leads routed to each rep in their own current day and week (``RepAvailability/dayStart(at:)``,
    /// ``RepAvailability/weekStart(at:)``), counted up to `now`.
    static func loads(of reps: [(UUID, RepAvailability)], now: Date, workspaceID: UUID, on db: any Database) async throws -> [UUID: RepLoad] {
        guard !reps.isEmpty, let sql = db as? any SQLDatabase else { return [:] }
        let windows = Dictionary(reps.map { ($0.0, (day: $0.1.dayStart(at: now), week: $0.1.weekStart(at: now))) }, uniquingKeysWith: { first, _ in first })
        // Counted by the database, per owner, from each start of a day or a week the reps have
        // (two when they share a time zone), through the `(workspace_id, owner_id, at)` index:
        // each assignment read back every row of the week before, which made routing the
        // thousands of MQLs a model change makes quadratic.
        let owners = SQLGroupExpression(SQLList(Array(windows.keys).map { SQLBind($0) }))
        var counts: [Date: [UUID: Int]] = [:]
        for start in Set(windows.values.flatMap { [$0.day, $0.week] }) {
            let rows = try await sql.select().column("owner_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "assigned")
                .from(LeadAssignmentRow.schema)
                .where("workspace_id", .equal, SQLBind(workspaceID))
                .where("owner_id", .in, owners)
                .where("at", .greaterThanOrEqual, SQLBind(start))
                .where("at", .lessThanOrEqual, SQLBind(now))
                .groupBy("owner_id")
                .all()
            for row in rows {
                counts[start, default: [:]][try row.decode(column: "owner_id", as: UUID.self)] = try row.decode(column: "assigned", as: Int.self)
            }
        }
        var loads: [UUID: RepLoad] = [:]
        for (owner, window) in windows {
            let (today, thisWeek) = (counts[window.day]?[owner] ?? 0, counts[window.week]?[owner] ?? 0)
            if today > 0 || thisWeek > 0 { loads[owner] = RepLoad(today: today, thisWeek: thisWeek) }
        }
        return loads
    }
}

extension LeadAssignmentRow {
    var value: RoutingAssignment {
        RoutingAssignment(
            id: id ?? UUID(), contactID: contactID, ownerID: ownerID, ownerName: ownerName, teamID: teamID, teamName: teamName,
            ruleID: ruleID, ruleName: ruleName, reason: RoutingReason(rawValue: reason) ?? .unassignedNoRuleMatched,
            skipped: Self.decode(skipped),
            actor: AuditActor(userID: actorUserID, name: actorLabel, channel: AuditActor.Channel(rawValue: via) ?? .system), at: at
        )
    }

    static func encode(_ skipped: [SkippedRep]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(skipped)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    static func decode(_ text: String) -> [SkippedRep] {
        (try? JSONDecoder().decode([SkippedRep].self, from: Data(text.utf8))) ?? []
    }
}
