import Foundation
import Testing
@testable import SmarketingCore

/// Fixed people and teams for the routing tests.
enum RoutingSamples {
    static let ana = UUID(uuidString: "00000000-0000-0000-0000-00000000000a")!
    static let bia = UUID(uuidString: "00000000-0000-0000-0000-00000000000b")!
    static let caio = UUID(uuidString: "00000000-0000-0000-0000-00000000000c")!
    static let fallback = UUID(uuidString: "00000000-0000-0000-0000-0000000000ff")!
    static let enterprise = UUID(uuidString: "00000000-0000-0000-0000-0000000000e1")!
    static let inbound = UUID(uuidString: "00000000-0000-0000-0000-0000000000e2")!

    /// Wednesday 2026-11-25 15:00 UTC: 12:00 in São Paulo, 10:00 in New York.
    static let wednesdayNoon = Date(timeIntervalSince1970: 1_795_618_800)

    static func rep(_ id: UUID, _ name: String, weight: Int = 1, _ availability: RepAvailability = .unrestricted(timeZone: "America/Sao_Paulo"),
                    load: RepLoad = RepLoad(), isActive: Bool = true) -> TeamRep {
        TeamRep(userID: id, name: name, weight: weight, availability: availability, load: load, isActive: isActive)
    }

    static func rule(_ name: String, position: Int, team: UUID, _ conditions: [RoutingCondition]) -> RoutingRule {
        RoutingRule(id: UUID(), name: name, position: position, conditions: conditions, teamID: team)
    }

    static let brazilEnterprise = rule("Brazil enterprise", position: 0, team: enterprise, [
        RoutingCondition(field: "country", condition: .equals("BR")),
        RoutingCondition(field: "company.employee_count", condition: .range(min: 500, max: nil)),
    ])
    static let everyoneElse = rule("Everyone else", position: 1, team: inbound, [])

    /// Runs round robin `count` times on one team, feeding each state into the next pick.
    static func distribute(_ count: Int, reps: [TeamRep], at now: Date = wednesdayNoon) -> [UUID: Int] {
        var state = RoundRobinState()
        var counts: [UUID: Int] = [:]
        for _ in 0..<count {
            let (chosen, _, next) = RoundRobin.pick(from: reps, state: state, now: now)
            state = next
            if let chosen { counts[chosen.userID, default: 0] += 1 }
        }
        return counts
    }
}

@Suite("Routing rules")
struct RoutingRuleTests {
    typealias S = RoutingSamples

    @Test("rules are tried in position order and the first whose conditions all hold wins")
    func firstMatchWins() {
        let catchAll = S.rule("Catch all", position: 5, team: S.inbound, [])
        let brazil = S.rule("Brazil", position: 1, team: S.enterprise, [RoutingCondition(field: "country", condition: .equals("br"))])
        let profile = ScoringProfile(["country": "BR"])

        #expect(RoutingRules.firstMatch([catchAll, brazil], for: profile)?.name == "Brazil")
        #expect(RoutingRules.firstMatch([catchAll, brazil], for: ScoringProfile(["country": "PT"]))?.name == "Catch all")
    }

    @Test("every condition of a rule must hold, and a rule without conditions matches every contact")
    func allConditionsHold() {
        let big = ScoringProfile(["country": "BR", "company.employee_count": "800"])
        let small = ScoringProfile(["country": "BR", "company.employee_count": "40"])
        let unknownSize = ScoringProfile(["country": "BR"])

        #expect(S.brazilEnterprise.matches(big))
        #expect(!S.brazilEnterprise.matches(small))
        #expect(!S.brazilEnterprise.matches(unknownSize))
        #expect(S.everyoneElse.matches(ScoringProfile()))
    }

    @Test("conditions speak the lead definition's vocabulary: lists, words, numbers and custom fields", arguments: [
        (RoutingCondition(field: "cf_territory", condition: .oneOf(["Sul", "Sudeste"])), ["cf_territory": "sudeste"], true),
        (RoutingCondition(field: "cf_territory", condition: .oneOf(["Sul", "Sudeste"])), ["cf_territory": "Norte"], false),
        (RoutingCondition(field: "source", condition: .contains(["webinar"])), ["source": "Webinar Q3"], true),
        (RoutingCondition(field: "company.cf_segment", condition: .equals("Saúde")), ["company.cf_segment": "saude"], true),
        (RoutingCondition(field: "company.employee_count", condition: .range(min: nil, max: 199)), ["company.employee_count": "199"], true),
        (RoutingCondition(field: "company.employee_count", condition: .range(min: nil, max: 199)), ["company.employee_count": "200"], false),
        (RoutingCondition(field: "phone", condition: .isSet), [:], false),
    ])
    func vocabulary(condition: RoutingCondition, values: [String: String], holds: Bool) {
        #expect(condition.holds(for: ScoringProfile(values)) == holds)
    }

    @Test("a condition is stored as JSON with its operator flattened, like a fit rule")
    func conditionJSON() throws {
        let condition = RoutingCondition(field: "company.employee_count", condition: .range(min: 50, max: nil))
        let json = String(decoding: try JSONEncoder().encode(condition), as: UTF8.self)
        #expect(json.contains("\"op\":\"range\""))
        #expect(try JSONDecoder().decode(RoutingCondition.self, from: Data(json.utf8)) == condition)
        #expect(throws: DecodingError.self) {
            _ = try JSONDecoder().decode(RoutingCondition.self, from: Data(#"{"field":"country","op":"like","value":"x"}"#.utf8))
        }
    }

    @Test("a rule is checked field by field, each error naming its path")
    func ruleProblems() {
        let rule = RoutingRule(id: UUID(), name: " ", position: 0, conditions: [
            RoutingCondition(field: "favourite_colour", condition: .equals("blue")),
            RoutingCondition(field: "country", condition: .equals("")),
            RoutingCondition(field: "company.employee_count", condition: .range(min: 500, max: 100)),
            RoutingCondition(field: "source", condition: .oneOf([])),
        ], teamID: UUID())
        let errors = rule.problems(knownFields: ScoringFields.known(customFields: []), teamIDs: [S.inbound], prefix: "rules[2].")

        #expect(errors == [
            FieldError("rules[2].name", .required),
            FieldError("rules[2].team_id", .notInList),
            FieldError("rules[2].conditions[0].field", .notInList),
            FieldError("rules[2].conditions[1].value", .required),
            FieldError("rules[2].conditions[2].max", .invalid),
            FieldError("rules[2].conditions[3].values", .required),
        ])
    }

    @Test("a list of rules refuses a name used twice, ignoring case and accents")
    func duplicateNames() {
        let first = S.rule("Região Sul", position: 0, team: S.inbound, [])
        let second = S.rule("regiao sul", position: 1, team: S.inbound, [])
        #expect(RoutingRules.problems([first, second], knownFields: [], teamIDs: [S.inbound]) == [FieldError("rules[1].name", .alreadyTaken)])
    }

    @Test("the rule form reads condition rows, skips spare and removed rows, and names errors by the row typed in")
    func ruleForm() {
        let fields = [
            "name": "Big Brazil", "team_id": S.enterprise.uuidString,
            "conditions[0].field": "country", "conditions[0].op": "one_of", "conditions[0].value": "BR; PT",
            "conditions[1].field": "", "conditions[1].op": "equals", "conditions[1].value": "",
            "conditions[2].field": "source", "conditions[2].op": "equals", "conditions[2].value": "ads", "conditions[2].remove": "yes",
            "conditions[3].field": "company.employee_count", "conditions[3].op": "range", "conditions[3].min": "1.000,5", "conditions[3].max": "",
        ]
        let known = ScoringFields.known(customFields: [])
        let rule = try? RoutingRuleForm.parse(fields, id: UUID(), position: 3, knownFields: known, teamIDs: [S.enterprise]).get()

        #expect(rule?.conditions == [
            RoutingCondition(field: "country", condition: .oneOf(["BR", "PT"])),
            RoutingCondition(field: "company.employee_count", condition: .range(min: 1000.5, max: nil)),
        ])
        #expect(rule?.position == 3)

        var bad = fields
        bad["conditions[3].min"] = "lots"
        bad["conditions[0].value"] = ""
        bad["team_id"] = ""
        guard case .failure(let failure) = RoutingRuleForm.parse(bad, id: UUID(), position: 0, knownFields: known, teamIDs: [S.enterprise]) else {
            Issue.record("a bad rule was accepted")
            return
        }
        #expect(Set(failure.errors) == [
            FieldError("conditions[3].min", .notANumber), FieldError("team_id", .required), FieldError("conditions[0].value", .required),
        ])
    }

    @Test("a rule's form fields read back into the same rule")
    func formRoundTrip() throws {
        let fields = RoutingRuleForm.fields(of: S.brazilEnterprise)
        let read = try RoutingRuleForm.parse(fields, id: S.brazilEnterprise.id, position: 0, knownFields: ScoringFields.known(customFields: []),
                                             teamIDs: [S.enterprise]).get()
        #expect(read == S.brazilEnterprise)
    }
}

@Suite("Routing decisions")
struct RoutingDecisionTests {
    typealias S = RoutingSamples

    private func teams(_ reps: [TeamRep]) -> [UUID: RoutingTeam] {
        [S.enterprise: RoutingTeam(id: S.enterprise, name: "Enterprise", reps: reps)]
    }

    @Test("the matching rule's team gets the lead and round robin picks its rep")
    func matchingRuleRoutes() {
        let decision = RoutingDecision.decide(
            profile: ScoringProfile(["country": "BR", "company.employee_count": "900"]), rules: [S.everyoneElse, S.brazilEnterprise],
            teams: teams([S.rep(S.ana, "Ana")]), fallbackOwnerID: S.fallback, now: S.wednesdayNoon
        )
        #expect(decision.rule?.name == "Brazil enterprise")
        #expect(decision.teamID == S.enterprise)
        #expect(decision.ownerID == S.ana)
        #expect(decision.reason == .roundRobin)
        #expect(decision.teamState?.credits[S.ana] == 0)
    }

    @Test("with no matching rule the fallback owner gets the lead, and without one it stays unassigned")
    func noRuleMatches() {
        let profile = ScoringProfile(["country": "US"])
        let fallback = RoutingDecision.decide(profile: profile, rules: [S.brazilEnterprise], teams: [:], fallbackOwnerID: S.fallback, now: S.wednesdayNoon)
        let nobody = RoutingDecision.decide(profile: profile, rules: [S.brazilEnterprise], teams: [:], fallbackOwnerID: nil, now: S.wednesdayNoon)

        #expect(fallback.ownerID == S.fallback)
        #expect(fallback.reason == .fallbackNoRuleMatched)
        #expect(nobody.ownerID == nil)
        #expect(nobody.reason == .unassignedNoRuleMatched)
        #expect(!nobody.reason.isAssigned)
    }

    @Test("when nobody in the team can take the lead, the fallback owner gets it and every rep is listed with why")
    func nobodyAvailable() {
        let away = RepAvailability(timeZone: "America/Sao_Paulo", outOfOffice: [Absence(from: CalendarDay(year: 2026, month: 11, day: 20)!,
                                                                                       to: CalendarDay(year: 2026, month: 11, day: 27)!)])
        let full = RepAvailability(timeZone: "America/Sao_Paulo", capacityPerDay: 3)
        let reps = [S.rep(S.ana, "Ana", away), S.rep(S.bia, "Bia", full, load: RepLoad(today: 3, thisWeek: 9)), S.rep(S.caio, "Caio", isActive: false)]

        let decision = RoutingDecision.decide(profile: ScoringProfile(["country": "BR", "company.employee_count": "900"]),
                                              rules: [S.brazilEnterprise], teams: teams(reps), fallbackOwnerID: S.fallback, now: S.wednesdayNoon)

        #expect(decision.ownerID == S.fallback)
        #expect(decision.reason == .fallbackNoRepAvailable)
        #expect(decision.rule?.id == S.brazilEnterprise.id)
        #expect(decision.teamState == nil)
        #expect(decision.skipped == [
            SkippedRep(userID: S.ana, name: "Ana", reason: .outOfOffice),
            SkippedRep(userID: S.bia, name: "Bia", reason: .dailyCapacityReached),
            SkippedRep(userID: S.caio, name: "Caio", reason: .inactive),
        ])
    }

    @Test("a later rule is not tried once an earlier one matched, even if its team has nobody free")
    func firstMatchIsFinal() {
        let decision = RoutingDecision.decide(
            profile: ScoringProfile(["country": "BR", "company.employee_count": "900"]), rules: [S.brazilEnterprise, S.everyoneElse],
            teams: [S.inbound: RoutingTeam(id: S.inbound, name: "Inbound", reps: [S.rep(S.bia, "Bia")])], fallbackOwnerID: nil, now: S.wednesdayNoon
        )
        #expect(decision.reason == .unassignedNoRepAvailable)
        #expect(decision.teamID == S.enterprise)
        #expect(decision.ownerID == nil)
    }
}

@Suite("Weighted round robin")
struct RoundRobinTests {
    typealias S = RoutingSamples

    @Test("weights 2:1 give two leads to one over many assignments, spread out rather than in runs")
    func weightedShares() {
        let reps = [S.rep(S.ana, "Ana", weight: 2), S.rep(S.bia, "Bia", weight: 1)]
        var state = RoundRobinState()
        var order: [UUID] = []
        for _ in 0..<6 {
            let (chosen, _, next) = RoundRobin.pick(from: reps, state: state, now: S.wednesdayNoon)
            state = next
            order.append(chosen?.userID ?? UUID())
        }
        #expect(order == [S.ana, S.bia, S.ana, S.ana, S.bia, S.ana])

        let counts = S.distribute(3000, reps: reps)
        #expect(counts[S.ana] == 2000)
        #expect(counts[S.bia] == 1000)
    }

    @Test("after any number of leads each rep is within one lead of their weighted share", arguments: [1, 2, 7, 13, 50, 101, 333])
    func sharesStayClose(count: Int) {
        let reps = [S.rep(S.ana, "Ana", weight: 3), S.rep(S.bia, "Bia", weight: 2), S.rep(S.caio, "Caio", weight: 1)]
        let counts = S.distribute(count, reps: reps)
        for (rep, weight) in [(S.ana, 3), (S.bia, 2), (S.caio, 1)] {
            let share = Double(count * weight) / 6
            #expect(abs(Double(counts[rep] ?? 0) - share) <= 1, "rep with weight \(weight) after \(count) leads")
        }
    }

    @Test("the same state and reps always pick the same rep: ties go to the first rep in the team's order")
    func deterministic() {
        let reps = [S.rep(S.bia, "Bia"), S.rep(S.ana, "Ana")]
        let first = RoundRobin.pick(from: reps, state: RoundRobinState(), now: S.wednesdayNoon)
        let again = RoundRobin.pick(from: reps, state: RoundRobinState(), now: S.wednesdayNoon)
        #expect(first.chosen?.userID == S.bia)
        #expect(again.chosen?.userID == S.bia)
        #expect(first.state == again.state)
    }

    @Test("a rep skipped while away keeps their place and gets their turn back, without a backlog")
    func skippedRepKeepsTurn() {
        let ana = S.rep(S.ana, "Ana"), bia = S.rep(S.bia, "Bia")
        var away = bia
        away.availability.takesLeads = false
        var state = RoundRobinState()
        var picks: [UUID?] = []
        // Ana gets the first lead (tie), then Bia is away for three leads, then back.
        for reps in [[ana, bia], [ana, away], [ana, away], [ana, away], [ana, bia], [ana, bia], [ana, bia], [ana, bia]] {
            let (chosen, _, next) = RoundRobin.pick(from: reps, state: state, now: S.wednesdayNoon)
            state = next
            picks.append(chosen?.userID)
        }
        #expect(picks == [S.ana, S.ana, S.ana, S.ana, S.bia, S.ana, S.bia, S.ana])
    }

    @Test("a rep with no capacity left is skipped, never over-assigned")
    func capacityNeverExceeded() {
        var capped = S.rep(S.ana, "Ana", RepAvailability(timeZone: "UTC", capacityPerDay: 4, capacityPerWeek: 6))
        var other = S.rep(S.bia, "Bia")
        var state = RoundRobinState()
        var skippedReasons: [Unavailability] = []
        for day in 0..<3 {
            capped.load.today = 0
            for _ in 0..<10 {
                let now = S.wednesdayNoon.addingTimeInterval(Double(day) * 86_400)
                let (chosen, skipped, next) = RoundRobin.pick(from: [capped, other], state: state, now: now)
                state = next
                skippedReasons += skipped.map(\.reason)
                if chosen?.userID == S.ana {
                    capped.load.today += 1
                    capped.load.thisWeek += 1
                } else {
                    other.load.today += 1
                }
                #expect(capped.load.today <= 4)
                #expect(capped.load.thisWeek <= 6)
            }
        }
        #expect(capped.load.thisWeek == 6)
        #expect(skippedReasons.contains(.dailyCapacityReached))
        #expect(skippedReasons.contains(.weeklyCapacityReached))
    }

    @Test("reps who left the team are forgotten by the state; a newcomer starts even")
    func membershipChanges() {
        let state = RoundRobinState(credits: [S.ana: 5, S.caio: -3])
        let (chosen, _, next) = RoundRobin.pick(from: [S.rep(S.ana, "Ana"), S.rep(S.bia, "Bia")], state: state, now: S.wednesdayNoon)
        #expect(chosen?.userID == S.ana)
        #expect(next.credits == [S.ana: 4, S.bia: 1])
    }

    @Test("the state is stored as JSON and unreadable JSON starts every rep even")
    func stateJSON() {
        let state = RoundRobinState(credits: [S.ana: 2, S.bia: -2])
        #expect(RoundRobinState(json: state.json) == state)
        #expect(RoundRobinState(json: "not json") == RoundRobinState())
    }
}
