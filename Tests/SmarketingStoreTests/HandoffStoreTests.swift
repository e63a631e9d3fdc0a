import FluentKit
import Foundation
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
import SQLKit
import Testing

@Suite("Handoffs to sales, the job queue and webhooks in the store")
struct HandoffStoreTests {
    func workspace(_ db: any Database) async throws -> (Workspace, User, AuditActor) {
        let (workspace, admin) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
        return (workspace, admin, .user(admin, via: .page))
    }

    /// A contact owned by the admin, moved to MQL by hand: a handoff opens.
    func mql(_ email: String, source: String = "webinar", in workspace: Workspace, actor: AuditActor, db: any Database, at: Date = storeNow) async throws -> Contact {
        let writer = ContactWriter(db, workspaceID: workspace.id)
        let (contact, _) = try #require(try await writer.save(try contactInput(["email": email, "first_name": "Lia", "source": source, "owner_email": "ana@acme.com"]),
                                                              mode: .replace, definitions: [], by: actor, now: at))
        let (moved, _) = try #require(try await writer.save(try contactInput(["email": email, "lifecycle_stage": "mql"]), id: contact.id, mode: .merge, definitions: [],
                                                            by: actor, now: at.addingTimeInterval(1)))
        return moved
    }

    @Test("a contact becoming MQL opens a pending handoff for its owner, with a notification job written in the same transaction")
    func mqlOpensHandoff() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin, actor) = try await workspace(db)
            let contact = try await mql("lia@globex.com", in: workspace, actor: actor, db: db)
            let handoffs = Handoffs(db, workspaceID: workspace.id)
            let pending = try await handoffs.pending(ownedBy: [admin.id])
            #expect(pending.map(\.handoff.contactID) == [contact.id])
            #expect(pending.first?.handoff.status == .pending)
            #expect(pending.first?.handoff.source == "webinar")
            #expect(pending.first?.email == "lia@globex.com")
            let jobs = try await JobQueue(db).claim(worker: "w", limit: 10, lease: 60, now: storeNow.addingTimeInterval(5))
            #expect(jobs.map(\.kind) == [Handoffs.notifyJob])
            #expect(jobs.first.flatMap { Handoffs.handoffID(inPayload: $0.payload) } == pending.first?.handoff.id)
        }
    }

    @Test("the stage moves written inside a write transaction reach the collector that waits to announce them after the commit")
    func movesReachTheCollector() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, _, actor) = try await workspace(db)
            let (contact, moves) = try await StageMoveLog.collecting {
                try await mql("lia@globex.com", in: workspace, actor: actor, db: db)
            }
            #expect(moves.map(\.contactID) == [contact.id])
            #expect(moves.first?.to == .mql)
        }
    }

    @Test("accepting makes the lead a SAL; a second answer to the same handoff is refused and changes nothing")
    func acceptOnce() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin, actor) = try await workspace(db)
            let contact = try await mql("lia@globex.com", in: workspace, actor: actor, db: db)
            let handoffs = Handoffs(db, workspaceID: workspace.id)
            let id = try #require(try await handoffs.pending(ownedBy: [admin.id]).first?.handoff.id)
            let accepted = try await handoffs.decide(id, .accept, by: actor, now: storeNow.addingTimeInterval(60))
            #expect(accepted.status == .accepted)
            #expect(accepted.decidedByName == admin.name)
            #expect(try await ContactRepository(db, workspaceID: workspace.id).find(contact.id)?.stage == .sal)
            await #expect(throws: HandoffError.alreadyDecided(.accepted)) {
                _ = try await handoffs.decide(id, .reject(reasonKey: "no_budget", note: nil, then: .recycled), by: actor, now: storeNow.addingTimeInterval(61))
            }
            #expect(try await ContactRepository(db, workspaceID: workspace.id).find(contact.id)?.stage == .sal)
            let history = try await StageChanges(db, workspaceID: workspace.id).history(of: contact.id)
            #expect(history.first?.to == .sal)
            #expect(history.first?.cause.contains("accepted by") == true)
        }
    }

    @Test("a rejection recycles the lead with the agreed reason, and marketing's feedback counts it by week, source and reason")
    func rejectionFeedsBack() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin, actor) = try await workspace(db)
            let first = try await mql("lia@globex.com", source: "webinar", in: workspace, actor: actor, db: db)
            _ = try await mql("rui@initech.com", source: "ads", in: workspace, actor: actor, db: db)
            let handoffs = Handoffs(db, workspaceID: workspace.id)
            let pending = try await handoffs.pending(ownedBy: nil)
            #expect(pending.count == 2)
            let lia = try #require(pending.first { $0.handoff.contactID == first.id })
            let reasons = try await handoffs.reasons()
            #expect(reasons.map(\.key).contains("no_budget"))
            #expect(reasons.first { $0.key == "no_budget" }?.label == "Sem orçamento")
            let rejected = try await handoffs.decide(lia.handoff.id, .reject(reasonKey: "no_budget", note: "next quarter", then: .recycled), by: actor,
                                                     now: storeNow.addingTimeInterval(120))
            #expect(rejected.reasonLabel == "Sem orçamento")
            #expect(rejected.outcome == .recycled)
            #expect(try await ContactRepository(db, workspaceID: workspace.id).find(first.id)?.stage == .recycled)
            let today = CalendarDay(storeNow, timeZone: acmeSettings.timeZone)
            let report = try await handoffs.feedback(from: today.adding(days: -29), to: today, none: "(none)")
            #expect(report.overall == HandoffTally(accepted: 0, rejected: 1, pending: 1))
            #expect(report.weeks.last?.tally == HandoffTally(accepted: 0, rejected: 1, pending: 1))
            #expect(report.sources.first { $0.key == "webinar" }?.tally.rejected == 1)
            #expect(report.sources.first { $0.key == "ads" }?.tally.pending == 1)
            #expect(report.reasons.map(\.label) == ["Sem orçamento"])
            #expect(try await handoffs.usedReasonKeys() == ["no_budget"])
            _ = admin
        }
    }

    @Test("qualifying again closes the earlier pending handoff, so each contact waits in the inbox once")
    func requalifyingReplaces() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, _, actor) = try await workspace(db)
            let contact = try await mql("lia@globex.com", in: workspace, actor: actor, db: db)
            let handoffs = Handoffs(db, workspaceID: workspace.id)
            let firstID = try #require(try await handoffs.pending(ownedBy: nil).first?.handoff.id)
            _ = try await handoffs.decide(firstID, .reject(reasonKey: "too_early", note: nil, then: .recycled), by: actor, now: storeNow.addingTimeInterval(10))
            let writer = ContactWriter(db, workspaceID: workspace.id)
            _ = try await writer.save(try contactInput(["email": "lia@globex.com", "lifecycle_stage": "mql"]), id: contact.id, mode: .merge, definitions: [], by: actor, now: storeNow.addingTimeInterval(20))
            let pending = try await handoffs.pending(ownedBy: nil)
            #expect(pending.count == 1)
            #expect(pending.first?.handoff.id != firstID)
            #expect(try await handoffs.latest(of: contact.id)?.id == pending.first?.handoff.id)
        }
    }

    @Test("a field edit never moves a stage backwards nor disqualifies without a reason; the contact is left as it was")
    func editsFollowTheStateMachine() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, _, actor) = try await workspace(db)
            let contact = try await mql("lia@globex.com", in: workspace, actor: actor, db: db)
            let writer = ContactWriter(db, workspaceID: workspace.id)
            for stage in ["lead", "subscriber", "disqualified", "recycled"] {
                await #expect(throws: ValidationFailure("lifecycle_stage", .notInList)) {
                    _ = try await writer.save(try contactInput(["lifecycle_stage": stage, "job_title": "CEO"]), id: contact.id, mode: .merge, definitions: [],
                                              by: actor, now: storeNow.addingTimeInterval(30))
                }
            }
            let stored = try await ContactRepository(db, workspaceID: workspace.id).find(contact.id)
            #expect(stored?.stage == .mql)
            #expect(stored?.jobTitle == nil)
        }
    }

    @Test("the reason list keeps what a rejection used and records the change in the audit log")
    func reasonsList() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, _, actor) = try await workspace(db)
            let handoffs = Handoffs(db, workspaceID: workspace.id)
            let list = try RejectionReason.checkList([(key: "no_budget", label: "Sem verba", active: true), (key: nil, label: "Concorrente", active: true)], used: [])
            try await handoffs.saveReasons(list, by: actor, now: storeNow)
            #expect(try await handoffs.reasons().map(\.label) == ["Sem verba", "Concorrente"])
            let entries = try await AuditLog(db, workspaceID: workspace.id).list(limit: 5)
            #expect(entries.first?.action == AuditAction.rejectionReasonsUpdated.rawValue)
        }
    }

    // MARK: The job queue

    func job(_ kind: String = "test", key: String? = nil, at: Date = storeNow, attempts: Int = 3) -> NewJob {
        NewJob(workspaceID: nil, kind: kind, payload: "{}", uniqueKey: key, runAt: at, maxAttempts: attempts)
    }

    @Test("a claimed job is completed once; a failed one waits for its retry time; after its last attempt it is given up")
    func retryAndGiveUp() async throws {
        try await TestDatabase.withStore { db in
            let queue = JobQueue(db)
            try await JobQueue.enqueue([job(attempts: 2)], now: storeNow, on: db)
            let first = try await queue.claim(worker: "a", limit: 5, lease: 60, now: storeNow)
            #expect(first.count == 1)
            #expect(first.first?.attempts == 1)
            #expect(try await queue.claim(worker: "b", limit: 5, lease: 60, now: storeNow).isEmpty)
            let retryAt = storeNow.addingTimeInterval(30)
            #expect(try await queue.fail(first[0].id, worker: "a", error: "receiver down", retryAt: retryAt, now: storeNow) == .retryAt(retryAt))
            #expect(try await queue.claim(worker: "b", limit: 5, lease: 60, now: storeNow.addingTimeInterval(29)).isEmpty)
            let second = try await queue.claim(worker: "b", limit: 5, lease: 60, now: retryAt)
            #expect(second.first?.attempts == 2)
            #expect(second.first?.lastError == "receiver down")
            #expect(try await queue.fail(second[0].id, worker: "b", error: "still down", retryAt: nil, now: retryAt) == .gaveUp)
            #expect(try await queue.claim(worker: "c", limit: 5, lease: 60, now: retryAt.addingTimeInterval(3600)).isEmpty)
            #expect(try await queue.counts()[.failed] == 1)

            try await JobQueue.enqueue([job()], now: storeNow, on: db)
            let third = try await queue.claim(worker: "a", limit: 5, lease: 60, now: storeNow)
            #expect(try await queue.complete(third[0].id, worker: "a", now: storeNow))
            #expect(try await queue.complete(third[0].id, worker: "a", now: storeNow) == false)
            #expect(try await queue.counts()[.done] == 1)
        }
    }

    @Test("a job whose worker died is claimed again when its lease ends, and the dead worker's late result no longer counts")
    func crashRecovery() async throws {
        try await TestDatabase.withStore { db in
            let queue = JobQueue(db)
            try await JobQueue.enqueue([job()], now: storeNow, on: db)
            let taken = try await queue.claim(worker: "dead", limit: 1, lease: 60, now: storeNow)
            #expect(try await queue.claim(worker: "alive", limit: 1, lease: 60, now: storeNow.addingTimeInterval(59)).isEmpty)
            let again = try await queue.claim(worker: "alive", limit: 1, lease: 60, now: storeNow.addingTimeInterval(61))
            #expect(again.map(\.id) == taken.map(\.id))
            #expect(again.first?.attempts == 2)
            #expect(try await queue.complete(taken[0].id, worker: "dead", now: storeNow.addingTimeInterval(62)) == false)
            #expect(try await queue.fail(taken[0].id, worker: "dead", error: "late", retryAt: nil, now: storeNow.addingTimeInterval(62)) == .notHeld)
            #expect(try await queue.complete(taken[0].id, worker: "alive", now: storeNow.addingTimeInterval(62)))
        }
    }

    @Test("a unique key makes a scheduled tick one job however many times it is scheduled")
    func uniqueKeys() async throws {
        try await TestDatabase.withStore { db in
            let first = try await JobQueue.enqueue([job(key: "sla-check:2026-12-02T12:05")], now: storeNow, on: db)
            let second = try await JobQueue.enqueue([job(key: "sla-check:2026-12-02T12:05"), job(key: "sla-check:2026-12-02T12:06")], now: storeNow, on: db)
            #expect(first == 1)
            #expect(second == 1)
            let claimed = try await JobQueue(db).claim(worker: "w", limit: 10, lease: 60, now: storeNow)
            #expect(claimed.count == 2)
        }
    }

    @Test("workers claiming at the same time never take the same job, and every job is taken")
    func competingWorkers() async throws {
        try await TestDatabase.withStore { db in
            try await JobQueue.enqueue((0..<120).map { index in job(at: storeNow.addingTimeInterval(Double(-index))) }, now: storeNow, on: db)
            let claims = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var mine: [UUID] = []
                        while true {
                            let jobs = try await JobQueue(db).claim(worker: "w\(worker)", limit: 7, lease: 60, now: storeNow)
                            if jobs.isEmpty { return mine }
                            mine += jobs.map(\.id)
                        }
                    }
                }
                var all: [[UUID]] = []
                for try await claimed in group { all.append(claimed) }
                return all
            }
            let every = claims.flatMap { $0 }
            #expect(every.count == 120)
            #expect(Set(every).count == 120)
        }
    }

    // MARK: Webhooks

    @Test("an event is queued once for each active endpoint that wants its type, never for another workspace's endpoints")
    func webhookFanOut() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, _, actor) = try await workspace(db)
            let (other, otherAdmin) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("bo@other.com"), via: .page, now: storeNow)
            let endpoints = WebhookEndpoints(db, workspaceID: workspace.id)
            let all = try await endpoints.create(try WebhookEndpointInput.check(url: "https://hooks.example.com/all", description: nil, eventTypes: [], active: true),
                                                 by: actor, now: storeNow)
            _ = try await endpoints.create(try WebhookEndpointInput.check(url: "https://hooks.example.com/deals", description: nil, eventTypes: ["deal.won"], active: true),
                                           by: actor, now: storeNow)
            _ = try await endpoints.create(try WebhookEndpointInput.check(url: "https://hooks.example.com/off", description: nil, eventTypes: [], active: false),
                                           by: actor, now: storeNow)
            _ = try await WebhookEndpoints(db, workspaceID: other.id).create(
                try WebhookEndpointInput.check(url: "https://other.example.com/", description: nil, eventTypes: [], active: true),
                by: .user(otherAdmin, via: .page), now: storeNow)
            #expect(all.secret.hasPrefix("whsec_"))
            let eventID = try await WebhookEvents(db, workspaceID: workspace.id).emit(.leadMQL, data: ["x": .string("y")], now: storeNow)
            #expect(eventID != nil)
            let deliveries = try await endpoints.deliveries(of: all.id)
            #expect(deliveries.count == 1)
            #expect(deliveries.first?.eventType == "lead.mql")
            #expect(deliveries.first?.body.contains(#""type":"lead.mql""#) == true)
            #expect(deliveries.first?.jobID != nil)
            let jobs = try await JobQueue(db).claim(worker: "w", limit: 10, lease: 60, now: storeNow)
            #expect(jobs.map(\.kind) == [WebhookEvents.deliverJob])
            #expect(jobs.first?.workspaceID == workspace.id)
            #expect(try await WebhookEndpoints(db, workspaceID: other.id).delivery(deliveries[0].id) == nil)
        }
    }
}

@Suite("The demo workspace's handoffs")
struct DemoHandoffTests {
    @Test("the demo hands its MQLs and later stages to reps: some waiting, some accepted, some rejected with a reason, and the feedback has weeks to show")
    func demoHandoffs() async throws {
        try await TestDatabase.withStore { db in
            let demo = DemoWorkspace.make(seed: 7, contactCount: 400, emailDomain: "demo.test")
            let summary = try await DemoSeeder(db).seed(demo, passwordHash: "x", now: storeNow)
            let handoffs = Handoffs(db, workspaceID: summary.workspace.id)
            let today = CalendarDay(storeNow, timeZone: demo.settings.timeZone)
            let report = try await handoffs.feedback(from: today.adding(days: -364), to: today, none: "(nenhum)")
            #expect(report.overall.pending > 0)
            #expect(report.overall.accepted > 0)
            #expect(report.overall.rejected > 0)
            #expect(report.reasons.count > 1)
            #expect(report.weeks.filter { $0.tally.total > 0 }.count > 4)
            let pending = try await handoffs.pending(ownedBy: nil)
            #expect(pending.allSatisfy { $0.stage == .mql })
            let rules = try await RoutingSetup(db, workspaceID: summary.workspace.id).rules()
            #expect(rules.map(\.name) == ["Empresas com 500 pessoas ou mais", "Demais leads"])
        }
    }
}
