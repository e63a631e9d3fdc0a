import FluentKit
import Foundation
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
import SQLKit
import Testing

@Suite("Sales follow-up in the store: activities, tasks and reminders, deals and the funnel")
struct SalesStoreTests {
    struct Fixture {
        var workspace: Workspace
        var admin: User
        var rep: User
        var contact: Contact
        var actor: AuditActor { .user(rep, via: .page) }
    }

    func fixture(_ db: any Database, stage: String = "sql") async throws -> Fixture {
        let (workspace, admin) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
        let (invitation, _) = try await InvitationRepository(db, workspaceID: workspace.id)
            .create(email: EmailAddress("rita@acme.com")!, roles: [.sales], teamIDs: [], by: .user(admin, via: .page), now: storeNow)
        let rep = try await InvitationRepository(db, workspaceID: workspace.id).accept(invitation.id, name: "Rita", passwordHash: "h", language: nil, now: storeNow)
        let (contact, _) = try #require(try await ContactWriter(db, workspaceID: workspace.id).save(
            try contactInput(["first_name": "Lia", "email": "lia@globex.com", "owner_email": "rita@acme.com", "lifecycle_stage": stage]),
            mode: .replace, definitions: [], by: .user(admin, via: .page), now: storeNow))
        return Fixture(workspace: workspace, admin: admin, rep: rep, contact: contact)
    }

    func deal(_ fields: [String: String] = [:]) throws -> DealInput {
        try DealInput.check(["name": "Globex pilot", "amount": "12.500,00", "expected_close_date": "2026-12-20"].merging(fields) { $1 },
                            defaultCurrency: "BRL")
    }

    func task(_ due: String, reminder: String = "1h") throws -> TaskInput {
        try TaskInput.check(["title": "Call back", "due_at": due, "reminder": reminder], timeZone: "UTC")
    }

    @Test("a logged call is on the contact's activities with its actor, and in the audit log")
    func activityLogged() async throws {
        try await TestDatabase.withStore { db in
            let f = try await fixture(db)
            let input = try ActivityInput.check(["kind": "call", "outcome": "connected", "notes": "Budget approved", "next_step": "Send proposal"],
                                                now: storeNow, timeZone: "UTC")
            let activity = try #require(try await Activities(db, workspaceID: f.workspace.id).log(input, on: f.contact.id, by: f.actor, now: storeNow))
            let listed = try await Activities(db, workspaceID: f.workspace.id).list(of: f.contact.id, limit: 10)
            #expect(listed == [activity])
            #expect(listed.first?.actor.name == "Rita")
            #expect(listed.first?.nextStep == "Send proposal")
            let audit = try await AuditLog(db, workspaceID: f.workspace.id).list(limit: 5)
            #expect(audit.first?.action == AuditAction.activityLogged.rawValue)
            #expect(audit.first?.change.after["outcome"] == "connected")
            #expect(try await Activities(db, workspaceID: UUID()).log(input, on: f.contact.id, by: f.actor, now: storeNow) == nil,
                    "another workspace cannot log on this contact")
        }
    }

    @Test("a task's reminder is due once its time passes, is handed out once, and is armed again when the due time moves")
    func reminders() async throws {
        try await TestDatabase.withStore { db in
            let f = try await fixture(db)
            let tasks = SalesTasks(db, workspaceID: f.workspace.id)
            let first = try #require(try await tasks.create(try task("2026-11-20T15:00:00Z"), contactID: f.contact.id, assigneeID: f.rep.id, by: f.actor, now: storeNow))
            _ = try await tasks.create(try task("2026-11-20T16:00:00Z", reminder: "none"), contactID: f.contact.id, assigneeID: f.rep.id, by: f.actor, now: storeNow)
            let remindAt = try #require(first.remindAt)
            #expect(remindAt == first.dueAt.addingTimeInterval(-3600))

            #expect(try await tasks.dueReminders(before: remindAt.addingTimeInterval(-1)).isEmpty)
            let due = try await SalesTasks.dueReminders(before: remindAt, on: db)
            #expect(due.map(\.task.id) == [first.id])
            #expect(due.first?.workspaceID == f.workspace.id)
            #expect(try await SalesTasks.markReminded(due.map(\.task.id), at: remindAt, on: db) == 1)
            #expect(try await SalesTasks.markReminded(due.map(\.task.id), at: remindAt, on: db) == 0, "each reminder is marked once")
            #expect(try await tasks.dueReminders(before: remindAt.addingTimeInterval(3600)).isEmpty)

            let later = try await tasks.update(first.id, try task("2026-11-21T15:00:00Z"), assigneeID: f.rep.id, by: f.actor, now: storeNow)
            #expect(later?.remindedAt == nil)
            #expect(try await tasks.dueReminders(before: Date(timeIntervalSince1970: 1_795_280_400)).map(\.id) == [first.id])
            _ = try await tasks.setDone(first.id, true, by: f.actor, now: storeNow)
            #expect(try await tasks.dueReminders(before: Date(timeIntervalSince1970: 1_795_280_400)).isEmpty, "a done task is not reminded")
        }
    }

    @Test("completing and reopening a task writes its history on the contact's timeline; a rep's list shows only their open tasks")
    func taskHistoryAndScope() async throws {
        try await TestDatabase.withStore { db in
            let f = try await fixture(db)
            let tasks = SalesTasks(db, workspaceID: f.workspace.id)
            let mine = try #require(try await tasks.create(try task("2026-11-20T15:00:00Z"), contactID: f.contact.id, assigneeID: f.rep.id, by: f.actor, now: storeNow))
            _ = try await tasks.create(try task("2026-11-19T15:00:00Z"), contactID: nil, assigneeID: f.admin.id, by: .user(f.admin, via: .page), now: storeNow)
            #expect(try await tasks.list(.owners([f.rep.id]), limit: 10).map(\.id) == [mine.id])
            #expect(try await tasks.list(.everyone, limit: 10).count == 2)

            _ = try await tasks.setDone(mine.id, true, by: f.actor, now: storeNow.addingTimeInterval(60))
            _ = try await tasks.setDone(mine.id, true, by: f.actor, now: storeNow.addingTimeInterval(90))
            #expect(try await tasks.list(.owners([f.rep.id]), limit: 10).isEmpty)
            #expect(try await tasks.list(.owners([f.rep.id]), done: true, limit: 10).first?.completedBy == "Rita")
            _ = try await tasks.setDone(mine.id, false, by: f.actor, now: storeNow.addingTimeInterval(120))
            let history = try await SalesChanges(db, workspaceID: f.workspace.id).timeline(of: f.contact.id, limit: 10)
            #expect(history.map(\.kind) == [.reopened, .completed, .created], "doing what is already done writes nothing")
            #expect(history.allSatisfy { $0.subject == .task && $0.title == "Call back" })
        }
    }

    @Test("an assignee who is not an active user of the workspace is refused by name, and nothing is written")
    func badAssignee() async throws {
        try await TestDatabase.withStore { db in
            let f = try await fixture(db)
            await #expect(throws: ValidationFailure("assignee_id", .notInList)) {
                _ = try await SalesTasks(db, workspaceID: f.workspace.id).create(try task("2026-11-20T15:00:00Z"), contactID: f.contact.id,
                                                                                 assigneeID: UUID(), by: f.actor, now: storeNow)
            }
            #expect(try await db.countRows("sales_tasks") == 0)
            #expect(try await db.countRows("sales_changes") == 0)
        }
    }

    @Test("a deal won or lost is told to the workspace's webhooks in the transaction that closed it, once")
    func dealWebhooks() async throws {
        try await TestDatabase.withStore { db in
            let f = try await fixture(db)
            let endpoint = try await WebhookEndpoints(db, workspaceID: f.workspace.id).create(
                try WebhookEndpointInput.check(url: "https://crm.example.com/hooks", description: nil, eventTypes: ["deal.won", "deal.lost"], active: true),
                by: f.actor, now: storeNow)
            let deals = Deals(db, workspaceID: f.workspace.id)
            let opened = try #require(try await deals.create(try deal(), contactID: f.contact.id, by: f.actor, now: storeNow))
            #expect(try await WebhookEndpoints(db, workspaceID: f.workspace.id).deliveries(of: endpoint.id).isEmpty, "opening a deal is not an event")
            _ = try await deals.update(opened.deal.id, try deal(["stage": "won"]), by: f.actor, now: storeNow.addingTimeInterval(60))
            _ = try await deals.update(opened.deal.id, try deal(["stage": "won", "name": "Renamed"]), by: f.actor, now: storeNow.addingTimeInterval(120))
            let deliveries = try await WebhookEndpoints(db, workspaceID: f.workspace.id).deliveries(of: endpoint.id)
            #expect(deliveries.map(\.eventType) == ["deal.won"])
            #expect(deliveries.first?.body.contains(#""amount":"12500.00""#) == true)
        }
    }

    @Test("opening a deal makes the SQL an opportunity; winning it makes a customer, closed with time and actor, all on the timeline")
    func dealMovesTheFunnel() async throws {
        try await TestDatabase.withStore { db in
            let f = try await fixture(db)
            let deals = Deals(db, workspaceID: f.workspace.id)
            let opened = try #require(try await deals.create(try deal(), contactID: f.contact.id, by: f.actor, now: storeNow))
            #expect(opened.deal.ownerID == f.rep.id, "the contact's owner owns the deal")
            #expect(opened.deal.amount == Money(minorUnits: 1_250_000, currency: "BRL"))
            #expect(opened.closed == nil)
            #expect(try await ContactRepository(db, workspaceID: f.workspace.id).find(f.contact.id)?.stage == .opportunity)

            let won = try #require(try await deals.update(opened.deal.id, try deal(["stage": "won"]), by: f.actor, now: storeNow.addingTimeInterval(3600)))
            #expect(won.closed == .won)
            #expect(won.deal.closedAt == storeNow.addingTimeInterval(3600))
            #expect(won.deal.closedBy?.name == "Rita")
            #expect(try await ContactRepository(db, workspaceID: f.workspace.id).find(f.contact.id)?.stage == .customer)
            let stages = try await StageChanges(db, workspaceID: f.workspace.id).history(of: f.contact.id)
            #expect(stages.map(\.to).prefix(2) == [.customer, .opportunity])
            #expect(stages.first?.cause == "deal won")

            let again = try #require(try await deals.update(opened.deal.id, try deal(["stage": "won", "name": "Globex pilot 2"]), by: f.actor, now: storeNow.addingTimeInterval(7200)))
            #expect(again.closed == nil, "editing a won deal does not win it twice")
            #expect(again.deal.closedAt == storeNow.addingTimeInterval(3600))
            let history = try await SalesChanges(db, workspaceID: f.workspace.id).history(of: opened.deal.id)
            #expect(history.map(\.kind) == [.updated, .won, .created])
            #expect(history[1].change.before["stage"] == "qualification")
            let audit = try await AuditLog(db, workspaceID: f.workspace.id).list(limit: 20).map(\.action)
            #expect(audit.contains(AuditAction.dealWon.rawValue))
            #expect(audit.contains(AuditAction.dealCreated.rawValue))
        }
    }

    @Test("a lost deal keeps its reason and moves nobody; the pipeline sums per stage and currency; a rep's scope hides others' deals")
    func lostDealAndPipeline() async throws {
        try await TestDatabase.withStore { db in
            let f = try await fixture(db, stage: "opportunity")
            let deals = Deals(db, workspaceID: f.workspace.id)
            let lost = try #require(try await deals.create(try deal(["stage": "lost", "lost_reason": "competitor"]), contactID: f.contact.id, by: f.actor, now: storeNow))
            #expect(lost.closed == .lost)
            #expect(lost.deal.lostReason == .competitor)
            #expect(try await ContactRepository(db, workspaceID: f.workspace.id).find(f.contact.id)?.stage == .opportunity)
            _ = try await deals.create(try deal(["stage": "proposal", "amount": "1000"]), contactID: f.contact.id, by: f.actor, now: storeNow)
            _ = try await deals.create(try deal(["stage": "proposal", "amount": "250.50", "currency": "USD"]), contactID: f.contact.id, by: f.actor, now: storeNow)
            let summary = try await deals.summary(.everyone)
            let proposal = try #require(summary.columns.first { $0.stage == .proposal })
            #expect(proposal.count == 2)
            #expect(proposal.totals == ["BRL": 100_000, "USD": 25_050])
            #expect(try await deals.list(.everyone, filter: DealFilter(status: .lost), limit: 10).map(\.id) == [lost.deal.id])
            #expect(try await deals.list(.owners([f.admin.id]), filter: DealFilter(status: .all), limit: 10).isEmpty)
            #expect(try await deals.summary(.owners([f.admin.id])).columns.allSatisfy { $0.count == 0 })
            #expect(try await deals.openByCloseDate(.owners([f.rep.id]), limit: 10).count == 2)
        }
    }

    @Test("merging two contacts keeps the activities, tasks and deals of both on the survivor")
    func mergeKeepsSalesWork() async throws {
        try await TestDatabase.withStore { db in
            let f = try await fixture(db)
            let (other, _) = try #require(try await ContactWriter(db, workspaceID: f.workspace.id).save(
                try contactInput(["first_name": "Lia", "email": "lia.other@globex.com", "owner_email": "rita@acme.com"]),
                mode: .replace, definitions: [], by: f.actor, now: storeNow))
            let input = try ActivityInput.check(["kind": "note", "notes": "Met at the fair"], now: storeNow, timeZone: "UTC")
            _ = try await Activities(db, workspaceID: f.workspace.id).log(input, on: other.id, by: f.actor, now: storeNow)
            _ = try await Deals(db, workspaceID: f.workspace.id).create(try deal(), contactID: other.id, by: f.actor, now: storeNow)
            _ = try await ContactWriter(db, workspaceID: f.workspace.id).merge(survivorID: f.contact.id, otherID: other.id, definitions: [], by: f.actor, now: storeNow)
            #expect(try await Activities(db, workspaceID: f.workspace.id).list(of: f.contact.id, limit: 10).count == 1)
            #expect(try await Deals(db, workspaceID: f.workspace.id).forContact(f.contact.id).count == 1)
            #expect(try await SalesChanges(db, workspaceID: f.workspace.id).timeline(of: f.contact.id, limit: 10).count == 1)
        }
    }

    @Test("the demo workspace has activities, open tasks, and deals won and lost with reasons, agreeing with the contacts' stages")
    func demoSalesWork() async throws {
        try await TestDatabase.withStore { db in
            let demo = DemoWorkspace.make(seed: 7, contactCount: 300, emailDomain: "sales.demo.test")
            let summary = try await DemoSeeder(db).seed(demo, passwordHash: "x", now: storeNow)
            #expect(summary.activities > 0 && summary.tasks > 0 && summary.deals > 0)
            let deals = try await Deals(db, workspaceID: summary.workspace.id).list(.everyone, filter: DealFilter(status: .all), limit: 500)
            #expect(deals.count == summary.deals)
            #expect(deals.contains { $0.stage == .won })
            #expect(deals.filter { $0.stage == .lost }.allSatisfy { $0.lostReason != nil && $0.closedAt != nil })
            let customers = try await ContactRepository(db, workspaceID: summary.workspace.id).find(ids: deals.filter { $0.stage == .won }.map(\.contactID))
            #expect(customers.allSatisfy { $0.stage == .customer })
            #expect(try await SalesTasks(db, workspaceID: summary.workspace.id).list(.everyone, limit: 500).isEmpty == false)
        }
    }
}
