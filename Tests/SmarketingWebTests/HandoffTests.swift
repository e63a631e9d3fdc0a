import Foundation
import NIOConcurrencyHelpers
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
@testable import SmarketingWeb
import Testing
import Vapor

/// A contact owned by `owner`, made an MQL by hand; returns it.
func handedLead(_ app: Application, workspaceID: UUID, owner: User, email: String, source: String = "webinar", by actor: AuditActor) async throws -> Contact {
    let writer = ContactWriter(app.db, workspaceID: workspaceID)
    let (contact, _) = try #require(try await writer.save(
        try ContactInput.check(["email": email, "first_name": "Lia", "last_name": "Souza", "source": source, "owner_email": owner.email.value], customFields: []).get(),
        mode: .replace, definitions: [], by: actor, now: app.clock.now()))
    let (moved, _) = try #require(try await writer.save(try ContactInput.check(["email": email, "lifecycle_stage": "mql"], customFields: []).get(), id: contact.id, mode: .merge,
                                                        definitions: [], by: actor, now: app.clock.now()))
    return moved
}

/// A local HTTP receiver for webhooks: records what it gets and answers with `status()`.
final class HookReceiver: @unchecked Sendable {
    struct Received: Sendable {
        var headers: HTTPHeaders
        var body: String
    }

    let app: Application
    let received = NIOLockedValueBox<[Received]>([])
    let status = NIOLockedValueBox<HTTPStatus>(.ok)
    var url = ""

    init() async throws {
        app = try await Application.make(.testing)
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        app.post("hook") { [received, status] req -> HTTPStatus in
            received.withLockedValue { $0.append(Received(headers: req.headers, body: req.body.string ?? "")) }
            return status.withLockedValue { $0 }
        }
        try await app.server.start()
        let port = try #require(app.http.server.shared.localAddress?.port)
        url = "http://127.0.0.1:\(port)/hook"
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}

@Suite("Handoff to sales: the inbox, accept and reject, the reasons, marketing's feedback, webhooks")
struct HandoffTests {
    @Test("a rep finds the new MQL in the inbox with why it qualified and how long it waited, accepts it, and the contact becomes a SAL")
    func repAccepts() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (rep, repBrowser) = try await acme.member(app, email: "rui@acme.com", roles: [.sales], name: "Rui Rep")
            let lead = try await handedLead(app, workspaceID: acme.workspace.id, owner: rep, email: "lia@globex.com", by: .user(acme.admin, via: .page))
            app.clock.set(testNow.addingTimeInterval(2 * 3600 + 300))
            let inbox = try await repBrowser.get("/inbox")
            #expect(inbox.status == .ok)
            #expect(inbox.text.contains("data-contact=\"\(lead.id.uuidString.lowercased())\""))
            #expect(inbox.text.contains("waiting 2 h 05 min"))
            #expect(inbox.text.contains("set by hand"), "the cause of the move is shown")
            let handoff = try #require(try await Handoffs(app.db, workspaceID: acme.workspace.id).latest(of: lead.id))
            let reply = try await repBrowser.post("/inbox/\(handoff.id.uuidString.lowercased())/decide", [("decision", "accept")])
            #expect(reply.status == .seeOther)
            #expect(reply.location == "/inbox?notice=accepted")
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).find(lead.id)?.stage == .sal)
            let after = try await repBrowser.get("/inbox")
            #expect(after.text.contains("id=\"inbox-empty\""))
            #expect(after.text.contains("Lia Souza"), "the answered lead is in the history")
            let again = try await repBrowser.post("/inbox/\(handoff.id.uuidString.lowercased())/decide", [("decision", "accept")])
            #expect(again.location == "/inbox?notice=already_decided")
        }
    }

    @Test("a rejection without a reason comes back with the error beside the field; with one the lead is recycled; another rep may not answer it")
    func rejectWithReason() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (rep, repBrowser) = try await acme.member(app, email: "rui@acme.com", roles: [.sales], name: "Rui Rep")
            let (_, otherRep) = try await acme.member(app, email: "bea@acme.com", roles: [.sales], name: "Bea Rep")
            let lead = try await handedLead(app, workspaceID: acme.workspace.id, owner: rep, email: "lia@globex.com", by: .user(acme.admin, via: .page))
            let handoff = try #require(try await Handoffs(app.db, workspaceID: acme.workspace.id).latest(of: lead.id))
            let path = "/inbox/\(handoff.id.uuidString.lowercased())/decide"
            #expect(try await otherRep.post(path, [("decision", "accept")]).status == .forbidden)
            let refused = try await repBrowser.post(path, [("decision", "reject"), ("reason", ""), ("then", "recycled"), ("note", "call later")])
            #expect(refused.status == .unprocessableEntity)
            #expect(errorFieldNames(refused.text) == ["reason"])
            #expect(refused.text.contains("call later"), "the note is kept")
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).find(lead.id)?.stage == .mql)
            let reply = try await repBrowser.post(path, [("decision", "reject"), ("reason", "too_early"), ("then", "recycled"), ("note", "call in March")])
            #expect(reply.location == "/inbox?notice=rejected")
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).find(lead.id)?.stage == .recycled)
            let decided = try #require(try await Handoffs(app.db, workspaceID: acme.workspace.id).find(handoff.id))
            #expect(decided.reasonLabel == "Too early")
            #expect(decided.note == "call in March")
        }
    }

    @Test("marketing's feedback page shows the acceptance rate, the weekly chart, the reasons and the tables by source, and exports them as CSV")
    func feedbackPage() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (rep, _) = try await acme.member(app, email: "rui@acme.com", roles: [.sales], name: "Rui Rep")
            let (_, marketer) = try await acme.member(app, email: "mia@acme.com", roles: [.marketing], name: "Mia")
            let actor = AuditActor.user(acme.admin, via: .page)
            let store = Handoffs(app.db, workspaceID: acme.workspace.id)
            for (index, source) in ["webinar", "webinar", "ads", "ads"].enumerated() {
                let lead = try await handedLead(app, workspaceID: acme.workspace.id, owner: rep, email: "lead\(index)@globex.com", source: source, by: actor)
                let handoff = try #require(try await store.latest(of: lead.id))
                if index < 3 {
                    _ = try await store.decide(handoff.id, index == 0 ? .accept : .reject(reasonKey: "no_budget", note: nil, then: .recycled), by: actor, now: app.clock.now())
                }
            }
            let page = try await marketer.get("/feedback?days=30")
            #expect(page.status == .ok)
            #expect(page.text.contains("33%"), "1 accepted of 3 answered")
            #expect(page.text.contains("id=\"weekly\""))
            #expect(page.text.contains("<svg class=\"chart weekly\""))
            #expect(page.text.contains("id=\"reasons-chart\""))
            #expect(page.text.contains("No budget"))
            #expect(page.text.contains("data-key=\"webinar\""))
            let csv = try await marketer.get("/feedback?days=30&format=csv")
            #expect(csv.headers.first(name: .contentType)?.hasPrefix("text/csv") == true)
            #expect(csv.text.contains("source,\"webinar\",2,1,1,0,0.5000"))
            #expect(csv.text.contains("reason,\"No budget\",,,2,,"))
        }
    }

    @Test("managers keep the list of rejection reasons; a reason already used stays; a rep may not change the list")
    func reasonsPage() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (_, rep) = try await acme.member(app, email: "rui@acme.com", roles: [.sales], name: "Rui Rep")
            let (_, manager) = try await acme.member(app, email: "sam@acme.com", roles: [.salesManager], name: "Sam")
            #expect(try await rep.get("/handoff/reasons").status == .forbidden)
            let page = try await manager.get("/handoff/reasons")
            #expect(page.status == .ok)
            #expect(page.text.contains("value=\"Wrong persona\""))
            let duplicate = try await manager.post("/handoff/reasons", [("key", "no_budget"), ("label", "No budget"), ("active", "no_budget"),
                                                                        ("key", ""), ("label", "no budget")])
            #expect(duplicate.status == .unprocessableEntity)
            #expect(errorFieldNames(duplicate.text) == ["reasons[1].label"])
            let saved = try await manager.post("/handoff/reasons", [("key", "no_budget"), ("label", "No budget this year"), ("active", "no_budget"),
                                                                    ("key", ""), ("label", "Chose a competitor")])
            #expect(saved.location == "/handoff/reasons?notice=saved")
            let reasons = try await Handoffs(app.db, workspaceID: acme.workspace.id).reasons()
            #expect(reasons.map(\.label) == ["No budget this year", "Chose a competitor"])
            #expect(reasons.map(\.key) == ["no_budget", "chose_a_competitor"])
        }
    }

    @Test("an MQL reaches the webhook receiver signed with the endpoint's secret; a receiver answering 500 is retried with back-off, logged, and sent again from the log")
    func webhookDelivery() async throws {
        try await withTestApp { app in
            let receiver = try await HookReceiver()
            do {
                let acme = try await TestWorkspace.viaSetup(app)
                let refused = try await acme.adminBrowser.post("/settings/webhooks", [("url", "ftp://nowhere"), ("event_types", "lead.unknown")])
                #expect(refused.status == .unprocessableEntity)
                #expect(Set(errorFieldNames(refused.text)) == ["url", "event_types"])
                let created = try await acme.adminBrowser.post("/settings/webhooks", [("url", receiver.url), ("description", "CRM"), ("event_types", "lead.mql"),
                                                                                     ("active", "on")])
                #expect(created.status == .seeOther)
                let endpoint = try #require(try await WebhookEndpoints(app.db, workspaceID: acme.workspace.id).list().first)
                #expect(endpoint.eventTypes == [.leadMQL])

                let lead = try await handedLead(app, workspaceID: acme.workspace.id, owner: acme.admin, email: "lia@globex.com", by: .user(acme.admin, via: .page))
                receiver.status.withLockedValue { $0 = .internalServerError }
                #expect(try await app.jobs.runDue(app) == 1, "the handoff's notification")
                #expect(try await app.jobs.runDue(app) == 2, "the delivery, refused, and the email to the lead's owner")
                let delivery = try #require(try await WebhookEndpoints(app.db, workspaceID: acme.workspace.id).deliveries(of: endpoint.id).first)
                #expect(delivery.status == .pending)
                #expect(delivery.lastStatusCode == 500)
                #expect(try await app.jobs.runDue(app) == 0, "the retry waits for its back-off")

                receiver.status.withLockedValue { $0 = .ok }
                app.clock.set(testNow.addingTimeInterval(3600))
                #expect(try await app.jobs.runDue(app) == 1)
                let delivered = try #require(try await WebhookEndpoints(app.db, workspaceID: acme.workspace.id).delivery(delivery.id))
                #expect(delivered.status == .delivered)
                #expect(delivered.attempts == 2)

                let got = receiver.received.withLockedValue { $0 }
                #expect(got.count == 2)
                let last = try #require(got.last)
                #expect(last.headers.first(name: "Smarketing-Event") == "lead.mql")
                let signature = try #require(last.headers.first(name: WebhookSignature.header))
                #expect(WebhookSignature.verify(header: signature, secret: endpoint.secret, body: Array(last.body.utf8), now: app.clock.now()))
                #expect(!WebhookSignature.verify(header: signature, secret: "whsec_other", body: Array(last.body.utf8), now: app.clock.now()))
                let body = try #require(try JSONSerialization.jsonObject(with: Data(last.body.utf8)) as? [String: Any])
                #expect(body["type"] as? String == "lead.mql")
                #expect(((body["data"] as? [String: Any])?["contact"] as? [String: Any])?["email"] as? String == "lia@globex.com")

                let log = try await acme.adminBrowser.get(WebhookPages.path(endpoint.id))
                #expect(log.text.contains("data-status=\"delivered\""))
                #expect(log.text.contains("the endpoint answered 500"))
                let retried = try await acme.adminBrowser.post(WebhookPages.path(endpoint.id) + "/deliveries/\(delivery.id.uuidString.lowercased())/retry", [])
                #expect(retried.location?.hasSuffix("notice=not_retried") == true, "a delivered event is not sent twice by accident")
                _ = lead
                try await receiver.stop()
            } catch {
                try? await receiver.stop()
                throw error
            }
        }
    }

    @Test("the rep gets an email about the lead in their language, written to the outbox and handed to the transport by the job queue")
    func repEmail() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (rep, _) = try await acme.member(app, email: "rui@acme.com", roles: [.sales], name: "Rui Rep")
            _ = try await handedLead(app, workspaceID: acme.workspace.id, owner: rep, email: "lia@globex.com", by: .user(acme.admin, via: .page))
            #expect(try await app.jobs.runDue(app) == 1, "the handoff's notification")
            let outbox = Outbox(app.db, workspaceID: acme.workspace.id)
            let written = try await outbox.list(status: nil, limit: 10, after: nil).messages
            let message = try #require(written.first)
            #expect(written.count == 1)
            #expect(message.kind == .handoff)
            #expect(message.message.to.map(\.email.value) == ["rui@acme.com"])
            #expect(message.message.subject == "New MQL for you: Lia Souza")
            #expect(message.message.text.contains("/inbox"))
            #expect(message.status == .queued)
            #expect(try await app.jobs.runDue(app) == 1, "the email's delivery")
            #expect(try await outbox.find(message.id)?.status == .held, "the default transport keeps it on the Outbox page")
        }
    }

    @Test("leads handed off at once reach each rep as one email listing them, each notification written once, and a broken notification fails alone")
    func notificationsTogether() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (rep, _) = try await acme.member(app, email: "rui@acme.com", roles: [.sales], name: "Rui Rep")
            for index in 1...3 {
                _ = try await handedLead(app, workspaceID: acme.workspace.id, owner: rep, email: "lia\(index)@globex.com", by: .user(acme.admin, via: .page))
            }
            _ = try await handedLead(app, workspaceID: acme.workspace.id, owner: acme.admin, email: "lia4@globex.com", by: .user(acme.admin, via: .page))

            #expect(try await app.jobs.runDue(app) == 4, "four notifications, in one transaction")
            let outbox = Outbox(app.db, workspaceID: acme.workspace.id)
            let written = try await outbox.list(status: nil, limit: 10, after: nil).messages
            #expect(written.count == 2)
            let digest = try #require(written.first { $0.message.to.map(\.email.value) == ["rui@acme.com"] })
            #expect(digest.message.subject == "3 new MQLs for you")
            for index in 1...3 { #expect(digest.message.text.contains("lia\(index)@globex.com")) }
            #expect(!digest.message.text.contains("lia4@globex.com"))
            #expect(digest.message.html?.contains("<li>") == true)
            let single = try #require(written.first { $0.message.to.map(\.email.value) == [acme.admin.email.value] })
            #expect(single.message.subject == "New MQL for you: Lia Souza")
            #expect(try await app.jobs.runDue(app) == 2, "the two emails' deliveries")

            // A notification that cannot be run makes its companions run one by one: they are written once, it fails alone.
            _ = try await handedLead(app, workspaceID: acme.workspace.id, owner: rep, email: "lia5@globex.com", by: .user(acme.admin, via: .page))
            let broken = UUID()
            _ = try await JobQueue.enqueue([NewJob(id: broken, workspaceID: acme.workspace.id, kind: Handoffs.notifyJob, payload: "{}",
                                                   runAt: app.clock.now(), maxAttempts: 3)], now: app.clock.now(), on: app.db)
            #expect(try await app.jobs.runDue(app) == 2)
            let after = try await outbox.list(status: nil, limit: 10, after: nil).messages
            #expect(after.count == 3)
            #expect(after.filter { $0.message.text.contains("lia5@globex.com") }.map(\.message.subject) == ["New MQL for you: Lia Souza"])
            let jobs = try await JobQueue(app.db).list(workspaceID: acme.workspace.id, kinds: [Handoffs.notifyJob], limit: 10)
            #expect(jobs.filter { $0.status == .done }.count == 5)
            #expect(jobs.first { $0.id == broken }?.status == .failed)
            #expect(jobs.first { $0.id == broken }?.lastError == "no handoff in the job's payload")
        }
    }

    @Test("only admins manage webhooks; a marketer gets 403")
    func webhooksAreForAdmins() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (_, marketer) = try await acme.member(app, email: "mia@acme.com", roles: [.marketingManager], name: "Mia")
            #expect(try await marketer.get("/settings/webhooks").status == .forbidden)
            #expect(try await marketer.post("/settings/webhooks", [("url", "https://example.com/hook")]).status == .forbidden)
            #expect(try await acme.adminBrowser.get("/settings/webhooks").status == .ok)
        }
    }
}

@Suite("Lifecycle moves by hand and through the API")
struct LifecycleMoveTests {
    @Test("a move the lifecycle does not allow is refused with the allowed stages through the API; disqualifying needs a reason; a good move is recorded")
    func apiMoves() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let api = APIClient(app: app, token: try await acme.token(app))
            let lead = try await handedLead(app, workspaceID: acme.workspace.id, owner: acme.admin, email: "lia@globex.com", by: .user(acme.admin, via: .page))
            let path = "/api/v1/contacts/\(lead.id.uuidString.lowercased())/stage"
            let backwards = try await api.call(.POST, path, json: #"{"stage":"lead"}"#)
            #expect(backwards.status == .unprocessableEntity)
            #expect(try backwards.errorCode() == "invalid_transition")
            #expect(try backwards.errorFields() == ["lifecycle_stage"])
            #expect(backwards.text.contains("sal, sql, opportunity, customer, disqualified, recycled"))
            let noReason = try await api.call(.POST, path, json: #"{"stage":"disqualified"}"#)
            #expect(try noReason.errorFields() == ["reason"])
            let unknown = try await api.call(.POST, path, json: #"{"stage":"lunar"}"#)
            #expect(try unknown.errorFields() == ["stage"])
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).find(lead.id)?.stage == .mql)
            let moved = try await api.call(.POST, path, json: #"{"stage":"disqualified","reason":"student, not a buyer"}"#)
            #expect(moved.status == .ok)
            #expect(try moved.json()["lifecycle_stage"] as? String == "disqualified")
            let history = try await StageChanges(app.db, workspaceID: acme.workspace.id).history(of: lead.id)
            #expect(history.first?.cause == "student, not a buyer")
            #expect(history.first?.actor.channel == .api)
        }
    }

    @Test("the contact page shows the handoff and offers only the allowed moves; a recycle without a reason comes back with the error")
    func pageMoves() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let lead = try await handedLead(app, workspaceID: acme.workspace.id, owner: acme.admin, email: "lia@globex.com", by: .user(acme.admin, via: .page))
            let page = try await acme.adminBrowser.get("/contacts/\(lead.id.uuidString.lowercased())")
            #expect(page.text.contains("id=\"handoff-status\""))
            #expect(page.text.contains("data-status=\"pending\""))
            #expect(page.text.contains("<option value=\"sal\""))
            #expect(!page.text.contains("<option value=\"lead\""))
            let refused = try await acme.adminBrowser.post("/contacts/\(lead.id.uuidString.lowercased())/stage", [("stage", "recycled"), ("reason", "")])
            #expect(refused.status == .unprocessableEntity)
            #expect(errorFieldNames(refused.text) == ["reason"])
            let moved = try await acme.adminBrowser.post("/contacts/\(lead.id.uuidString.lowercased())/stage", [("stage", "sal"), ("reason", "")])
            #expect(moved.status == .seeOther)
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).find(lead.id)?.stage == .sal)
        }
    }

    @Test("the handoff API lists the rep's waiting leads and takes their answer; a second answer is a conflict")
    func handoffAPI() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (rep, _) = try await acme.member(app, email: "rui@acme.com", roles: [.sales], name: "Rui Rep")
            let api = APIClient(app: app, token: try await acme.token(app, for: rep))
            let lead = try await handedLead(app, workspaceID: acme.workspace.id, owner: rep, email: "lia@globex.com", by: .user(acme.admin, via: .page))
            let list = try await api.call(.GET, "/api/v1/handoffs")
            #expect(list.status == .ok)
            let items = try #require(try list.json()["data"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect((items.first?["contact_id"] as? String)?.lowercased() == lead.id.uuidString.lowercased())
            let id = try #require(items.first?["id"] as? String)
            let bad = try await api.call(.POST, "/api/v1/handoffs/\(id)/decision", json: #"{"decision":"reject","reason":"nope"}"#)
            #expect(try bad.errorFields() == ["reason"])
            let rejected = try await api.call(.POST, "/api/v1/handoffs/\(id)/decision", json: #"{"decision":"reject","reason":"duplicate","then":"disqualified"}"#)
            #expect(rejected.status == .ok)
            #expect(try rejected.json()["status"] as? String == "rejected")
            #expect(try rejected.json()["outcome"] as? String == "disqualified")
            let again = try await api.call(.POST, "/api/v1/handoffs/\(id)/decision", json: #"{"decision":"accept"}"#)
            #expect(again.status == .conflict)
            #expect(try again.errorCode() == "already_decided")
        }
    }
}

@Suite("Scheduled jobs")
struct ScheduledJobTests {
    @Test("a task's reminder is emailed to its assignee once, by a tick that the schedule writes once a minute however often it is written")
    func taskReminders() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (rep, _) = try await acme.member(app, email: "rui@acme.com", roles: [.sales], name: "Rui Rep")
            let task = try #require(try await SalesTasks(app.db, workspaceID: acme.workspace.id).create(
                TaskInput.check(["title": "Call Lia back", "due_at": "2026-11-18T13:00", "reminder": "1h"], timeZone: "UTC"),
                contactID: nil, assigneeID: rep.id, by: .user(acme.admin, via: .page), now: app.clock.now()))
            #expect(try await app.jobs.writeTicks(app, now: app.clock.now()) == 1)
            #expect(try await app.jobs.runDue(app) == 1, "a tick before the reminder's time")
            #expect(try await Outbox(app.db, workspaceID: acme.workspace.id).list(status: nil, limit: 10, after: nil).messages.isEmpty)

            app.clock.set(Date(timeIntervalSince1970: 1_795_000_000 + 3_300))
            #expect(try await app.jobs.writeTicks(app, now: app.clock.now()) == 1)
            #expect(try await app.jobs.writeTicks(app, now: app.clock.now()) == 0, "the same minute's tick is one job")
            #expect(try await app.jobs.runDue(app) == 1)
            let messages = try await Outbox(app.db, workspaceID: acme.workspace.id).list(status: nil, limit: 10, after: nil).messages
            #expect(messages.count == 1)
            #expect(messages.first?.message.to.map(\.email.value) == ["rui@acme.com"])
            #expect(messages.first?.message.subject.contains("Call Lia back") == true)
            #expect(try await app.jobs.runDue(app) == 1, "the email's delivery")

            app.clock.set(Date(timeIntervalSince1970: 1_795_000_000 + 3_400))
            #expect(try await app.jobs.writeTicks(app, now: app.clock.now()) == 1)
            #expect(try await app.jobs.runDue(app) == 1)
            #expect(try await Outbox(app.db, workspaceID: acme.workspace.id).list(status: nil, limit: 10, after: nil).messages.count == 1, "reminded once")
            _ = task
        }
    }
}
