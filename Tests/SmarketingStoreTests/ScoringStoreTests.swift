import FluentKit
import Foundation
import SmarketingCore
@testable import SmarketingStore
import SmarketingTestSupport
import Synchronization
import Testing

func manager(_ role: Role, workspaceID: UUID, name: String) -> User {
    User(id: UUID(), workspaceID: workspaceID, email: EmailAddress("\(name.lowercased())@acme.com")!, name: name, roles: [role],
         language: nil, isActive: true, createdAt: storeNow)
}

@Suite("The lead definition and scores in the store")
struct ScoringStoreTests {
    func workspace(_ db: any Database) async throws -> (Workspace, AuditActor) {
        let (workspace, admin) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
        return (workspace, .user(admin, via: .page))
    }

    /// Saves `definition` as the draft and has both managers approve it, then activates it.
    func activate(_ definition: LeadDefinition, in workspace: Workspace, actor: AuditActor, customFields: [CustomFieldDefinition] = [],
                  db: any Database) async throws -> StoredLeadDefinition {
        let definitions = LeadDefinitions(db, workspaceID: workspace.id)
        let known = ScoringFields.known(customFields: customFields)
        _ = try await definitions.openDraft(by: actor, now: storeNow)
        let saved = try await definitions.saveDraft(definition, knownFields: known, by: actor, now: storeNow)
        let mia = manager(.marketingManager, workspaceID: workspace.id, name: "Mia")
        let sal = manager(.salesManager, workspaceID: workspace.id, name: "Sal")
        _ = try await definitions.approve(side: .marketing, user: mia, reviewedDigest: saved.version.digest, knownFields: known, by: actor, now: storeNow)
        _ = try await definitions.approve(side: .sales, user: sal, reviewedDigest: saved.version.digest, knownFields: known, by: actor, now: storeNow)
        return try await definitions.activate(knownFields: known, by: actor, now: storeNow)
    }

    /// Saves `count` contacts (emails `<prefix><index>@acme.test`), directors at even indexes and
    /// analysts at odd ones; answers their ids in that order.
    func directorsAndAnalysts(_ count: Int, emailPrefix: String, in workspace: Workspace, actor: AuditActor, db: any Database) async throws -> [UUID] {
        let writer = ContactWriter(db, workspaceID: workspace.id)
        var ids: [UUID] = []
        for index in 0..<count {
            let title = index.isMultiple(of: 2) ? "Diretor Comercial" : "Analista"
            let (contact, _) = try #require(try await writer.save(try contactInput(["email": "\(emailPrefix)\(index)@acme.test", "job_title": title]),
                                                                  mode: .replace, definitions: [], by: actor, now: storeNow))
            ids.append(contact.id)
        }
        return ids
    }

    /// Runs the activation of `stored` over the workspace twice (as a resume from the start
    /// would), in batches of 2; answers both finished runs.
    func activationRunsTwice(_ stored: StoredLeadDefinition, in workspaceID: UUID, total: Int, db: any Database) async throws -> [ScoringRun] {
        var scoring = BulkScoring(db, workspaceID: workspaceID)
        scoring.batchSize = 2
        var finished: [ScoringRun] = []
        for _ in 0..<2 {
            let run = try await ScoringRuns(db, workspaceID: workspaceID).start(.activation, version: stored.number, total: total, now: storeNow)
            finished.append(try await scoring.run(run, definition: CompiledLeadDefinition(stored.version.definition), old: nil, now: { storeNow }))
        }
        return finished
    }

    @Test("a first draft starts from the example; a rule on an unknown field is refused with its path; approvals by both managers activate it")
    func draftApproveActivate() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            let definitions = LeadDefinitions(db, workspaceID: workspace.id)
            let known = ScoringFields.known(customFields: [])
            let draft = try await definitions.openDraft(by: actor, now: storeNow)
            #expect(draft.number == 1)
            #expect(draft.status == .draft)
            #expect(draft.version.definition.fitRules == LeadDefinitionStarter.example().fitRules)

            var broken = testDefinition()
            broken.fitRules.append(FitRule(id: "shoe", field: "shoe_size", condition: .isSet, points: 5))
            await #expect(throws: LeadDefinitions.Problem.invalid([LeadDefinitionProblem("fit_rules[2].field", .unknownField)])) {
                _ = try await definitions.saveDraft(broken, knownFields: known, by: actor, now: storeNow)
            }

            let saved = try await definitions.saveDraft(testDefinition(), knownFields: known, by: actor, now: storeNow)
            let mia = manager(.marketingManager, workspaceID: workspace.id, name: "Mia")
            let sal = manager(.salesManager, workspaceID: workspace.id, name: "Sal")
            _ = try await definitions.approve(side: .marketing, user: mia, reviewedDigest: saved.version.digest, knownFields: known, by: actor, now: storeNow)
            await #expect(throws: LeadDefinitions.Problem.refused(.missingApproval(side: .sales))) {
                _ = try await definitions.activate(knownFields: known, by: actor, now: storeNow)
            }
            await #expect(throws: LeadDefinitions.Problem.refused(.reviewedOtherContent(current: saved.version.digest))) {
                _ = try await definitions.approve(side: .sales, user: sal, reviewedDigest: "0000", knownFields: known, by: actor, now: storeNow)
            }
            _ = try await definitions.approve(side: .sales, user: sal, reviewedDigest: saved.version.digest, knownFields: known, by: actor, now: storeNow)
            let active = try await definitions.activate(knownFields: known, by: actor, now: storeNow)
            #expect(active.status == .active)
            #expect(try await definitions.draft() == nil)

            // The next draft copies the active version; activating it retires version 1.
            let next = try await definitions.openDraft(by: actor, now: storeNow)
            #expect(next.number == 2)
            #expect(next.version.definition.fitRules == testDefinition().fitRules)
            let edited = try await definitions.saveDraft(testDefinition(version: 2), knownFields: known, by: actor, now: storeNow)
            for (side, user) in [(Role.Side.marketing, mia), (.sales, sal)] {
                _ = try await definitions.approve(side: side, user: user, reviewedDigest: edited.version.digest, knownFields: known, by: actor, now: storeNow)
            }
            _ = try await definitions.activate(knownFields: known, by: actor, now: storeNow)
            #expect(try await definitions.list().map(\.status) == [.active, .retired])
            let audit = try await AuditLog(db, workspaceID: workspace.id).list(limit: 50).map(\.action)
            #expect(audit.filter { $0 == AuditAction.leadDefinitionApproved.rawValue }.count == 4)
            #expect(audit.filter { $0 == AuditAction.leadDefinitionActivated.rawValue }.count == 2)
        }
    }

    @Test("editing an approved draft clears its approvals")
    func editClearsApprovals() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            let definitions = LeadDefinitions(db, workspaceID: workspace.id)
            let known = ScoringFields.known(customFields: [])
            _ = try await definitions.openDraft(by: actor, now: storeNow)
            let saved = try await definitions.saveDraft(testDefinition(), knownFields: known, by: actor, now: storeNow)
            let approved = try await definitions.approve(side: .marketing, user: manager(.marketingManager, workspaceID: workspace.id, name: "Mia"),
                                                         reviewedDigest: saved.version.digest, knownFields: known, by: actor, now: storeNow)
            #expect(approved.status == .approvedByMarketing)
            var changed = testDefinition()
            changed.fitRules[0].points = 25
            let edited = try await definitions.saveDraft(changed, knownFields: known, by: actor, now: storeNow)
            #expect(edited.status == .draft)
            #expect(edited.version.approvals.isEmpty)
        }
    }

    @Test("a commit's events for several contacts, scored together in any order, give each contact the score and ledger of its events applied one by one")
    func batchedScoring() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            _ = try await activate(testDefinition(), in: workspace, actor: actor, db: db)
            let writer = ContactWriter(db, workspaceID: workspace.id)
            var contacts: [Contact] = []
            for index in 0..<4 {
                let (contact, _) = try #require(try await writer.save(try contactInput(["email": "c\(index)@globex.com", "job_title": "Diretor"]),
                                                                      mode: .replace, definitions: [], by: actor, now: storeNow))
                contacts.append(contact)
            }
            let keeper = ScoreKeeper(db, workspaceID: workspace.id)
            let definition = try #require(try await keeper.activeDefinition())
            func events(_ contact: Int) -> [ScoringEvent] {
                (0..<3).map { ScoringEvent(id: "c\(contact)-\($0)", type: $0 == 2 ? "form_submitted" : "page_view",
                                           time: storeNow.addingTimeInterval(Double(60 * ($0 + 1))), properties: ["path": "/pricing"]) }
            }
            // Contacts 0 and 1 one event at a time; 2 and 3 in one call, their events shuffled.
            for index in 0..<2 {
                _ = try await EventLog(db, workspaceID: workspace.id).record(events(index).map { ($0, contacts[index].id, nil) }, now: storeNow)
                for event in events(index) { try await keeper.apply(event, contactID: contacts[index].id, definition: definition, by: actor, now: event.time) }
            }
            let batch = [(contact: contacts[2], events: events(2).reversed()), (contact: contacts[3], events: [events(3)[1], events(3)[0], events(3)[2]])]
            _ = try await EventLog(db, workspaceID: workspace.id).record(batch.flatMap { item in item.events.map { ($0, item.contact.id, nil) } }, now: storeNow)
            try await keeper.applyAll(batch.map { (contact: $0.contact, events: Array($0.events)) }, definition: definition, by: actor,
                                      now: storeNow.addingTimeInterval(180))
            let later = storeNow.addingTimeInterval(600)
            let single = try #require(try await keeper.score(of: contacts[0].id, definition: definition, now: later))
            for index in 1..<4 {
                let score = try #require(try await keeper.score(of: contacts[index].id, definition: definition, now: later))
                #expect(abs(score.total - single.total) < 1e-9, "contact \(index)")
                #expect(score.ledger.map(\.ruleID).sorted() == single.ledger.map(\.ruleID).sorted())
                #expect(abs(score.total - score.ledgerTotal) < 1e-9)
                #expect(try await ContactRepository(db, workspaceID: workspace.id).find(contacts[index].id)?.stage == .mql)
            }
        }
    }

    @Test("a saved contact is scored at once with every point explained, and events make it an MQL with the cause recorded")
    func liveScoring() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            _ = try await activate(testDefinition(), in: workspace, actor: actor, db: db)
            let company = try #require(try await CompanyWriter(db, workspaceID: workspace.id).save(
                try companyInput(["name": "Globex", "domain": "globex.com", "employee_count": "120"]), mode: .replace, definitions: [], by: actor, now: storeNow))
            _ = company
            let (contact, _) = try #require(try await ContactWriter(db, workspaceID: workspace.id).save(
                try contactInput(["email": "bia@globex.com", "job_title": "Diretora de Marketing", "company_domain": "globex.com"]),
                mode: .replace, definitions: [], by: actor, now: storeNow))
            let keeper = ScoreKeeper(db, workspaceID: workspace.id)
            let definition = try #require(try await keeper.activeDefinition())
            let scored = try #require(try await keeper.score(of: contact.id, definition: definition, now: storeNow))
            #expect(scored.fit == 35)
            #expect(Set(scored.ledger.map(\.ruleID)) == ["director", "size"])
            #expect(scored.ledger.allSatisfy { $0.definitionVersion == 1 })
            #expect(contact.stage == .lead)

            let events = [ScoringEvent(id: "e1", type: "page_view", time: storeNow.addingTimeInterval(60), properties: ["path": "/pricing/enterprise"]),
                          ScoringEvent(id: "e2", type: "form_submitted", time: storeNow.addingTimeInterval(120))]
            _ = try await EventLog(db, workspaceID: workspace.id).record(events.map { ($0, contact.id, nil) }, now: storeNow)
            for event in events { try await keeper.apply(event, contactID: contact.id, definition: definition, by: actor, now: event.time) }
            let later = storeNow.addingTimeInterval(180)
            let after = try #require(try await keeper.score(of: contact.id, definition: definition, now: later))
            #expect(after.evaluation.isMQL)
            #expect(abs(after.total - after.ledgerTotal) < 1e-9)
            #expect(try await ContactRepository(db, workspaceID: workspace.id).find(contact.id)?.stage == .mql)
            let history = try await StageChanges(db, workspaceID: workspace.id).history(of: contact.id)
            #expect(history.first?.to == .mql)
            #expect(history.first?.cause.contains("under lead definition v1") == true)
            #expect(history.first?.actor.name == "Lead definition v1")

            // A field change that breaks a fit rule writes a negative line and keeps the sum.
            _ = try await ContactWriter(db, workspaceID: workspace.id).save(try contactInput(["job_title": "Analista"]), id: contact.id,
                                                                            mode: .merge, definitions: [], by: actor, now: later)
            let refit = try #require(try await keeper.score(of: contact.id, definition: definition, now: later))
            #expect(refit.fit == 15)
            #expect(refit.ledger.contains { $0.ruleID == "director" && $0.points == -20 })
            #expect(abs(refit.total - refit.ledgerTotal) < 1e-9)
            #expect(try await ContactRepository(db, workspaceID: workspace.id).find(contact.id)?.stage == .mql, "scores never demote")
        }
    }

    @Test("a change to a company's fields re-scores its contacts at once, and so does deleting the company")
    func companyChangeRescores() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            _ = try await activate(testDefinition(), in: workspace, actor: actor, db: db)
            let companies = CompanyWriter(db, workspaceID: workspace.id)
            let (company, _) = try #require(try await companies.save(
                try companyInput(["name": "Globex", "domain": "globex.com", "employee_count": "120"]), mode: .replace, definitions: [], by: actor, now: storeNow))
            let (contact, _) = try #require(try await ContactWriter(db, workspaceID: workspace.id).save(
                try contactInput(["email": "bia@globex.com", "job_title": "Diretora", "company_domain": "globex.com"]),
                mode: .replace, definitions: [], by: actor, now: storeNow))
            let keeper = ScoreKeeper(db, workspaceID: workspace.id)
            let definition = try #require(try await keeper.activeDefinition())
            #expect(try await keeper.score(of: contact.id, definition: definition, now: storeNow)?.fit == 35)

            let later = storeNow.addingTimeInterval(60)
            _ = try await companies.save(try companyInput(["name": "Globex", "domain": "globex.com", "employee_count": "12"]), id: company.id,
                                         mode: .replace, definitions: [], by: actor, now: later)
            let shrunk = try #require(try await keeper.score(of: contact.id, definition: definition, now: later))
            #expect(shrunk.fit == 20)
            #expect(shrunk.ledger.contains { $0.ruleID == "size" && $0.points == -15 })
            #expect(abs(shrunk.total - shrunk.ledgerTotal) < 1e-9)

            _ = try await companies.save(try companyInput(["name": "Globex", "domain": "globex.com", "employee_count": "300"]), id: company.id,
                                         mode: .replace, definitions: [], by: actor, now: later)
            #expect(try await keeper.score(of: contact.id, definition: definition, now: later)?.fit == 35)
            _ = try await companies.delete([company.id], by: actor, now: later.addingTimeInterval(60))
            let alone = try #require(try await keeper.score(of: contact.id, definition: definition, now: later.addingTimeInterval(60)))
            #expect(alone.fit == 20, "without its company the contact loses the company's points")
        }
    }

    @Test("a list filtered on engagement compares the decayed points the pages show, in both directions and with bulk re-scoring")
    func engagementFilterDecays() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            let stored = try await activate(testDefinition(), in: workspace, actor: actor, db: db)
            let definition = CompiledLeadDefinition(stored.version.definition)
            let writer = ContactWriter(db, workspaceID: workspace.id)
            let keeper = ScoreKeeper(db, workspaceID: workspace.id)
            let log = EventLog(db, workspaceID: workspace.id)
            // Ana submitted a form (25 points) a half-life (30 days) before `now`; Bia the day before.
            let now = storeNow.addingTimeInterval(30 * 86_400)
            var ids: [String: UUID] = [:]
            for (name, time) in [("ana", storeNow), ("bia", now.addingTimeInterval(-86_400))] {
                let (contact, _) = try #require(try await writer.save(try contactInput(["email": "\(name)@acme.test"]), mode: .replace,
                                                                      definitions: [], by: actor, now: time))
                let event = ScoringEvent(id: "form-\(name)", type: "form_submitted", time: time)
                _ = try await log.record([(event, contact.id, nil)], now: time)
                try await keeper.apply(event, contactID: contact.id, definition: definition, by: actor, now: time)
                ids[name] = contact.id
            }
            func names(_ filter: String) async throws -> Set<String> {
                let query = try ContactQuery.parse([("f", filter)], customFields: [])
                let page = try await ContactSearch(db, workspaceID: workspace.id, now: now).page(query, limit: 10, after: nil, definitions: [])
                return Set(page.contacts.compactMap { contact in ids.first { $0.value == contact.id }?.key })
            }
            #expect(try await keeper.score(of: try #require(ids["ana"]), definition: definition, now: now).map { ($0.engagement * 10).rounded() / 10 } == 12.5)
            #expect(try await names("engagement_score:gte:20") == ["bia"], "Ana's 25 points are 12.5 now")
            #expect(try await names("engagement_score:lte:20") == ["ana"])
            #expect(try await names("engagement_score:between:10..13") == ["ana"])
            #expect(try await names("engagement_score:eq:12.5") == ["ana"])

            // Bulk re-scoring writes the same keys.
            var scoring = BulkScoring(db, workspaceID: workspace.id)
            scoring.batchSize = 1
            let run = try await ScoringRuns(db, workspaceID: workspace.id).start(.activation, version: stored.number, total: 2, now: now)
            _ = try await scoring.run(run, definition: definition, old: nil, now: { now })
            #expect(try await names("engagement_score:gte:20") == ["bia"])
            #expect(try await names("engagement_score:between:10..13") == ["ana"])
        }
    }

    @Test("a rep qualifies a lead as SQL with the active definition's criteria: answers kept, stage moved with the answers as its cause, nothing written when refused")
    func sqlQualification() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            var definition = testDefinition()
            definition.sqlCriteria = [SQLCriterion(key: "budget", label: "Budget", type: .choice, options: ["Approved", "None"]),
                                      SQLCriterion(key: "need", label: "Need", type: .text)]
            _ = try await activate(definition, in: workspace, actor: actor, db: db)
            let (contact, _) = try #require(try await ContactWriter(db, workspaceID: workspace.id).save(
                try contactInput(["email": "lia@acme.test", "lifecycle_stage": "sal"]), mode: .replace, definitions: [], by: actor, now: storeNow))
            let qualifications = SQLQualifications(db, workspaceID: workspace.id)

            await #expect(throws: ValidationFailure([FieldError("budget", .notInList), FieldError("need", .required)])) {
                _ = try await qualifications.qualify(contact.id, answers: ["budget": "Maybe"], by: actor, now: storeNow)
            }
            #expect(try await ContactRepository(db, workspaceID: workspace.id).find(contact.id)?.stage == .sal)
            #expect(try await qualifications.history(of: contact.id).isEmpty)

            let later = storeNow.addingTimeInterval(60)
            let done = try #require(try await qualifications.qualify(contact.id, answers: ["budget": "approved", "need": "A CRM"], by: actor, now: later))
            #expect(done.answers == [SQLQualification.Answer(key: "budget", label: "Budget", value: "Approved"),
                                     SQLQualification.Answer(key: "need", label: "Need", value: "A CRM")])
            #expect(done.definitionVersion == 1)
            #expect(try await ContactRepository(db, workspaceID: workspace.id).find(contact.id)?.stage == .sql)
            #expect(try await qualifications.history(of: contact.id) == [done])
            let stage = try #require(try await StageChanges(db, workspaceID: workspace.id).history(of: contact.id).first)
            #expect(stage.to == .sql)
            #expect(stage.cause == "qualified by \(actor.name) (Budget: Approved; Need: A CRM)")

            await #expect(throws: ValidationFailure([FieldError("lifecycle_stage", .notInList)])) {
                _ = try await qualifications.qualify(contact.id, answers: ["budget": "None", "need": "x"], by: actor, now: later)
            }
            #expect(try await qualifications.qualify(UUID(), answers: [:], by: actor, now: later) == nil)
        }
    }

    @Test("an outcome chosen as yes counts the contacts whose yes/no field is stored as true, and text outcomes ignore case")
    func outcomeValues() {
        let yes = OutcomeChoice(field: "y", positiveValues: ["yes"], excludedFields: [])
        #expect(yes.converted("true"))
        #expect(yes.converted("Yes"))
        #expect(!yes.converted("false"))
        let won = OutcomeChoice(field: "stage", positiveValues: ["Won"], excludedFields: [])
        #expect(won.converted("won "))
        #expect(!won.converted("lost"))
    }

    @Test("an event older than the score is folded in as if it had arrived in order")
    func lateEvent() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            _ = try await activate(testDefinition(), in: workspace, actor: actor, db: db)
            let (contact, _) = try #require(try await ContactWriter(db, workspaceID: workspace.id).save(
                try contactInput(["email": "caio@initech.com"]), mode: .replace, definitions: [], by: actor, now: storeNow))
            let keeper = ScoreKeeper(db, workspaceID: workspace.id)
            let definition = try #require(try await keeper.activeDefinition())
            let late = ScoringEvent(id: "late", type: "page_view", time: storeNow.addingTimeInterval(10), properties: ["path": "/pricing"])
            let recent = [ScoringEvent(id: "p1", type: "page_view", time: storeNow.addingTimeInterval(100), properties: ["path": "/pricing"]),
                          ScoringEvent(id: "p2", type: "page_view", time: storeNow.addingTimeInterval(200), properties: ["path": "/pricing"])]
            let log = EventLog(db, workspaceID: workspace.id)
            for event in recent {
                _ = try await log.record([(event, contact.id, nil)], now: event.time)
                try await keeper.apply(event, contactID: contact.id, definition: definition, by: actor, now: event.time)
            }
            _ = try await log.record([(late, contact.id, nil)], now: storeNow.addingTimeInterval(300))
            try await keeper.apply(late, contactID: contact.id, definition: definition, by: actor, now: storeNow.addingTimeInterval(300))
            let now = storeNow.addingTimeInterval(300)
            let score = try #require(try await keeper.score(of: contact.id, definition: definition, now: now))
            let expected = definition.rescore(profile: ScoringProfile(), events: [late] + recent, now: now)
            #expect(abs(score.engagement - expected.engagement) < 1e-9)
            #expect(score.ledger.filter { $0.kind == .engagement }.reduce(0) { $0 + $1.points } == 20, "the daily cap of 20 holds")
            #expect(abs(score.total - score.ledgerTotal) < 1e-9)
        }
    }

    @Test("a visitor is the contact of its latest identified event whatever the number of its anonymous ones, which SQLite does not read to find it; an event id already stored or repeated in the batch is stored once")
    func visitorsAndReplays() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            let ids = try await directorsAndAnalysts(2, emailPrefix: "v", in: workspace, actor: actor, db: db)
            let log = EventLog(db, workspaceID: workspace.id)
            func view(_ id: String, _ seconds: Double) -> ScoringEvent {
                ScoringEvent(id: id, type: "page_view", time: storeNow.addingTimeInterval(seconds), properties: ["path": "/blog"])
            }
            _ = try await log.record((0..<40).map { (view("a\($0)", Double($0)), nil, "v1") }, now: storeNow)
            _ = try await log.record([(view("i1", 50), ids[0], "v1")], now: storeNow.addingTimeInterval(50))
            _ = try await log.record([(view("i2", 60), ids[1], "v1"), (view("i3", 60), ids[0], "v3")], now: storeNow.addingTimeInterval(60))
            _ = try await log.record((40..<60).map { (view("a\($0)", 100 + Double($0)), nil, "v1") }, now: storeNow.addingTimeInterval(200))
            #expect(try await log.contacts(ofVisitors: ["v1", "v2", "v3", "v1"]) == ["v1": ids[1], "v3": ids[0]])

            let stored = try await log.record([(view("a1", 1), nil, "v1"), (view("n1", 300), nil, "v2"), (view("n1", 301), nil, "v2")],
                                              now: storeNow.addingTimeInterval(300))
            #expect(stored.map(\.id) == ["n1"])
            #expect(stored.first?.time == storeNow.addingTimeInterval(300), "the first of the batch's repeats is the one stored")
            #expect(try await log.count() == 64)

            if let plan = try await RawSQLite.with(db, { raw -> [String] in
                let explain = try RawSQLite.Statement(raw, "EXPLAIN QUERY PLAN " + EventLog.identifiedVisitorLookup)
                var details: [String] = []
                while try explain.step() { details.append(explain.text(3) ?? "") }
                return details
            }) {
                #expect(plan.contains { $0.contains("events_identified_visitor") }, "\(plan)")
            }
        }
    }

    @Test("each commit adds the events it stored to its workspace's counts of the quarter of an hour it arrived in, replays left out, which is what counting the events again gives")
    func receivedCounts() async throws {
        try await TestDatabase.withStore { db in
            let (acme, _) = try await workspace(db)
            let (globex, _) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@globex.com"), via: .page, now: storeNow)
            let log = EventLog(db, workspaceID: acme.id)
            func event(_ id: String, _ type: String) -> (ScoringEvent, UUID?, String?) {
                (ScoringEvent(id: id, type: type, time: storeNow, properties: [:]), nil, "v1")
            }
            // storeNow is 2026-11-18 11:06:40 UTC; the days are UTC days.
            let days = CalendarDays(last: 3, endingAt: storeNow, timeZone: TimeZone(identifier: "UTC")!)
            _ = try await log.record([event("a", "page_view"), event("b", "page_view"), event("c", "email_opened")], now: storeNow)
            _ = try await log.record([event("a", "page_view"), event("d", "page_view")], now: storeNow.addingTimeInterval(60))
            _ = try await log.record([event("e", "page_view")], now: storeNow.addingTimeInterval(-86400))
            _ = try await log.record([event("f", "page_view")], now: storeNow.addingTimeInterval(-3 * 86400))
            _ = try await EventLog(db, workspaceID: globex.id).record([event("a", "page_view")], now: storeNow)

            let kept = try await log.receivedCounts(on: days)
            #expect(kept == [ReceivedCount(day: 1, type: "page_view", events: 1),
                             ReceivedCount(day: 2, type: "email_opened", events: 1), ReceivedCount(day: 2, type: "page_view", events: 3)])
            try await EventCounts.rebuild(db)
            #expect(try await log.receivedCounts(on: days) == kept)
            #expect(try await EventLog(db, workspaceID: globex.id).receivedCounts(on: days) == [ReceivedCount(day: 2, type: "page_view", events: 1)])
        }
    }

    @Test("the ingest writer's kept score states serve its next commit only while nothing else was committed: after a failed commit or another writer's change the score is read again and counts exactly what was stored")
    func keptScoreStates() async throws {
        struct Stop: Error {}
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            let stored = try await activate(testDefinition(), in: workspace, actor: actor, db: db)
            let writer = ContactWriter(db, workspaceID: workspace.id)
            let (contact, _) = try #require(try await writer.save(try contactInput(["email": "bia@acme.test", "job_title": "Analista"]),
                                                                  mode: .replace, definitions: [], by: actor, now: storeNow))
            let cache = ScoreStateCache()
            let kept = try await RawSQLite.isAvailable(db)
            func event(_ id: String, _ type: String, _ seconds: Double) -> ScoringEvent {
                ScoringEvent(id: id, type: type, time: storeNow.addingTimeInterval(seconds), properties: type == "page_view" ? ["path": "/pricing"] : [:])
            }
            func ingest(_ event: ScoringEvent, failing: Bool = false) async throws {
                do {
                    try await StoreTuning.writeTransaction(db) { tx in
                        try await cache.begin(tx)
                        let outcomes = try await EventIngest(tx, workspaceID: workspace.id)
                            .record([EventSubmission(event: event, subject: .contact(contact.id))], now: event.time, cache: cache)
                        #expect(outcomes == [.stored])
                        try await cache.end(tx)
                        if failing { throw Stop() }
                    }
                    cache.committed()
                } catch {
                    cache.discard()
                    throw error
                }
            }
            let views = [event("p1", "page_view", 10), event("p2", "page_view", 20)]
            for view in views { try await ingest(view) }
            #expect(cache.hits == (kept ? 1 : 0), "the second commit found the state the first one stored")

            await #expect(throws: Stop.self) { try await ingest(event("lost", "form_submitted", 25), failing: true) }
            #expect(cache.hits == (kept ? 2 : 0), "the failed commit found it too")
            try await ingest(event("p3", "page_view", 30))
            #expect(cache.hits == (kept ? 2 : 0), "after a failed commit the state is read again")
            try await ingest(event("p4", "page_view", 40))
            #expect(cache.hits == (kept ? 3 : 0))

            // Another writer: the contact becomes a director, which re-scores its fit.
            _ = try await writer.save(try contactInput(["email": "bia@acme.test", "job_title": "Diretora Comercial"]), mode: .replace, definitions: [],
                                      by: actor, now: storeNow.addingTimeInterval(45))
            let form = event("f1", "form_submitted", 50)
            try await ingest(form)
            #expect(cache.hits == (kept ? 3 : 0), "after another writer's commit the state is read again")

            let definition = CompiledLeadDefinition(stored.version.definition)
            let now = storeNow.addingTimeInterval(60)
            let score = try #require(try await ScoreKeeper(db, workspaceID: workspace.id).score(of: contact.id, definition: definition, now: now))
            let expected = definition.rescore(profile: ScoringProfile(["job_title": "Diretora Comercial"]),
                                              events: views + [event("p3", "page_view", 30), event("p4", "page_view", 40), form], now: now)
            #expect(score.fit == 20)
            #expect(abs(score.engagement - expected.engagement) < 1e-9, "the failed commit's event counts for nothing, the daily cap holds")
            #expect(abs(score.total - score.ledgerTotal) < 1e-9)
        }
    }

    @Test("one ingest commit for two workspaces, one of whose definitions this process has not compiled yet, stores each event once, refuses unknown contacts, gives an identified visitor's events to its contact and moves the ones who qualify")
    func ingestCommit() async throws {
        try await TestDatabase.withStore { db in
            func view(_ id: String, _ seconds: Double) -> ScoringEvent {
                ScoringEvent(id: id, type: "page_view", time: storeNow.addingTimeInterval(seconds), properties: ["path": "/pricing"])
            }
            func form(_ id: String, _ seconds: Double) -> ScoringEvent {
                ScoringEvent(id: id, type: "form_submitted", time: storeNow.addingTimeInterval(seconds))
            }
            let (acme, acmeActor) = try await workspace(db)
            let (globex, globexAdmin) = try await Directory(db).createWorkspace(
                WorkspaceSettings(name: "Globex", timeZone: "UTC", currency: "USD", language: .en), admin: newUser("gus@globex.com"), via: .page, now: storeNow)
            let globexActor = AuditActor.user(globexAdmin, via: .page)
            let definition = CompiledLeadDefinition(try await activate(testDefinition(), in: acme, actor: acmeActor, db: db).version.definition)
            _ = try await activate(testDefinition(), in: globex, actor: globexActor, db: db)
            // Directors at even indexes, analysts at odd ones, scored as they are saved.
            let acmeIDs = try await directorsAndAnalysts(2, emailPrefix: "a", in: acme, actor: acmeActor, db: db)
            let globexIDs = try await directorsAndAnalysts(2, emailPrefix: "g", in: globex, actor: globexActor, db: db)
            // A visitor of Acme's site, not identified yet, and an event Acme already has.
            _ = try await EventLog(db, workspaceID: acme.id).record([(view("anon1", 1), nil, "visitor-1"), (view("anon2", 2), nil, "visitor-1"),
                                                                     (view("anon3", 3), nil, "visitor-1"), (view("old", 4), acmeIDs[1], nil)], now: storeNow)
            // Only Acme's definition is compiled: Globex's commit compiles its own.
            CompiledDefinitions.shared.removeAll()
            _ = try await ScoreKeeper(db, workspaceID: acme.id).activeDefinition()

            let cache = ScoreStateCache()
            let now = storeNow.addingTimeInterval(20)
            let acmeEvents = [
                EventSubmission(event: form("f1", 10), subject: .contact(acmeIDs[0])),
                EventSubmission(event: view("v1", 11), subject: .email(EmailAddress("a0@acme.test")!)),
                EventSubmission(event: form("f2", 12), subject: .contact(acmeIDs[1]), identifies: "visitor-1"),
                EventSubmission(event: view("old", 4), subject: .contact(acmeIDs[1])),
                EventSubmission(event: view("f1", 13), subject: .contact(acmeIDs[0])),
                EventSubmission(event: view("stranger", 14), subject: .contact(globexIDs[0])),
                EventSubmission(event: view("nobody", 15), subject: .email(EmailAddress("g0@acme.test")!)),
                EventSubmission(event: view("anon4", 16), subject: .anonymous("visitor-2")),
            ]
            let outcomes = try await EventIngest.commit(db, [(acme.id, acmeEvents),
                                                             (globex.id, [EventSubmission(event: form("f1", 10), subject: .contact(globexIDs[0]))])],
                                                        now: now, cache: cache).outcomes
            #expect(outcomes[acme.id] == [.stored, .stored, .stored, .duplicate, .duplicate, .refused(ValidationFailure("contact_id", .notInList)),
                                          .refused(ValidationFailure("email", .notInList)), .stored])
            #expect(outcomes[globex.id] == [.stored], "an event id is unique per workspace only")
            #expect(try await EventLog(db, workspaceID: acme.id).count() == 8, "four before, four new")

            // The directors with a form qualify in both workspaces, once each; each handoff names
            // the rules behind the points (read from the ledgers of all the commit's new MQLs).
            for (workspaceID, director, pricing) in [(acme.id, acmeIDs[0], 10), (globex.id, globexIDs[0], 0)] {
                let moves = try await StageChanges(db, workspaceID: workspaceID).history(of: director)
                #expect(moves.map(\.to) == [.mql])
                let handoff = try #require(try await Handoffs(db, workspaceID: workspaceID).latest(of: director))
                var expected = ["form": 25, "director": 20]
                if pricing > 0 { expected["pricing"] = pricing }
                #expect(Dictionary(uniqueKeysWithValues: handoff.rules.map { ($0.ruleID, $0.points) }) == expected)
            }
            let keeper = ScoreKeeper(db, workspaceID: acme.id)
            let director = try #require(try await keeper.score(of: acmeIDs[0], definition: definition, now: now))
            #expect(director.ledger.compactMap { if case .event(let id, _) = $0.cause { id } else { nil } }.sorted() == ["f1", "v1"])
            // The analyst has the visitor's three views (two count under the daily cap), the old
            // event and the form: scored from its whole history, as if they had come in order.
            let analyst = try #require(try await keeper.score(of: acmeIDs[1], definition: definition, now: now))
            let expected = definition.rescore(profile: ScoringProfile(["job_title": "Analista"]),
                                              events: [view("anon1", 1), view("anon2", 2), view("anon3", 3), view("old", 4), form("f2", 12)], now: now)
            #expect(abs(analyst.engagement - expected.engagement) < 1e-9)
            #expect(abs(analyst.total - analyst.ledgerTotal) < 1e-9)
            #expect(try await StageChanges(db, workspaceID: acme.id).history(of: acmeIDs[1]).isEmpty)
            #expect(try await EventLog(db, workspaceID: acme.id).contacts(ofVisitors: ["visitor-1", "visitor-2"]) == ["visitor-1": acmeIDs[1]])

            // The next commit finds the director's state in the cache (on SQLite).
            let before = cache.hits
            let next = try await EventIngest.commit(db, [(acme.id, [EventSubmission(event: view("v2", 18), subject: .contact(acmeIDs[0]))])],
                                                    now: now, cache: cache, deferringFlush: true)
            try await next.durable()
            #expect(next.outcomes[acme.id] == [.stored])
            #expect(cache.hits == before + (try await RawSQLite.isAvailable(db) ? 1 : 0))
            let again = try #require(try await keeper.score(of: acmeIDs[0], definition: definition, now: now))
            #expect(abs(again.total - again.ledgerTotal) < 1e-9)
            #expect(again.ledger.count == director.ledger.count + 1)
        }
    }

    @Test("activation re-scores every contact in batches, resumes after an interruption, and promotes the ones who qualify")
    func bulkRescore() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            let ids = try await directorsAndAnalysts(25, emailPrefix: "p", in: workspace, actor: actor, db: db)
            let log = EventLog(db, workspaceID: workspace.id)
            for (index, id) in ids.enumerated() where index % 3 == 0 {
                _ = try await log.record([(ScoringEvent(id: "f\(index)", type: "form_submitted", time: storeNow), id, nil)], now: storeNow)
            }
            let stored = try await activate(testDefinition(), in: workspace, actor: actor, db: db)
            let runs = ScoringRuns(db, workspaceID: workspace.id)
            var scoring = BulkScoring(db, workspaceID: workspace.id)
            scoring.batchSize = 4
            let definition = CompiledLeadDefinition(stored.version.definition)
            let run = try await runs.start(.activation, version: stored.number, total: ids.count, now: storeNow)
            let finished = try await scoring.run(run, definition: definition, old: nil, now: { storeNow })
            #expect(finished.status == .completed)
            #expect(finished.processed == 25)
            // Directors (even) with a form (every third) qualify: 0, 6, 12, 18, 24.
            let mqls = try await ContactRepository(db, workspaceID: workspace.id).find(ids: ids).filter { $0.stage == .mql }.map(\.id)
            #expect(Set(mqls) == Set([0, 6, 12, 18, 24].map { ids[$0] }))
            let keeper = ScoreKeeper(db, workspaceID: workspace.id)
            for id in ids {
                let score = try #require(try await keeper.score(of: id, definition: definition, now: storeNow))
                #expect(abs(score.total - score.ledgerTotal) < 1e-9)
            }
            // Running it again (as a resume from the start would) changes nothing and duplicates no line.
            let again = try await runs.start(.activation, version: stored.number, total: ids.count, now: storeNow)
            _ = try await scoring.run(again, definition: definition, old: nil, now: { storeNow })
            let first = try #require(try await keeper.score(of: ids[0], definition: definition, now: storeNow))
            #expect(first.ledger.count == 2)
            let moves = try await StageChanges(db, workspaceID: workspace.id).history(of: ids[0])
            #expect(moves.count == 1)
            let move = try #require(moves.first)
            #expect(move.from == .lead && move.to == .mql && !move.cause.isEmpty && move.actor.channel == .system && move.actor.name == "Lead definition v\(stored.number)")
            // The move is on the contact's timeline and in the audit log, with its cause, once.
            let timeline = try await RecordChanges(db, workspaceID: workspace.id).timeline(of: ids[0], limit: 50)
            #expect(timeline.filter { $0.change.after["lifecycle_stage"] == "mql" && $0.change.after["cause"] == move.cause }.count == 1)
            let audit = try await AuditLog(db, workspaceID: workspace.id).list(limit: 500)
                .filter { $0.action == AuditAction.contactStageChanged.rawValue && $0.entityID == ids[0] }
            #expect(audit.count == 1)
            #expect(audit.first?.change.before["lifecycle_stage"] == "lead")
            // Contacts that did not qualify keep their stage and have no move.
            #expect(try await StageChanges(db, workspaceID: workspace.id).history(of: ids[1]).isEmpty)
        }
    }

    @Test("events scored after a bulk re-scoring keep the re-scoring's ledger lines, add their own, and qualify the contact in the same call")
    func eventsAfterBulkRescore() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            let (contact, _) = try #require(try await ContactWriter(db, workspaceID: workspace.id).save(
                try contactInput(["email": "dora@acme.test", "job_title": "Diretora"]), mode: .replace, definitions: [], by: actor, now: storeNow))
            let log = EventLog(db, workspaceID: workspace.id)
            _ = try await log.record([(ScoringEvent(id: "old", type: "page_view", time: storeNow, properties: ["path": "/pricing"]), contact.id, nil)],
                                     now: storeNow)
            let stored = try await activate(testDefinition(), in: workspace, actor: actor, db: db)
            let definition = CompiledLeadDefinition(stored.version.definition)
            let run = try await ScoringRuns(db, workspaceID: workspace.id).start(.activation, version: stored.number, total: 1, now: storeNow)
            _ = try await BulkScoring(db, workspaceID: workspace.id).run(run, definition: definition, old: nil, now: { storeNow })
            let keeper = ScoreKeeper(db, workspaceID: workspace.id)
            let before = try #require(try await keeper.score(of: contact.id, definition: definition, now: storeNow))
            #expect(before.ledger.contains { $0.cause == .event(id: "old", type: "page_view") })
            #expect(try await ContactRepository(db, workspaceID: workspace.id).find(contact.id)?.stage == .lead)

            let form = ScoringEvent(id: "form", type: "form_submitted", time: storeNow.addingTimeInterval(60))
            _ = try await log.record([(form, contact.id, nil)], now: storeNow)
            try await keeper.applyEvents([(contactID: contact.id, stage: .lead, events: [form])], definition: definition, by: actor,
                                         now: storeNow.addingTimeInterval(60))
            let after = try #require(try await keeper.score(of: contact.id, definition: definition, now: storeNow.addingTimeInterval(60)))
            #expect(after.ledger.count == before.ledger.count + 1)
            #expect(after.ledger.first?.cause == .event(id: "form", type: "form_submitted"))
            #expect(Set(before.ledger).isSubset(of: Set(after.ledger)))
            #expect(abs(after.total - after.ledgerTotal) < 1e-9)
            #expect(after.evaluation.isMQL)
            #expect(try await ContactRepository(db, workspaceID: workspace.id).find(contact.id)?.stage == .mql)
            let handoff = try #require(try await Handoffs(db, workspaceID: workspace.id).latest(of: contact.id))
            #expect(handoff.rules.contains { $0.ruleID == after.ledger.first?.ruleID })
        }
    }

    @Test("re-scoring a workspace reads only its own contacts' events, though another workspace's contacts were created between them")
    func rescoreIsSealedPerWorkspace() async throws {
        try await TestDatabase.withStore { db in
            let (acme, acmeActor) = try await workspace(db)
            let (globex, globexAdmin) = try await Directory(db).createWorkspace(
                WorkspaceSettings(name: "Globex", timeZone: "UTC", currency: "USD", language: .en), admin: newUser("gus@globex.com"), via: .page, now: storeNow)
            let globexActor = AuditActor.user(globexAdmin, via: .page)
            var acmeIDs: [UUID] = [], globexIDs: [UUID] = []
            // Created alternately, so that in id order each workspace's contacts sit between the other's.
            for index in 0..<12 {
                let (workspaceID, actor) = index.isMultiple(of: 2) ? (acme.id, acmeActor) : (globex.id, globexActor)
                let (contact, _) = try #require(try await ContactWriter(db, workspaceID: workspaceID).save(
                    try contactInput(["email": "w\(index)@example.test", "job_title": "Analista"]), mode: .replace, definitions: [], by: actor, now: storeNow))
                _ = try await EventLog(db, workspaceID: workspaceID).record(
                    [(ScoringEvent(id: "form\(index)", type: "form_submitted", time: storeNow), contact.id, nil)], now: storeNow)
                if index.isMultiple(of: 2) { acmeIDs.append(contact.id) } else { globexIDs.append(contact.id) }
            }
            let stored = try await activate(testDefinition(), in: acme, actor: acmeActor, db: db)
            let definition = CompiledLeadDefinition(stored.version.definition)
            for finished in try await activationRunsTwice(stored, in: acme.id, total: acmeIDs.count, db: db) {
                #expect(finished.processed == acmeIDs.count)
            }
            let keeper = ScoreKeeper(db, workspaceID: acme.id)
            for (index, id) in acmeIDs.enumerated() {
                let score = try #require(try await keeper.score(of: id, definition: definition, now: storeNow))
                #expect(score.ledger.map(\.cause) == [.event(id: "form\(index * 2)", type: "form_submitted")], "only its own event, once")
            }
            let globexKeeper = ScoreKeeper(db, workspaceID: globex.id)
            for id in globexIDs { #expect(try await globexKeeper.score(of: id, definition: definition, now: storeNow) == nil) }
        }
    }

    @Test("on a database file, activation reads each next batch on a second connection while it writes, and scores and promotes every contact once")
    func rescoreOnAFile() async throws {
        try await TestDatabase.withSQLiteFileStore { db in
            let (workspace, actor) = try await workspace(db)
            let log = EventLog(db, workspaceID: workspace.id)
            let ids = try await directorsAndAnalysts(69, emailPrefix: "f", in: workspace, actor: actor, db: db)
            for (index, id) in ids.enumerated() {
                let events = (0..<(index % 4)).map { ScoringEvent(id: "v\(index)-\($0)", type: "page_view", time: storeNow.addingTimeInterval(Double(-$0 * 86_400)),
                                                                 properties: ["path": "/pricing"]) }
                    + (index % 3 == 0 ? [ScoringEvent(id: "f\(index)", type: "form_submitted", time: storeNow)] : [])
                if !events.isEmpty { _ = try await log.record(events.map { ($0, id, nil) }, now: storeNow) }
            }
            let stored = try await activate(testDefinition(), in: workspace, actor: actor, db: db)
            let definition = CompiledLeadDefinition(stored.version.definition)
            // 35 batches of 2: two transactions of up to 32 batches, the last one short.
            for finished in try await activationRunsTwice(stored, in: workspace.id, total: ids.count, db: db) {
                #expect(finished.status == .completed)
                #expect(finished.processed == ids.count)
            }
            let keeper = ScoreKeeper(db, workspaceID: workspace.id)
            for (index, id) in ids.enumerated() {
                let score = try #require(try await keeper.score(of: id, definition: definition, now: storeNow))
                let causes = score.ledger.compactMap { entry -> String? in if case .event(let id, _) = entry.cause { id } else { nil } }
                #expect(Set(causes) == Set((0..<(index % 4)).map { "v\(index)-\($0)" } + (index % 3 == 0 ? ["f\(index)"] : [])),
                        "contact \(index): each of its own events once, none of another's")
                #expect(causes.count == Set(causes).count)
                #expect(abs(score.total - score.ledgerTotal) < 1e-9)
            }
            // Directors (even) with a form (every third) qualify, each moved once.
            let mqls = try await ContactRepository(db, workspaceID: workspace.id).find(ids: ids).filter { $0.stage == .mql }.map(\.id)
            #expect(Set(mqls) == Set(ids.indices.filter { $0 % 6 == 0 }.map { ids[$0] }))
            for id in mqls { #expect(try await StageChanges(db, workspaceID: workspace.id).history(of: id).count == 1) }
        }
    }

    @Test("on a database file, events recorded between two transactions of an activation count for every contact the later transaction scores, though it read its first batch ahead")
    func writesBetweenTransactionsAreSeen() async throws {
        try await TestDatabase.withSQLiteFileStore { db in
            let (workspace, actor) = try await workspace(db)
            let ids = try await directorsAndAnalysts(69, emailPrefix: "b", in: workspace, actor: actor, db: db)
            let stored = try await activate(testDefinition(), in: workspace, actor: actor, db: db)
            let definition = CompiledLeadDefinition(stored.version.definition)
            var scoring = BulkScoring(db, workspaceID: workspace.id)
            scoring.batchSize = 2
            let firstTransaction = Mutex<Int?>(nil)
            let run = try await ScoringRuns(db, workspaceID: workspace.id).start(.activation, version: stored.number, total: ids.count, now: storeNow)
            // 32 batches of 2 in the first transaction; the batch after them is read before it commits.
            let finished = try await scoring.run(run, definition: definition, old: nil, now: { storeNow }) { progress in
                let isFirst = firstTransaction.withLock { done in
                    guard done == nil else { return false }
                    done = progress.processed
                    return true
                }
                guard isFirst else { return }
                _ = try? await EventLog(db, workspaceID: workspace.id).record(
                    ids.enumerated().map { (ScoringEvent(id: "late\($0.offset)", type: "form_submitted", time: storeNow), $0.element, nil) }, now: storeNow)
            }
            #expect(finished.status == .completed)
            #expect(firstTransaction.withLock { $0 } == 64)
            let keeper = ScoreKeeper(db, workspaceID: workspace.id)
            var withLateEvent = 0
            for (index, id) in ids.enumerated() {
                let score = try #require(try await keeper.score(of: id, definition: definition, now: storeNow))
                if score.ledger.contains(where: { $0.cause == .event(id: "late\(index)", type: "form_submitted") }) { withLateEvent += 1 }
            }
            #expect(withLateEvent == 5, "the 5 contacts of the second transaction, the 2 read ahead among them")
        }
    }

    @Test("activation scores fit rules on a contact's company and on the custom fields of contacts and companies, read with each batch",
          arguments: [true, false])
    func activationReadsCompaniesAndCustomFields(onFile: Bool) async throws {
        let body: (any Database) async throws -> Void = { db in
            let (workspace, actor) = try await self.workspace(db)
            let fields = CustomFieldRepository(db, workspaceID: workspace.id)
            let budget = try await fields.create(entity: .contact, key: "budget", label: "Budget", type: .number, options: [], by: actor, now: storeNow)
            let tier = try await fields.create(entity: .company, key: "tier", label: "Tier", type: .choice, options: ["Gold", "Silver"], by: actor, now: storeNow)
            let companies = CompanyWriter(db, workspaceID: workspace.id)
            for (domain, size, level) in [("big.test", "120", "Gold"), ("small.test", "5", "Silver")] {
                _ = try await companies.save(try companyInput(["name": domain, "domain": domain, "employee_count": size, "cf_tier": level], custom: [tier]),
                                             mode: .replace, definitions: [tier], by: actor, now: storeNow)
            }
            // Contact i: at big.test (i % 3 == 0), small.test (i % 3 == 1) or no company; a budget of 5,000 at even i.
            let writer = ContactWriter(db, workspaceID: workspace.id)
            var ids: [UUID] = []
            for index in 0..<9 {
                let domain = ["big.test", "small.test", ""][index % 3]
                let input = try contactInput(["email": "c\(index)@acme.test", "company_domain": domain, "cf_budget": index.isMultiple(of: 2) ? "5000" : ""],
                                             custom: [budget])
                let (contact, _) = try #require(try await writer.save(input, mode: .replace, definitions: [budget], by: actor, now: storeNow))
                ids.append(contact.id)
            }
            var definition = testDefinition()
            definition.fitRules += [FitRule(id: "budget", field: "cf_budget", condition: .range(min: 1000, max: nil), points: 7),
                                    FitRule(id: "gold", field: "company.cf_tier", condition: .equals("Gold"), points: 3)]
            let stored = try await self.activate(definition, in: workspace, actor: actor, customFields: [budget, tier], db: db)
            for finished in try await self.activationRunsTwice(stored, in: workspace.id, total: ids.count, db: db) { #expect(finished.processed == ids.count) }
            let keeper = ScoreKeeper(db, workspaceID: workspace.id)
            let compiled = CompiledLeadDefinition(stored.version.definition)
            for (index, id) in ids.enumerated() {
                let score = try #require(try await keeper.score(of: id, definition: compiled, now: storeNow))
                let expected = (index % 3 == 0 ? 15 + 3 : 0) + (index.isMultiple(of: 2) ? 7 : 0)
                #expect(score.fit == expected, "contact \(index)")
                #expect(Set(score.ledger.map(\.ruleID)) == Set((index % 3 == 0 ? ["size", "gold"] : []) + (index.isMultiple(of: 2) ? ["budget"] : [])))
            }
        }
        if onFile { try await TestDatabase.withSQLiteFileStore(body) } else { try await TestDatabase.withStore(body) }
    }

    @Test("a re-scoring stopped after a few batches resumes after the last contact it wrote, and every contact ends scored once")
    func stoppedRunResumes() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            let writer = ContactWriter(db, workspaceID: workspace.id)
            var ids: [UUID] = []
            for index in 0..<10 {
                let (contact, _) = try #require(try await writer.save(try contactInput(["email": "r\(index)@acme.test", "job_title": "Diretor"]),
                                                                      mode: .replace, definitions: [], by: actor, now: storeNow))
                ids.append(contact.id)
            }
            let stored = try await activate(testDefinition(), in: workspace, actor: actor, db: db)
            let definition = CompiledLeadDefinition(stored.version.definition)
            let runs = ScoringRuns(db, workspaceID: workspace.id)
            var scoring = BulkScoring(db, workspaceID: workspace.id)
            scoring.batchSize = 3
            scoring.contactLimit = 5
            let run = try await runs.start(.activation, version: stored.number, total: ids.count, now: storeNow)
            let stopped = try await scoring.run(run, definition: definition, old: nil, now: { storeNow })
            #expect(stopped.status == .running)
            #expect(stopped.processed == 6, "two whole batches")
            let left = try #require(try await ScoringRuns.interrupted(on: db).first { $0.run.id == run.id }?.run)
            #expect(left.processed == 6)
            #expect(left.lastContactID != nil)
            let keeper = ScoreKeeper(db, workspaceID: workspace.id)
            var scoredBefore = 0
            for id in ids where try await keeper.score(of: id, definition: definition, now: storeNow) != nil { scoredBefore += 1 }
            #expect(scoredBefore == 6, "only the committed batches are scored")

            scoring.contactLimit = nil
            let finished = try await scoring.run(left, definition: definition, old: nil, now: { storeNow })
            #expect(finished.status == .completed)
            #expect(finished.processed == 10)
            for id in ids {
                let score = try #require(try await keeper.score(of: id, definition: definition, now: storeNow))
                #expect(score.ledger.filter { $0.ruleID == "director" }.count == 1, "no contact is scored twice")
            }
        }
    }

    /// How many of the workspace's scores the engagement index holds (SQLite; nil elsewhere or
    /// without the index).
    func engagementIndexEntries(_ db: any Database, workspaceID: UUID) async throws -> Int? {
        guard try await EngagementIndex.isPresent(db) == true else { return nil }
        return try await RawSQLite.with(db) { raw in
            let count = try RawSQLite.Statement(raw, "SELECT COUNT(*) FROM contact_scores INDEXED BY \"\(EngagementIndex.name)\" WHERE workspace_id = ?")
            count.bind(1, workspaceID)
            return try count.step() ? count.integer(0) : nil
        } ?? nil
    }

    @Test("a large re-scoring run on SQLite sets the engagement index aside while it writes and builds it again, with every score in it, before it completes")
    func largeRunSetsTheEngagementIndexAside() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            _ = try await directorsAndAnalysts(10, emailPrefix: "big", in: workspace, actor: actor, db: db)
            let stored = try await activate(testDefinition(), in: workspace, actor: actor, db: db)
            let onSQLite = try await EngagementIndex.isPresent(db) != nil
            var scoring = BulkScoring(db, workspaceID: workspace.id)
            scoring.batchSize = 3
            scoring.setsIndexAsideFrom = 5
            let run = try await ScoringRuns(db, workspaceID: workspace.id).start(.activation, version: stored.number, total: 10, now: storeNow)
            let seen = Mutex<[Bool?]>([])
            let done = try await scoring.run(run, definition: CompiledLeadDefinition(stored.version.definition), old: nil, now: { storeNow }) { _ in
                let present = try? await EngagementIndex.isPresent(db)
                seen.withLock { $0.append(present) }
            }
            #expect(done.status == .completed)
            let during = seen.withLock { $0 }
            #expect(!during.isEmpty)
            if onSQLite {
                #expect(during.allSatisfy { $0 == false }, "aside through every batch")
                #expect(try await EngagementIndex.isPresent(db) == true)
                #expect(try await engagementIndexEntries(db, workspaceID: workspace.id) == 10)
            } else {
                #expect(during.allSatisfy { $0 == nil }, "PostgreSQL keeps its index")
            }
        }
    }

    @Test("a large re-scoring run that stops at its limit builds the engagement index again before it returns")
    func stoppedRunBuildsTheEngagementIndexAgain() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            _ = try await directorsAndAnalysts(10, emailPrefix: "stop", in: workspace, actor: actor, db: db)
            let stored = try await activate(testDefinition(), in: workspace, actor: actor, db: db)
            var scoring = BulkScoring(db, workspaceID: workspace.id)
            scoring.batchSize = 3
            scoring.contactLimit = 4
            scoring.setsIndexAsideFrom = 5
            let run = try await ScoringRuns(db, workspaceID: workspace.id).start(.activation, version: stored.number, total: 10, now: storeNow)
            let stopped = try await scoring.run(run, definition: CompiledLeadDefinition(stored.version.definition), old: nil, now: { storeNow })
            #expect(stopped.status == .running)
            #expect(try await EngagementIndex.isPresent(db) != false)
        }
    }

    @Test("only a run with enough contacts left, in a workspace holding at least half of the stored scores, sets the engagement index aside; a start builds it again")
    func engagementIndexSetAsideRule() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            _ = try await directorsAndAnalysts(6, emailPrefix: "rule", in: workspace, actor: actor, db: db)
            let stored = try await activate(testDefinition(), in: workspace, actor: actor, db: db)
            _ = try await activationRunsTwice(stored, in: workspace.id, total: 6, db: db)
            guard try await EngagementIndex.isPresent(db) == true else { return }
            let elsewhere = UUID()
            #expect(try await EngagementIndex.setAside(db, workspaceID: elsewhere, contactsLeft: 100, from: 5) == false, "a workspace without scores here")
            #expect(try await EngagementIndex.setAside(db, workspaceID: workspace.id, contactsLeft: 4, from: 5) == false, "too few contacts left")
            #expect(try await EngagementIndex.isPresent(db) == true)
            #expect(try await EngagementIndex.setAside(db, workspaceID: workspace.id, contactsLeft: 6, from: 5))
            #expect(try await EngagementIndex.isPresent(db) == false)
            // What the start of the product does after a run was killed with the index aside.
            try await EngagementIndex.restore(db)
            #expect(try await engagementIndexEntries(db, workspaceID: workspace.id) == 6)
        }
    }

    @Test("a what-if over the contacts counts who would enter MQL without writing a score")
    func whatIf() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            let writer = ContactWriter(db, workspaceID: workspace.id)
            for index in 0..<6 {
                _ = try await writer.save(try contactInput(["email": "w\(index)@acme.test", "job_title": index < 2 ? "Director" : "Intern"]),
                                          mode: .replace, definitions: [], by: actor, now: storeNow)
            }
            var lenient = testDefinition()
            lenient.mql = .thresholds(fit: 20, engagement: 0)
            let runs = ScoringRuns(db, workspaceID: workspace.id)
            let run = try await runs.start(.whatIf, version: 1, total: 6, now: storeNow)
            let done = try await BulkScoring(db, workspaceID: workspace.id).run(run, definition: CompiledLeadDefinition(lenient), old: nil, now: { storeNow })
            #expect(done.whatIf?.entering == 2)
            #expect(done.whatIf?.contacts == 6)
            #expect(try await runs.find(run.id)?.whatIf?.changes.count == 2)
            #expect(try await ContactRepository(db, workspaceID: workspace.id).countByStage()[.mql] == 0)
        }
    }
}
