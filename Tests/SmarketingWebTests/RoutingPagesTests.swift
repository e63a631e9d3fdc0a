import Foundation
import SmarketingCore
import SmarketingStore
@testable import SmarketingWeb
import Testing
import Vapor

@Suite("The routing page for sales managers")
struct RoutingPagesTests {
    /// A workspace with a sales manager and two reps in the team "Inbound".
    struct Fixture {
        let acme: TestWorkspace
        let manager: Browser
        let team: Team
        let bia: User
        let caio: User
    }

    func fixture(_ app: Application) async throws -> Fixture {
        let acme = try await TestWorkspace.viaSetup(app)
        let (_, manager) = try await acme.member(app, email: "sal@acme.com", roles: [.salesManager], name: "Sal")
        let (bia, _) = try await acme.member(app, email: "bia@acme.com", roles: [.sales], name: "Bia")
        let (caio, _) = try await acme.member(app, email: "caio@acme.com", roles: [.sales], name: "Caio")
        let team = try await TeamRepository(app.db, workspaceID: acme.workspace.id)
            .create(name: "Inbound", memberIDs: [bia.id, caio.id], by: .user(acme.admin, via: .page), now: app.clock.now())
        return Fixture(acme: acme, manager: manager, team: team, bia: bia, caio: caio)
    }

    func ruleFields(_ name: String, team: UUID, _ conditions: [(String, String, String)] = []) -> [(String, String)] {
        var fields = [("name", name), ("team_id", team.uuidString.lowercased())]
        for (index, (field, op, value)) in conditions.enumerated() {
            fields += [("conditions[\(index)].field", field), ("conditions[\(index)].op", op), ("conditions[\(index)].value", value)]
        }
        return fields
    }

    func contact(_ app: Application, _ acme: TestWorkspace, _ fields: [String: String]) async throws -> Contact {
        let input = try ContactInput.check(fields, customFields: []).get()
        return try #require(try await ContactWriter(app.db, workspaceID: acme.workspace.id)
            .save(input, mode: .replace, definitions: [], by: .user(acme.admin, via: .page), now: app.clock.now())).0
    }

    @Test("sales managers and admins open the routing page from the navigation; marketing and reps get 403 and no link")
    func permissions() async throws {
        try await withTestApp { app in
            let f = try await fixture(app)
            let (_, marketer) = try await f.acme.member(app, email: "mia@acme.com", roles: [.marketing, .marketingManager], name: "Mia")
            let rep = try await TestWorkspace.signIn(app, f.bia)

            let page = try await f.manager.get("/routing")
            #expect(page.status == .ok)
            #expect(page.text.contains("data-nav=\"routing\""))
            #expect(page.text.contains("id=\"rules-table\""))
            #expect(try await f.acme.adminBrowser.get("/routing").status == .ok)
            for browser in [marketer, rep] {
                #expect(try await browser.get("/routing").status == .forbidden)
                #expect(try await browser.get("/routing/assignments").status == .forbidden)
                #expect(try await browser.post("/routing/rules", ruleFields("Sneaky", team: f.team.id)).status == .forbidden)
                #expect(!(try await browser.get("/")).text.contains("data-nav=\"routing\""))
            }
            #expect(try await RoutingSetup(app.db, workspaceID: f.acme.workspace.id).rules().isEmpty)
        }
    }

    @Test("a manager adds rules with conditions on contact and company fields, reorders and deletes them, and each change is audited")
    func editRules() async throws {
        try await withTestApp { app in
            let f = try await fixture(app)
            let created = try await f.manager.post("/routing/rules", ruleFields("Big Brazil", team: f.team.id, [("country", "equals", "BR")])
                + [("conditions[1].field", "company.employee_count"), ("conditions[1].op", "range"), ("conditions[1].min", "500")])
            #expect(created.location == "/routing?notice=saved")
            _ = try await f.manager.post("/routing/rules", ruleFields("Everyone else", team: f.team.id))

            let setup = RoutingSetup(app.db, workspaceID: f.acme.workspace.id)
            let rules = try await setup.rules()
            #expect(rules.map(\.name) == ["Big Brazil", "Everyone else"])
            #expect(rules[0].conditions == [RoutingCondition(field: "country", condition: .equals("BR")),
                                            RoutingCondition(field: "company.employee_count", condition: .range(min: 500, max: nil))])
            let page = try await f.manager.get("/routing")
            #expect(page.text.contains("data-rule=\"Big Brazil\""))
            #expect(page.text.contains("Employees at least 500") || page.text.contains("at least 500"))

            let editor = try await f.manager.get("/routing/rules/\(rules[0].id.uuidString.lowercased())")
            #expect(editor.text.contains("value=\"Big Brazil\""))
            let renamed = try await f.manager.post("/routing/rules/\(rules[0].id.uuidString.lowercased())",
                                                   ruleFields("Large Brazil", team: f.team.id, [("country", "one_of", "BR, PT")]))
            #expect(renamed.status == .seeOther)
            #expect(try await setup.rule(rules[0].id)?.conditions == [RoutingCondition(field: "country", condition: .oneOf(["BR", "PT"]))])

            _ = try await f.manager.post("/routing/rules/\(rules[1].id.uuidString.lowercased())/move", [("direction", "up")])
            #expect(try await setup.rules().map(\.name) == ["Everyone else", "Large Brazil"])
            _ = try await f.manager.post("/routing/rules/\(rules[1].id.uuidString.lowercased())/delete", [])
            #expect(try await setup.rules().map(\.name) == ["Large Brazil"])

            let audit = try await f.acme.adminBrowser.get("/settings/audit")
            for label in ["Routing: rule created", "Routing: rule changed", "Routing: rules reordered", "Routing: rule deleted"] {
                #expect(audit.text.contains(label))
            }
        }
    }

    @Test("a bad rule comes back with each error next to its input and what was typed, and nothing is saved")
    func badRule() async throws {
        try await withTestApp { app in
            let f = try await fixture(app)
            let reply = try await f.manager.post("/routing/rules", [
                ("name", ""), ("team_id", ""),
                ("conditions[0].field", "country"), ("conditions[0].op", "one_of"), ("conditions[0].value", " "),
                ("conditions[1].field", "shoe_size"), ("conditions[1].op", "equals"), ("conditions[1].value", "42"),
                ("conditions[2].field", "company.employee_count"), ("conditions[2].op", "range"), ("conditions[2].min", "900"), ("conditions[2].max", "lots"),
            ])
            #expect(reply.status == .unprocessableEntity)
            for field in ["name", "team_id", "conditions[0].value", "conditions[1].field", "conditions[2].max"] {
                #expect(reply.text.contains("data-field=\"\(field)\""), "no error shown for \(field)")
            }
            #expect(reply.text.contains("value=\"900\""), "what was typed stays")
            #expect(try await RoutingSetup(app.db, workspaceID: f.acme.workspace.id).rules().isEmpty)

            _ = try await f.manager.post("/routing/rules", ruleFields("Brazil", team: f.team.id))
            let duplicate = try await f.manager.post("/routing/rules", ruleFields("brazil", team: f.team.id))
            #expect(duplicate.status == .unprocessableEntity)
            #expect(duplicate.text.contains("data-field=\"name\""))
        }
    }

    @Test("the test box shows the rule, team and rep a contact would get without assigning it; route now assigns it and the log shows why")
    func testBoxAndLog() async throws {
        try await withTestApp { app in
            let f = try await fixture(app)
            _ = try await f.manager.post("/routing/rules", ruleFields("Brazil", team: f.team.id, [("country", "equals", "BR")]))
            let lia = try await contact(app, f.acme, ["first_name": "Lia", "email": "lia@globo.com", "country": "BR"])

            let preview = try await f.manager.get("/routing?test=lia%40globo.com")
            #expect(preview.text.contains("data-reason=\"round_robin\""))
            #expect(preview.text.text(ofElementWithID: "test-rule") == "Brazil")
            #expect(preview.text.text(ofElementWithID: "test-team") == "Inbound")
            #expect(preview.text.text(ofElementWithID: "test-owner") == "Bia")
            #expect(try await ContactRepository(app.db, workspaceID: f.acme.workspace.id).find(lia.id)?.ownerID == nil)
            #expect(try await f.manager.get("/routing?test=nobody%40x.com").text.contains("id=\"test-not-found\""))

            let routed = try await f.manager.post("/routing/contacts/\(lia.id.uuidString.lowercased())/route", [])
            #expect(routed.status == .seeOther)
            #expect(try await ContactRepository(app.db, workspaceID: f.acme.workspace.id).find(lia.id)?.ownerID == f.bia.id)
            let log = try await f.manager.get("/routing/assignments")
            #expect(log.text.contains("id=\"assignments-table\""))
            #expect(log.text.contains("data-reason=\"round_robin\""))
            #expect(log.text.contains(">Lia<"))
            #expect(log.text.contains(">Brazil<"))

            // Bia is away today: the next contact goes to Caio, and the log says Bia was skipped.
            let today = CalendarDay(utc: app.clock.now())
            _ = try await f.manager.post("/routing/reps/\(f.bia.id.uuidString.lowercased())", [
                ("takes_leads", "yes"), ("time_zone", "UTC"), ("out_of_office[0].from", today.iso), ("out_of_office[0].to", today.iso),
            ])
            let rui = try await contact(app, f.acme, ["first_name": "Rui", "email": "rui@globo.com", "country": "BR"])
            _ = try await f.manager.post("/routing/contacts/\(rui.id.uuidString.lowercased())/route", [])
            #expect(try await ContactRepository(app.db, workspaceID: f.acme.workspace.id).find(rui.id)?.ownerID == f.caio.id)
            #expect(try await f.manager.get("/routing/assignments").text.contains("Bia (out of office)"))
        }
    }

    @Test("a rep's availability form names each bad field, keeps what was typed, saves nothing, then saves good values")
    func repAvailability() async throws {
        try await withTestApp { app in
            let f = try await fixture(app)
            let path = "/routing/reps/\(f.caio.id.uuidString.lowercased())"
            #expect(try await f.manager.get(path).text.contains("id=\"rep-form\""))

            let refused = try await f.manager.post(path, [
                ("takes_leads", "yes"), ("time_zone", "Mars/Olympus"), ("capacity_per_day", "0"), ("capacity_per_week", "lots"),
                ("working_hours.monday", "9 to 5pm"), ("out_of_office[0].from", "2026-12-10"), ("out_of_office[0].to", "2026-12-01"),
            ])
            #expect(refused.status == .unprocessableEntity)
            for field in ["time_zone", "capacity_per_day", "capacity_per_week", "working_hours.monday", "out_of_office[0].to"] {
                #expect(refused.text.contains("data-field=\"\(field)\""), "no error shown for \(field)")
            }
            #expect(refused.text.contains("value=\"9 to 5pm\""))
            #expect(refused.text.contains("Write hours like 09:00-18:00"))
            let setup = RoutingSetup(app.db, workspaceID: f.acme.workspace.id)
            #expect(try await setup.availability(of: f.caio.id) == .unrestricted(timeZone: "America/Sao_Paulo"))

            let saved = try await f.manager.post(path, [
                ("takes_leads", "yes"), ("time_zone", "Europe/Lisbon"), ("capacity_per_day", "10"), ("capacity_per_week", "40"),
                ("working_hours.monday", "09:00-18:00"), ("working_hours.tuesday", "9h-13h"),
            ])
            #expect(saved.status == .seeOther)
            let availability = try await setup.availability(of: f.caio.id)
            #expect(availability.timeZone == "Europe/Lisbon")
            #expect(availability.capacityPerDay == 10)
            #expect(availability.workingHours?.days[.tuesday]?.text == "09:00-13:00")
            let overview = try await f.manager.get("/routing")
            #expect(overview.text.contains("10 a day · 40 a week"))
            #expect(overview.text.contains("Europe/Lisbon"))
        }
    }

    @Test("weights and the fallback owner are saved from the overview; bad values are refused next to their inputs")
    func weightsAndFallback() async throws {
        try await withTestApp { app in
            let f = try await fixture(app)
            let weights = "/routing/teams/\(f.team.id.uuidString.lowercased())/weights"
            let biaWeight = "weight.\(f.bia.id.uuidString.lowercased())"
            let refused = try await f.manager.post(weights, [(biaWeight, "0")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("data-field=\"\(biaWeight)\""))
            #expect(try await f.manager.post(weights, [(biaWeight, "3")]).status == .seeOther)
            #expect(try await RoutingSetup(app.db, workspaceID: f.acme.workspace.id).teams().first?.members.first { $0.user.id == f.bia.id }?.weight == 3)

            #expect(try await f.manager.post("/routing/fallback", [("fallback_owner_id", "not-an-id")]).status == .unprocessableEntity)
            #expect(try await f.manager.post("/routing/fallback", [("fallback_owner_id", f.acme.admin.id.uuidString.lowercased())]).status == .seeOther)
            #expect(try await RoutingSetup(app.db, workspaceID: f.acme.workspace.id).fallbackOwnerID() == f.acme.admin.id)
        }
    }

    @Test("the pages never show or change another workspace's rules, teams or reps")
    func isolation() async throws {
        try await withTestApp { app in
            let f = try await fixture(app)
            _ = try await f.manager.post("/routing/rules", ruleFields("Acme only", team: f.team.id))
            let acmeRule = try #require(try await RoutingSetup(app.db, workspaceID: f.acme.workspace.id).rules().first)
            let globex = try await TestWorkspace.direct(app, email: "gus@globex.com", name: "Globex")
            let browser = globex.adminBrowser

            #expect(!(try await browser.get("/routing")).text.contains("Acme only"))
            #expect(try await browser.get("/routing/rules/\(acmeRule.id.uuidString.lowercased())").status == .notFound)
            #expect(try await browser.post("/routing/rules/\(acmeRule.id.uuidString.lowercased())/delete", []).status == .notFound)
            #expect(try await browser.get("/routing/reps/\(f.bia.id.uuidString.lowercased())").status == .notFound)
            let foreignTeam = try await browser.post("/routing/rules", ruleFields("Theirs", team: f.team.id))
            #expect(foreignTeam.status == .unprocessableEntity)
            #expect(foreignTeam.text.contains("data-field=\"team_id\""))
            #expect(try await RoutingSetup(app.db, workspaceID: f.acme.workspace.id).rules().count == 1)
        }
    }

    @Test("a rep sets their own days out of office from their profile; the rest of their availability stays; marketing has no such page")
    func ownAbsences() async throws {
        try await withTestApp { app in
            let f = try await fixture(app)
            let setup = RoutingSetup(app.db, workspaceID: f.acme.workspace.id)
            try await setup.saveAvailability(RepAvailability(timeZone: "Europe/Lisbon", capacityPerDay: 7), for: f.bia.id,
                                             by: .user(f.acme.admin, via: .page), now: app.clock.now())
            let rep = try await TestWorkspace.signIn(app, f.bia)
            #expect(try await rep.get("/settings/profile").text.contains("id=\"my-away-link\""))

            let refused = try await rep.post("/settings/away", [("out_of_office[0].from", "2026-12-24"), ("out_of_office[0].to", "2026-12-20")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("data-field=\"out_of_office[0].to\""))
            let saved = try await rep.post("/settings/away", [("out_of_office[0].from", "2026-12-24"), ("out_of_office[0].to", "2027-01-02")])
            #expect(saved.location == "/settings/away?notice=saved")
            let availability = try await setup.availability(of: f.bia.id)
            #expect(availability.outOfOffice == [Absence(from: CalendarDay(year: 2026, month: 12, day: 24)!, to: CalendarDay(year: 2027, month: 1, day: 2)!)])
            #expect(availability.capacityPerDay == 7)
            #expect(availability.timeZone == "Europe/Lisbon")

            let (_, marketer) = try await f.acme.member(app, email: "mia@acme.com", roles: [.marketing], name: "Mia")
            #expect(try await marketer.get("/settings/away").status == .forbidden)
            #expect(!(try await marketer.get("/settings/profile")).text.contains("id=\"my-away-link\""))
        }
    }

    @Test("the routing page speaks Portuguese")
    func portuguese() async throws {
        try await withTestApp { app in
            let f = try await fixture(app)
            f.manager.acceptLanguage = "pt-BR"
            let page = try await f.manager.get("/routing")
            #expect(page.text.contains("Roteamento de leads"))
            #expect(page.text.contains("Responsável reserva"))
        }
    }
}

@Suite("Routing rules through the API")
struct RoutingAPITests {
    @Test("a sales manager replaces the rules in order and reads them back; errors name each rule's field; others get 403")
    func replaceAndRead() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (manager, _) = try await acme.member(app, email: "sal@acme.com", roles: [.salesManager], name: "Sal")
            let (marketer, _) = try await acme.member(app, email: "mia@acme.com", roles: [.marketing], name: "Mia")
            let team = try await TeamRepository(app.db, workspaceID: acme.workspace.id)
                .create(name: "Inbound", memberIDs: [], by: .user(acme.admin, via: .page), now: app.clock.now())
            let api = APIClient(app: app, token: try await acme.token(app, for: manager))
            let teamID = team.id.uuidString.lowercased()

            let body = #"{"rules":[{"name":"Enterprise","team_id":"\#(teamID)","conditions":[{"field":"company.employee_count","op":"range","min":500}]},{"name":"Rest","team_id":"\#(teamID)"}]}"#
            let saved = try await api.call(.PUT, "/api/v1/routing/rules", json: body)
            #expect(saved.status == .ok)
            let read = try await api.call(.GET, "/api/v1/routing/rules")
            let data = try #require(try read.json()["data"] as? [[String: Any]])
            #expect(data.map { $0["name"] as? String } == ["Enterprise", "Rest"])
            #expect(data.map { $0["position"] as? Int } == [0, 1])
            let condition = try #require((data[0]["conditions"] as? [[String: Any]])?.first)
            #expect(condition["op"] as? String == "range")
            #expect(condition["min"] as? Double == 500)

            let bad = #"{"rules":[{"name":"","team_id":"\#(UUID().uuidString)","conditions":[{"field":"country","op":"like"},{"field":"country","op":"equals","value":""}]}]}"#
            let refused = try await api.call(.PUT, "/api/v1/routing/rules", json: bad)
            #expect(refused.status == .unprocessableEntity)
            #expect(Set(try refused.errorFields()) == ["rules[0].conditions[0].op"])
            let unreadable = #"{"rules":[{"name":"","team_id":"\#(UUID().uuidString)","conditions":[{"field":"country","op":"equals","value":""}]}]}"#
            let refusedAgain = try await api.call(.PUT, "/api/v1/routing/rules", json: unreadable)
            #expect(Set(try refusedAgain.errorFields()) == ["rules[0].name", "rules[0].team_id", "rules[0].conditions[0].value"])
            #expect(try await RoutingSetup(app.db, workspaceID: acme.workspace.id).rules().map(\.name) == ["Enterprise", "Rest"])

            let other = APIClient(app: app, token: try await acme.token(app, for: marketer))
            #expect(try await other.call(.GET, "/api/v1/routing/rules").status == .forbidden)
            #expect(try await other.call(.PUT, "/api/v1/routing/rules", json: #"{"rules":[]}"#).status == .forbidden)
        }
    }
}
