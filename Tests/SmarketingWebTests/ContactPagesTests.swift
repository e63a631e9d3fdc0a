import Foundation
import SmarketingCore
import SmarketingStore
@testable import SmarketingWeb
import Testing
import Vapor

@Suite("Contacts on pages: list, filters, forms, timeline, bulk actions, merge, export")
struct ContactPagesTests {
    @Test("a marketer creates a contact on the form and sees it with its timeline")
    func createOnForm() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (_, marketer) = try await acme.member(app, email: "mia@acme.com", roles: [.marketing], name: "Mia")
            #expect(try await marketer.get("/contacts/new").status == .ok)
            let created = try await marketer.post("/contacts", [
                ("first_name", "Bia"), ("last_name", "Souza"), ("email", "bia@globex.com"), ("job_title", "Diretora de Marketing"),
                ("company", "Globex"), ("company_domain", "globex.com"), ("lifecycle_stage", "lead"), ("country", "Brasil"),
            ])
            #expect(created.status == .seeOther)
            let location = try #require(created.location)
            #expect(location.contains("notice=created"))
            let profile = try await marketer.get(String(location.split(separator: "?")[0]))
            #expect(profile.status == .ok)
            #expect(profile.text.contains("Bia Souza"))
            #expect(profile.text.contains("Globex"))
            #expect(profile.text.contains("id=\"timeline\""))
            #expect(profile.text.contains("data-kind=\"created\""))

            let again = try await marketer.post("/contacts", [("first_name", "Beatriz"), ("email", " BIA@globex.com ")])
            #expect(again.location?.contains("notice=existing_updated") == true)
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == 1)
        }
    }

    @Test("a contact form with bad values names each field and keeps what was typed")
    func badInput() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let reply = try await acme.adminBrowser.post("/contacts", [
                ("first_name", "Bia"), ("email", "bia@"), ("age", "two hundred"), ("owner_email", "nobody@else.com"), ("phone", "call me"),
            ])
            #expect(reply.status == .unprocessableEntity)
            for field in ["email", "age", "phone"] { #expect(reply.text.contains("data-field=\"\(field)\""), "\(field)") }
            #expect(reply.text.contains("value=\"Bia\""))
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == 0)
        }
    }

    @Test("the list filters by stage, custom field and search, and pages with a cursor")
    func listFilters() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let api = APIClient(app: app, token: try await acme.token(app))
            #expect(try await api.call(.POST, "/api/v1/custom-fields", json: #"{"key":"segment","label":"Segment","type":"choice","options":["Retail","Health"]}"#).status == .created)
            for index in 0..<60 {
                let stage = index % 3 == 0 ? "mql" : "lead"
                let segment = index % 2 == 0 ? "Retail" : "Health"
                let reply = try await api.call(.POST, "/api/v1/contacts", json: #"{"first_name":"P\#(index)","email":"p\#(index)@acme.test","lifecycle_stage":"\#(stage)","cf_segment":"\#(segment)"}"#)
                #expect(reply.status == .created)
            }
            let all = try await acme.adminBrowser.get("/contacts")
            #expect(all.text.contains("60 contacts"))
            #expect(all.text.contains("rel=\"next\""))
            let filtered = try await acme.adminBrowser.get("/contacts?stage=mql&f=cf_segment:eq:retail")
            #expect(filtered.text.contains("10 contacts"))
            #expect(filtered.text.contains("id=\"active-filters\""))
            let builder = try await acme.adminBrowser.get("/contacts?f_field=cf_segment&f_op=eq&f_value=Health&q=p1")
            #expect(builder.status == .ok)
            #expect(builder.text.contains("data-contact"))
            #expect(try await acme.adminBrowser.get("/contacts?f=nonsense:eq:1").location == "/contacts?notice=bad_filter")
        }
    }

    @Test("a rep may edit only their own leads; a manager their team's")
    func editRights() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (rep, repBrowser) = try await acme.member(app, email: "rui@acme.com", roles: [.sales], name: "Rui")
            let api = APIClient(app: app, token: try await acme.token(app))
            let mine = try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"mine@x.com","owner_email":"rui@acme.com"}"#)
            let other = try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"other@x.com"}"#)
            let mineID = try #require(try mine.json()["id"] as? String).lowercased()
            let otherID = try #require(try other.json()["id"] as? String).lowercased()

            #expect(try await repBrowser.get("/contacts/\(otherID)").status == .ok)
            #expect(try await repBrowser.get("/contacts/\(otherID)/edit").status == .forbidden)
            #expect(try await repBrowser.post("/contacts/\(otherID)/delete", []).status == .forbidden)
            #expect(try await repBrowser.get("/contacts/\(mineID)/edit").status == .ok)
            let saved = try await repBrowser.post("/contacts/\(mineID)", [("email", "mine@x.com"), ("job_title", "CTO"), ("owner_email", "rui@acme.com"), ("lifecycle_stage", "sal")])
            #expect(saved.status == .seeOther)
            let stolen = try await repBrowser.post("/contacts/\(mineID)", [("email", "mine@x.com"), ("owner_email", "ana@acme.com")])
            #expect(stolen.status == .unprocessableEntity)
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).find(UUID(uuidString: mineID)!)?.ownerID == rep.id)
        }
    }

    @Test("bulk actions assign an owner, fill a list and delete, on a selection or on all results")
    func bulkActions() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let api = APIClient(app: app, token: try await acme.token(app))
            var ids: [String] = []
            for index in 0..<6 {
                let reply = try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"b\#(index)@x.com","lifecycle_stage":"\#(index < 3 ? "mql" : "lead")"}"#)
                ids.append(try #require(try reply.json()["id"] as? String).lowercased())
            }
            let assign = try await acme.adminBrowser.post("/contacts/bulk", [("action", "assign_owner"), ("owner_id", acme.admin.id.uuidString.lowercased()),
                                                                             ("ids", ids[0]), ("ids", ids[1]), ("query", "")])
            #expect(assign.status == .seeOther)
            let contacts = ContactRepository(app.db, workspaceID: acme.workspace.id)
            #expect(try await contacts.find(ids: ids.compactMap(UUID.init(uuidString:))).filter { $0.ownerID == acme.admin.id }.count == 2)

            let list = try await acme.adminBrowser.post("/contacts/bulk", [("action", "add_to_list"), ("list", "Webinar"), ("all", "yes"), ("query", "stage=mql")])
            #expect(list.status == .seeOther)
            #expect(try await ContactLists(app.db, workspaceID: acme.workspace.id).names(of: UUID(uuidString: ids[0])!) == ["Webinar"])
            #expect(try await ContactLists(app.db, workspaceID: acme.workspace.id).names(of: UUID(uuidString: ids[5])!) == [])

            #expect(try await acme.adminBrowser.post("/contacts/bulk", [("action", "delete"), ("all", "yes"), ("query", "stage=lead")]).status == .seeOther)
            #expect(try await contacts.count() == 3)
            #expect(try await acme.adminBrowser.post("/contacts/bulk", [("action", "explode"), ("ids", ids[0])]).status == .unprocessableEntity)
        }
    }

    @Test("the merge page folds a duplicate into the contact")
    func mergePage() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let api = APIClient(app: app, token: try await acme.token(app))
            let keep = try #require(try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"ana@x.com","first_name":"Ana"}"#).json()["id"] as? String).lowercased()
            _ = try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"ana@y.com","job_title":"CEO"}"#)
            #expect(try await acme.adminBrowser.get("/contacts/\(keep)/merge").status == .ok)
            let unknown = try await acme.adminBrowser.post("/contacts/\(keep)/merge", [("other", "ghost@x.com")])
            #expect(unknown.status == .unprocessableEntity)
            let merged = try await acme.adminBrowser.post("/contacts/\(keep)/merge", [("other", "ana@y.com")])
            #expect(merged.location?.contains("notice=merged") == true)
            let contact = try await ContactRepository(app.db, workspaceID: acme.workspace.id).find(UUID(uuidString: keep)!)
            #expect(contact?.jobTitle == "CEO")
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == 1)
        }
    }

    @Test("the CSV export of a filtered list has the import's columns and only the filtered rows")
    func export() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let api = APIClient(app: app, token: try await acme.token(app))
            _ = try await api.call(.POST, "/api/v1/custom-fields", json: #"{"key":"budget","label":"Budget","type":"number"}"#)
            _ = try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"x@x.com","first_name":"Xi, \"the\" one","lifecycle_stage":"mql","cf_budget":1500.5}"#)
            _ = try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"y@x.com","lifecycle_stage":"lead"}"#)
            let csv = try await acme.adminBrowser.get("/contacts/export.csv?stage=mql")
            #expect(csv.status == .ok)
            #expect(csv.headers.contentType?.subType == "csv")
            let lines = csv.text.split(separator: "\r\n").map(String.init)
            #expect(lines.first?.hasPrefix("\u{FEFF}first_name,last_name,email") == true)
            #expect(lines.first?.hasSuffix(",cf_budget") == true)
            #expect(lines.count == 2)
            #expect(lines[1].contains("\"Xi, \"\"the\"\" one\""))
            #expect(lines[1].hasSuffix(",1500.5"))
        }
    }
}

@Suite("Contacts through the API")
struct ContactsAPITests {
    @Test("the list sees a custom field defined or deleted just after it answered")
    func listFollowsFieldChanges() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let api = APIClient(app: app, token: try await acme.token(app))
            _ = try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"ana@client.test","first_name":"Ana"}"#)
            #expect(try await api.call(.GET, "/api/v1/contacts?f=cf_tier:eq:gold").status == .unprocessableEntity)
            let created = try await api.call(.POST, "/api/v1/custom-fields", json: #"{"key":"tier","label":"Tier","type":"text"}"#)
            #expect(created.status == .created)
            let id = try created.json()["id"] as? String ?? ""
            let listed = try await api.call(.GET, "/api/v1/contacts?f=cf_tier:unset")
            #expect(listed.status == .ok)
            #expect((try listed.json()["data"] as? [Any])?.count == 1)
            #expect(try await api.call(.DELETE, "/api/v1/custom-fields/\(id)").status == .noContent)
            #expect(try await api.call(.GET, "/api/v1/contacts?f=cf_tier:unset").status == .unprocessableEntity)
        }
    }

    @Test("a create with an Idempotency-Key creates once and replays its answer")
    func idempotentCreate() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let token = try await acme.token(app)
            func post(_ body: String, key: String) async throws -> Reply {
                var headers = HTTPHeaders()
                headers.bearerAuthorization = BearerAuthorization(token: token)
                headers.replaceOrAdd(name: .contentType, value: "application/json")
                headers.replaceOrAdd(name: "Idempotency-Key", value: key)
                let response = try await app.performTest(request: .init(method: .POST, url: URI(path: "/api/v1/contacts"), headers: headers, body: ByteBuffer(string: body)))
                return Reply(status: response.status, headers: response.headers, text: response.body.string)
            }
            let first = try await post(#"{"first_name":"Ana"}"#, key: "k-1")
            let replay = try await post(#"{"first_name":"Ana"}"#, key: "k-1")
            #expect(first.status == .created)
            #expect(replay.status == .created)
            #expect(replay.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try first.json()["id"] as? String == (try replay.json()["id"] as? String))
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == 1)
            let misuse = try await post(#"{"first_name":"Other"}"#, key: "k-1")
            #expect(misuse.status == .unprocessableEntity)
            #expect(try misuse.errorFields() == ["Idempotency-Key"])
        }
    }

    @Test("create, read, patch, timeline and delete a contact; bad fields are named")
    func crud() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let api = APIClient(app: app, token: try await acme.token(app))
            let created = try await api.call(.POST, "/api/v1/contacts", json: #"{"first_name":"Ana","email":"ana@globex.com","age":34,"country":"BR"}"#)
            #expect(created.status == .created)
            #expect(try created.json()["outcome"] as? String == "created")
            let id = try #require(try created.json()["id"] as? String)
            let patched = try await api.call(.PATCH, "/api/v1/contacts/\(id)", json: #"{"job_title":"CFO","lifecycle_stage":"mql"}"#)
            #expect(patched.status == .ok)
            #expect(try patched.json()["job_title"] as? String == "CFO")
            #expect(try patched.json()["first_name"] as? String == "Ana")
            #expect(try patched.json()["age"] as? Int == 34)
            let timeline = try await api.call(.GET, "/api/v1/contacts/\(id)/timeline")
            #expect((try timeline.json()["data"] as? [[String: Any]])?.count == 2)
            let bad = try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"nope","age":-4,"lifecycle_stage":"king"}"#)
            #expect(bad.status == .unprocessableEntity)
            #expect(try Set(bad.errorFields()) == ["email", "age", "lifecycle_stage"])
            #expect(try await api.call(.DELETE, "/api/v1/contacts/\(id)").status == .noContent)
            #expect(try await api.call(.GET, "/api/v1/contacts/\(id)").status == .notFound)
            let log = try await AuditLog(app.db, workspaceID: acme.workspace.id).list(limit: 10).map(\.action)
            #expect(log.contains("contact.stage_changed"))
            #expect(log.contains("contact.deleted"))
        }
    }

    @Test("bulk actions through the API work on ids or on every result of a query; a merge keeps one contact; bad requests name the field")
    func bulkAndMerge() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let api = APIClient(app: app, token: try await acme.token(app))
            var ids: [String] = []
            for (email, country) in [("ana@x.test", "BR"), ("bia@x.test", "BR"), ("caio@x.test", "PT"), ("ana.old@y.test", "BR")] {
                let created = try await api.call(.POST, "/api/v1/contacts", json: #"{"first_name":"P","email":"\#(email)","country":"\#(country)"}"#)
                ids.append(try #require(try created.json()["id"] as? String))
            }
            let byQuery = try await api.call(.POST, "/api/v1/contacts/bulk", json: #"{"action":"add_to_list","list":"Brasil","query":"f=country:eq:BR"}"#)
            #expect(byQuery.status == .ok)
            #expect(try byQuery.json()["affected"] as? Int == 3)
            let byIDs = try await api.call(.POST, "/api/v1/contacts/bulk", json: #"{"action":"assign_owner","owner_id":"\#(acme.admin.id.uuidString)","ids":["\#(ids[2])"]}"#)
            #expect(try byIDs.json()["affected"] as? Int == 1)
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).find(try #require(UUID(uuidString: ids[2])))?.ownerID == acme.admin.id)

            let unknown = try await api.call(.POST, "/api/v1/contacts/bulk", json: #"{"action":"paint","ids":["\#(ids[0])"]}"#)
            #expect(unknown.status == .unprocessableEntity)
            #expect(try unknown.errorFields() == ["action"])
            let nothing = try await api.call(.POST, "/api/v1/contacts/bulk", json: #"{"action":"delete","ids":[]}"#)
            #expect(try nothing.errorFields() == ["ids"])

            let merged = try await api.call(.POST, "/api/v1/contacts/\(ids[0])/merge", json: #"{"other_id":"\#(ids[3])"}"#)
            #expect(merged.status == .ok)
            #expect(try merged.json()["email"] as? String == "ana@x.test")
            #expect(try await api.call(.GET, "/api/v1/contacts/\(ids[3])").status == .notFound)
            let itself = try await api.call(.POST, "/api/v1/contacts/\(ids[0])/merge", json: #"{"other_id":"\#(ids[0])"}"#)
            #expect(itself.status == .unprocessableEntity)
            #expect(try itself.errorFields() == ["other_id"])
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == 3)

            let deleted = try await api.call(.POST, "/api/v1/contacts/bulk", json: #"{"action":"delete","query":"f=country:eq:BR"}"#)
            #expect(try deleted.json()["affected"] as? Int == 2)
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == 1)
        }
    }
}
