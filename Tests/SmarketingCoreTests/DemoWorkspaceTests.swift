import Foundation
import Testing
@testable import SmarketingCore

@Suite("Demo workspace")
struct DemoWorkspaceTests {
    /// One large workspace, made once: enough contacts that every stage and the domain
    /// fallback for repeated company names both occur.
    static let large = DemoWorkspace.make(seed: 42, contactCount: 2_000)

    @Test("the same seed gives the same workspace")
    func deterministic() {
        let first = DemoWorkspace.make(seed: 7, contactCount: 300)
        let second = DemoWorkspace.make(seed: 7, contactCount: 300)
        #expect(first.settings == second.settings)
        #expect(first.people == second.people)
        #expect(first.teams == second.teams)
        #expect(first.companies == second.companies)
        #expect(first.contacts == second.contacts)
    }

    @Test("different seeds give different companies and contacts")
    func seedsDiffer() {
        let first = DemoWorkspace.make(seed: 1, contactCount: 100)
        let second = DemoWorkspace.make(seed: 2, contactCount: 100)
        #expect(first.companies != second.companies)
        #expect(first.contacts != second.contacts)
    }

    @Test("a workspace has exactly the contacts asked for and about one company for every four contacts",
          arguments: [(0, 1), (1, 1), (3, 1), (4, 1), (8, 2), (41, 10), (400, 100), (2_001, 500)])
    func counts(contactCount: Int, companyCount: Int) {
        let demo = DemoWorkspace.make(seed: 3, contactCount: contactCount)
        #expect(demo.contacts.count == contactCount)
        #expect(demo.companies.count == companyCount)
    }

    @Test("the team has an admin, marketing people and sales people, managers included")
    func peopleCoverBothTeams() {
        let roles = Set(Self.large.people.flatMap(\.roles))
        #expect(roles == Set(Role.allCases))
        #expect(Self.large.people.contains { $0.roles.contains(.marketing) })
        #expect(Self.large.people.contains { $0.roles.contains(.sales) })
        #expect(Self.large.people.filter { $0.roles.contains(.sales) }.count >= 2)
    }

    @Test("every person has a valid, unique email on the demo domain and belongs to a known team")
    func peopleAreValid() throws {
        let demo = DemoWorkspace.make(seed: 1, contactCount: 10, emailDomain: "example.org")
        for person in demo.people {
            let email = try #require(EmailAddress(person.email), "\(person.email)")
            #expect(email.value == person.email)
            #expect(email.domain == "example.org")
            #expect(!person.roles.isEmpty)
            if let team = person.team { #expect(demo.teams.contains(team), "\(team)") }
        }
        #expect(Set(demo.people.map(\.email)).count == demo.people.count)
        #expect(Set(demo.people.map(\.name)).count == demo.people.count)
    }

    @Test("the demo settings pass the same check as a settings form")
    func settingsAreValid() throws {
        let settings = Self.large.settings
        let checked = try WorkspaceSettings.check(
            name: settings.name, timeZone: settings.timeZone, currency: settings.currency, language: settings.language.rawValue
        )
        #expect(checked == settings)
    }

    @Test("company domains are unique, even when names repeat")
    func domainsAreUnique() {
        let domains = Self.large.companies.map(\.domain)
        #expect(Set(domains).count == domains.count)
        // With 500 companies from 300 name combinations, some names must repeat.
        let names = Self.large.companies.map { $0.name.split(separator: " ").prefix(2).joined(separator: " ") }
        #expect(Set(names).count < names.count)
    }

    @Test("company domains are already in the normalised form companies are deduplicated by")
    func domainsAreNormalised() {
        for company in Self.large.companies {
            #expect(CompanyDomain.normalise(company.domain) == company.domain, "\(company.domain)")
        }
    }

    @Test("companies have a plausible size, a listed revenue band, an industry and a country")
    func companiesArePlausible() {
        for company in Self.large.companies {
            #expect(company.employeeCount >= 5 && company.employeeCount <= 15_849, "\(company.employeeCount)")
            #expect(DemoWorkspace.revenueBands.contains(company.revenueBand))
            #expect(!company.industry.isEmpty)
            #expect(DemoWorkspace.countries.contains(company.country))
            #expect(company.domain.hasSuffix(".com.br") || company.domain.hasSuffix(".com"))
            if company.country != "BR" { #expect(!company.domain.hasSuffix(".com.br"), "\(company.domain)") }
        }
    }

    @Test("every contact email is accepted by EmailAddress unchanged, is unique and is at the contact's company")
    func contactEmailsAreValid() throws {
        for contact in Self.large.contacts {
            let email = try #require(EmailAddress(contact.email), "\(contact.email)")
            #expect(email.value == contact.email)
            #expect(email.domain == Self.large.companies[contact.companyIndex].domain)
        }
        #expect(Set(Self.large.contacts.map(\.email)).count == Self.large.contacts.count)
    }

    @Test("contacts point at real companies and share their company's country")
    func contactsPointAtCompanies() {
        for contact in Self.large.contacts {
            #expect(Self.large.companies.indices.contains(contact.companyIndex))
            #expect(contact.country == Self.large.companies[contact.companyIndex].country)
        }
    }

    @Test("contacts are spread over many companies")
    func contactsAreSpread() {
        #expect(Set(Self.large.contacts.map(\.companyIndex)).count > Self.large.companies.count / 2)
    }

    @Test("contacts have a name, a phone, a job title with a seniority and a listed source")
    func contactsArePlausible() {
        for contact in Self.large.contacts {
            #expect(!contact.firstName.isEmpty && !contact.lastName.isEmpty)
            #expect(contact.phone.hasPrefix("+55 11 9"))
            #expect(DemoWorkspace.jobTitles.contains { $0.0 == contact.jobTitle && $0.1 == contact.seniority })
            #expect(DemoWorkspace.sources.contains(contact.source))
        }
    }

    @Test("contacts were created within the last 180 days")
    func contactAges() {
        for contact in Self.large.contacts {
            #expect(contact.age >= 0 && contact.age <= 180 * 86_400)
        }
    }

    @Test("only contacts past the lead stage have an owner")
    func ownersOnlyPastLead() {
        for contact in Self.large.contacts {
            if contact.stage == .subscriber || contact.stage == .lead {
                #expect(contact.ownerIndex == nil, "\(contact.stage)")
            } else {
                #expect(contact.ownerIndex != nil, "\(contact.stage)")
            }
        }
    }

    @Test("every owner is a sales rep")
    func ownersAreSalesReps() throws {
        for contact in Self.large.contacts {
            guard let owner = contact.ownerIndex else { continue }
            let person = try #require(Self.large.people.indices.contains(owner) ? Self.large.people[owner] : nil)
            #expect(person.roles.contains(.sales), "\(person.name)")
        }
    }

    @Test("a large workspace has contacts in every lifecycle stage, most of them not yet with sales")
    func everyStageOccurs() {
        let stages = Self.large.contacts.map(\.stage)
        #expect(Set(stages) == Set(LifecycleStage.allCases))
        let early = stages.filter { $0 == .subscriber || $0 == .lead }.count
        #expect(early > stages.count / 2)
    }

    @Test("names are slugged to lower-case ASCII letters and digits",
          arguments: [("João", "joao"), ("Natália", "natalia"), ("Sócio-fundador", "sociofundador"),
                      ("S.A.", "sa"), ("GuaráEducação", "guaraeducacao"), ("Órbita7", "orbita7")])
    func slug(text: String, expected: String) {
        #expect(DemoWorkspace.slug(text) == expected)
    }
}
