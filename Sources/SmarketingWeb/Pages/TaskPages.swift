import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// `/tasks`: the member's open tasks (a sales manager's team's too) overdue, due today and
/// upcoming, filtered by assignee in the URL; a done box on each.
struct TaskPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("tasks", use: list)
        routes.post("tasks", ":taskID", "done", use: done)
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
        let member = try req.requireMember()
        let tasks = SalesTasks(req.db, workspaceID: member.workspaceID)
        guard let id = req.parameters.get("taskID", as: UUID.self), let task = try await tasks.find(id) else { throw Abort(.notFound) }
        guard try await member.mayChange(task, on: req.db) else {
            // A task the member may not even see is as good as absent.
            if !(try await member.salesScope(on: req.db).includes(task.assigneeID)) { throw Abort(.notFound) }
            throw Abort(.forbidden)
        }
        let form = try await FormData.read(req)
        _ = try await tasks.setDone(id, form.value("done") != "no", by: member.actor, now: req.now)
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
