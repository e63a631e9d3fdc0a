import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// Sales follow-up on a contact: log a call, email, meeting or note, add a task, open a deal.
/// The contact page carries the forms; a refused form comes back on a page of its own with
/// each error next to its field and everything typed kept. Only the rep who works the lead, or
/// their sales manager, may (SPEC C1).
struct SalesPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("contacts", ":contactID", "activities", "new", use: activityForm)
        routes.post("contacts", ":contactID", "activities", use: logActivity)
        routes.get("contacts", ":contactID", "tasks", "new", use: taskForm)
        routes.post("contacts", ":contactID", "tasks", use: addTask)
        routes.get("contacts", ":contactID", "deals", "new", use: dealForm)
        routes.post("contacts", ":contactID", "deals", use: openDeal)
    }

    // MARK: Activities

    func activityForm(req: Request) async throws -> Response {
        let (_, contact) = try await worker(req)
        return Self.activityPage(req, contact: contact, state: FormState(values: ["kind": "call"])).response(for: req)
    }

    func logActivity(req: Request) async throws -> Response {
        let (member, contact) = try await worker(req)
        let form = try await FormData.read(req)
        let fields = SalesForms.fields(form, SalesForms.activityNames)
        do {
            let input = try ActivityInput.check(fields, now: req.now, timeZone: member.workspace.settings.timeZone)
            guard try await Activities(req.db, workspaceID: member.workspaceID).log(input, on: contact.id, by: member.actor, now: req.now) != nil
            else { throw Abort(.notFound) }
        } catch let failure as ValidationFailure {
            var page = Self.activityPage(req, contact: contact, state: FormState(values: fields, errors: failure.errors))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        return req.redirect(to: SiteURL.contact(contact.id).path + "?notice=activity_logged", redirectType: .normal)
    }

    static func activityPage(_ req: Request, contact: Contact, state: FormState) -> Page {
        let l = req.l
        let title = l(.activityNewTitle, contact.displayName)
        return Page(title: title, area: .contacts, body: [
            pageHeader(title, actions: [link(l(.backToContact), .contact(contact.id))]),
            el("section", [.class("panel")], [
                Form.post(req, action: SiteURL.contactActivities(contact.id).path, id: "activity-form",
                          SalesForms.activityFields(l, state: state) + [Form.submit(l(.logActivity))]),
            ]),
        ])
    }

    // MARK: Tasks

    func taskForm(req: Request) async throws -> Response {
        let (member, contact) = try await worker(req)
        let assignees = try await member.assignableUsers(on: req.db)
        let state = FormState(values: ["assignee_id": member.user.id.uuidString.lowercased(), "reminder": TaskReminder.oneHour.rawValue])
        return Self.taskPage(req, contact: contact, state: state, assignees: assignees).response(for: req)
    }

    func addTask(req: Request) async throws -> Response {
        let (member, contact) = try await worker(req)
        let form = try await FormData.read(req)
        let fields = SalesForms.fields(form, SalesForms.taskNames)
        let assignees = try await member.assignableUsers(on: req.db)
        do {
            let input = try TaskInput.check(fields, timeZone: member.workspace.settings.timeZone)
            let assignee = input.assigneeID ?? member.user.id
            guard assignees.contains(where: { $0.id == assignee }) else { throw ValidationFailure("assignee_id", .notInList) }
            guard try await SalesTasks(req.db, workspaceID: member.workspaceID)
                .create(input, contactID: contact.id, assigneeID: assignee, by: member.actor, now: req.now) != nil
            else { throw Abort(.notFound) }
        } catch let failure as ValidationFailure {
            var page = Self.taskPage(req, contact: contact, state: FormState(values: fields, errors: failure.errors), assignees: assignees)
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        return req.redirect(to: SiteURL.contact(contact.id).path + "?notice=task_added", redirectType: .normal)
    }

    static func taskPage(_ req: Request, contact: Contact, state: FormState, assignees: [User]) -> Page {
        let l = req.l
        let title = l(.taskNewTitle, contact.displayName)
        return Page(title: title, area: .contacts, body: [
            pageHeader(title, actions: [link(l(.backToContact), .contact(contact.id))]),
            el("section", [.class("panel")], [
                Form.post(req, action: SiteURL.contactTasks(contact.id).path, id: "task-form",
                          SalesForms.taskFields(l, state: state, assignees: assignees) + [Form.submit(l(.addTask))]),
            ]),
        ])
    }

    // MARK: Deals

    func dealForm(req: Request) async throws -> Response {
        let (member, contact) = try await worker(req)
        let owners = try await member.assignableUsers(on: req.db)
        let owner = contact.ownerID.flatMap { id in owners.first { $0.id == id } }?.id ?? member.user.id
        let state = FormState(values: ["currency": member.workspace.settings.currency, "stage": DealStage.qualification.rawValue,
                                       "owner_id": owner.uuidString.lowercased(), "name": contact.displayName])
        return Self.dealPage(req, member: member, contact: contact, state: state, owners: owners).response(for: req)
    }

    func openDeal(req: Request) async throws -> Response {
        let (member, contact) = try await worker(req)
        let form = try await FormData.read(req)
        let fields = SalesForms.fields(form, SalesForms.dealNames)
        let owners = try await member.assignableUsers(on: req.db)
        let save: DealSave
        do {
            var input = try DealInput.check(fields, defaultCurrency: member.workspace.settings.currency)
            input.ownerID = try Self.owner(input.ownerID, contact: contact, member: member, allowed: owners)
            guard let saved = try await Deals(req.db, workspaceID: member.workspaceID).create(input, contactID: contact.id, by: member.actor, now: req.now)
            else { throw Abort(.notFound) }
            save = saved
        } catch let failure as ValidationFailure {
            var page = Self.dealPage(req, member: member, contact: contact, state: FormState(values: fields, errors: failure.errors), owners: owners)
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        return req.redirect(to: SiteURL.deal(save.deal.id).path + "?notice=deal_saved", redirectType: .normal)
    }

    /// The owner a deal gets: the chosen one if the member may give it to them, else the
    /// contact's owner when allowed, else the member.
    static func owner(_ chosen: UUID?, contact: Contact, member: Member, allowed: [User]) throws -> UUID {
        if let chosen {
            guard allowed.contains(where: { $0.id == chosen }) else { throw ValidationFailure("owner_id", .notInList) }
            return chosen
        }
        if let owner = contact.ownerID, allowed.contains(where: { $0.id == owner }) { return owner }
        return member.user.id
    }

    static func dealPage(_ req: Request, member: Member, contact: Contact, state: FormState, owners: [User]) -> Page {
        let l = req.l
        let title = l(.dealNewTitle, contact.displayName)
        return Page(title: title, area: .deals, body: [
            pageHeader(title, actions: [link(l(.backToContact), .contact(contact.id))]),
            el("section", [.class("panel")], [
                Form.post(req, action: SiteURL.contactDeals(contact.id).path, id: "deal-form",
                          SalesForms.dealFields(l, state: state, owners: owners, currency: member.workspace.settings.currency)
                              + [Form.summary(l, state: state, shown: SalesForms.dealNames), Form.submit(l(.newDeal))]),
            ]),
        ])
    }

    /// The member and the contact, when the member works this lead; 404 for a contact of another
    /// workspace, 403 for a lead of someone else.
    private func worker(_ req: Request) async throws -> (Member, Contact) {
        let member = try req.requireMember()
        guard let id = req.parameters.get("contactID", as: UUID.self),
              let contact = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(id)
        else { throw Abort(.notFound) }
        guard try await member.mayWork(contact, on: req.db) else { throw Abort(.forbidden) }
        return (member, contact)
    }

    // MARK: The contact page's panel

    /// The contact page's sales panel: quick forms to log an activity and add a task (for those
    /// who work the lead), the open tasks with a done box, and the deals the member may see.
    static func panel(_ req: Request, member: Member, contact: Contact, mayWork: Bool, tasks: [SalesTask], deals: [Deal],
                      users: [UUID: String], assignees: [User]) -> HTMLNode {
        let l = req.l
        let zone = member.workspace.settings.timeZone
        let open = tasks.filter { !$0.isDone }
        let taskList: HTMLNode = open.isEmpty
            ? el("p", [.class("empty"), .id("contact-tasks")], text: l(.noOpenTasks))
            : el("ul", [.class("task-list"), .id("contact-tasks")], open.map { task in
                taskLine(req, task, contactName: nil, users: users, zone: zone, next: SiteURL.contact(contact.id).path, mayChange: mayWork || task.assigneeID == member.user.id)
            })
        let dealList: HTMLNode = deals.isEmpty
            ? el("p", [.class("empty"), .id("contact-deals")], text: l(.noDeals))
            : el("ul", [.class("deal-list"), .id("contact-deals")], deals.map { deal in
                el("li", [.data("deal", deal.id.uuidString.lowercased())], [
                    el("a", [.href(SiteURL.deal(deal.id).path)], text: deal.name),
                    text(" · " + l.money(deal.amount) + " · "),
                    el("span", [.class("badge deal-\(deal.stage.rawValue)")], text: l.dealStageName(deal.stage)),
                ])
            })
        var children: [HTMLNode] = [el("h2", [], text: l(.salesTitle))]
        if mayWork {
            children.append(el("details", [.class("quick-form"), .id("log-activity")], [
                el("summary", [.class("button-secondary")], text: l(.logActivity)),
                Form.post(req, action: SiteURL.contactActivities(contact.id).path, id: "activity-form",
                          SalesForms.activityFields(l, state: FormState(values: ["kind": "call"])) + [Form.submit(l(.logActivity))]),
            ]))
            children.append(el("details", [.class("quick-form"), .id("add-task")], [
                el("summary", [.class("button-secondary")], text: l(.addTask)),
                Form.post(req, action: SiteURL.contactTasks(contact.id).path, id: "task-form",
                          SalesForms.taskFields(l, state: FormState(values: ["assignee_id": member.user.id.uuidString.lowercased(),
                                                                            "reminder": TaskReminder.oneHour.rawValue]), assignees: assignees)
                              + [Form.submit(l(.addTask))]),
            ]))
        } else {
            children.append(el("p", [.class("hint")], text: l(.salesReadOnly)))
        }
        children += [el("h3", [], text: l(.contactOpenTasks)), taskList, el("h3", [], text: l(.contactDeals)), dealList]
        if mayWork {
            children.append(el("a", [.class("button-primary"), .id("new-deal"), .href(SiteURL.newContactDeal(contact.id).path)], text: l(.newDeal)))
        }
        return el("section", [.class("panel"), .id("sales")], children)
    }

    /// One task with its done box (a small form that works without JavaScript).
    static func taskLine(_ req: Request, _ task: SalesTask, contactName: (UUID, String)?, users: [UUID: String], zone: String, next: String,
                         mayChange: Bool) -> HTMLNode {
        let l = req.l
        let bucket = SalesTask.bucket(dueAt: task.dueAt, now: req.now, timeZone: zone)
        let box: HTMLNode = mayChange
            ? Form.post(req, action: SiteURL.taskDone(task.id).path, attributes: [.class("task-done-form")], [
                void("input", [.type("hidden"), .name("done"), .value(task.isDone ? "no" : "yes")]),
                void("input", [.type("hidden"), .name("next"), .value(next)]),
                el("button", [.type("submit"), .class("task-check"), .data("task-done", task.id.uuidString.lowercased()),
                              .aria("label", (task.isDone ? l(.markUndone) : l(.markDone)) + ": " + task.title)], text: task.isDone ? "☑" : "☐"),
            ])
            : .empty
        return el("li", [.class("task task-\(task.isDone ? "done" : bucket.rawValue)"), .data("task", task.id.uuidString.lowercased())], [
            box,
            mayChange ? el("a", [.class("task-title"), .href(SiteURL.task(task.id).path)], text: task.title) : el("span", [.class("task-title")], text: task.title),
            text(" · "),
            el("time", [Attr("datetime", ISO8601DateFormatter().string(from: task.dueAt))], text: l.dateTime(task.dueAt, timeZone: zone)),
            contactName.map { pair in group([text(" · "), el("a", [.href(SiteURL.contact(pair.0).path)], text: pair.1)]) } ?? .empty,
            users[task.assigneeID].map { text(" · " + $0) } ?? .empty,
        ])
    }
}
