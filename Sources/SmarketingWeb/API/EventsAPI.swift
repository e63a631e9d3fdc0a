import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// Batch ingest for events from other systems: `POST /events` with up to 1,000 events or 1 MB.
/// Each event is checked on its own: the valid ones are stored and scored (a replayed id is
/// stored once), the others come back with their reasons, and the answer (202) comes only
/// after the commit.
struct EventsAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "events", body: .collect(maxSize: "1mb"), use: ingest)
    }

    /// Each workspace's accepted event types, read again when a definition changes.
    static let knownTypes = TimedCache<Set<String>>(lifetime: 2, generation: .definitions)

    struct IngestRequest: Decodable {
        var events: [IncomingJSON]?
    }

    struct RejectedDTO: Encodable {
        var index: Int
        var id: String?
        var fields: [APIFieldError]
    }

    struct IngestResultDTO: Encodable {
        var accepted: Int
        var duplicates: Int
        var rejected: [RejectedDTO]

        /// As `APIJSON.encoder` writes it (keys in order, an absent id left out).
        func write(to writer: inout JSONWriter) {
            writer.object { writer in
                writer.field("accepted", accepted)
                writer.field("duplicates", duplicates)
                writer.key("rejected")
                writer.array(rejected) { writer, item in
                    writer.object { writer in
                        writer.key("fields")
                        writer.array(item.fields) { writer, error in
                            writer.object { writer in
                                writer.field("code", error.code)
                                writer.field("field", error.field)
                                writer.field("message", error.message)
                            }
                        }
                        writer.field("id", item.id)
                        writer.field("index", item.index)
                    }
                }
            }
        }
    }

    func ingest(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard let events = try await Self.events(of: req), !events.isEmpty else { throw ValidationFailure("events", .required) }
        guard events.count <= EventSubmissionLimits.eventsPerRequest else {
            throw ValidationFailure("events", .tooLong(maximum: EventSubmissionLimits.eventsPerRequest))
        }
        let known = try await Self.knownTypes.value(member.workspaceID.uuidString) {
            try await EventIngest(req.db, workspaceID: member.workspaceID).knownTypes()
        } ?? []
        let now = req.now
        var rejected: [RejectedDTO] = []
        var valid: [(index: Int, submission: EventSubmission)] = []
        for (index, value) in events.enumerated() {
            let input = Self.input(value)
            switch EventSubmission.check(input, knownTypes: known, now: now) {
            case .success(let submission): valid.append((index, submission))
            case .failure(let failure): rejected.append(Self.rejected(index, input.id, failure, req))
            }
        }
        let outcomes = try await req.application.ingest.submit(valid.map(\.submission), workspaceID: member.workspaceID)
        var accepted = 0, duplicates = 0
        for (item, outcome) in zip(valid, outcomes) {
            switch outcome {
            case .stored: accepted += 1
            case .duplicate: duplicates += 1
            case .refused(let failure): rejected.append(Self.rejected(item.index, item.submission.event.id, failure, req))
            }
        }
        rejected.sort { $0.index < $1.index }
        var writer = JSONWriter(capacity: 64 + rejected.count * 160)
        IngestResultDTO(accepted: accepted, duplicates: duplicates, rejected: rejected).write(to: &writer)
        return writer.response(status: .accepted)
    }

    /// The body's events: read straight from its bytes (``IncomingJSON/read(_:)``), or by
    /// `JSONDecoder` when that reading gives up, so that a malformed body gets its error naming
    /// the problem. Property names are kept as sent: no snake-case conversion of keys.
    static func events(of req: Request) async throws -> [IncomingJSON]? {
        let body = try await req.jsonBody()
        if case .object(let fields)? = body.withUnsafeReadableBytes(IncomingJSON.read) {
            switch fields["events"] {
            case .array(let events)?: return events
            case .null?, nil: return nil
            default: break
            }
        }
        return try JSONDecoder().decode(IngestRequest.self, from: Data(body.readableBytesView)).events
    }

    private static func rejected(_ index: Int, _ id: String?, _ failure: ValidationFailure, _ req: Request) -> RejectedDTO {
        RejectedDTO(index: index, id: id, fields: failure.errors.map { APIFieldError(field: $0.field, code: $0.code.apiCode, message: req.l.message(for: $0)) })
    }

    /// An event as it arrived; a value of the wrong kind counts as missing for text fields
    /// (reported as required or invalid by the check) and as unreadable for properties.
    static func input(_ value: IncomingJSON) -> EventSubmissionInput {
        guard case .object(let fields) = value else { return EventSubmissionInput() }
        var input = EventSubmissionInput(id: fields["id"]?.text, type: fields["type"]?.text, occurredAt: fields["occurred_at"]?.text,
                                         contactID: fields["contact_id"]?.text, email: fields["email"]?.text,
                                         anonymousID: fields["anonymous_id"]?.text)
        if case .object(let properties)? = fields["properties"] {
            var flat: [String: String] = [:]
            for (key, value) in properties {
                if let text = value.text { flat[key] = text } else { input.unreadableProperties.append(key) }
            }
            input.properties = flat
        } else if let properties = fields["properties"], properties != .null {
            input.unreadableProperties = [""]
        }
        return input
    }
}

/// Any JSON value, for bodies read field by field.
enum IncomingJSON: Decodable, Equatable, Sendable {
    case string(String), number(Double), bool(Bool), null, array([IncomingJSON]), object([String: IncomingJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // The common kinds first (each failed attempt costs a thrown error): events are objects
        // of texts. A number is tried before a yes/no, which never reads as a number.
        if container.decodeNil() { self = .null }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else if let fields = try? container.decode([String: IncomingJSON].self) { self = .object(fields) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else { self = .array(try container.decode([IncomingJSON].self)) }
    }

    /// Text, a number or a yes/no as text; nil for anything else.
    var text: String? {
        switch self {
        case .string(let text): text
        case .number(let number): JSONScalar.text(of: number)
        case .bool(let flag): flag ? "true" : "false"
        case .null, .array, .object: nil
        }
    }
}
