import FluentKit
import FluentPostgresDriver
import Foundation
import SmarketingCore
import SQLKit

/// One event as the tracking page lists it: what arrived, when, and who it was matched to.
public struct ReceivedEvent: Sendable, Equatable {
    /// The sender's id.
    public var id: String
    public var type: String
    public var properties: [String: String]
    public var occurredAt: Date
    public var receivedAt: Date
    public var contactID: UUID?
    /// The contact's name, or its email when it has no name.
    public var contactName: String?
    public var anonymousID: String?
}

/// One of a contact's events on its timeline.
public struct ContactEvent: Sendable, Equatable {
    /// The event's row (its place in the timeline's order).
    public var rowID: UUID
    public var event: ScoringEvent
}

/// How many events of one type a workspace received on one day of a ``CalendarDays``.
public struct ReceivedCount: Sendable, Equatable, Decodable {
    /// The day's index in the days asked about.
    public var day: Int
    public var type: String
    public var events: Int
}

/// The behaviour events of one workspace, append-only.
public struct EventLog: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// How many events the workspace has.
    public func count() async throws -> Int {
        try await EventRow.query(on: db).filter(\.$workspaceID == workspaceID).count()
    }

    /// How many events of each type the workspace received on each of `days` (by the time they
    /// arrived), one line per day and type that has any, by day then type; a day is an index
    /// into `days.spans`. Read from the counts each commit keeps (``EventCounts``), a row per
    /// quarter of an hour and type.
    public func receivedCounts(on days: CalendarDays) async throws -> [ReceivedCount] {
        guard let sql = db as? any SQLDatabase, !days.spans.isEmpty else { return [] }
        let rows = try await sql.select().columns("quarter_hour", "type", "events").from(EventCounts.schema)
            .where("workspace_id", .equal, workspaceID)
            .where("quarter_hour", .greaterThanOrEqual, EventCounts.quarter(of: days.start))
            .where("quarter_hour", .lessThan, EventCounts.quarter(of: days.end))
            .all(decoding: QuarterCount.self)
        var counts: [Int: [String: Int]] = [:]
        for row in rows {
            guard let day = days.index(of: Date(timeIntervalSince1970: Double(row.quarterHour * EventCounts.quarter))) else { continue }
            counts[day, default: [:]][row.type, default: 0] += row.events
        }
        return counts.sorted { $0.key < $1.key }.flatMap { day, types in
            types.sorted { $0.key < $1.key }.map { ReceivedCount(day: day, type: $0.key, events: $0.value) }
        }
    }

    private struct QuarterCount: Decodable {
        var quarterHour: Int
        var type: String
        var events: Int

        enum CodingKeys: String, CodingKey {
            case quarterHour = "quarter_hour", type, events
        }
    }

    /// A contact's events as the scoring engine reads them, oldest first.
    public func scoringEvents(of contactID: UUID) async throws -> [ScoringEvent] {
        let rows = try await EventRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == contactID)
            .sort(\.$occurredAt).sort(\.$id).all()
        return rows.map { Self.scoringEvent(id: $0.externalID, type: $0.type, properties: $0.properties, at: $0.occurredAt) }
    }

    /// Stores events of known contacts (or anonymous visitors); an event whose id the workspace
    /// already has is skipped. Returns the ones stored.
    @discardableResult
    public func record(_ events: [(event: ScoringEvent, contactID: UUID?, anonymousID: String?)], now: Date) async throws -> [ScoringEvent] {
        guard !events.isEmpty else { return [] }
        if let stored = try await RawSQLite.with(db, { [workspaceID] raw in try Self.record(events, workspaceID: workspaceID, now: now, on: raw) }) {
            return stored
        }
        let rows = events.map { Self.values($0, workspaceID: workspaceID, now: now) }
        // On PostgreSQL, each statement inserts its rows whose id is new, adds them to the
        // workspace's counts and answers their ids: no reading of the ids first, which took a
        // third of a PostgreSQL ingest commit, and no trip of its own for the counts.
        var inserted = Set<String>()
        for row in try await PostgresRows.write(db, into: EventRow.schema, columns: EventRow.bulkColumns, rows: rows,
                                                skippingConflicts: Self.eventKey, returning: ["external_id", "type"],
                                                within: EventCounts.storing(workspaceID: workspaceID, now: now)) ?? [] {
            inserted.insert(try row.decode(String.self))
        }
        // Rows go in in order: of an id repeated in the batch, the first is the one stored.
        return events.map(\.event).filter { inserted.remove($0.id) != nil }
    }

    /// ``record(_:now:)`` on SQLite's own handle; returns the events stored, in order.
    static func record(_ events: [(event: ScoringEvent, contactID: UUID?, anonymousID: String?)], workspaceID: UUID, now: Date,
                       on raw: RawSQLite) throws -> [ScoringEvent] {
        guard !events.isEmpty else { return [] }
        let inserted = try insert(events.map { values($0, workspaceID: workspaceID, now: now) }, on: raw)
        let stored = zip(events, inserted).filter(\.1).map(\.0.event)
        try EventCounts.add(stored, workspaceID: workspaceID, now: now, on: raw)
        return stored
    }

    /// An event row's values in ``EventRow/bulkColumns`` order.
    private static func values(_ item: (event: ScoringEvent, contactID: UUID?, anonymousID: String?), workspaceID: UUID, now: Date) -> [BulkValue] {
        [.uuid(TimeOrderedID.make(at: now)), .uuid(workspaceID), BulkValue(item.contactID), BulkValue(item.anonymousID), .text(item.event.id),
         .text(item.event.type), .text(AuditLog.encode(item.event.properties)), .date(item.event.time), .date(now)]
    }

    /// What makes an event the same event: its workspace and the sender's id.
    private static let eventKey = ["workspace_id", "external_id"]

    private static let insertUnlessKnown = BulkInsert.sqliteStatement(into: EventRow.schema, columns: EventRow.bulkColumns, rows: 1, conflict: nil,
                                                                      skipping: eventKey)

    /// On SQLite, each event is inserted unless its id is there already: one statement an
    /// event, where reading the ids first took a statement of hundreds of values. Answers, row
    /// by row, whether it was inserted.
    private static func insert(_ rows: [[BulkValue]], on raw: RawSQLite) throws -> [Bool] {
        let statement = try RawSQLite.Statement(raw, insertUnlessKnown)
        return try raw.atomically {
            try rows.map { row in
                try statement.run(row)
                return raw.changes > 0
            }
        }
    }

    private struct ReceivedRow: Decodable {
        var externalID: String
        var type: String
        var properties: String
        var occurredAt: Date
        var receivedAt: Date
        var contactID: UUID?
        var anonymousID: String?
        var firstName: String?
        var lastName: String?
        var email: String?

        enum CodingKeys: String, CodingKey {
            case externalID = "external_id", type, properties, occurredAt = "occurred_at", receivedAt = "received_at", contactID = "contact_id"
            case anonymousID = "anonymous_id", firstName = "first_name", lastName = "last_name", email
        }
    }

    /// Gives a visitor's anonymous events to a contact (the visitor was identified); returns
    /// how many events it gave.
    @discardableResult
    public func attach(visitor: String, to contactID: UUID) async throws -> Int {
        if let given = try await RawSQLite.with(db, { [workspaceID] raw in try Self.attach(visitor: visitor, to: contactID, workspaceID: workspaceID, on: raw) }) {
            return given
        }
        func anonymous() -> QueryBuilder<EventRow> {
            EventRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$anonymousID == visitor).filter(\.$contactID == nil)
        }
        let count = try await anonymous().count()
        if count > 0 { try await anonymous().set(\.$contactID, to: contactID).update() }
        return count
    }

    /// ``attach(visitor:to:)`` on SQLite's own handle: one update, whose count of changed rows
    /// is the answer.
    static func attach(visitor: String, to contactID: UUID, workspaceID: UUID, on raw: RawSQLite) throws -> Int {
        let update = try RawSQLite.Statement(raw, "UPDATE \"\(EventRow.schema)\" SET contact_id = ? WHERE workspace_id = ? AND anonymous_id = ? AND contact_id IS NULL")
        update.bind(1, contactID)
        update.bind(2, workspaceID)
        update.bind(3, visitor)
        while try update.step() {}
        return raw.changes
    }

    /// A contact's events for its timeline, newest first, `limit` at a time (the cursor is the
    /// last item shown: its time and row id).
    public func timeline(of contactID: UUID, limit: Int, after cursor: PageCursor? = nil) async throws -> [ContactEvent] {
        var query = EventRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == contactID)
        if let cursor {
            query = query.group(.or) { or in
                or.filter(\.$occurredAt < cursor.date)
                or.group(.and) { $0.filter(\.$occurredAt == cursor.date).filter(\.$id < cursor.id) }
            }
        }
        return try await query.sort(\.$occurredAt, .descending).sort(\.$id, .descending).limit(limit).all().map { row in
            ContactEvent(rowID: row.id ?? UUID(), event: Self.scoringEvent(id: row.externalID, type: row.type, properties: row.properties, at: row.occurredAt))
        }
    }

    /// A visitor's identified events on SQLite (workspace, then visitor), through the
    /// `events_identified_visitor` index.
    static let identifiedVisitorLookup = "SELECT anonymous_id, contact_id, received_at, id FROM \"\(EventRow.schema)\""
        + " WHERE workspace_id = ? AND anonymous_id = ? AND contact_id IS NOT NULL"

    /// The contacts these visitors were identified as (each by its latest identified event).
    public func contacts(ofVisitors visitors: [String]) async throws -> [String: UUID] {
        let visitors = Set(visitors)
        guard !visitors.isEmpty else { return [:] }
        if let found = try await RawSQLite.with(db, { [workspaceID] raw in try Self.contacts(ofVisitors: visitors, workspaceID: workspaceID, on: raw) }) {
            return found
        }
        var latest: [String: IdentifiedRow] = [:]
        for row in try await PostgresRows.lookup(db, Self.identifiedVisitors, workspaceID: workspaceID, keys: visitors) ?? [] {
            let (visitor, contactID, at, id) = try row.decode((String, UUID, Date, UUID).self)
            Self.keep(visitor, (at, id, contactID), in: &latest)
        }
        return latest.mapValues(\.contactID)
    }

    /// The visitors' identified events on PostgreSQL, the visitors bound as one array. No ORDER
    /// BY: with one, a planner may walk the workspace's whole `(workspace_id, received_at)` index
    /// to skip a sort, instead of reading the visitors' identified rows through
    /// `events_identified_visitor`. Each visitor's latest row is picked by ``keep(_:_:in:)``.
    private static let identifiedVisitors = "SELECT anonymous_id, contact_id, received_at, id FROM \"\(EventRow.schema)\""
        + " WHERE workspace_id = $1 AND anonymous_id = ANY($2) AND contact_id IS NOT NULL"

    private typealias IdentifiedRow = (at: Date, id: UUID, contactID: UUID)

    /// Keeps each visitor's latest identified row.
    private static func keep(_ visitor: String, _ candidate: IdentifiedRow, in latest: inout [String: IdentifiedRow]) {
        if let best = latest[visitor], best.at > candidate.at || (best.at == candidate.at && !UUIDText.precedes(best.id, candidate.id)) { return }
        latest[visitor] = candidate
    }

    /// ``contacts(ofVisitors:)`` on SQLite's own handle: one lookup a visitor.
    static func contacts(ofVisitors visitors: Set<String>, workspaceID: UUID, on raw: RawSQLite) throws -> [String: UUID] {
        var latest: [String: IdentifiedRow] = [:]
        try raw.lookup(identifiedVisitorLookup, workspaceID: workspaceID, keys: visitors, bind: { $0.bind(2, $1) }) { row in
            guard let visitor = row.text(0), let contactID = row.uuid(1), let at = row.double(2), let id = row.uuid(3) else { return }
            keep(visitor, (Date(timeIntervalSince1970: at), id, contactID), in: &latest)
        }
        return latest.mapValues(\.contactID)
    }

    /// The contact a visitor was identified as (by its latest identified event), if any.
    public func contact(ofVisitor visitor: String) async throws -> UUID? {
        try await contacts(ofVisitors: [visitor])[visitor]
    }

    /// The latest events received, newest first.
    public func recent(limit: Int) async throws -> [ReceivedEvent] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let rows = try await sql.select()
            .columns(SQLColumn("external_id", table: "e"), SQLColumn("type", table: "e"), SQLColumn("properties", table: "e"),
                     SQLColumn("occurred_at", table: "e"), SQLColumn("received_at", table: "e"), SQLColumn("contact_id", table: "e"),
                     SQLColumn("anonymous_id", table: "e"), SQLColumn("first_name", table: "c"), SQLColumn("last_name", table: "c"),
                     SQLColumn("email", table: "c"))
            .from(SQLAlias(SQLIdentifier(EventRow.schema), as: SQLIdentifier("e")))
            .join(SQLAlias(SQLIdentifier(ContactRow.schema), as: SQLIdentifier("c")), method: SQLJoinMethod.left,
                  on: SQLColumn("id", table: "c"), .equal, SQLColumn("contact_id", table: "e"))
            .where(SQLColumn("workspace_id", table: "e"), .equal, SQLBind(workspaceID))
            .orderBy(SQLOrderBy(expression: SQLColumn("received_at", table: "e"), direction: SQLDirection.descending))
            .orderBy(SQLOrderBy(expression: SQLColumn("id", table: "e"), direction: SQLDirection.descending))
            .limit(max(1, min(limit, 200)))
            .all(decoding: ReceivedRow.self)
        return rows.map { row in
            let name = [row.firstName, row.lastName].compactMap { $0 }.joined(separator: " ").trimmingBlanks
            return ReceivedEvent(id: row.externalID, type: row.type, properties: AuditLog.decode(row.properties), occurredAt: row.occurredAt,
                                 receivedAt: row.receivedAt, contactID: row.contactID, contactName: name.isEmpty ? row.email : name,
                                 anonymousID: row.anonymousID)
        }
    }

    static func scoringEvent(id: String, type: String, properties: String, at time: Date) -> ScoringEvent {
        ScoringEvent(id: id, type: type, time: time, properties: AuditLog.decode(properties))
    }
}

extension EventRow {
    static let bulkColumns = ["id", "workspace_id", "contact_id", "anonymous_id", "external_id", "type", "properties", "occurred_at", "received_at"]
}
