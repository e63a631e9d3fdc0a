import Foundation
import Testing
@testable import SmarketingCore

@Suite("Fit scoring")
struct FitScoringTests {
    private let compiled = ScoringSamples.compiled
    private let now = ScoringSamples.at(days: 10)

    private func fired(_ profile: ScoringProfile) -> [String] {
        compiled.fit(profile, at: now).entries.map(\.ruleID)
    }

    @Test("a director of a mid-size company in the age range gets each rule's points, with the field and value as cause")
    func director() {
        let score = compiled.fit(ScoringSamples.director, at: now)
        #expect(score.points == 40)
        #expect(score.entries == [
            ScoreEntry(ruleID: "director", kind: .fit, points: 20, cause: .field(name: "job_title", value: "Diretora Comercial"), time: now, definitionVersion: 3),
            ScoreEntry(ruleID: "mid-size", kind: .fit, points: 15, cause: .field(name: "company.employee_count", value: "120"), time: now, definitionVersion: 3),
            ScoreEntry(ruleID: "age", kind: .fit, points: 5, cause: .field(name: "age", value: "38"), time: now, definitionVersion: 3),
        ])
    }

    @Test("contains matches any of its words ignoring case and accents", arguments: [
        ("Director of Sales", true), ("DIRETOR DE VENDAS", true), ("diretôra", true), ("Sales Director", true), ("Gerente", false), ("Dir.", false),
    ])
    func contains(title: String, matches: Bool) {
        #expect(fired(ScoringProfile(["job_title": title])).contains("director") == matches)
    }

    @Test("a range includes both bounds and needs a number", arguments: [
        ("50", true), ("500", true), ("49", false), ("501", false), ("120.5", true), ("1.234,5", false), ("many", false), ("", false),
    ])
    func range(count: String, matches: Bool) {
        #expect(fired(ScoringProfile(["company.employee_count": count])).contains("mid-size") == matches)
    }

    @Test("a range with one bound is open on the other side")
    func openRange() {
        let rule = FitRule(id: "big", field: "company.employee_count", condition: .range(min: 1000, max: nil), points: 10)
        let small = FitRule(id: "small", field: "company.employee_count", condition: .range(min: nil, max: 10), points: -10)
        let compiled = CompiledLeadDefinition(LeadDefinition(version: 1, fitRules: [rule, small], mql: .thresholds(fit: 0, engagement: 0)))
        #expect(compiled.fit(ScoringProfile(["company.employee_count": "1000000"]), at: now).points == 10)
        #expect(compiled.fit(ScoringProfile(["company.employee_count": "-3"]), at: now).points == -10)
        #expect(compiled.fit(ScoringProfile(["company.employee_count": "500"]), at: now).points == 0)
    }

    @Test("negative rules take points away: a competitor's domain, a student")
    func negativeRules() {
        var profile = ScoringSamples.director
        profile["email_domain"] = "Rival.com"
        #expect(compiled.fit(profile, at: now).points == 40 - 100)
        let student = ScoringProfile(["job_title": "Estudante de Engenharia", "age": "22"])
        #expect(compiled.fit(student, at: now).points == -30)
    }

    @Test("equals and one of compare whole values, or one option of a multi-choice value")
    func equalsAndOneOf() {
        #expect(fired(ScoringProfile(["cf_plan": " enterprise "])) == ["enterprise"])
        #expect(fired(ScoringProfile(["cf_plan": "Enterprise Plus"])) == [])
        #expect(fired(ScoringProfile(["cf_plan": "Team; Enterprise"])) == ["enterprise"])
        #expect(fired(ScoringProfile(["email_domain": "concorrente.com.br"])) == ["competitor"])
        #expect(fired(ScoringProfile(["email_domain": "sub.rival.com"])) == [])
    }

    @Test("is set needs a value that is not blank")
    func isSet() {
        #expect(fired(ScoringProfile(["phone": "+55 11 5555-0000"])) == ["has-phone"])
        #expect(fired(ScoringProfile(["phone": "  "])) == [])
        #expect(fired(ScoringProfile()) == [])
    }

    @Test("a rule compiled from an invalid definition never fires instead of matching everything")
    func invalidRulesNeverFire() {
        let rules = [
            FitRule(id: "a", field: "job_title", condition: .contains([""]), points: 1),
            FitRule(id: "b", field: "job_title", condition: .oneOf([]), points: 1),
            FitRule(id: "c", field: "age", condition: .range(min: 9, max: 1), points: 1),
            FitRule(id: "d", field: "age", condition: .range(min: nil, max: nil), points: 1),
            FitRule(id: "e", field: "job_title", condition: .equals(""), points: 1),
        ]
        let compiled = CompiledLeadDefinition(LeadDefinition(version: 1, fitRules: rules, mql: .thresholds(fit: 0, engagement: 0)))
        #expect(compiled.fit(ScoringProfile(["job_title": "anything", "age": "5"]), at: now).points == 0)
    }

    @Test("a field change writes the points of rules that start holding and takes back those that stop")
    func refit() throws {
        var state = compiled.newState()
        var ledger: [ScoreEntry] = []
        try compiled.refit(&state, profile: ScoringSamples.director, at: ScoringSamples.at(days: 1), ledger: &ledger)
        #expect(state.fit == 40)
        #expect(ledger.count == 3)

        var changed = ScoringSamples.director
        changed["job_title"] = "Analyst"
        changed["phone"] = "+55 11 5555-0000"
        ledger.removeAll()
        try compiled.refit(&state, profile: changed, at: ScoringSamples.at(days: 2), ledger: &ledger)
        #expect(state.fit == 22)
        #expect(ledger == [
            ScoreEntry(ruleID: "director", kind: .fit, points: -20, cause: .field(name: "job_title", value: "Analyst"), time: ScoringSamples.at(days: 2), definitionVersion: 3),
            ScoreEntry(ruleID: "has-phone", kind: .fit, points: 2, cause: .field(name: "phone", value: "+55 11 5555-0000"), time: ScoringSamples.at(days: 2), definitionVersion: 3),
        ])

        changed["company.employee_count"] = nil
        ledger.removeAll()
        try compiled.refit(&state, profile: changed, at: ScoringSamples.at(days: 3), ledger: &ledger)
        #expect(ledger == [ScoreEntry(ruleID: "mid-size", kind: .fit, points: -15, cause: .field(name: "company.employee_count", value: nil), time: ScoringSamples.at(days: 3), definitionVersion: 3)])

        ledger.removeAll()
        try compiled.refit(&state, profile: changed, at: ScoringSamples.at(days: 4), ledger: &ledger)
        #expect(ledger.isEmpty)
        #expect(state.fit == 7)
        #expect(state.fitAwards == [0, 0, 5, 0, 0, 0, 2])
    }

    @Test("the fit lines of a ledger always add up to the fit score")
    func fitLedgerAddsUp() throws {
        var state = compiled.newState()
        var ledger: [ScoreEntry] = []
        let titles = ["Diretor", "Student", "CEO", "Director and student", "", "Diretora"]
        for (day, title) in titles.enumerated() {
            var profile = ScoringSamples.director
            profile["job_title"] = title
            try compiled.refit(&state, profile: profile, at: ScoringSamples.at(days: Double(day)), ledger: &ledger)
            #expect(ledger.reduce(0) { $0 + $1.points } == state.fit)
            #expect(state.fit == compiled.fit(profile, at: now).points)
        }
    }

    @Test("the profile of a saved contact holds its fields, custom fields and its company's under company.")
    func profileOfContact() throws {
        let time = Date(timeIntervalSince1970: 0)
        let company = Company(
            id: UUID(), workspaceID: UUID(), name: "Acme", domain: "acme.com.br", employeeCount: 120, industry: "Software",
            custom: ["tier": .text("Gold")], createdAt: time, updatedAt: time
        )
        let contact = Contact(
            id: UUID(), workspaceID: UUID(), firstName: "Ana", lastName: "Silva", email: EmailAddress("Ana@Acme.com.br"),
            jobTitle: "Diretora", country: "BR", birthDate: "1990-06-15", companyID: company.id,
            custom: ["plan": .choice("Enterprise"), "seats": .number(40)], createdAt: time, updatedAt: time
        )
        let today = try #require(CalendarDay(year: 2026, month: 6, day: 14))
        let profile = ScoringProfile(contact: contact, company: company, today: today)
        #expect(profile.values == [
            "first_name": "Ana", "last_name": "Silva", "email": "ana@acme.com.br", "email_domain": "acme.com.br",
            "job_title": "Diretora", "country": "BR", "birth_date": "1990-06-15", "age": "35", "cf_plan": "Enterprise",
            "cf_seats": "40", "company.name": "Acme", "company.domain": "acme.com.br", "company.employee_count": "120",
            "company.industry": "Software", "company.cf_tier": "Gold",
        ])
        #expect(ScoringSamples.compiled.fit(profile, at: now).points == 20 + 15 + 5 + 10)
        for name in profile.values.keys { #expect(ScoringSamples.knownFields.contains(name) || name == "cf_seats", "\(name)") }
    }

    @Test("the profile of a contact input leaves out how the contact is handled and names the company's fields")
    func profileOfInput() {
        let input = ContactInput(
            firstName: "Ana", email: EmailAddress("ana@rival.com"), age: 30, companyName: "Rival", companyDomain: "rival.com",
            ownerEmail: EmailAddress("rep@us.com"), stage: .lead
        )
        let profile = ScoringProfile(contact: input, company: nil)
        #expect(profile.values == [
            "first_name": "Ana", "email": "ana@rival.com", "email_domain": "rival.com", "age": "30",
            "company.name": "Rival", "company.domain": "rival.com",
        ])
        let company = CompanyInput(name: "Rival Inc", employeeCount: 80)
        #expect(ScoringProfile(contact: input, company: company)["company.employee_count"] == "80")
        #expect(ScoringProfile(contact: input, company: company)["company.name"] == "Rival Inc")
    }

    @Test("an age comes from the birth date on the given day, counting whole years")
    func ageFromBirthDate() {
        let birthday = CalendarDay(year: 2026, month: 3, day: 1)
        let before = CalendarDay(year: 2026, month: 2, day: 28)
        #expect(ScoringProfile.age(birthDate: "2000-03-01", today: birthday) == 26)
        #expect(ScoringProfile.age(birthDate: "2000-03-01", today: before) == 25)
        #expect(ScoringProfile.age(birthDate: "2030-01-01", today: before) == nil)
        #expect(ScoringProfile.age(birthDate: "2000-03-01", today: nil) == nil)
        #expect(ScoringProfile.age(birthDate: nil, today: before) == nil)
    }

    @Test("a definition reads company fields only when a fit rule names one")
    func readsCompanyFields() {
        #expect(ScoringSamples.compiled.readsCompanyFields)
        var personal = ScoringSamples.definition
        personal.fitRules.removeAll { $0.field.hasPrefix("company.") }
        #expect(!CompiledLeadDefinition(personal).readsCompanyFields)
    }
}
