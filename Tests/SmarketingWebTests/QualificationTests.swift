import Foundation
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
@testable import SmarketingWeb
import Testing
import Vapor

@Suite("Qualifying a lead as SQL on its page and through the API")
struct QualificationTests {
    func definitionWithCriteria() -> LeadDefinition {
        var definition = testDefinition()
        definition.sqlCriteria = [SQLCriterion(key: "budget", label: "Budget", type: .choice, options: ["Approved", "None"]),
                                  SQLCriterion(key: "need", label: "Need", type: .text)]
        return definition
    }

    @Test("the rep who owns a lead answers the criteria on its page; a missing answer comes back next to its input; the answers show on the contact page")
    func onPages() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            try await activateThroughPages(definitionWithCriteria(), app: app, acme: acme)
            let (rita, ritaBrowser) = try await acme.member(app, email: "rita@acme.com", roles: [.sales], name: "Rita")
            let (_, otherRep) = try await acme.member(app, email: "rui@acme.com", roles: [.sales], name: "Rui")
            let api = APIClient(app: app, token: try await acme.token(app))
            let created = try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"lia@globex.com","owner_email":"\#(rita.email.value)"}"#)
            let id = try #require(try created.json()["id"] as? String).lowercased()

            let page = try await ritaBrowser.get("/contacts/\(id)")
            #expect(page.text.contains("id=\"qualify-link\""))
            #expect(!(try await otherRep.get("/contacts/\(id)")).text.contains("id=\"qualify-link\""), "another rep's lead")
            #expect(try await otherRep.get("/contacts/\(id)/qualify").status == .forbidden)
            #expect(!(try await acme.adminBrowser.get("/contacts/\(id)")).text.contains("id=\"qualify-link\""), "admins do not work leads")

            let form = try await ritaBrowser.get("/contacts/\(id)/qualify")
            #expect(form.text.contains("id=\"qualify-form\""))
            #expect(form.text.contains("name=\"cf_budget\""))
            let refused = try await ritaBrowser.post("/contacts/\(id)/qualify", [("cf_budget", "Approved"), ("cf_need", "")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("data-field=\"cf_need\""))
            #expect(refused.text.contains("value=\"Approved\" selected"), "what was chosen stays")
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).find(try #require(UUID(uuidString: id)))?.stage == .lead)

            let done = try await ritaBrowser.post("/contacts/\(id)/qualify", [("cf_budget", "Approved"), ("cf_need", "Replace spreadsheets")])
            #expect(done.location == "/contacts/\(id)?notice=qualified")
            let profile = try await ritaBrowser.get(try #require(done.location))
            #expect(profile.text.contains("Marked as SQL."))
            #expect(profile.text.contains("id=\"sql-answers\""))
            #expect(profile.text.contains("Replace spreadsheets"))
            #expect(profile.text.contains("Qualified by Rita"))
            #expect(!profile.text.contains("id=\"qualify-link\""), "an SQL is not qualified twice")
            #expect(try await ritaBrowser.get("/contacts/\(id)/qualify").text.contains("id=\"qualify-refused\""))
        }
    }

    @Test("the API qualifies with answers by key, names each bad answer, refuses another rep's lead, and lists the qualifications")
    func throughAPI() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            try await activateThroughPages(definitionWithCriteria(), app: app, acme: acme)
            let (rita, _) = try await acme.member(app, email: "rita@acme.com", roles: [.sales], name: "Rita")
            let (rui, _) = try await acme.member(app, email: "rui@acme.com", roles: [.sales], name: "Rui")
            let admin = APIClient(app: app, token: try await acme.token(app))
            let created = try await admin.call(.POST, "/api/v1/contacts", json: #"{"email":"lia@globex.com","owner_email":"\#(rita.email.value)"}"#)
            let id = try #require(try created.json()["id"] as? String)
            let ritaAPI = APIClient(app: app, token: try await acme.token(app, for: rita))
            let ruiAPI = APIClient(app: app, token: try await acme.token(app, for: rui))

            #expect(try await ruiAPI.call(.POST, "/api/v1/contacts/\(id)/qualify", json: #"{"answers":{"budget":"None","need":"x"}}"#).status == .forbidden)
            let bad = try await ritaAPI.call(.POST, "/api/v1/contacts/\(id)/qualify", json: #"{"answers":{"budget":"Lots"}}"#)
            #expect(bad.status == .unprocessableEntity)
            #expect(try Set(bad.errorFields()) == ["budget", "need"])
            let good = try await ritaAPI.call(.POST, "/api/v1/contacts/\(id)/qualify", json: #"{"answers":{"budget":"none","need":"A CRM"}}"#)
            #expect(good.status == .ok)
            #expect(try good.json()["definition_version"] as? Int == 1)
            #expect(try await admin.call(.GET, "/api/v1/contacts/\(id)").json()["lifecycle_stage"] as? String == "sql")
            let again = try await ritaAPI.call(.POST, "/api/v1/contacts/\(id)/qualify", json: #"{"answers":{"budget":"None","need":"x"}}"#)
            #expect(try again.errorFields() == ["lifecycle_stage"])
            let listed = try await admin.call(.GET, "/api/v1/contacts/\(id)/qualifications")
            let items = try #require(try listed.json()["data"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect((items[0]["answers"] as? [[String: Any]])?.map { $0["value"] as? String } == ["None", "A CRM"])
            #expect(try await admin.call(.GET, "/api/v1/contacts/\(UUID())/qualifications").status == .notFound)
        }
    }
}
