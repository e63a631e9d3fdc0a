import FluentKit
import Foundation
import SQLKit
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
import Testing

/// A workspace with an admin and a few reps in one team, for routing tests.
struct RoutingFixture: Sendable {
    let workspace: Workspace
    let admin: User
    let team: Team
    let reps: [User]

    var actor: AuditActor { .user(admin, via: .page) }
    var setup: RoutingSetup { RoutingSetup(db, workspaceID: workspace.id) }
    var router: Router { Router(db, workspaceID: workspace.id) }
    let db: any Database

    static func make(_ db: any Database, admin email: String = "ana@acme.com", reps names: [String], team name: String = "Inbound") async throws -> RoutingFixture {
        let (workspace, admin) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser(email), via: .page, now: storeNow)
        let actor = AuditActor.user(admin, via: .page)
        let domain = email.split(separator: "@").last.map(String.init) ?? "acme.com"
        var reps: [User] = []
        for name in names {
            let invitations = InvitationRepository(db, workspaceID: workspace.id)
            let (invitation, _) = try await invitations.create(email: EmailAddress("\(name.lowercased())@\(domain)")!, roles: [.sales], teamIDs: [],
                                                               by: actor, now: storeNow)
            reps.append(try await invitations.accept(invitation.id, name: name, passwordHash: "h", language: nil, now: storeNow))
        }
        let team = try await TeamRepository(db, workspaceID: workspace.id).create(name: name, memberIDs: reps.map(\.id), by: actor, now: storeNow)
        return RoutingFixture(workspace: workspace, admin: admin, team: team, reps: reps, db: db)
    }

    func contact(_ fields: [String: String]) async throws -> Contact {
        let (contact, _) = try #require(try await ContactWriter(db, workspaceID: workspace.id)
            .save(try contactInput(fields), mode: .replace, definitions: [], by: actor, now: storeNow))
        return contact
    }

    func rule(_ name: String, team: UUID? = nil, _ conditions: [RoutingCondition] = []) async throws -> RoutingRule {
        try await setup.createRule(RoutingRule(id: UUID(), name: name, position: 0, conditions: conditions, teamID: team ?? self.team.id),
                                   by: actor, now: storeNow)
    }

    func rep(_ name: String) -> User { reps.first { $0.name == name }! }
}

/// Wednesday 2026-11-25 15:00 UTC, 12:00 in São Paulo (the fixture workspace's zone).
let routingNow = Date(timeIntervalSince1970: 1_795_618_800)

@Suite("Lead routing in the store")
struct RoutingStoreTests {
    @Test("a new MQL without an owner is routed in the transaction that qualified it, and its handoff goes to that rep")
    func handoffRoutes() async throws {
        try await TestDatabase.withStore { db in
            let acme = try await RoutingFixture.make(db, reps: ["Bia"])
            _ = try await acme.rule("Everyone")
            let contact = try await acme.contact(["first_name": "Rita", "email": "rita@lisboa.pt", "lifecycle_stage": "lead"])
            #expect(contact.ownerID == nil)
            _ = try await ContactWriter(db, workspaceID: acme.workspace.id).save(try contactInput(["email": "rita@lisboa.pt", "lifecycle_stage": "mql"]),
                                                                                id: contact.id, mode: .merge, definitions: [], by: acme.actor, now: routingNow)
            let handoff = try #require(try await Handoffs(db, workspaceID: acme.workspace.id).latest(of: contact.id))
            #expect(handoff.ownerID == acme.rep("Bia").id)
            #expect(handoff.assignedAt == routingNow)
            #expect(try await ContactRepository(db, workspaceID: acme.workspace.id).find(contact.id)?.ownerID == acme.rep("Bia").id)
            let log = try await LeadAssignments(db, workspaceID: acme.workspace.id).list(limit: 10)
            #expect(log.map(\.contactID) == [contact.id])
            #expect(log.first?.ruleName == "Everyone")
        }
    }

    @Test("the first matching rule picks the team, the contact gets the rep as owner, and the assignment is logged with the rule")
    func assignsAndLogs() async throws {
        try await TestDatabase.withStore { db in
            let acme = try await RoutingFixture.make(db, reps: ["Bia", "Caio"])
            let other = try await TeamRepository(db, workspaceID: acme.workspace.id).create(name: "Portugal", memberIDs: [acme.rep("Caio").id],
                                                                                           by: acme.actor, now: storeNow)
            let portugal = try await acme.rule("Portugal", team: other.id, [RoutingCondition(field: "country", condition: .equals("PT"))])
            _ = try await acme.rule("Everyone else")
            let contact = try await acme.contact(["first_name": "Rita", "email": "rita@lisboa.pt", "country": "PT"])

            let assignment = try #require(try await acme.router.assign(contactID: contact.id, now: routingNow, by: .system))

            #expect(assignment.ownerID == acme.rep("Caio").id)
            #expect(assignment.ruleID == portugal.id)
            #expect(assignment.ruleName == "Portugal")
            #expect(assignment.teamName == "Portugal")
            #expect(assignment.reason == .roundRobin)
            #expect(try await ContactRepository(db, workspaceID: acme.workspace.id).find(contact.id)?.ownerID == acme.rep("Caio").id)
            let log = try await LeadAssignments(db, workspaceID: acme.workspace.id).list(limit: 10)
            #expect(log == [assignment])
            let audit = try await AuditLog(db, workspaceID: acme.workspace.id).list(limit: 1)
            #expect(audit.first?.action == "contact.owner_changed")
            #expect(audit.first?.change.after["owner_email"] == "caio@acme.com")
        }
    }

    @Test("routing inside the caller's transaction is undone with it")
    func insideCallerTransaction() async throws {
        try await TestDatabase.withStore { db in
            let acme = try await RoutingFixture.make(db, reps: ["Bia"])
            _ = try await acme.rule("Everyone")
            let contact = try await acme.contact(["first_name": "Rui", "email": "rui@x.com"])
            struct Rollback: Error {}

            await #expect(throws: Rollback.self) {
                try await StoreTuning.writeTransaction(db) { tx in
                    let assignment = try await Router(db, workspaceID: acme.workspace.id).assign(contactID: contact.id, now: routingNow, by: .system, on: tx)
                    #expect(assignment?.ownerID == acme.rep("Bia").id)
                    throw Rollback()
                }
            }
            #expect(try await ContactRepository(db, workspaceID: acme.workspace.id).find(contact.id)?.ownerID == nil)
            #expect(try await LeadAssignments(db, workspaceID: acme.workspace.id).count() == 0)
        }
    }

    @Test("rules read company fields: a company of 500 people or more goes to the enterprise team")
    func companySize() async throws {
        try await TestDatabase.withStore { db in
            let acme = try await RoutingFixture.make(db, reps: ["Bia", "Caio"])
            let enterprise = try await TeamRepository(db, workspaceID: acme.workspace.id).create(name: "Enterprise", memberIDs: [acme.rep("Bia").id],
                                                                                                by: acme.actor, now: storeNow)
            _ = try await acme.rule("Enterprise", team: enterprise.id, [RoutingCondition(field: "company.employee_count", condition: .range(min: 500, max: nil))])
            let small = try await TeamRepository(db, workspaceID: acme.workspace.id).create(name: "Small", memberIDs: [acme.rep("Caio").id],
                                                                                           by: acme.actor, now: storeNow)
            _ = try await acme.rule("Smaller", team: small.id)
            let input = try CompanyInput.check(["name": "Globo", "domain": "globo.com", "employee_count": "1200"], customFields: []).get()
            _ = try await CompanyWriter(db, workspaceID: acme.workspace.id).save(input, mode: .replace, definitions: [], by: acme.actor, now: storeNow)
            let big = try await acme.contact(["first_name": "Gil", "email": "gil@globo.com", "company": "Globo", "company_domain": "globo.com"])
            let tiny = try await acme.contact(["first_name": "Lia", "email": "lia@loja.com", "company": "Loja"])

            #expect(try await acme.router.assign(contactID: big.id, now: routingNow, by: .system)?.ownerID == acme.rep("Bia").id)
            #expect(try await acme.router.assign(contactID: tiny.id, now: routingNow, by: .system)?.ownerID == acme.rep("Caio").id)
        }
    }

    @Test("with no matching rule the fallback owner gets the lead; without one the lead stays unassigned and the log says why")
    func fallbackOwner() async throws {
        try await TestDatabase.withStore { db in
            let acme = try await RoutingFixture.make(db, reps: ["Bia"])
            _ = try await acme.rule("Brazil", [RoutingCondition(field: "country", condition: .equals("BR"))])
            let first = try await acme.contact(["first_name": "Ann", "email": "ann@x.us", "country": "US"])
            let second = try await acme.contact(["first_name": "Bob", "email": "bob@x.us", "country": "US"])

            let unassigned = try #require(try await acme.router.assign(contactID: first.id, now: routingNow, by: .system))
            #expect(unassigned.ownerID == nil)
            #expect(unassigned.reason == .unassignedNoRuleMatched)

            try await acme.setup.setFallbackOwner(acme.admin.id, by: acme.actor, now: storeNow)
            let fallback = try #require(try await acme.router.assign(contactID: second.id, now: routingNow, by: .system))
            #expect(fallback.ownerID == acme.admin.id)
            #expect(fallback.ownerName == "Ana Admin")
            #expect(fallback.reason == .fallbackNoRuleMatched)
            #expect(try await AuditLog(db, workspaceID: acme.workspace.id).list(limit: 10).contains { $0.action == "routing.fallback_changed" })

            await #expect(throws: ValidationFailure("fallback_owner_id", .notInList)) {
                try await acme.setup.setFallbackOwner(UUID(), by: acme.actor, now: storeNow)
            }
        }
    }

    @Test("reps who are away, off hours or full are skipped with the reason, and the log lists them")
    func skippedReps() async throws {
        try await TestDatabase.withStore { db in
            let acme = try await RoutingFixture.make(db, reps: ["Bia", "Caio", "Duda"])
            _ = try await acme.rule("Everyone")
            let today = CalendarDay(year: 2026, month: 11, day: 25)!
            try await acme.setup.saveAvailability(RepAvailability(timeZone: "America/Sao_Paulo", outOfOffice: [Absence(from: today, to: today)]),
                                                  for: acme.rep("Bia").id, by: acme.actor, now: storeNow)
            // 12:00 in São Paulo is 15:00 in Lisbon, where Caio's day ends.
            try await acme.setup.saveAvailability(RepAvailability(timeZone: "Europe/Lisbon", workingHours: .weekdays(DayHours(start: 480, end: 900)!)),
                                                  for: acme.rep("Caio").id, by: acme.actor, now: storeNow)
            let contact = try await acme.contact(["first_name": "Rui", "email": "rui@x.com"])

            let assignment = try #require(try await acme.router.assign(contactID: contact.id, now: routingNow, by: .system))

            #expect(assignment.ownerID == acme.rep("Duda").id)
            #expect(assignment.skipped == [
                SkippedRep(userID: acme.rep("Bia").id, name: "Bia", reason: .outOfOffice),
                SkippedRep(userID: acme.rep("Caio").id, name: "Caio", reason: .outsideWorkingHours),
            ])
            #expect(try await LeadAssignments(db, workspaceID: acme.workspace.id).list(limit: 1).first?.skipped == assignment.skipped)
        }
    }

    @Test("a rep with no capacity left is skipped, never over-assigned, and counts start again the next day")
    func capacity() async throws {
        try await TestDatabase.withStore { db in
            let acme = try await RoutingFixture.make(db, reps: ["Bia", "Caio"])
            _ = try await acme.rule("Everyone")
            try await acme.setup.saveAvailability(RepAvailability(timeZone: "America/Sao_Paulo", capacityPerDay: 2),
                                                  for: acme.rep("Bia").id, by: acme.actor, now: storeNow)
            var owners: [UUID?] = []
            for index in 0..<8 {
                let contact = try await acme.contact(["first_name": "C\(index)", "email": "c\(index)@x.com"])
                owners.append(try await acme.router.assign(contactID: contact.id, now: routingNow.addingTimeInterval(Double(index)), by: .system)?.ownerID)
            }
            #expect(owners.filter { $0 == acme.rep("Bia").id }.count == 2)
            #expect(owners.filter { $0 == acme.rep("Caio").id }.count == 6)

            // The next day Bia takes leads again: of the next two, one is hers.
            var nextDay: [UUID?] = []
            for index in 0..<2 {
                let contact = try await acme.contact(["first_name": "Next \(index)", "email": "next\(index)@x.com"])
                nextDay.append(try await acme.router.assign(contactID: contact.id, now: routingNow.addingTimeInterval(86_400 + Double(index)), by: .system)?.ownerID)
            }
            #expect(Set(nextDay) == [acme.rep("Bia").id, acme.rep("Caio").id])
        }
    }

    @Test("a deactivated rep is skipped as inactive and nobody free sends the lead to the fallback owner")
    func inactiveRep() async throws {
        try await TestDatabase.withStore { db in
            let acme = try await RoutingFixture.make(db, reps: ["Bia"])
            _ = try await acme.rule("Everyone")
            try await acme.setup.setFallbackOwner(acme.admin.id, by: acme.actor, now: storeNow)
            _ = try await UserRepository(db, workspaceID: acme.workspace.id).update(acme.rep("Bia").id, .init(isActive: false), by: acme.actor, now: storeNow)
            let contact = try await acme.contact(["first_name": "Rui", "email": "rui@x.com"])

            let assignment = try #require(try await acme.router.assign(contactID: contact.id, now: routingNow, by: .system))
            #expect(assignment.ownerID == acme.admin.id)
            #expect(assignment.reason == .fallbackNoRepAvailable)
            #expect(assignment.skipped.map(\.reason) == [.inactive])
        }
    }

    @Test("many leads routed at once from concurrent tasks give each rep exactly its weighted share, within capacity")
    func fairUnderConcurrency() async throws {
        try await TestDatabase.withStore { db in
            let acme = try await RoutingFixture.make(db, reps: ["Bia", "Caio", "Duda", "Eva"])
            _ = try await acme.rule("Everyone")
            _ = try await acme.setup.saveWeights(teamID: acme.team.id, [acme.rep("Bia").id: 2, acme.rep("Caio").id: 1, acme.rep("Duda").id: 1],
                                                 by: acme.actor, now: storeNow)
            // Eva may take 20 leads a day: she is full long before the others.
            try await acme.setup.saveAvailability(RepAvailability(timeZone: "America/Sao_Paulo", capacityPerDay: 20),
                                                  for: acme.rep("Eva").id, by: acme.actor, now: storeNow)
            var contacts: [UUID] = []
            for index in 0..<200 { contacts.append(try await acme.contact(["first_name": "Lead \(index)", "email": "lead\(index)@x.com"]).id) }

            // Assignments from concurrent tasks, each in its own transaction: always twice as many
            // in flight as the test's database connections, so two of them race at every moment
            // and none waits long enough for the pool to give up on a busy machine.
            let route: @Sendable (UUID) async throws -> UUID? = { id in
                try await Router(db, workspaceID: acme.workspace.id).assign(contactID: id, now: routingNow, by: .system)?.ownerID
            }
            let owners = try await withThrowingTaskGroup(of: UUID?.self) { group in
                var waiting = contacts.makeIterator()
                for _ in 0..<4 { if let id = waiting.next() { group.addTask { try await route(id) } } }
                var all: [UUID?] = []
                for try await owner in group {
                    all.append(owner)
                    if let id = waiting.next() { group.addTask { try await route(id) } }
                }
                return all
            }

            var counts: [UUID: Int] = [:]
            for owner in owners { if let owner { counts[owner, default: 0] += 1 } }
            #expect(owners.count == 200)
            #expect(counts[acme.rep("Eva").id] == 20)
            // The other 180 go 2:1:1.
            #expect(abs((counts[acme.rep("Bia").id] ?? 0) - 90) <= 1)
            #expect(abs((counts[acme.rep("Caio").id] ?? 0) - 45) <= 1)
            #expect(abs((counts[acme.rep("Duda").id] ?? 0) - 45) <= 1)
            #expect(counts.values.reduce(0, +) == 200)
            // Decided one at a time: the log, oldest first, is exactly the sequence round robin
            // gives when the same 200 leads come one after another.
            let log = try await LeadAssignments(db, workspaceID: acme.workspace.id).list(limit: 500).reversed().map(\.ownerID)
            var reps = ["Bia", "Caio", "Duda", "Eva"].map { name in
                TeamRep(userID: acme.rep(name).id, name: name, weight: name == "Bia" ? 2 : 1,
                        availability: RepAvailability(timeZone: "America/Sao_Paulo", capacityPerDay: name == "Eva" ? 20 : nil))
            }
            var state = RoundRobinState()
            var sequence: [UUID?] = []
            for _ in 0..<200 {
                let (chosen, _, next) = RoundRobin.pick(from: reps, state: state, now: routingNow)
                state = next
                sequence.append(chosen?.userID)
                if let index = reps.firstIndex(where: { $0.userID == chosen?.userID }) { reps[index].load.today += 1 }
            }
            #expect(log == sequence)
        }
    }

    @Test("leads routed in one batch get the owners, reasons and passed-over reps they get one at a time, with each owner change on the timeline and audited")
    func batchMatchesOneAtATime() async throws {
        try await TestDatabase.withStore { db in
            // The same setup twice: a rep in two teams, one with a daily capacity, a fallback owner.
            func workspace(_ domain: String) async throws -> RoutingFixture {
                let fixture = try await RoutingFixture.make(db, admin: "ana@\(domain)", reps: ["Bia", "Caio", "Duda"])
                let portugal = try await TeamRepository(db, workspaceID: fixture.workspace.id)
                    .create(name: "Portugal", memberIDs: [fixture.rep("Caio").id, fixture.rep("Duda").id], by: fixture.actor, now: storeNow)
                _ = try await fixture.rule("Portugal", team: portugal.id, [RoutingCondition(field: "country", condition: .equals("PT"))])
                _ = try await fixture.rule("Brazil", [RoutingCondition(field: "country", condition: .equals("BR"))])
                try await fixture.setup.saveAvailability(RepAvailability(timeZone: "America/Sao_Paulo", capacityPerDay: 3),
                                                         for: fixture.rep("Bia").id, by: fixture.actor, now: storeNow)
                // Caio's leads from both teams count against his four a day.
                try await fixture.setup.saveAvailability(RepAvailability(timeZone: "America/Sao_Paulo", capacityPerDay: 4),
                                                         for: fixture.rep("Caio").id, by: fixture.actor, now: storeNow)
                try await fixture.setup.setFallbackOwner(fixture.admin.id, by: fixture.actor, now: storeNow)
                return fixture
            }
            let batched = try await workspace("acme.com"), single = try await workspace("beta.com")
            let countries = (0..<24).map { ["PT", "BR", "BR", "US"][$0 % 4] }
            func leads(of fixture: RoutingFixture) async throws -> [UUID] {
                var ids: [UUID] = []
                for (index, country) in countries.enumerated() {
                    ids.append(try await fixture.contact(["first_name": "Lead \(index)", "email": "lead\(index)@x.com", "country": country]).id)
                }
                return ids
            }
            let batchIDs = try await leads(of: batched), singleIDs = try await leads(of: single)

            let inBatch = try await StoreTuning.writeTransaction(db) { tx in
                try await batched.router.assign(batchIDs + [batchIDs[0], UUID()], now: routingNow, by: .system, on: tx)
            }
            var oneByOne: [RoutingAssignment] = []
            for id in singleIDs { oneByOne.append(try #require(try await single.router.assign(contactID: id, now: routingNow, by: .system))) }

            // A contact given twice is routed once; one of no contact is left out.
            #expect(inBatch.count == 24)
            let batchOrder = batchIDs.compactMap { inBatch[$0] }
            #expect(batchOrder.map { $0.ownerName } == oneByOne.map { $0.ownerName })
            #expect(batchOrder.map(\.reason) == oneByOne.map(\.reason))
            #expect(batchOrder.map { $0.skipped.map(\.name) } == oneByOne.map { $0.skipped.map(\.name) })
            #expect(batchOrder.map(\.ruleName) == oneByOne.map(\.ruleName))
            #expect(batchOrder.map(\.teamName) == oneByOne.map(\.teamName))
            // Bia's capacity held, and the fallback owner took the leads no rule matched.
            #expect(batchOrder.filter { $0.ownerName == "Bia" }.count == 3)
            #expect(batchOrder.filter { $0.ownerName == "Caio" }.count == 4)
            #expect(batchOrder.filter { $0.reason == .fallbackNoRuleMatched }.count == 6)

            let contacts = try await ContactRepository(db, workspaceID: batched.workspace.id).find(ids: batchIDs)
            #expect(Dictionary(uniqueKeysWithValues: contacts.map { ($0.id, $0.ownerID) }) == inBatch.mapValues(\.ownerID))
            #expect(try await LeadAssignments(db, workspaceID: batched.workspace.id).count() == 24)
            let audit = try await AuditLog(db, workspaceID: batched.workspace.id).list(limit: 200).filter { $0.action == "contact.owner_changed" }
            #expect(audit.count == 24)
            let timeline = try await RecordChanges(db, workspaceID: batched.workspace.id).timeline(of: batchIDs[0], limit: 10)
            let firstOwner = ([batched.admin] + batched.reps).first { $0.id == inBatch[batchIDs[0]]?.ownerID }
            #expect(timeline.first?.change.after["owner_email"] == firstOwner?.email.value)
            // The next lead continues the rotation where the batch left it, as it does one at a time.
            let next = try await batched.contact(["first_name": "Next", "email": "next@x.com", "country": "BR"])
            let nextSingle = try await single.contact(["first_name": "Next", "email": "next@x.com", "country": "BR"])
            #expect(try await batched.router.assign(contactID: next.id, now: routingNow, by: .system)?.ownerName
                == (try await single.router.assign(contactID: nextSingle.id, now: routingNow, by: .system)?.ownerName))
        }
    }

    @Test("one workspace's rules never route another workspace's contacts, nor to its reps")
    func workspaceIsolation() async throws {
        try await TestDatabase.withStore { db in
            let acme = try await RoutingFixture.make(db, reps: ["Bia"])
            let globex = try await RoutingFixture.make(db, admin: "gus@globex.com", reps: ["Gil"])
            _ = try await acme.rule("Everyone")
            let globexContact = try await globex.contact(["first_name": "Zé", "email": "ze@x.com"])

            #expect(try await acme.router.assign(contactID: globexContact.id, now: routingNow, by: .system) == nil)
            let own = try #require(try await globex.router.assign(contactID: globexContact.id, now: routingNow, by: .system))
            #expect(own.reason == .unassignedNoRuleMatched)
            #expect(try await LeadAssignments(db, workspaceID: acme.workspace.id).count() == 0)
            await #expect(throws: ValidationFailure.self) {
                _ = try await acme.setup.createRule(RoutingRule(id: UUID(), name: "Theirs", position: 0, conditions: [], teamID: globex.team.id),
                                                    by: acme.actor, now: storeNow)
            }
        }
    }

    @Test("the test box previews the decision without assigning anyone or moving the rotation")
    func preview() async throws {
        try await TestDatabase.withStore { db in
            let acme = try await RoutingFixture.make(db, reps: ["Bia", "Caio"])
            _ = try await acme.rule("Everyone")
            let contact = try await acme.contact(["first_name": "Rui", "email": "rui@x.com"])

            let first = try #require(try await acme.router.preview(contactID: contact.id, now: routingNow))
            let second = try #require(try await acme.router.preview(contactID: contact.id, now: routingNow))

            #expect(first.decision.ownerID == acme.rep("Bia").id)
            #expect(first.ownerName == "Bia")
            #expect(first.teamName == "Inbound")
            #expect(second.decision.ownerID == first.decision.ownerID)
            #expect(try await LeadAssignments(db, workspaceID: acme.workspace.id).count() == 0)
            #expect(try await ContactRepository(db, workspaceID: acme.workspace.id).find(contact.id)?.ownerID == nil)
        }
    }

    @Test("rules keep their order through moves and deletes, and every change is audited")
    func ruleOrder() async throws {
        try await TestDatabase.withStore { db in
            let acme = try await RoutingFixture.make(db, reps: ["Bia"])
            let a = try await acme.rule("A"), b = try await acme.rule("B"), c = try await acme.rule("C")

            #expect(try await acme.setup.moveRule(c.id, by: -1, by: acme.actor, now: storeNow))
            #expect(try await acme.setup.rules().map(\.name) == ["A", "C", "B"])
            #expect(try await acme.setup.deleteRule(a.id, by: acme.actor, now: storeNow))
            #expect(try await acme.setup.rules().map(\.position) == [0, 1])
            #expect(try await acme.setup.moveRule(c.id, by: -1, by: acme.actor, now: storeNow))
            #expect(try await acme.setup.rules().map(\.name) == ["C", "B"])
            var renamed = b
            renamed.name = "Bravo"
            _ = try await acme.setup.updateRule(renamed, by: acme.actor, now: storeNow)
            let actions = try await AuditLog(db, workspaceID: acme.workspace.id).list(limit: 20).map(\.action)
            for action in ["routing.rule_created", "routing.rules_reordered", "routing.rule_deleted", "routing.rule_updated"] {
                #expect(actions.contains(action))
            }
        }
    }

    @Test("a bad rule is refused with every field named and nothing is written")
    func badRule() async throws {
        try await TestDatabase.withStore { db in
            let acme = try await RoutingFixture.make(db, reps: ["Bia"])
            _ = try await acme.rule("Brazil")
            let bad = RoutingRule(id: UUID(), name: "brazil", position: 0, conditions: [RoutingCondition(field: "shoe_size", condition: .equals("42"))],
                                  teamID: acme.team.id)

            await #expect(throws: ValidationFailure([FieldError("name", .alreadyTaken), FieldError("conditions[0].field", .notInList)])) {
                _ = try await acme.setup.createRule(bad, by: acme.actor, now: storeNow)
            }
            #expect(try await acme.setup.rules().count == 1)
        }
    }

    @Test("replacing all rules at once checks each by its index and keeps only this workspace's ids")
    func replaceRules() async throws {
        try await TestDatabase.withStore { db in
            let acme = try await RoutingFixture.make(db, reps: ["Bia"])
            let kept = try await acme.rule("Kept")
            let foreignID = UUID()
            let rules = [
                RoutingRule(id: foreignID, name: "New", position: 9, conditions: [RoutingCondition(field: "country", condition: .equals("BR"))], teamID: acme.team.id),
                kept,
            ]
            let saved = try await acme.setup.replaceRules(rules, by: acme.actor, now: storeNow)
            #expect(saved.map(\.name) == ["New", "Kept"])
            #expect(saved[1].id == kept.id)
            #expect(saved[0].id != foreignID)
            #expect(try await acme.setup.rules().map(\.position) == [0, 1])

            await #expect(throws: ValidationFailure([FieldError("rules[1].conditions[0].value", .required)])) {
                _ = try await acme.setup.replaceRules([kept, RoutingRule(id: UUID(), name: "X", position: 0,
                                                                        conditions: [RoutingCondition(field: "country", condition: .equals(" "))],
                                                                        teamID: acme.team.id)], by: acme.actor, now: storeNow)
            }
            #expect(try await acme.setup.rules().map(\.name) == ["New", "Kept"])
        }
    }

    @Test("availability and weights are kept per rep and per team member, and audited")
    func repSettings() async throws {
        try await TestDatabase.withStore { db in
            let acme = try await RoutingFixture.make(db, reps: ["Bia", "Caio"])
            let availability = RepAvailability(timeZone: "Europe/Lisbon", workingHours: .weekdays(DayHours(start: 540, end: 1080)!), capacityPerWeek: 30)
            try await acme.setup.saveAvailability(availability, for: acme.rep("Bia").id, by: acme.actor, now: storeNow)
            #expect(try await acme.setup.saveWeights(teamID: acme.team.id, [acme.rep("Caio").id: 3], by: acme.actor, now: storeNow))

            let teams = try await acme.setup.teams()
            let members = try #require(teams.first?.members)
            #expect(members.map(\.user.name) == ["Bia", "Caio"])
            #expect(members[0].availability == availability)
            #expect(members[1].availability == .unrestricted(timeZone: "America/Sao_Paulo"))
            #expect(members.map(\.weight) == [1, 3])
            await #expect(throws: ValidationFailure([FieldError("weight." + acme.admin.id.uuidString.lowercased(), .notInList)])) {
                _ = try await acme.setup.saveWeights(teamID: acme.team.id, [acme.admin.id: 2], by: acme.actor, now: storeNow)
            }
            await #expect(throws: ValidationFailure([FieldError("capacity_per_day", .invalid)])) {
                try await acme.setup.saveAvailability(RepAvailability(timeZone: "UTC", capacityPerDay: 0), for: acme.rep("Caio").id, by: acme.actor, now: storeNow)
            }
            let actions = try await AuditLog(db, workspaceID: acme.workspace.id).list(limit: 5).map(\.action)
            #expect(actions.contains("routing.rep_updated"))
            #expect(actions.contains("routing.weights_updated"))
        }
    }
}
