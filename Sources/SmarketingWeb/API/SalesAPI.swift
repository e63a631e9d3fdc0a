import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// Sales follow-up through the API: a contact's activities (`/contacts/{id}/activities`),
/// tasks (`/tasks`) and deals (`/deals`), with the pages' rules: the rep who works a lead (or
/// their sales manager) writes, lists show what the caller's role reaches, creates honour
/// `Idempotency-Key`.
struct SalesAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("contacts", ":contactID", "activities", use: activities)
        routes.post("contacts", ":contactID", "activities", use: logActivity)
        routes.get("tasks", use: tasks)
        routes.post("tasks", use: createTask)
        routes.patch("tasks", ":taskID", use: updateTask)
        routes.get("deals", use: deals)
        routes.post("deals", use: createDeal)
        routes.get("deals", ":dealID", use: readDeal)
        routes.patch("deals", ":dealID", use: updateDeal)
    }

    // MARK: Activities

    func activities(req: Request) async throws -> Response {
        let (member, contact) = try await contact(req)
        let (limit, cursor) = try req.pageQuery()
        let list = try await Activities(req.db, workspaceID: member.workspaceID).list(of: contact.id, limit: limit + 1, after: cursor)
        return try APIJSON.response(ListPage(items: list.map(ActivityDTO.init), limit: limit) { PageCursor(date: $0.occurredAt, id: $0.id) })
    }

    func logActivity(req: Request) async throws -> Response {
        let (member, contact) = try await contact(req)
        guard try await member.mayWork(contact, on: req.db) else {
            throw Abort(.forbidden, reason: "Only the rep who works this lead, or their sales manager, logs activities on it.")
        }
        let fields = try await ContactsAPI.fields(req)
        return try await Idempotency.run(req, member: member, body: req.body.data) {
            let input = try ActivityInput.check(fields, now: req.now, timeZone: member.workspace.settings.timeZone)
            guard let activity = try await Activities(req.db, workspaceID: member.workspaceID).log(input, on: contact.id, by: member.actor, now: req.now)
            else { throw Abort(.notFound) }
            return try APIJSON.response(ActivityDTO(activity), status: .created)
        }
    }

    // MARK: Tasks

    func tasks(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let (limit, cursor) = try req.pageQuery()
        var checker = FieldChecker()
        var assignee: UUID?
        if let raw = req.query[String.self, at: "assignee_id"], !raw.isEmpty {
            assignee = UUID(uuidString: raw)
            if assignee == nil { checker.add("assignee_id", .invalid) }
        }
        var done = false
        if let raw = req.query[String.self, at: "status"], !raw.isEmpty {
            switch raw {
            case "open": done = false
            case "done": done = true
            default: checker.add("status", .notInList)
            }
        }
        try checker.throwIfAny()
        let scope = try await member.salesScope(on: req.db).union(member.user.id)
        let list = try await SalesTasks(req.db, workspaceID: member.workspaceID).list(scope, assigneeID: assignee, done: done, limit: limit + 1, after: cursor)
        return try APIJSON.response(ListPage(items: list.map(TaskDTO.init), limit: limit) { PageCursor(date: $0.dueAt, id: $0.id) })
    }

    func createTask(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let fields = try await ContactsAPI.fields(req)
        return try await Idempotency.run(req, member: member, body: req.body.data) {
            var checker = FieldChecker()
            var contact: Contact?
            if let raw = checker.text("contact_id", fields["contact_id"], required: false, maximum: 40) {
                if let id = UUID(uuidString: raw), let found = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(id) {
                    contact = found
                } else {
                    checker.add("contact_id", .notInList)
                }
            }
            let input = try Self.checked(&checker) { try TaskInput.check(fields, timeZone: member.workspace.settings.timeZone) }
            try checker.throwIfAny()
            guard let input else { throw ValidationFailure("title", .required) }
            if let contact, !(try await member.mayWork(contact, on: req.db)) {
                throw Abort(.forbidden, reason: "Only the rep who works this lead, or their sales manager, adds tasks on it.")
            }
            let assignee = input.assigneeID ?? member.user.id
            if assignee != member.user.id, !(try await member.assignableUsers(on: req.db).contains { $0.id == assignee }) {
                throw ValidationFailure("assignee_id", .notInList)
            }
            guard let task = try await SalesTasks(req.db, workspaceID: member.workspaceID)
                .create(input, contactID: contact?.id, assigneeID: assignee, by: member.actor, now: req.now)
            else { throw ValidationFailure("contact_id", .notInList) }
            return try APIJSON.response(TaskDTO(task), status: .created)
        }
    }

    func updateTask(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let repository = SalesTasks(req.db, workspaceID: member.workspaceID)
        guard let task = try await repository.find(try req.uuidParameter("taskID")) else { throw Abort(.notFound) }
        let scope = try await member.salesScope(on: req.db).union(member.user.id)
        guard scope.includes(task.assigneeID) else { throw Abort(.notFound) }
        guard try await member.mayChange(task, on: req.db) else { throw Abort(.forbidden) }
        let given = try await ContactsAPI.fields(req)
        var fields = ["title": task.title, "notes": task.notes ?? "", "due_at": ISO8601DateFormatter().string(from: task.dueAt),
                      "reminder": task.reminder.rawValue, "assignee_id": task.assigneeID.uuidString]
        for key in SalesForms.taskNames where given[key] != nil { fields[key] = given[key] }
        var checker = FieldChecker()
        var done: Bool?
        if let raw = given["done"], !raw.isEmpty {
            done = BooleanText.parse(raw)
            if done == nil { checker.add("done", .notYesOrNo) }
        }
        let input = try Self.checked(&checker) { try TaskInput.check(fields, timeZone: member.workspace.settings.timeZone) }
        try checker.throwIfAny()
        guard let input else { throw ValidationFailure("title", .required) }
        let assignee = input.assigneeID ?? task.assigneeID
        if assignee != task.assigneeID, !(try await member.assignableUsers(on: req.db).contains { $0.id == assignee }) {
            throw ValidationFailure("assignee_id", .notInList)
        }
        guard var saved = try await repository.update(task.id, input, assigneeID: assignee, by: member.actor, now: req.now) else { throw Abort(.notFound) }
        if let done, let changed = try await repository.setDone(task.id, done, by: member.actor, now: req.now) { saved = changed }
        return try APIJSON.response(TaskDTO(saved))
    }

    // MARK: Deals

    func deals(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let (limit, cursor) = try req.pageQuery()
        var checker = FieldChecker()
        var filter = DealFilter(status: .all)
        if let raw = req.query[String.self, at: "status"], !raw.isEmpty {
            if let status = DealFilter.Status(rawValue: raw) { filter.status = status } else { checker.add("status", .notInList) }
        }
        if let raw = req.query[String.self, at: "stage"], !raw.isEmpty {
            if let stage = DealStage(rawValue: raw) { filter.stage = stage } else { checker.add("stage", .notInList) }
        }
        for (name, keyPath) in [("owner_id", \DealFilter.ownerID), ("contact_id", \DealFilter.contactID)] {
            if let raw = req.query[String.self, at: name], !raw.isEmpty {
                if let id = UUID(uuidString: raw) { filter[keyPath: keyPath] = id } else { checker.add(name, .invalid) }
            }
        }
        try checker.throwIfAny()
        let scope = try await member.salesScope(on: req.db)
        let list = try await Deals(req.db, workspaceID: member.workspaceID).list(scope, filter: filter, limit: limit + 1, after: cursor)
        return try APIJSON.response(ListPage(items: list.map(DealDTO.init), limit: limit) { PageCursor(date: $0.createdAt, id: $0.id) })
    }

    func createDeal(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard member.user.may(.workLeads) else { throw Abort(.forbidden, reason: "Only sales reps and sales managers open deals.") }
        let fields = try await ContactsAPI.fields(req)
        return try await Idempotency.run(req, member: member, body: req.body.data) {
            var checker = FieldChecker()
            var contact: Contact?
            if let raw = checker.text("contact_id", fields["contact_id"], maximum: 40) {
                if let id = UUID(uuidString: raw), let found = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(id) {
                    contact = found
                } else {
                    checker.add("contact_id", .notInList)
                }
            }
            let checkedInput = try Self.checked(&checker) { try DealInput.check(fields, defaultCurrency: member.workspace.settings.currency) }
            try checker.throwIfAny()
            guard var input = checkedInput, let contact else { throw ValidationFailure("contact_id", .required) }
            guard try await member.mayWork(contact, on: req.db) else {
                throw Abort(.forbidden, reason: "Only the rep who works this lead, or their sales manager, opens deals on it.")
            }
            input.ownerID = try SalesPages.owner(input.ownerID, contact: contact, member: member, allowed: try await member.assignableUsers(on: req.db))
            guard let save = try await Deals(req.db, workspaceID: member.workspaceID).create(input, contactID: contact.id, by: member.actor, now: req.now)
            else { throw ValidationFailure("contact_id", .notInList) }
            return try APIJSON.response(DealDTO(save.deal), status: .created)
        }
    }

    func readDeal(req: Request) async throws -> Response {
        let (_, deal) = try await visibleDeal(req)
        return try APIJSON.response(DealDTO(deal))
    }

    func updateDeal(req: Request) async throws -> Response {
        let (member, deal) = try await visibleDeal(req)
        guard try await member.mayChange(deal, on: req.db) else { throw Abort(.forbidden) }
        let given = try await ContactsAPI.fields(req)
        var fields = DealPages.values(deal)
        for key in SalesForms.dealNames where given[key] != nil { fields[key] = given[key] }
        var input = try DealInput.check(fields, defaultCurrency: member.workspace.settings.currency)
        if let chosen = input.ownerID, chosen != deal.ownerID, !(try await member.assignableUsers(on: req.db).contains { $0.id == chosen }) {
            throw ValidationFailure("owner_id", .notInList)
        }
        input.ownerID = input.ownerID ?? deal.ownerID
        guard let save = try await Deals(req.db, workspaceID: member.workspaceID).update(deal.id, input, by: member.actor, now: req.now)
        else { throw Abort(.notFound) }
        return try APIJSON.response(DealDTO(save.deal))
    }

    // MARK: Shared

    /// The checked value, or nil after adding its field errors to `checker` (so a request's
    /// other problems are reported with them).
    static func checked<T>(_ checker: inout FieldChecker, _ check: () throws -> T) throws -> T? {
        do {
            return try check()
        } catch let failure as ValidationFailure {
            for error in failure.errors { checker.add(error.field, error.code) }
            return nil
        }
    }

    private func contact(_ req: Request) async throws -> (Member, Contact) {
        let member = try req.requireMember()
        guard let contact = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(try req.uuidParameter("contactID"))
        else { throw Abort(.notFound) }
        return (member, contact)
    }

    private func visibleDeal(_ req: Request) async throws -> (Member, Deal) {
        let member = try req.requireMember()
        guard let deal = try await Deals(req.db, workspaceID: member.workspaceID).find(try req.uuidParameter("dealID")),
              try await member.maySee(deal, on: req.db)
        else { throw Abort(.notFound) }
        return (member, deal)
    }
}

struct ActivityDTO: Encodable {
    var id: UUID
    var contactId: UUID
    var kind: String
    var outcome: String?
    var notes: String?
    var nextStep: String?
    var occurredAt: Date
    var durationMinutes: Int?
    var actorName: String
    var loggedAt: Date

    init(_ activity: Activity) {
        id = activity.id
        contactId = activity.contactID
        kind = activity.kind.rawValue
        outcome = activity.outcome?.rawValue
        notes = activity.notes
        nextStep = activity.nextStep
        occurredAt = activity.occurredAt
        durationMinutes = activity.durationMinutes
        actorName = activity.actor.name
        loggedAt = activity.loggedAt
    }
}

struct TaskDTO: Encodable {
    var id: UUID
    var contactId: UUID?
    var title: String
    var notes: String?
    var dueAt: Date
    var reminder: String
    var remindAt: Date?
    var assigneeId: UUID
    var done: Bool
    var completedAt: Date?
    var createdAt: Date

    init(_ task: SalesTask) {
        id = task.id
        contactId = task.contactID
        title = task.title
        notes = task.notes
        dueAt = task.dueAt
        reminder = task.reminder.rawValue
        remindAt = task.remindAt
        assigneeId = task.assigneeID
        done = task.isDone
        completedAt = task.completedAt
        createdAt = task.createdAt
    }
}

struct DealDTO: Encodable {
    var id: UUID
    var contactId: UUID
    var name: String
    /// Minor units (cents), exact.
    var amountMinor: Int64
    /// The same amount as a decimal string, e.g. "12500.50".
    var amount: String
    var currency: String
    var stage: String
    var isOpen: Bool
    var expectedCloseDate: String
    var lostReason: String?
    var lostNote: String?
    var ownerId: UUID?
    var closedAt: Date?
    var closedBy: String?
    var createdAt: Date
    var updatedAt: Date

    init(_ deal: Deal) {
        id = deal.id
        contactId = deal.contactID
        name = deal.name
        amountMinor = deal.amount.minorUnits
        amount = deal.amount.plainText
        currency = deal.amount.currency
        stage = deal.stage.rawValue
        isOpen = deal.isOpen
        expectedCloseDate = deal.expectedCloseDate.iso
        lostReason = deal.lostReason?.rawValue
        lostNote = deal.lostNote
        ownerId = deal.ownerID
        closedAt = deal.closedAt
        closedBy = deal.closedBy?.name
        createdAt = deal.createdAt
        updatedAt = deal.updatedAt
    }
}
