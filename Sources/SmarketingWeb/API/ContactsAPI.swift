import SmarketingCore
import SmarketingStore
import Vapor

/// `/api/v1/contacts`: list with the same search, filters and sort as the page; create
/// (deduplicated by email, `Idempotency-Key` honoured), read, update, delete, merge, timeline,
/// bulk actions, and CSV export.
struct ContactsAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("contacts", use: list)
        routes.post("contacts", use: create)
        routes.post("contacts", "bulk", use: bulk)
        routes.get("contacts", "export.csv", use: export)
        routes.get("contacts", ":contactID", use: read)
        routes.patch("contacts", ":contactID", use: update)
        routes.delete("contacts", ":contactID", use: delete)
        routes.post("contacts", ":contactID", "merge", use: merge)
        routes.get("contacts", ":contactID", "timeline", use: timeline)
    }

    /// A workspace's contact fields, read by every list request: kept for 2 seconds, and
    /// dropped at once when this process defines, changes or deletes a field.
    static let contactFields = TimedCache<[CustomFieldDefinition]>(lifetime: 2, generation: .customFields)

    func list(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let definitions = try await Self.contactFields.value(member.workspaceID.uuidString) {
            try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        } ?? []
        // The query string is split once; its filters, limit and cursor are all read from it.
        let items = ContactListURL.items(of: req)
        let query = try ContactQuery.parse(items, customFields: definitions)
        var checker = FieldChecker()
        let limit = APIListLimit.read(items.last { $0.0 == "limit" }?.1, into: &checker)
        var cursor: ContactCursor?
        if let raw = items.last(where: { $0.0 == "after" })?.1, !raw.isEmpty {
            cursor = ContactCursor(token: raw)
            if cursor == nil || cursor?.sort != query.sort { checker.add("after", .invalid) }
        }
        try checker.throwIfAny()
        let page = try await ContactSearch(req.db, workspaceID: member.workspaceID, now: req.now).page(query, limit: limit, after: cursor, definitions: definitions)
        return ContactPageDTO(data: page.contacts.map { ContactDTO($0) }, nextCursor: page.next?.token).response()
    }

    func read(req: Request) async throws -> Response {
        let (_, contact) = try await find(req)
        return try APIJSON.response(ContactDTO(contact))
    }

    func create(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.editContacts)
        let fields = try await Self.fields(req)
        return try await Idempotency.run(req, member: member, body: req.body.data) {
            let (contact, outcome) = try await save(req, member: member, fields: fields, id: nil, mode: .replace)
            var dto = ContactDTO(contact)
            dto.outcome = outcome.rawValue
            return try APIJSON.response(dto, status: outcome == .created ? .created : .ok)
        }
    }

    func update(req: Request) async throws -> Response {
        let (member, contact) = try await find(req)
        try await requireEdit(contact, member: member, req: req)
        var fields = ContactInput(contact: contact, companyName: nil, companyDomain: nil, ownerEmail: nil).fields()
        for (key, value) in try await Self.fields(req) { fields[key] = value }
        let (saved, _) = try await save(req, member: member, fields: fields, id: contact.id, mode: .merge)
        return try APIJSON.response(ContactDTO(saved))
    }

    func delete(req: Request) async throws -> Response {
        let (member, contact) = try await find(req)
        try await requireEdit(contact, member: member, req: req)
        _ = try await ContactWriter(req.db, workspaceID: member.workspaceID).delete([contact.id], by: member.actor, now: req.now)
        return Response(status: .noContent)
    }

    struct MergeRequest: Decodable {
        var otherId: String?
    }

    func merge(req: Request) async throws -> Response {
        let (member, contact) = try await find(req)
        try await requireEdit(contact, member: member, req: req)
        let body = try await req.decodeJSON(MergeRequest.self)
        guard let otherID = body.otherId.flatMap(UUID.init(uuidString:)),
              let other = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(otherID)
        else { throw ValidationFailure("other_id", .notInList) }
        try await requireEdit(other, member: member, req: req)
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        guard let survivor = try await ContactWriter(req.db, workspaceID: member.workspaceID)
            .merge(survivorID: contact.id, otherID: other.id, definitions: definitions, by: member.actor, now: req.now)
        else { throw Abort(.notFound) }
        return try APIJSON.response(ContactDTO(survivor))
    }

    func timeline(req: Request) async throws -> Response {
        let (member, contact) = try await find(req)
        let (limit, cursor) = try req.pageQuery()
        // Every source read after the same cursor and merged, as the contact page does.
        let scope = try await member.salesScope(on: req.db)
        let sources = try await TimelineView.read(req.db, workspaceID: member.workspaceID, contactID: contact.id, limit: limit, after: cursor,
                                                  includeDeals: scope == .everyone || scope.includes(contact.ownerID))
        let (items, _) = TimelineView.merged(sources.changes, sources.events, sources.activities, sources.sales, limit: limit + 1)
        return try APIJSON.response(ListPage(items: items.map(TimelineEntryDTO.init), limit: limit) { PageCursor(date: $0.at, id: $0.id) })
    }

    struct BulkRequest: Decodable {
        var action: String?
        var ids: [String]?
        var query: String?
        var ownerId: String?
        var list: String?
    }

    func bulk(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.editContacts)
        let body = try await req.decodeJSON(BulkRequest.self)
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        var checker = FieldChecker()
        var ids = PeopleAPI.ids("ids", body.ids ?? [], into: &checker)
        try checker.throwIfAny()
        if let query = body.query {
            let items = URLComponents(string: "?" + query)?.queryItems?.map { ($0.name, $0.value ?? "") } ?? []
            ids = try await ContactSearch(req.db, workspaceID: member.workspaceID, now: req.now)
                .ids(try ContactQuery.parse(items, customFields: definitions), definitions: definitions, limit: 100_000)
        }
        guard !ids.isEmpty else { throw ValidationFailure("ids", .required) }
        ids = try await member.editableIDs(ids, on: req.db)
        let writer = ContactWriter(req.db, workspaceID: member.workspaceID)
        let count: Int
        switch body.action {
        case "assign_owner":
            var owner: UUID?
            if let raw = body.ownerId, raw != "none" {
                guard let id = UUID(uuidString: raw) else { throw ValidationFailure("owner_id", .invalid) }
                owner = id
            }
            count = try await writer.assignOwner(ids, to: owner, by: member.actor, now: req.now)
        case "add_to_list":
            var checker = FieldChecker()
            let name = checker.text("list", body.list, maximum: 80)
            try checker.throwIfAny()
            count = try await ContactLists(req.db, workspaceID: member.workspaceID).add(ids, toListNamed: name ?? "", by: member.actor, now: req.now)
        case "delete":
            count = try await writer.delete(ids, by: member.actor, now: req.now)
        default:
            throw ValidationFailure("action", .notInList)
        }
        return try APIJSON.response(BulkResultDTO(action: body.action ?? "", affected: count))
    }

    func export(req: Request) async throws -> Response {
        let member = try req.requireMember()
        return try await ContactExport.response(req, member: member)
    }

    // MARK: Shared

    private func find(_ req: Request) async throws -> (Member, Contact) {
        let member = try req.requireMember()
        let id = try req.uuidParameter("contactID")
        guard var contact = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(id) else { throw Abort(.notFound) }
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        contact.custom = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).values(of: [id], definitions: definitions)[id] ?? [:]
        return (member, contact)
    }

    private func requireEdit(_ contact: Contact, member: Member, req: Request) async throws {
        try member.require(.editContacts)
        guard try await member.mayEdit(contact, on: req.db) else { throw Abort(.forbidden) }
    }

    private func save(_ req: Request, member: Member, fields: [String: String], id: UUID?, mode: ContactWriter.Mode) async throws -> (Contact, ContactWriter.Outcome) {
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        var input = try ContactInput.check(fields, customFields: definitions).get()
        if let forced = RecordAccess.forcedOwner(.editContacts, user: member.user), AccessPolicy.reach(of: member.user.roles, for: .editContacts) == .own {
            if input.ownerEmail == nil { input.ownerEmail = member.user.email }
            guard input.ownerEmail == member.user.email, forced == member.user.id else { throw ValidationFailure("owner_email", .notInList) }
        }
        guard let result = try await ContactWriter(req.db, workspaceID: member.workspaceID)
            .save(input, id: id, mode: mode, definitions: definitions, by: member.actor, now: req.now)
        else { throw Abort(.notFound) }
        return result
    }

    /// A JSON object of field names to strings, numbers, booleans or null, as form fields.
    static func fields(_ req: Request) async throws -> [String: String] {
        let object = try await req.decodeJSON([String: JSONScalar].self)
        return object.mapValues(\.text)
    }
}

/// A JSON value a contact field may hold.
enum JSONScalar: Decodable {
    case text(String), number(Double), flag(Bool), null, list([String])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let flag = try? container.decode(Bool.self) { self = .flag(flag) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let text = try? container.decode(String.self) { self = .text(text) }
        else { self = .list(try container.decode([String].self)) }
    }

    var text: String {
        switch self {
        case .text(let value): value
        case .number(let value): Self.text(of: value)
        case .flag(let value): value ? "true" : "false"
        case .null: ""
        case .list(let values): values.joined(separator: ";")
        }
    }

    /// A JSON number as a field holds it: whole numbers without a decimal point.
    static func text(of number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}

struct ContactPageDTO: Encodable {
    var data: [ContactDTO]
    var nextCursor: String?
}

struct BulkResultDTO: Encodable {
    var action: String
    var affected: Int
}

struct RecordChangeDTO: Encodable {
    var id: UUID
    var at: Date
    var kind: String
    var actorName: String
    var channel: String
    var before: [String: String]
    var after: [String: String]

    init(_ change: RecordChange) {
        id = change.id
        at = change.at
        kind = change.kind.rawValue
        actorName = change.actor.name
        channel = change.actor.channel.rawValue
        before = change.change.before
        after = change.change.after
    }
}

/// One line of a contact's timeline in the API: a change (the fields of a record change), an
/// event it did (`kind` "event", with its id, type and properties), an activity a rep logged
/// (`kind` "activity"), or a change of one of its tasks or deals (`task_created`, `deal_won`...,
/// with the subject's id and title).
struct TimelineEntryDTO: Encodable {
    var id: UUID
    var at: Date
    var kind: String
    var actorName: String?
    var channel: String?
    var before: [String: String]?
    var after: [String: String]?
    var eventId: String?
    var eventType: String?
    var properties: [String: String]?
    var activityKind: String?
    var outcome: String?
    var notes: String?
    var nextStep: String?
    var durationMinutes: Int?
    var subjectId: UUID?
    var title: String?

    init(_ item: TimelineView.Item) {
        id = item.id
        at = item.at
        switch item {
        case .change(let change):
            kind = change.kind.rawValue
            actorName = change.actor.name
            channel = change.actor.channel.rawValue
            before = change.change.before
            after = change.change.after
        case .event(let event):
            kind = "event"
            eventId = event.event.id
            eventType = event.event.type
            properties = event.event.properties
        case .activity(let activity):
            kind = "activity"
            actorName = activity.actor.name
            channel = activity.actor.channel.rawValue
            activityKind = activity.kind.rawValue
            outcome = activity.outcome?.rawValue
            notes = activity.notes
            nextStep = activity.nextStep
            durationMinutes = activity.durationMinutes
        case .sales(let change):
            kind = change.subject.rawValue + "_" + change.kind.rawValue
            actorName = change.actor.name
            channel = change.actor.channel.rawValue
            before = change.change.before
            after = change.change.after
            subjectId = change.subjectID
            title = change.title
        }
    }
}
