import FluentKit
import Foundation
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
import Testing

/// A company input from form-style fields, for tests.
func companyInput(_ fields: [String: String], custom: [CustomFieldDefinition] = []) throws -> CompanyInput {
    try CompanyInput.check(fields, customFields: custom).get()
}

@Suite("Companies in the store: dedup by domain, timeline, search, delete")
struct CompanyStoreTests {
    func workspace(_ db: any Database) async throws -> (Workspace, AuditActor) {
        let (workspace, admin) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
        return (workspace, .user(admin, via: .page))
    }

    @Test("creating a company with a domain that exists updates that company, keeps what the create leaves out, and says so")
    func dedupByDomain() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            let writer = CompanyWriter(db, workspaceID: workspace.id)
            let (first, created) = try #require(try await writer.save(
                try companyInput(["name": "Globex", "domain": "globex.com", "industry": "Energy"]), mode: .replace, definitions: [], by: actor, now: storeNow))
            let (second, updated) = try #require(try await writer.save(
                try companyInput(["name": "Globex Corp", "domain": "https://www.GLOBEX.com/about", "employee_count": "120"]),
                mode: .replace, definitions: [], by: actor, now: storeNow.addingTimeInterval(1)))
            #expect(created == .created)
            #expect(updated == .updated)
            #expect(second.id == first.id)
            #expect(second.name == "Globex Corp")
            #expect(second.industry == "Energy")
            #expect(second.employeeCount == 120)
            #expect(try await CompanyRepository(db, workspaceID: workspace.id).count() == 1)
            let timeline = try await RecordChanges(db, workspaceID: workspace.id).timeline(of: first.id, limit: 10)
            #expect(timeline.map(\.kind) == [.updated, .created])
            #expect(timeline.first?.change.before["name"] == "Globex")
            #expect(timeline.first?.change.after["name"] == "Globex Corp")
        }
    }

    @Test("editing a company to a domain another company has is refused on the domain, and nothing changes")
    func domainTakenOnEdit() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            let writer = CompanyWriter(db, workspaceID: workspace.id)
            _ = try await writer.save(try companyInput(["name": "Globex", "domain": "globex.com"]), mode: .replace, definitions: [], by: actor, now: storeNow)
            let (initech, _) = try #require(try await writer.save(try companyInput(["name": "Initech", "domain": "initech.com"]),
                                                                  mode: .replace, definitions: [], by: actor, now: storeNow))
            await #expect(throws: ValidationFailure("domain", .alreadyTaken)) {
                _ = try await writer.save(try companyInput(["name": "Initech", "domain": "globex.com"]), id: initech.id,
                                          mode: .replace, definitions: [], by: actor, now: storeNow)
            }
            #expect(try await CompanyRepository(db, workspaceID: workspace.id).find(initech.id)?.domain == "initech.com")
        }
    }

    @Test("renaming a company makes its contacts findable by the new name")
    func renameReachesContactSearch() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            let (contact, _) = try #require(try await ContactWriter(db, workspaceID: workspace.id).save(
                try contactInput(["email": "bia@mail.test", "company": "Globex", "company_domain": "globex.com"]),
                mode: .replace, definitions: [], by: actor, now: storeNow))
            let companyID = try #require(contact.companyID)
            let search = ContactSearch(db, workspaceID: workspace.id)
            #expect(try await search.page(ContactQuery(search: "globex"), limit: 10, after: nil, definitions: []).contacts.map(\.id) == [contact.id])
            _ = try await CompanyWriter(db, workspaceID: workspace.id).save(try companyInput(["name": "Umbrella", "domain": "globex.com"]), id: companyID,
                                                                            mode: .replace, definitions: [], by: actor, now: storeNow)
            #expect(try await search.page(ContactQuery(search: "umbrella"), limit: 10, after: nil, definitions: []).contacts.map(\.id) == [contact.id])
            #expect(try await search.page(ContactQuery(search: "globex"), limit: 10, after: nil, definitions: []).contacts.isEmpty)
        }
    }

    @Test("deleting a company keeps its contacts, without a company, each with a timeline line")
    func deleteKeepsContacts() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            let (contact, _) = try #require(try await ContactWriter(db, workspaceID: workspace.id).save(
                try contactInput(["email": "bia@globex.com", "company": "Globex", "company_domain": "globex.com"]),
                mode: .replace, definitions: [], by: actor, now: storeNow))
            let companyID = try #require(contact.companyID)
            #expect(try await CompanyWriter(db, workspaceID: workspace.id).delete([companyID], by: actor, now: storeNow) == 1)
            #expect(try await CompanyRepository(db, workspaceID: workspace.id).find(companyID) == nil)
            let kept = try #require(try await ContactRepository(db, workspaceID: workspace.id).find(contact.id))
            #expect(kept.companyID == nil)
            let timeline = try await RecordChanges(db, workspaceID: workspace.id).timeline(of: contact.id, limit: 10)
            #expect(timeline.first?.change.before["company"] == "Globex")
            let audit = try await AuditLog(db, workspaceID: workspace.id).list(limit: 10)
            #expect(audit.contains { $0.action == AuditAction.companyDeleted.rawValue })
        }
    }

    @Test("company lists search name and domain, filter on built-in and custom fields, and page every sort without repeats")
    func listsFilterAndPage() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            let field = try await CustomFieldRepository(db, workspaceID: workspace.id)
                .create(entity: .company, key: "tier", label: "Tier", type: .choice, options: ["Gold", "Silver"], by: actor, now: storeNow)
            let writer = CompanyWriter(db, workspaceID: workspace.id)
            for index in 0..<23 {
                let fields = ["name": "Company \(index % 5) \(index)", "domain": "c\(index).example.com", "employee_count": String(index * 10),
                              "cf_tier": index.isMultiple(of: 2) ? "Gold" : "Silver"]
                _ = try await writer.save(try companyInput(fields, custom: [field]), mode: .replace, definitions: [field], by: actor,
                                          now: storeNow.addingTimeInterval(Double(index % 4)))
            }
            let search = CompanySearch(db, workspaceID: workspace.id)
            #expect(try await search.count(CompanyQuery(search: "c7.example"), definitions: [field]) == 1)
            let big = CompanyQuery(filters: [FieldFilter(field: "employee_count", operation: .between, values: ["50", "150"])])
            #expect(try await search.count(big, definitions: [field]) == 11)
            let gold = CompanyQuery(filters: [FieldFilter(field: "cf_tier", operation: .equals, values: ["gold"])])
            #expect(try await search.count(gold, definitions: [field]) == 12)
            for sort in CompanySort.allCases {
                var seen: [UUID] = []
                var cursor: CompanyCursor?
                repeat {
                    let page = try await search.page(CompanyQuery(sort: sort), limit: 4, after: cursor, definitions: [field])
                    seen += page.companies.map(\.id)
                    cursor = page.next.flatMap { CompanyCursor(token: $0.token) }
                } while cursor != nil
                #expect(seen.count == 23, "sort \(sort)")
                #expect(Set(seen).count == 23, "sort \(sort)")
            }
            let byName = try await search.page(CompanyQuery(sort: .name), limit: 3, after: nil, definitions: [field]).companies.map(\.name)
            #expect(byName == byName.sorted())
        }
    }

    @Test("the company search matches the start of words of the name and domain, accents ignored")
    func searchByWordStart() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, actor) = try await workspace(db)
            let writer = CompanyWriter(db, workspaceID: workspace.id)
            _ = try await writer.save(try companyInput(["name": "Fiação Boa Vista", "domain": "fiacaobv.com.br"]), mode: .replace, definitions: [], by: actor, now: storeNow)
            _ = try await writer.save(try companyInput(["name": "Vista Alegre"]), mode: .replace, definitions: [], by: actor, now: storeNow)
            let search = CompanySearch(db, workspaceID: workspace.id)
            func names(_ text: String) async throws -> [String] {
                try await search.page(CompanyQuery(search: text, sort: .name), limit: 10, after: nil, definitions: []).companies.map(\.name)
            }
            #expect(try await names("fiacao") == ["Fiação Boa Vista"])
            #expect(try await names("FIAÇÃO boa") == ["Fiação Boa Vista"])
            #expect(try await names("fiacaobv") == ["Fiação Boa Vista"])
            #expect(try await names("vista") == ["Fiação Boa Vista", "Vista Alegre"])
            #expect(try await names("iação").isEmpty)
            #expect(try await names("%").isEmpty)
        }
    }
}
