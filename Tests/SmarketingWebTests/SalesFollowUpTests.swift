import Foundation
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
@testable import SmarketingWeb
import Testing
import Vapor
import VaporTesting

@Suite("Sales follow-up on the pages and through the API: activities, tasks, deals, the timeline")
struct SalesFollowUpTests {
    /// Acme with two sales teams: Rita and her manager Sérgio in "Inbound", Rui alone in "Field";
    /// Lia is Rita's lead, Leo is Rui's.
    struct Cast {
        var acme: TestWorkspace
        var rita: User, ritaBrowser: Browser
        var sergio: User, sergioBrowser: Browser
        var rui: User, ruiBrowser: Browser
        var lia: String, leo: String
        var adminAPI: APIClient
    }

    func team(_ app: Application) async throws -> Cast {
        let acme = try await TestWorkspace.viaSetup(app)
        let (rita, ritaBrowser) = try await acme.member(app, email: "rita@acme.com", roles: [.sales], name: "Rita")
        let (sergio, sergioBrowser) = try await acme.member(app, email: "sergio@acme.com", roles: [.salesManager], name: "Sérgio")
        let (rui, ruiBrowser) = try await acme.member(app, email: "rui@acme.com", roles: [.sales], name: "Rui")
        let teams = TeamRepository(app.db, workspaceID: acme.workspace.id)
        _ = try await teams.create(name: "Inbound", memberIDs: [rita.id, sergio.id], by: .user(acme.admin, via: .page), now: app.clock.now())
        _ = try await teams.create(name: "Field", memberIDs: [rui.id], by: .user(acme.admin, via: .page), now: app.clock.now())
        let api = APIClient(app: app, token: try await acme.token(app))
        let lia = try #require(try await api.call(.POST, "/api/v1/contacts", json: #"{"first_name":"Lia","email":"lia@globex.com","owner_email":"rita@acme.com","lifecycle_stage":"sql"}"#).json()["id"] as? String).lowercased()
        let leo = try #require(try await api.call(.POST, "/api/v1/contacts", json: #"{"first_name":"Leo","email":"leo@initech.com","owner_email":"rui@acme.com","lifecycle_stage":"sal"}"#).json()["id"] as? String).lowercased()
        return Cast(acme: acme, rita: rita, ritaBrowser: ritaBrowser, sergio: sergio, sergioBrowser: sergioBrowser, rui: rui, ruiBrowser: ruiBrowser,
                    lia: lia, leo: leo, adminAPI: api)
    }

    @Test("a rep logs a call, adds a task, ticks it done and wins a deal on the contact page; all of it shows on the timeline, and the lead becomes a customer")
    func repFollowsUp() async throws {
        try await withTestApp { app in
            let t = try await team(app)
            let page = try await t.ritaBrowser.get("/contacts/\(t.lia)")
            #expect(page.text.contains("id=\"activity-form\""))
            #expect(page.text.contains("id=\"task-form\""))
            #expect(page.text.contains("id=\"new-deal\""))

            let logged = try await t.ritaBrowser.post("/contacts/\(t.lia)/activities", [("kind", "call"), ("outcome", "connected"),
                                                                                       ("notes", "Budget approved for Q1"), ("next_step", "Send the proposal")])
            #expect(logged.location == "/contacts/\(t.lia)?notice=activity_logged")
            let added = try await t.ritaBrowser.post("/contacts/\(t.lia)/tasks", [("title", "Send the proposal"), ("due_at", "2026-11-20T10:00"), ("reminder", "1h")])
            #expect(added.location == "/contacts/\(t.lia)?notice=task_added")
            let task = try #require(try await SalesTasks(app.db, workspaceID: t.acme.workspace.id).list(.everyone, limit: 5).first)
            #expect(task.assigneeID == t.rita.id)
            let ticked = try await t.ritaBrowser.post("/tasks/\(task.id.uuidString.lowercased())/done", [("done", "yes"), ("next", "/contacts/\(t.lia)")])
            #expect(ticked.location == "/contacts/\(t.lia)?notice=task_updated")

            let opened = try await t.ritaBrowser.post("/contacts/\(t.lia)/deals", [("name", "Globex pilot"), ("amount", "12.500,00"), ("currency", "BRL"),
                                                                                 ("stage", "proposal"), ("expected_close_date", "2026-12-20")])
            let dealPath = try #require(opened.location?.split(separator: "?").first.map(String.init))
            #expect(dealPath.hasPrefix("/deals/"))
            let dealPage = try await t.ritaBrowser.get(dealPath)
            #expect(dealPage.text.contains("12,500.00"))
            #expect(try await t.ritaBrowser.post(dealPath + "/won", []).status == .seeOther)
            #expect(try await ContactRepository(app.db, workspaceID: t.acme.workspace.id).find(try #require(UUID(uuidString: t.lia)))?.stage == .customer)

            let profile = try await t.ritaBrowser.get("/contacts/\(t.lia)")
            for kind in ["activity", "task_created", "task_completed", "deal_created", "deal_won"] {
                #expect(profile.text.contains("data-kind=\"\(kind)\""), "\(kind) on the timeline")
            }
            #expect(profile.text.contains("Budget approved for Q1"))
            #expect(profile.text.contains("Next step: Send the proposal"))
            #expect(profile.text.contains("data-kind=\"updated\""), "the stage change beside them")

            let timeline = try await t.adminAPI.call(.GET, "/api/v1/contacts/\(t.lia)/timeline?limit=50")
            let kinds = try #require(try timeline.json()["data"] as? [[String: Any]]).compactMap { $0["kind"] as? String }
            #expect(Set(kinds).isSuperset(of: ["activity", "task_created", "task_completed", "deal_created", "deal_won", "updated", "created"]))
        }
    }

    @Test("bad input comes back on the form with each error beside its field, what was typed kept, and nothing saved")
    func refusedForms() async throws {
        try await withTestApp { app in
            let t = try await team(app)
            let activity = try await t.ritaBrowser.post("/contacts/\(t.lia)/activities", [("kind", "call"), ("outcome", "booked"), ("notes", "kept text"),
                                                                                        ("occurred_at", "2030-01-01T10:00")])
            #expect(activity.status == .unprocessableEntity)
            #expect(activity.text.contains("data-field=\"outcome\""))
            #expect(activity.text.contains("data-field=\"occurred_at\""))
            #expect(activity.text.contains("kept text"))
            let deal = try await t.ritaBrowser.post("/contacts/\(t.lia)/deals", [("name", "Globex"), ("amount", "12,34,5"), ("currency", "BRL"),
                                                                               ("stage", "lost"), ("expected_close_date", "")])
            #expect(deal.status == .unprocessableEntity)
            for field in ["amount", "expected_close_date", "lost_reason"] { #expect(deal.text.contains("data-field=\"\(field)\""), "\(field)") }
            #expect(deal.text.contains("value=\"12,34,5\""))
            let task = try await t.ritaBrowser.post("/contacts/\(t.lia)/tasks", [("title", ""), ("due_at", "tomorrow")])
            #expect(task.status == .unprocessableEntity)
            #expect(task.text.contains("data-field=\"title\"") && task.text.contains("data-field=\"due_at\""))
            #expect(try await Activities(app.db, workspaceID: t.acme.workspace.id).list(of: try #require(UUID(uuidString: t.lia)), limit: 5).isEmpty)
            #expect(try await Deals(app.db, workspaceID: t.acme.workspace.id).list(.everyone, filter: DealFilter(status: .all), limit: 5).isEmpty)
            #expect(try await ContactRepository(app.db, workspaceID: t.acme.workspace.id).find(try #require(UUID(uuidString: t.lia)))?.stage == .sql)
        }
    }

    @Test("a rep cannot see or change another team's deals, nor log on their leads; a sales manager sees the team's; marketing reads all")
    func permissions() async throws {
        try await withTestApp { app in
            let t = try await team(app)
            #expect(try await t.ruiBrowser.post("/contacts/\(t.lia)/activities", [("kind", "note"), ("notes", "x")]).status == .forbidden)
            #expect(try await t.ruiBrowser.get("/contacts/\(t.lia)/deals/new").status == .forbidden)
            #expect(try await t.acme.adminBrowser.post("/contacts/\(t.lia)/tasks", [("title", "x"), ("due_at", "2026-11-20")]).status == .forbidden)
            #expect(!(try await t.ruiBrowser.get("/contacts/\(t.lia)")).text.contains("id=\"activity-form\""))

            _ = try await t.ritaBrowser.post("/contacts/\(t.lia)/deals", [("name", "Globex secret pilot"), ("amount", "9000"), ("stage", "negotiation"),
                                                                        ("expected_close_date", "2026-12-20")])
            let deal = try #require(try await Deals(app.db, workspaceID: t.acme.workspace.id).list(.everyone, limit: 1).first)
            let path = "/deals/\(deal.id.uuidString.lowercased())"
            #expect(try await t.ruiBrowser.get(path).status == .notFound)
            #expect(try await t.ruiBrowser.post(path, [("name", "Stolen"), ("amount", "1"), ("expected_close_date", "2026-12-01")]).status == .notFound)
            #expect(!(try await t.ruiBrowser.get("/deals")).text.contains("Globex secret pilot"))
            #expect(!(try await t.ruiBrowser.get("/contacts/\(t.lia)")).text.contains("Globex secret pilot"), "nor on the contact's page or timeline")
            let ruiAPI = APIClient(app: app, token: try await t.acme.token(app, for: t.rui))
            #expect(try await ruiAPI.call(.GET, "/api/v1" + path).status == .notFound)
            #expect((try await ruiAPI.call(.GET, "/api/v1/deals").json()["data"] as? [Any])?.isEmpty == true)

            #expect(try await t.sergioBrowser.get("/deals").text.contains("Globex secret pilot"))
            let edited = try await t.sergioBrowser.post(path, [("name", "Globex pilot"), ("amount", "9000"), ("currency", "BRL"), ("stage", "lost"),
                                                              ("lost_reason", "price"), ("expected_close_date", "2026-12-20")])
            #expect(edited.status == .seeOther)
            let (_, marketer) = try await t.acme.member(app, email: "mara@acme.com", roles: [.marketing], name: "Mara")
            let board = try await marketer.get("/deals?status=lost")
            #expect(board.text.contains("Globex pilot"))
            #expect(board.text.contains("Price"))
            #expect(!(try await marketer.get(path)).text.contains("id=\"deal-form\""), "marketing reads deals but does not work them")
        }
    }

    @Test("the tasks page sorts a rep's tasks into overdue, today and upcoming; a manager filters by assignee")
    func tasksPage() async throws {
        try await withTestApp { app in
            let t = try await team(app)
            let tasks = SalesTasks(app.db, workspaceID: t.acme.workspace.id)
            let zone = "America/Sao_Paulo"
            func add(_ title: String, _ due: Date, to user: User) async throws {
                _ = try await tasks.create(TaskInput(title: title, notes: nil, dueAt: due, reminder: .none, assigneeID: nil), contactID: nil,
                                           assigneeID: user.id, by: .user(user, via: .page), now: testNow)
            }
            let endOfDay = MomentText.parse(MomentText.day(of: testNow, timeZone: zone).iso + "T23:30", timeZone: zone) ?? testNow
            try await add("Late call", testNow.addingTimeInterval(-3600), to: t.rita)
            try await add("Call today", endOfDay, to: t.rita)
            try await add("Next week demo", testNow.addingTimeInterval(7 * 86_400), to: t.rita)
            try await add("Rui's task", testNow.addingTimeInterval(3600), to: t.rui)
            let page = try await t.ritaBrowser.get("/tasks")
            func section(_ id: String) -> String {
                guard let start = page.text.range(of: "id=\"tasks-\(id)\"") else { return "" }
                let rest = page.text[start.upperBound...]
                return String(rest[..<(rest.range(of: "</section>")?.lowerBound ?? rest.endIndex)])
            }
            #expect(section("overdue").contains("Late call"))
            #expect(section("today").contains("Call today"))
            #expect(section("upcoming").contains("Next week demo"))
            #expect(!page.text.contains("Rui&#39;s task") && !page.text.contains("Rui's task"))
            let manager = try await t.sergioBrowser.get("/tasks?assignee=\(t.rita.id.uuidString.lowercased())")
            #expect(manager.text.contains("Late call"))
            #expect(!(try await t.sergioBrowser.get("/tasks?assignee=all")).text.contains("Rui"), "another team's tasks stay hidden")
        }
    }

    @Test("a rep edits a task's due time and reminder on its page; bad input stays on the form; another team's rep cannot open it")
    func taskEdit() async throws {
        try await withTestApp { app in
            let t = try await team(app)
            _ = try await t.ritaBrowser.post("/contacts/\(t.lia)/tasks", [("title", "Send deck"), ("due_at", "2026-11-20T10:00"), ("reminder", "1h")])
            let task = try #require(try await SalesTasks(app.db, workspaceID: t.acme.workspace.id).list(.everyone, limit: 5).first)
            let path = "/tasks/\(task.id.uuidString.lowercased())"
            let form = try await t.ritaBrowser.get(path)
            #expect(form.text.contains("id=\"task-edit-form\""))
            #expect(form.text.contains("value=\"2026-11-20T10:00\""), "the due time in the workspace's zone")
            let refused = try await t.ritaBrowser.post(path, [("title", "Send deck"), ("due_at", "someday"), ("reminder", "1d")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("data-field=\"due_at\""))
            let saved = try await t.ritaBrowser.post(path, [("title", "Send deck"), ("due_at", "2026-11-21T15:30"), ("reminder", "1d")])
            #expect(saved.location == "/contacts/\(t.lia)?notice=task_updated")
            let changed = try #require(try await SalesTasks(app.db, workspaceID: t.acme.workspace.id).find(task.id))
            #expect(changed.reminder == .oneDay)
            #expect(MomentText.localInput(changed.dueAt, timeZone: "America/Sao_Paulo") == "2026-11-21T15:30")
            #expect(try await t.ritaBrowser.get(path).text.contains("data-kind=\"task_updated\""))
            #expect(try await t.ruiBrowser.get(path).status == .notFound)
            #expect(try await t.ruiBrowser.post(path + "/done", [("done", "yes")]).status == .notFound)
            #expect(try await t.sergioBrowser.get(path).status == .ok, "her sales manager may")
        }
    }

    @Test("the API logs activities, creates and completes tasks, opens and wins deals, with idempotency keys and named errors")
    func throughAPI() async throws {
        try await withTestApp { app in
            let t = try await team(app)
            let rita = APIClient(app: app, token: try await t.acme.token(app, for: t.rita))
            let logged = try await rita.call(.POST, "/api/v1/contacts/\(t.lia)/activities", json: #"{"kind":"meeting","outcome":"booked","duration_minutes":30}"#)
            #expect(logged.status == .created)
            #expect(try logged.json()["outcome"] as? String == "booked")
            let bad = try await rita.call(.POST, "/api/v1/contacts/\(t.lia)/activities", json: #"{"kind":"call","duration_minutes":-1}"#)
            #expect(try Set(bad.errorFields()) == ["outcome", "duration_minutes"])
            let listed = try await rita.call(.GET, "/api/v1/contacts/\(t.lia)/activities?limit=1")
            #expect((try listed.json()["data"] as? [Any])?.count == 1)

            let created = try await rita.call(.POST, "/api/v1/tasks", json: #"{"title":"Send deck","due_at":"2026-11-20T13:00:00Z","reminder":"15m","contact_id":"\#(t.lia)"}"#)
            #expect(created.status == .created)
            let taskID = try #require(try created.json()["id"] as? String)
            let done = try await rita.call(.PATCH, "/api/v1/tasks/\(taskID)", json: #"{"done":true}"#)
            #expect(try done.json()["done"] as? Bool == true)
            #expect((try await rita.call(.GET, "/api/v1/tasks?status=done").json()["data"] as? [Any])?.count == 1)
            #expect(try await rita.call(.GET, "/api/v1/tasks?status=later").status == .unprocessableEntity)

            let body = #"{"contact_id":"\#(t.lia)","name":"Globex pilot","amount":"12500.50","currency":"usd","expected_close_date":"2026-12-20"}"#
            let first = try await sendIdempotent(app, token: try await t.acme.token(app, for: t.rita), body: body, key: "deal-1")
            let again = try await sendIdempotent(app, token: try await t.acme.token(app, for: t.rita), body: body, key: "deal-1")
            #expect(first.status == .created)
            #expect(again.headers.first(name: "Idempotent-Replayed") == "true")
            let deal = try first.json()
            #expect(deal["amount_minor"] as? Int == 1_250_050)
            #expect(deal["currency"] as? String == "USD")
            let dealID = try #require(deal["id"] as? String)
            #expect((try await rita.call(.GET, "/api/v1/deals").json()["data"] as? [Any])?.count == 1)
            let lostWithout = try await rita.call(.PATCH, "/api/v1/deals/\(dealID)", json: #"{"stage":"lost"}"#)
            #expect(try lostWithout.errorFields() == ["lost_reason"])
            let won = try await rita.call(.PATCH, "/api/v1/deals/\(dealID)", json: #"{"stage":"won"}"#)
            #expect(try won.json()["closed_by"] as? String == "Rita")
            #expect(try await t.adminAPI.call(.GET, "/api/v1/contacts/\(t.lia)").json()["lifecycle_stage"] as? String == "customer")
            let invalid = try await rita.call(.POST, "/api/v1/deals", json: #"{"contact_id":"\#(t.lia)","name":"","amount":"x","currency":"ZZZ","expected_close_date":"soon"}"#)
            #expect(try Set(invalid.errorFields()) == ["name", "amount", "currency", "expected_close_date"])
            let ruiAPI = APIClient(app: app, token: try await t.acme.token(app, for: t.rui))
            #expect(try await ruiAPI.call(.POST, "/api/v1/deals", json: body).status == .forbidden)
            #expect(try await ruiAPI.call(.PATCH, "/api/v1/deals/\(dealID)", json: #"{"stage":"lost","lost_reason":"price"}"#).status == .notFound)
        }
    }

    @Test("the deals page shows the pipeline as a board with totals per stage and currency and an SVG chart of its value")
    func board() async throws {
        try await withTestApp { app in
            let t = try await team(app)
            for (name, amount, stage) in [("Alpha", "1000", "qualification"), ("Beta", "2500", "proposal"), ("Gamma", "500", "proposal")] {
                _ = try await t.ritaBrowser.post("/contacts/\(t.lia)/deals", [("name", name), ("amount", amount), ("stage", stage), ("currency", "BRL"),
                                                                            ("expected_close_date", "2026-12-20")])
            }
            let page = try await t.ritaBrowser.get("/deals")
            #expect(page.text.contains("id=\"deal-board\""))
            #expect(page.text.contains("<svg class=\"chart\""))
            #expect(page.text.contains("2 deals · R$3,000.00"))
            #expect(page.text.contains("data-stage=\"negotiation\""))
        }
    }

    func sendIdempotent(_ app: Application, token: String, body: String, key: String) async throws -> Reply {
        var headers = HTTPHeaders()
        headers.bearerAuthorization = BearerAuthorization(token: token)
        headers.replaceOrAdd(name: .contentType, value: "application/json")
        headers.replaceOrAdd(name: "Idempotency-Key", value: key)
        let response = try await app.performTest(request: TestingHTTPRequest(method: .POST, url: URI(path: "/api/v1/deals"), headers: headers,
                                                                             body: ByteBuffer(string: body)))
        return Reply(status: response.status, headers: response.headers, text: response.body.string)
    }
}
