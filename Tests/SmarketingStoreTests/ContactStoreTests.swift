import FluentKit
import Foundation
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
import SQLKit
import Testing

/// A contact input from form-style fields, for tests.
func contactInput(_ fields: [String: String], custom: [CustomFieldDefinition] = []) throws -> ContactInput {
    try ContactInput.check(fields, customFields: custom).get()
}

@Suite("Contacts in the store: dedup, timeline, custom fields, search")
struct ContactStoreTests {
    func workspace(_ db: any Database) async throws -> (Workspace, User) {
        try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
    }

    @Test("saving a contact with an email that exists updates that contact instead of duplicating it")
    func dedupByEmail() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin) = try await workspace(db)
            let writer = ContactWriter(db, workspaceID: workspace.id)
            let actor = AuditActor.user(admin, via: .page)
            let (first, created) = try #require(try await writer.save(try contactInput(["first_name": "Bia", "email": "Bia@Acme.com "]),
                                                                      mode: .replace, definitions: [], by: actor, now: storeNow))
            let (second, updated) = try #require(try await writer.save(try contactInput(["job_title": "CFO", "email": "bia@acme.com"]),
                                                                       mode: .merge, definitions: [], by: actor, now: storeNow.addingTimeInterval(1)))
            #expect(created == .created)
            #expect(updated == .updated)
            #expect(second.id == first.id)
            #expect(second.firstName == "Bia")
            #expect(second.jobTitle == "CFO")
            #expect(try await ContactRepository(db, workspaceID: workspace.id).count() == 1)
            let timeline = try await RecordChanges(db, workspaceID: workspace.id).timeline(of: first.id, limit: 10)
            #expect(timeline.map(\.kind) == [.updated, .created])
            #expect(timeline.first?.change.after["job_title"] == "CFO")
        }
    }

    @Test("dots and plus tags make different contacts")
    func plusTagsStayDistinct() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin) = try await workspace(db)
            let writer = ContactWriter(db, workspaceID: workspace.id)
            for email in ["ana@acme.com", "a.na@acme.com", "ana+events@acme.com"] {
                _ = try await writer.save(try contactInput(["email": email]), mode: .replace, definitions: [], by: .user(admin, via: .page), now: storeNow)
            }
            #expect(try await ContactRepository(db, workspaceID: workspace.id).count() == 3)
        }
    }

    @Test("contacts of one company domain share one company, and an unknown owner is refused")
    func companiesAndOwners() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin) = try await workspace(db)
            let writer = ContactWriter(db, workspaceID: workspace.id)
            let actor = AuditActor.user(admin, via: .page)
            let (one, _) = try #require(try await writer.save(try contactInput(["email": "a@globex.com", "company": "Globex", "company_domain": "https://www.Globex.com/"]),
                                                              mode: .replace, definitions: [], by: actor, now: storeNow))
            let (two, _) = try #require(try await writer.save(try contactInput(["email": "b@globex.com", "company_domain": "globex.com", "owner_email": "ana@acme.com"]),
                                                              mode: .replace, definitions: [], by: actor, now: storeNow))
            #expect(one.companyID != nil)
            #expect(one.companyID == two.companyID)
            #expect(two.ownerID == admin.id)
            #expect(try await CompanyRepository(db, workspaceID: workspace.id).count() == 1)
            await #expect(throws: ValidationFailure("owner_email", .notInList)) {
                _ = try await writer.save(try contactInput(["email": "c@globex.com", "owner_email": "stranger@else.com"]),
                                          mode: .replace, definitions: [], by: actor, now: storeNow)
            }
            #expect(try await ContactRepository(db, workspaceID: workspace.id).count() == 2)
        }
    }

    @Test("custom values are typed, filterable and cleared by a full form")
    func customFields() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin) = try await workspace(db)
            let actor = AuditActor.user(admin, via: .page)
            let fields = CustomFieldRepository(db, workspaceID: workspace.id)
            _ = try await fields.create(entity: .contact, key: "segment", label: "Segment", type: .choice, options: ["Retail", "Health"], by: actor, now: storeNow)
            _ = try await fields.create(entity: .contact, key: "budget", label: "Budget", type: .number, options: [], by: actor, now: storeNow)
            let definitions = try await fields.list(.contact)
            let writer = ContactWriter(db, workspaceID: workspace.id)
            for (email, segment, budget) in [("a@x.com", "retail", "1.500,50"), ("b@x.com", "Health", "800"), ("c@x.com", "", "")] {
                _ = try await writer.save(try contactInput(["email": email, "cf_segment": segment, "cf_budget": budget], custom: definitions),
                                          mode: .replace, definitions: definitions, by: actor, now: storeNow)
            }
            let search = ContactSearch(db, workspaceID: workspace.id)
            func emails(_ filters: [FieldFilter]) async throws -> Set<String> {
                Set(try await search.page(ContactQuery(filters: filters), limit: 10, after: nil, definitions: definitions).contacts.compactMap { $0.email?.value })
            }
            #expect(try await emails([FieldFilter(field: "cf_segment", operation: .equals, values: ["retail"])]) == ["a@x.com"])
            #expect(try await emails([FieldFilter(field: "cf_budget", operation: .atLeast, values: ["1000"])]) == ["a@x.com"])
            #expect(try await emails([FieldFilter(field: "cf_budget", operation: .between, values: ["500", "2000"])]) == ["a@x.com", "b@x.com"])
            #expect(try await emails([FieldFilter(field: "cf_segment", operation: .isNotSet, values: [])]) == ["c@x.com"])

            let a = try #require(try await ContactRepository(db, workspaceID: workspace.id).find(email: EmailAddress("a@x.com")!))
            let page = try await search.page(ContactQuery(search: "a@x"), limit: 5, after: nil, definitions: definitions)
            #expect(page.contacts.first?.custom["segment"] == .choice("Retail"))
            #expect(page.contacts.first?.custom["budget"] == .number(1500.5))
            _ = try await writer.save(try contactInput(["email": "a@x.com"], custom: definitions), id: a.id, mode: .replace,
                                      definitions: definitions, by: actor, now: storeNow)
            #expect(try await emails([FieldFilter(field: "cf_segment", operation: .isSet, values: [])]) == ["b@x.com"])
        }
    }

    @Test("keyset pages in every sort return every contact exactly once")
    func keysetPaging() async throws {
        try await TestDatabase.withStore { db in
            let demo = DemoWorkspace.make(seed: 11, contactCount: 137)
            let summary = try await DemoSeeder(db).seed(demo, passwordHash: "h", now: storeNow)
            let search = ContactSearch(db, workspaceID: summary.workspace.id)
            for sort in ContactSort.allCases {
                var seen: [UUID] = []
                var cursor: ContactCursor?
                repeat {
                    let page = try await search.page(ContactQuery(sort: sort), limit: 20, after: cursor, definitions: [])
                    seen += page.contacts.map(\.id)
                    cursor = page.next.flatMap { ContactCursor(token: $0.token) }
                } while cursor != nil
                #expect(seen.count == 137, "\(sort)")
                #expect(Set(seen).count == 137, "\(sort)")
            }
            let filtered = ContactQuery(filters: [FieldFilter(field: "lifecycle_stage", operation: .oneOf, values: ["mql", "sal"])])
            let count = try await search.count(filtered, definitions: [])
            let expected = demo.contacts.filter { [.mql, .sal].contains($0.stage) }.count
            #expect(count == expected)
        }
    }

    @Test("merging keeps the survivor, fills its blanks and moves the other's timeline, lists and stage history")
    func merge() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin) = try await workspace(db)
            let actor = AuditActor.user(admin, via: .page)
            let writer = ContactWriter(db, workspaceID: workspace.id)
            let (keep, _) = try #require(try await writer.save(try contactInput(["email": "ana@x.com", "first_name": "Ana"]),
                                                               mode: .replace, definitions: [], by: actor, now: storeNow))
            let (dupe, _) = try #require(try await writer.save(try contactInput(["email": "ana.personal@y.com", "first_name": "Ana", "phone": "+55 11 5555-0000", "job_title": "CEO"]),
                                                               mode: .replace, definitions: [], by: actor, now: storeNow))
            _ = try await ContactLists(db, workspaceID: workspace.id).add([dupe.id], toListNamed: "Event", by: actor, now: storeNow)
            _ = try await writer.save(try contactInput(["email": "ana.personal@y.com", "lifecycle_stage": "mql"]), id: dupe.id, mode: .merge, definitions: [], by: actor,
                                      now: storeNow.addingTimeInterval(2))

            let merged = try #require(try await writer.merge(survivorID: keep.id, otherID: dupe.id, definitions: [], by: actor, now: storeNow.addingTimeInterval(5)))
            #expect(merged.email?.value == "ana@x.com")
            #expect(merged.phone == "+55 11 5555-0000")
            #expect(merged.jobTitle == "CEO")
            #expect(try await ContactRepository(db, workspaceID: workspace.id).find(dupe.id) == nil)
            let timeline = try await RecordChanges(db, workspaceID: workspace.id).timeline(of: keep.id, limit: 20)
            #expect(timeline.first?.kind == .merged)
            #expect(timeline.filter { $0.kind == .created }.count == 2)
            #expect(try await ContactLists(db, workspaceID: workspace.id).names(of: keep.id) == ["Event"])
            let stages = try await StageChanges(db, workspaceID: workspace.id).history(of: keep.id)
            #expect(stages.map(\.to) == [.mql], "the other's stage history moves to the survivor")
        }
    }
}
