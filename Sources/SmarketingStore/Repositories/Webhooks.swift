import FluentKit
import Foundation
import SmarketingCore
import SQLKit

/// A receiver of the workspace's events.
public struct WebhookEndpoint: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var url: URL
    public var description: String?
    public var secret: String
    /// Empty: every type.
    public var eventTypes: Set<WebhookEventType>
    public var active: Bool
    public var createdAt: Date

    public func wants(_ type: WebhookEventType) -> Bool { active && (eventTypes.isEmpty || eventTypes.contains(type)) }
}

/// One event sent (or to send) to one endpoint.
public struct WebhookDelivery: Sendable, Equatable, Identifiable {
    public enum Status: String, Sendable, CaseIterable { case pending, delivered, failed }

    public var id: UUID
    public var endpointID: UUID
    public var eventID: UUID
    public var eventType: String
    public var body: String
    public var jobID: UUID?
    public var status: Status
    public var attempts: Int
    public var lastStatusCode: Int?
    public var lastError: String?
    public var lastDurationMS: Int?
    public var createdAt: Date
    public var deliveredAt: Date?
}

/// One try at a delivery.
public struct WebhookAttempt: Sendable, Equatable {
    public var at: Date
    public var statusCode: Int?
    public var durationMS: Int
    public var error: String?
    public var response: String?

    public init(at: Date, statusCode: Int?, durationMS: Int, error: String?, response: String?) {
        self.at = at
        self.statusCode = statusCode
        self.durationMS = durationMS
        self.error = error
        self.response = response
    }
}

/// Writes events for the workspace's webhooks: one delivery per endpoint that wants the type,
/// each with its job, in the caller's transaction, so an event is sent only if what caused it
/// committed, and never lost if it did.
public struct WebhookEvents: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    public static let deliverJob = "webhook.deliver"

    /// Queues `type` with `data` for every endpoint that wants it; returns the event's id.
    @discardableResult
    public func emit(_ type: WebhookEventType, data: [String: EventJSON], now: Date) async throws -> UUID? {
        let endpoints = try await WebhookEndpoints(db, workspaceID: workspaceID).list().filter { $0.wants(type) }
        guard !endpoints.isEmpty else { return nil }
        let eventID = TimeOrderedID.make(at: now)
        let body = EventJSON.object([
            "id": .string(eventID.uuidString.lowercased()), "type": .string(type.rawValue),
            "created_at": .string(Self.timestamp(now)), "workspace_id": .string(workspaceID.uuidString.lowercased()), "data": .object(data),
        ]).text
        var deliveries: [[BulkValue]] = [], jobs: [NewJob] = []
        for endpoint in endpoints {
            let deliveryID = TimeOrderedID.make(at: now), jobID = TimeOrderedID.make(at: now)
            deliveries.append([.uuid(deliveryID), .uuid(workspaceID), .uuid(endpoint.id), .uuid(eventID), .text(type.rawValue), .text(body),
                               .uuid(jobID), .text(WebhookDelivery.Status.pending.rawValue), .integer(0), .date(now)])
            jobs.append(NewJob(id: jobID, workspaceID: workspaceID, kind: Self.deliverJob,
                               payload: JobQueue.payload("delivery_id", deliveryID), runAt: now, maxAttempts: RetryPolicy.delivery.maxAttempts))
        }
        try await BulkInsert.run(into: "webhook_deliveries", columns: ["id", "workspace_id", "endpoint_id", "event_id", "event_type", "body", "job_id",
                                                                       "status", "attempts", "created_at"], rows: deliveries, on: db)
        try await JobQueue.enqueue(jobs, now: now, on: db)
        return eventID
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// The contact part of a lead event.
    public static func contactData(_ contact: Contact) -> EventJSON {
        .object([
            "id": .string(contact.id.uuidString.lowercased()), "email": contact.email.map { .string($0.value) } ?? .null,
            "first_name": .string(contact.firstName), "last_name": .string(contact.lastName), "lifecycle_stage": .string(contact.stage.rawValue),
            "owner_id": contact.ownerID.map { .string($0.uuidString.lowercased()) } ?? .null,
        ])
    }

    /// The data of a lead event about a handoff.
    public static func handoffData(_ handoff: Handoff, contact: Contact) -> [String: EventJSON] {
        var data: [String: EventJSON] = [
            "contact": contactData(contact),
            "handoff": .object([
                "id": .string(handoff.id.uuidString.lowercased()), "status": .string(handoff.status.rawValue),
                "mql_at": .string(timestamp(handoff.mqlAt)), "cause": .string(handoff.cause),
                "owner_id": handoff.ownerID.map { .string($0.uuidString.lowercased()) } ?? .null,
                "source": handoff.source.map(EventJSON.string) ?? .null, "campaign": handoff.campaign.map(EventJSON.string) ?? .null,
                "reason": handoff.reasonLabel.map(EventJSON.string) ?? .null, "note": handoff.note.map(EventJSON.string) ?? .null,
                "outcome": handoff.outcome.map { .string($0.rawValue) } ?? .null,
            ]),
        ]
        if let fit = handoff.fit { data["fit"] = .number(Double(fit)) }
        if let engagement = handoff.engagement { data["engagement"] = .number(engagement) }
        return data
    }
}

/// A JSON value of a webhook event's body, written with sorted keys.
public indirect enum EventJSON: Sendable, Equatable {
    case string(String), number(Double), bool(Bool), null, array([EventJSON]), object([String: EventJSON])

    public var text: String {
        switch self {
        case .string(let value): Self.quoted(value)
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        case .array(let values): "[" + values.map(\.text).joined(separator: ",") + "]"
        case .object(let fields): "{" + fields.keys.sorted().map { Self.quoted($0) + ":" + fields[$0]!.text }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{2028}": result += "\\u2028"
            case "\u{2029}": result += "\\u2029"
            default:
                if scalar.value < 0x20 { result += String(format: "\\u%04x", scalar.value) } else { result.unicodeScalars.append(scalar) }
            }
        }
        return result + "\""
    }
}

/// The workspace's endpoints and their delivery log.
public struct WebhookEndpoints: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    public static let limit = 20

    public func list() async throws -> [WebhookEndpoint] {
        guard let sql = db as? any SQLDatabase else { return [] }
        return try await sql.select().columns("id", "url", "description", "secret", "event_types", "active", "created_at").from("webhook_endpoints")
            .where("workspace_id", .equal, SQLBind(workspaceID)).orderBy("created_at").all().compactMap(Self.endpoint)
    }

    public func find(_ id: UUID) async throws -> WebhookEndpoint? {
        try await list().first { $0.id == id }
    }

    static func endpoint(_ row: any SQLRow) throws -> WebhookEndpoint? {
        guard let url = URL(string: try row.decode(column: "url", as: String.self)) else { return nil }
        let types = try row.decode(column: "event_types", as: String.self).split(separator: ",").compactMap { WebhookEventType(rawValue: String($0)) }
        return WebhookEndpoint(id: try row.decode(column: "id", as: UUID.self), url: url, description: try row.decode(column: "description", as: String?.self),
                               secret: try row.decode(column: "secret", as: String.self), eventTypes: Set(types),
                               active: try row.decode(column: "active", as: Bool.self), createdAt: try row.decode(column: "created_at", as: Date.self))
    }

    static func typesText(_ types: Set<WebhookEventType>) -> String { types.map(\.rawValue).sorted().joined(separator: ",") }

    /// Adds an endpoint with a new secret; a workspace holds at most ``limit``, more is refused on `url`.
    public func create(_ input: WebhookEndpointInput, by actor: AuditActor, now: Date) async throws -> WebhookEndpoint {
        try await StoreTuning.writeTransaction(db) { tx in
            let store = WebhookEndpoints(tx, workspaceID: workspaceID)
            guard try await store.list().count < Self.limit else { throw ValidationFailure("url", .tooLong(maximum: Self.limit)) }
            let endpoint = WebhookEndpoint(id: TimeOrderedID.make(at: now), url: input.url, description: input.description,
                                           secret: WebhookSignature.newSecret(), eventTypes: input.eventTypes, active: input.active, createdAt: now)
            try await BulkInsert.run(into: "webhook_endpoints", columns: ["id", "workspace_id", "url", "description", "secret", "event_types", "active",
                                                                          "created_at", "updated_at"],
                                     rows: [[.uuid(endpoint.id), .uuid(workspaceID), .text(input.url.absoluteString), BulkValue(input.description),
                                             .text(endpoint.secret), .text(Self.typesText(input.eventTypes)), .bool(input.active), .date(now), .date(now)]], on: tx)
            try await AuditLog(tx, workspaceID: workspaceID).record(.webhookCreated, by: actor, entityType: "webhook", entityID: endpoint.id,
                                                                    change: AuditChange(before: [:], after: Self.audited(endpoint)), at: now)
            return endpoint
        }
    }

    /// Changes an endpoint; `rotateSecret` gives it a new secret (the old one stops signing at once).
    public func update(_ id: UUID, _ input: WebhookEndpointInput, rotateSecret: Bool, by actor: AuditActor, now: Date) async throws -> WebhookEndpoint? {
        try await StoreTuning.writeTransaction(db) { tx in
            guard let sql = tx as? any SQLDatabase, let before = try await WebhookEndpoints(tx, workspaceID: workspaceID).find(id) else { return nil }
            var after = before
            after.url = input.url
            after.description = input.description
            after.eventTypes = input.eventTypes
            after.active = input.active
            if rotateSecret { after.secret = WebhookSignature.newSecret() }
            try await sql.update("webhook_endpoints").set("url", to: SQLBind(input.url.absoluteString)).set("description", to: SQLBind(input.description))
                .set("event_types", to: SQLBind(Self.typesText(input.eventTypes))).set("active", to: SQLBind(input.active))
                .set("secret", to: SQLBind(after.secret)).set("updated_at", to: SQLBind(now))
                .where("workspace_id", .equal, SQLBind(workspaceID)).where("id", .equal, SQLBind(id)).run()
            var change = AuditChange(before: Self.audited(before), after: Self.audited(after))
            if rotateSecret { change.after["secret"] = "rotated" }
            try await AuditLog(tx, workspaceID: workspaceID).record(.webhookUpdated, by: actor, entityType: "webhook", entityID: id, change: change, at: now)
            return after
        }
    }

    /// Removes an endpoint and its log; false when it is not this workspace's.
    public func delete(_ id: UUID, by actor: AuditActor, now: Date) async throws -> Bool {
        try await StoreTuning.writeTransaction(db) { tx in
            guard let sql = tx as? any SQLDatabase, let endpoint = try await WebhookEndpoints(tx, workspaceID: workspaceID).find(id) else { return false }
            let deliveries = SQLSubquery.select { $0.column("id").from("webhook_deliveries").where("endpoint_id", .equal, SQLBind(id)) }
            try await sql.delete(from: "webhook_attempts").where("workspace_id", .equal, SQLBind(workspaceID)).where("delivery_id", .in, deliveries).run()
            try await sql.delete(from: "webhook_deliveries").where("workspace_id", .equal, SQLBind(workspaceID)).where("endpoint_id", .equal, SQLBind(id)).run()
            try await sql.delete(from: "webhook_endpoints").where("workspace_id", .equal, SQLBind(workspaceID)).where("id", .equal, SQLBind(id)).run()
            try await AuditLog(tx, workspaceID: workspaceID).record(.webhookDeleted, by: actor, entityType: "webhook", entityID: id,
                                                                    change: AuditChange(before: Self.audited(endpoint), after: [:]), at: now)
            return true
        }
    }

    static func audited(_ endpoint: WebhookEndpoint) -> [String: String] {
        ["url": endpoint.url.absoluteString, "description": endpoint.description ?? "", "event_types": typesText(endpoint.eventTypes),
         "active": endpoint.active ? "yes" : "no"]
    }

    // MARK: Deliveries

    static let deliveryColumns = "id, endpoint_id, event_id, event_type, body, job_id, status, attempts, last_status_code, last_error, last_duration_ms, created_at, delivered_at"

    /// An endpoint's deliveries, newest first.
    public func deliveries(of endpointID: UUID, status: WebhookDelivery.Status? = nil, limit: Int = 100) async throws -> [WebhookDelivery] {
        guard let sql = db as? any SQLDatabase else { return [] }
        var query: SQLQueryString = "SELECT \(unsafeRaw: Self.deliveryColumns) FROM webhook_deliveries WHERE workspace_id = \(bind: workspaceID) AND endpoint_id = \(bind: endpointID)"
        if let status { query = query + " AND status = \(bind: status.rawValue)" }
        query = query + " ORDER BY created_at DESC, id DESC LIMIT \(literal: max(1, min(limit, 500)))"
        return try await sql.raw(query).all().map(Self.delivery)
    }

    public func delivery(_ id: UUID) async throws -> WebhookDelivery? {
        guard let sql = db as? any SQLDatabase else { return nil }
        return try await sql.raw("SELECT \(unsafeRaw: Self.deliveryColumns) FROM webhook_deliveries WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)")
            .first().map(Self.delivery)
    }

    /// A delivery's attempts, newest first.
    public func attempts(of deliveryID: UUID) async throws -> [WebhookAttempt] {
        guard let sql = db as? any SQLDatabase else { return [] }
        return try await sql.select().columns("at", "status_code", "duration_ms", "error", "response").from("webhook_attempts")
            .where("workspace_id", .equal, SQLBind(workspaceID)).where("delivery_id", .equal, SQLBind(deliveryID))
            .orderBy("at", .descending).limit(50).all().map { row in
                WebhookAttempt(at: try row.decode(column: "at", as: Date.self), statusCode: try row.decode(column: "status_code", as: Int?.self),
                               durationMS: try row.decode(column: "duration_ms", as: Int.self), error: try row.decode(column: "error", as: String?.self),
                               response: try row.decode(column: "response", as: String?.self))
            }
    }

    /// Records one try and where the delivery now stands.
    public func record(_ attempt: WebhookAttempt, deliveryID: UUID, status: WebhookDelivery.Status) async throws {
        try await StoreTuning.writeTransaction(db) { tx in
            guard let sql = tx as? any SQLDatabase else { return }
            try await BulkInsert.run(into: "webhook_attempts", columns: ["id", "workspace_id", "delivery_id", "at", "status_code", "duration_ms", "error", "response"],
                                     rows: [[.uuid(TimeOrderedID.make(at: attempt.at)), .uuid(workspaceID), .uuid(deliveryID), .date(attempt.at),
                                             BulkValue(attempt.statusCode), .integer(attempt.durationMS), BulkValue(attempt.error), BulkValue(attempt.response)]], on: tx)
            var update = sql.update("webhook_deliveries").set("status", to: SQLBind(status.rawValue))
                .set("attempts", to: SQLRaw("attempts + 1")).set("last_status_code", to: SQLBind(attempt.statusCode))
                .set("last_error", to: SQLBind(attempt.error)).set("last_duration_ms", to: SQLBind(attempt.durationMS))
            if status == .delivered { update = update.set("delivered_at", to: SQLBind(attempt.at)) }
            try await update.where("workspace_id", .equal, SQLBind(workspaceID)).where("id", .equal, SQLBind(deliveryID)).run()
        }
    }

    /// Sends a delivery again now (a person's "retry" on the log): its job goes back to the queue.
    public func retry(_ deliveryID: UUID, now: Date) async throws -> Bool {
        guard let delivery = try await delivery(deliveryID), let jobID = delivery.jobID, let sql = db as? any SQLDatabase else { return false }
        return try await StoreTuning.writeTransaction(db) { tx in
            guard try await JobQueue(tx).retryNow(jobID, workspaceID: workspaceID, now: now) else { return false }
            try await (tx as! any SQLDatabase).update("webhook_deliveries").set("status", to: SQLBind(WebhookDelivery.Status.pending.rawValue))
                .where("workspace_id", .equal, SQLBind(workspaceID)).where("id", .equal, SQLBind(deliveryID)).run()
            _ = sql
            return true
        }
    }

    static func delivery(_ row: any SQLRow) throws -> WebhookDelivery {
        WebhookDelivery(id: try row.decode(column: "id", as: UUID.self), endpointID: try row.decode(column: "endpoint_id", as: UUID.self),
                        eventID: try row.decode(column: "event_id", as: UUID.self), eventType: try row.decode(column: "event_type", as: String.self),
                        body: try row.decode(column: "body", as: String.self), jobID: try row.decode(column: "job_id", as: UUID?.self),
                        status: WebhookDelivery.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
                        attempts: try row.decode(column: "attempts", as: Int.self), lastStatusCode: try row.decode(column: "last_status_code", as: Int?.self),
                        lastError: try row.decode(column: "last_error", as: String?.self), lastDurationMS: try row.decode(column: "last_duration_ms", as: Int?.self),
                        createdAt: try row.decode(column: "created_at", as: Date.self), deliveredAt: try row.decode(column: "delivered_at", as: Date?.self))
    }

    /// The delivery id a deliver job carries.
    public static func deliveryID(inPayload payload: String) -> UUID? { JobQueue.id("delivery_id", inPayload: payload) }
}
