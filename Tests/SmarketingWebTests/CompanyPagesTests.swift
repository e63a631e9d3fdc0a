import Foundation
import SmarketingCore
import SmarketingStore
@testable import SmarketingWeb
import Testing
import Vapor

@Suite("Companies on pages: list, filters, forms, profile, delete")
struct CompanyPagesTests {
    @Test("a marketer creates a company on the form, sees its profile and timeline, and a second one with its domain updates it")
    func createOnForm() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (_, marketer) = try await acme.member(app, email: "mia@acme.com", roles: [.marketing], name: "Mia")
            #expect(try await marketer.get("/companies/new").status == .ok)
            let created = try await marketer.post("/companies", [
                ("name", "Globex"), ("domain", "https://www.globex.com.br/"), ("industry", "Energia"), ("employee_count", "250"), ("country", "Brasil"),
            ])
            #expect(created.status == .seeOther)
            let location = try #require(created.location)
            #expect(location.contains("notice=created"))
            let profile = try await marketer.get(String(location.split(separator: "?")[0]))
            #expect(profile.text.contains("Globex"))
            #expect(profile.text.contains("globex.com.br"))
            #expect(profile.text.contains("data-kind=\"created\""))
            #expect(profile.text.contains("id=\"company-contacts\""))

            let again = try await marketer.post("/companies", [("name", "Globex S.A."), ("domain", "GLOBEX.com.br")])
            #expect(again.location?.contains("notice=existing_company_updated") == true)
            let companies = try await CompanyRepository(app.db, workspaceID: acme.workspace.id).page(limit: 10, after: nil)
            #expect(companies.map(\.name) == ["Globex S.A."])
            #expect(companies.first?.industry == "Energia")
        }
    }

    @Test("a company form with bad values names each field, keeps what was typed and saves nothing")
    func badInput() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let reply = try await acme.adminBrowser.post("/companies", [
                ("name", ""), ("domain", "not a domain"), ("employee_count", "many"), ("country", "Atlantis"), ("industry", "Saúde"),
            ])
            #expect(reply.status == .unprocessableEntity)
            for field in ["name", "domain", "employee_count", "country"] { #expect(reply.text.contains("data-field=\"\(field)\""), "\(field)") }
            #expect(reply.text.contains("value=\"Saúde\""))
            #expect(reply.text.contains("Enter a web domain like acme.com.br."))
            #expect(try await CompanyRepository(app.db, workspaceID: acme.workspace.id).count() == 0)
        }
    }

    @Test("the company list searches, filters on a custom field and sorts by name")
    func listFilters() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let api = APIClient(app: app, token: try await acme.token(app))
            #expect(try await api.call(.POST, "/api/v1/custom-fields", json: #"{"entity":"company","key":"tier","label":"Tier","type":"choice","options":["Gold","Silver"]}"#).status == .created)
            for (index, name) in ["Umbrella", "Acme", "Initech", "Globex", "Hooli"].enumerated() {
                let tier = index % 2 == 0 ? "Gold" : "Silver"
                #expect(try await api.call(.POST, "/api/v1/companies", json: #"{"name":"\#(name)","domain":"\#(name.lowercased()).com","cf_tier":"\#(tier)"}"#).status == .created)
            }
            let all = try await acme.adminBrowser.get("/companies?sort=name")
            #expect(all.text.contains("5 companies"))
            let order = ["Acme", "Globex", "Hooli", "Initech", "Umbrella"].compactMap { all.text.range(of: ">\($0)</a>")?.lowerBound }
            #expect(order.count == 5)
            #expect(order == order.sorted())
            let gold = try await acme.adminBrowser.get("/companies?f=cf_tier:eq:gold")
            #expect(gold.text.contains("3 companies"))
            #expect(gold.text.contains("id=\"active-filters\""))
            let one = try await acme.adminBrowser.get("/companies?q=hooli.com")
            #expect(one.text.contains("1 company<"))
            #expect(try await acme.adminBrowser.get("/companies?f=nonsense:eq:1").location == "/companies?notice=bad_filter")
            #expect(try await api.call(.POST, "/api/v1/companies", json: #"{"name":"Blue Sun Rockets"}"#).status == .created)
            let spaced = try await acme.adminBrowser.get("/companies?f_field=name&f_op=eq&f_value=Blue+Sun+Rockets&q=blue+sun")
            #expect(spaced.text.contains("1 company<"))
            #expect(spaced.text.contains("Name is Blue Sun Rockets"))
            #expect(spaced.text.contains("value=\"blue sun\""))
            let csv = try await acme.adminBrowser.get("/companies/export.csv?f=cf_tier:eq:silver")
            #expect(csv.headers.contentType?.description.hasPrefix("text/csv") == true)
            #expect(csv.text.contains("name,domain,employee_count,industry,revenue_band,country,cf_tier"))
            #expect(csv.text.contains("Acme,acme.com"))
            #expect(!csv.text.contains("Umbrella"))
        }
    }

    @Test("the company page lists its contacts, and deleting the company keeps them without a company")
    func profileAndDelete() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let api = APIClient(app: app, token: try await acme.token(app))
            for name in ["Bia", "Caio"] {
                #expect(try await api.call(.POST, "/api/v1/contacts", json: #"{"first_name":"\#(name)","company":"Globex","company_domain":"globex.com"}"#).status == .created)
            }
            let company = try #require(try await CompanyRepository(app.db, workspaceID: acme.workspace.id).page(limit: 1, after: nil).first)
            let profile = try await acme.adminBrowser.get(SiteURL.company(company.id).path)
            #expect(profile.text.contains("Bia"))
            #expect(profile.text.contains("Caio"))
            #expect(profile.text.contains("company_id%3Aeq%3A\(company.id.uuidString.lowercased())") || profile.text.contains("company_id:eq:\(company.id.uuidString.lowercased())"))
            let filtered = try await acme.adminBrowser.get("/contacts?f=company_id:eq:\(company.id.uuidString.lowercased())")
            #expect(filtered.text.contains("2 contacts"))
            #expect(filtered.text.contains("Company is Globex"))

            let deleted = try await acme.adminBrowser.post("/companies/\(company.id.uuidString.lowercased())/delete", [])
            #expect(deleted.location == "/companies?notice=deleted")
            #expect(try await CompanyRepository(app.db, workspaceID: acme.workspace.id).count() == 0)
            let contacts = try await ContactRepository(app.db, workspaceID: acme.workspace.id).page(limit: 10, after: nil)
            #expect(contacts.count == 2)
            #expect(contacts.allSatisfy { $0.companyID == nil })
        }
    }

    @Test("a sales rep reads companies but may not create, edit or delete them")
    func repsReadOnly() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (rep, repBrowser) = try await acme.member(app, email: "rui@acme.com", roles: [.sales], name: "Rui")
            let api = APIClient(app: app, token: try await acme.token(app))
            let created = try await api.call(.POST, "/api/v1/companies", json: #"{"name":"Globex","domain":"globex.com"}"#)
            let id = try #require(try created.json()["id"] as? String)
            let page = try await repBrowser.get("/companies/\(id)")
            #expect(page.status == .ok)
            #expect(!page.text.contains("company-delete-form"))
            #expect(try await repBrowser.get("/companies/new").status == .forbidden)
            #expect(try await repBrowser.post("/companies/\(id)", [("name", "Taken")]).status == .forbidden)
            #expect(try await repBrowser.post("/companies/\(id)/delete", []).status == .forbidden)
            let repAPI = APIClient(app: app, token: try await acme.token(app, for: rep))
            #expect(try await repAPI.call(.GET, "/api/v1/companies/\(id)").status == .ok)
            #expect(try await repAPI.call(.PATCH, "/api/v1/companies/\(id)", json: #"{"name":"Taken"}"#).status == .forbidden)
            #expect(try await repAPI.call(.DELETE, "/api/v1/companies/\(id)").status == .forbidden)
            #expect(try await CompanyRepository(app.db, workspaceID: acme.workspace.id).find(UUID(uuidString: id)!)?.name == "Globex")
        }
    }
}

@Suite("Companies through the API")
struct CompaniesAPITests {
    @Test("create, read, patch, timeline and delete a company; a second create with its domain updates it; bad fields are named")
    func crud() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let api = APIClient(app: app, token: try await acme.token(app))
            let created = try await api.call(.POST, "/api/v1/companies", json: #"{"name":"Globex","domain":"globex.com","employee_count":120}"#)
            #expect(created.status == .created)
            #expect(try created.json()["outcome"] as? String == "created")
            let id = try #require(try created.json()["id"] as? String)
            let again = try await api.call(.POST, "/api/v1/companies", json: #"{"name":"Globex Corp","domain":"www.globex.com","industry":"Energy"}"#)
            #expect(again.status == .ok)
            #expect(try again.json()["outcome"] as? String == "updated")
            #expect(try again.json()["id"] as? String == id)
            #expect(try again.json()["employee_count"] as? Int == 120)

            let patched = try await api.call(.PATCH, "/api/v1/companies/\(id)", json: #"{"country":"Brasil"}"#)
            #expect(try patched.json()["country"] as? String == "BR")
            #expect(try patched.json()["name"] as? String == "Globex Corp")
            let timeline = try await api.call(.GET, "/api/v1/companies/\(id)/timeline")
            #expect((try timeline.json()["data"] as? [Any])?.count == 3)

            let bad = try await api.call(.POST, "/api/v1/companies", json: #"{"name":"","domain":"x","employee_count":-3}"#)
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(try bad.errorFields()) == ["name", "domain", "employee_count"])

            let list = try await api.call(.GET, "/api/v1/companies?q=globex&sort=name&limit=10")
            #expect((try list.json()["data"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            #expect(try await api.call(.GET, "/api/v1/companies?after=garbage").status == .unprocessableEntity)
            #expect(try await api.call(.GET, "/api/v1/companies?f=employee_count:gte:many").status == .unprocessableEntity)

            #expect(try await api.call(.DELETE, "/api/v1/companies/\(id)").status == .noContent)
            #expect(try await api.call(.GET, "/api/v1/companies/\(id)").status == .notFound)
        }
    }

    @Test("a company create with an Idempotency-Key creates once and replays its answer")
    func idempotentCreate() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let token = try await acme.token(app)
            func post(_ body: String, key: String) async throws -> Reply {
                var headers = HTTPHeaders()
                headers.bearerAuthorization = BearerAuthorization(token: token)
                headers.replaceOrAdd(name: .contentType, value: "application/json")
                headers.replaceOrAdd(name: "Idempotency-Key", value: key)
                let response = try await app.performTest(request: .init(method: .POST, url: URI(path: "/api/v1/companies"), headers: headers, body: ByteBuffer(string: body)))
                return Reply(status: response.status, headers: response.headers, text: response.body.string)
            }
            let first = try await post(#"{"name":"Initech"}"#, key: "c-1")
            let replay = try await post(#"{"name":"Initech"}"#, key: "c-1")
            #expect(first.status == .created)
            #expect(replay.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try await CompanyRepository(app.db, workspaceID: acme.workspace.id).count() == 1)
            #expect(try await post(#"{"name":"Other"}"#, key: "c-1").status == .unprocessableEntity)
        }
    }
}
