import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// `/tasks`: the member's open tasks (a sales manager's team's too) overdue, due today and
/// upcoming, filtered by assignee in the URL; a done box on each; `/tasks/{id}`: a task's
/// edit form (title, due time, reminder, assignee, notes) and its history.
struct TaskPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("tasks", use: list)
        routes.get("tasks", ":taskID", use: editForm)
        routes.post("tasks", ":taskID", use: update)
        routes.post("tasks", ":taskID", "done", use: done)
    }

    func editForm(req: Request) async throws -> Response {
        let (member, task) = try await changeable(req)
        let zone = member.workspace.settings.timeZone
        let state = FormState(values: ["title": task.title, "notes": task.notes ?? "", "due_at": MomentText.localInput(task.dueAt, timeZone: zone),
                                       "reminder": task.reminder.rawValue, "assignee_id": task.assigneeID.uuidString.lowercased()])
        return try await editPage(req, member: member, task: task, state: state).response(for: req)
    }

    func update(req: Request) async throws -> Response {
        let (member, task) = try await changeable(req)
        let form = try await FormData.read(req)
        let fields = SalesForms.fields(form, SalesForms.taskNames)
        do {
            let input = try TaskInput.check(fields, timeZone: member.workspace.settings.timeZone)
            let assignee = input.assigneeID ?? task.assigneeID
            if assignee != task.assigneeID, !(try await member.assignableUsers(on: req.db).contains { $0.id == assignee }) {
                throw ValidationFailure("assignee_id", .notInList)
            }
            _ = try await SalesTasks(req.db, workspaceID: member.workspaceID).update(task.id, input, assigneeID: assignee, by: member.actor, now: req.now)
        } catch let failure as ValidationFailure {
            var page = try await editPage(req, member: member, task: task, state: FormState(values: fields, errors: failure.errors))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        let back = task.contactID.map { SiteURL.contact($0).path } ?? SiteURL.tasks.path
        return req.redirect(to: back + "?notice=task_updated", redirectType: .normal)
    }

    private func editPage(_ req: Request, member: Member, task: SalesTask, state: FormState) async throws -> Page {
        let l = req.l
        let zone = member.workspace.settings.timeZone
        var assignees = try await member.assignableUsers(on: req.db)
        let users = try await UserRepository(req.db, workspaceID: member.workspaceID).list()
        if !assignees.contains(where: { $0.id == task.assigneeID }), let current = users.first(where: { $0.id == task.assigneeID }) {
            assignees.insert(current, at: 0)
        }
        let names = Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0.name) })
        let contact = try await task.contactID.asyncFlatMap { try await ContactRepository(req.db, workspaceID: member.workspaceID).find($0) }
        let history = try await SalesChanges(req.db, workspaceID: member.workspaceID).history(of: task.id)
        return Page(title: task.title, area: .tasks, body: [
            pageHeader(task.title, subtitle: contact?.displayName, actions: [
                contact.map { el("a", [.href(SiteURL.contact($0.id).path)], text: $0.displayName) } ?? .empty,
                link(l(.navTasks), .tasks),
            ]),
            el("section", [.class("panel")], [
                Form.post(req, action: SiteURL.task(task.id).path, id: "task-edit-form",
                          SalesForms.taskFields(l, state: state, assignees: assignees) + [Form.submit(l(.save))]),
            ]),
            el("section", [.class("panel")], [
                el("h2", [], text: l(.dealHistory)),
                el("ol", [.class("timeline"), .id("task-history")], history.map { change in
                    el("li", [.class("timeline-item"), .data("kind", "task_" + change.kind.rawValue)], [
                        el("p", [.class("timeline-head")], [
                            el("strong", [], text: TimelineView.salesChangeName(change, l)),
                            text(" · \(change.actor.name) · \(l.dateTime(change.at, timeZone: zone))"),
                        ]),
                        el("dl", [.class("changes")], change.change.fields.filter { $0 != "done" }.flatMap { field in
                            [el("dt", [], text: DealPages.fieldLabel(field, l)),
                             el("dd", [], text: DealPages.shownChange(field, change.change, zone: zone, names: names, l))]
                        }),
                    ])
                }),
            ]),
        ])
    }

    /// The member and the task when the member may change it; 404 when they may not even see it.
    private func changeable(_ req: Request) async throws -> (Member, SalesTask) {
        let member = try req.requireMember()
        guard let id = req.parameters.get("taskID", as: UUID.self),
              let task = try await SalesTasks(req.db, workspaceID: member.workspaceID).find(id)
        else { throw Abort(.notFound) }
        guard try await member.mayChange(task, on: req.db) else {
            if !(try await member.salesScope(on: req.db).includes(task.assigneeID)) { throw Abort(.notFound) }
            throw Abort(.forbidden)
        }
        return (member, task)
    }

    static let pageSize = 300

    func list(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let l = req.l
        let zone = member.workspace.settings.timeZone
        let scope = try await member.salesScope(on: req.db)
        let users = try await UserRepository(req.db, workspaceID: member.workspaceID).list()
        let visible = users.filter { scope.includes($0.id) || $0.id == member.user.id }
        // Everyone's tasks only for those who manage a team; the rest start with their own.
        let chosen = req.query[String.self, at: "assignee"]
        let assignee: UUID? = switch chosen {
        case "all": nil
        case let raw?: UUID(uuidString: raw).flatMap { id in visible.contains { $0.id == id } ? id : nil } ?? member.user.id
        case nil: AccessPolicy.reach(of: member.user.roles, for: .workLeads) == .team ? nil : member.user.id
        }
        let listScope: SalesScope = scope == .everyone && assignee == nil ? .everyone : scope.union(member.user.id)
        let tasks = try await SalesTasks(req.db, workspaceID: member.workspaceID).list(listScope, assigneeID: assignee, limit: Self.pageSize)
        let contacts = try await ContactRepository(req.db, workspaceID: member.workspaceID).find(ids: Array(Set(tasks.compactMap(\.contactID))))
        let contactNames = Dictionary(uniqueKeysWithValues: contacts.map { ($0.id, $0.displayName) })
        let names = Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0.name) })
        let next = SiteURL.tasks.path + (chosen.map { "?assignee=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? "")
        var sections: [HTMLNode] = []
        for bucket in SalesTask.Bucket.allCases {
            let mine = tasks.filter { SalesTask.bucket(dueAt: $0.dueAt, now: req.now, timeZone: zone) == bucket }
            var lines: [HTMLNode] = []
            for task in mine {
                let mayChange = try await member.mayChange(task, on: req.db)
                lines.append(SalesPages.taskLine(req, task, contactName: task.contactID.flatMap { id in contactNames[id].map { (id, $0) } },
                                                 users: names, zone: zone, next: next, mayChange: mayChange))
            }
            let title: String = switch bucket {
            case .overdue: l(.tasksOverdue)
            case .today: l(.tasksToday)
            case .upcoming: l(.tasksUpcoming)
            }
            sections.append(el("section", [.class("panel task-bucket"), .id("tasks-\(bucket.rawValue)")], [
                el("h2", [], text: "\(title) (\(mine.count))"),
                mine.isEmpty ? el("p", [.class("empty")], text: l(.tasksEmpty)) : el("ul", [.class("task-list")], lines),
            ]))
        }
        let options: [(String, String)] = [("all", l(.everyone))] + visible.map { ($0.id.uuidString.lowercased(), $0.name) }
        let selected = assignee.map { $0.uuidString.lowercased() } ?? "all"
        let filter: HTMLNode = visible.count > 1
            ? el("form", [Attr("method", "get"), Attr("action", SiteURL.tasks.path), .class("inline-form"), .id("tasks-filter")], [
                el("div", [.class("field")], [
                    el("label", [Attr("for", "f-assignee")], text: l(.taskAssignee)),
                    el("select", [.id("f-assignee"), .name("assignee")], options.map { value, label in
                        el("option", [.value(value)] + (value == selected ? [.flag("selected")] : []), text: label)
                    }),
                ]),
                Form.submit(l(.filterButton), style: "button-secondary"),
            ])
            : .empty
        return Page(title: l(.navTasks), area: .tasks, body: [
            pageHeader(l(.navTasks), subtitle: l(.tasksIntro)),
            Notice.banner(req),
            filter,
        ] + sections).response(for: req)
    }

    /// Ticks a task done or not done, then goes back to where the box was (`next`, a local path).
    func done(req: Request) async throws -> Response {
        let (member, task) = try await changeable(req)
        let form = try await FormData.read(req)
        _ = try await SalesTasks(req.db, workspaceID: member.workspaceID).setDone(task.id, form.value("done") != "no", by: member.actor, now: req.now)
        let next = form.value("next").flatMap { SiteURL.isLocalPath($0) ? $0 : nil } ?? SiteURL.tasks.path
        return req.redirect(to: next + (next.contains("?") ? "&" : "?") + "notice=task_updated", redirectType: .normal)
    }
}

extension SalesScope {
    /// The scope with one more person in it.
    func union(_ id: UUID) -> SalesScope {
        switch self {
        case .everyone: .everyone
        case .owners(let ids): .owners(ids.union([id]))
        }
    }
}
