import Foundation
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
@testable import SmarketingWeb
import Testing
import Vapor

/// Waits for a background scoring run to end.
func waitForRun(_ app: Application, workspaceID: UUID, id: UUID) async throws -> ScoringRun {
    for _ in 0..<600 {
        if let run = try await ScoringRuns(app.db, workspaceID: workspaceID).find(id), run.status != .running { return run }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw Abort(.requestTimeout)
}

/// Saves `definition` as the draft on the editor page, has a marketing and a sales manager
/// approve it, activates it and waits for the re-scoring to end.
func activateThroughPages(_ definition: LeadDefinition, app: Application, acme: TestWorkspace) async throws {
    let (_, marketingManager) = try await acme.member(app, email: "mel@acme.com", roles: [.marketingManager], name: "Mel")
    let (_, salesManager) = try await acme.member(app, email: "sal@acme.com", roles: [.salesManager], name: "Sal")
    _ = try await acme.adminBrowser.post("/lead-definition/draft/open", [])
    _ = try await acme.adminBrowser.post("/lead-definition/draft", editorFields(definition))
    let digest = try #require(try await LeadDefinitions(app.db, workspaceID: acme.workspace.id).draft()).version.digest
    _ = try await marketingManager.post("/lead-definition/draft/approve", [("side", "marketing"), ("digest", digest)])
    _ = try await salesManager.post("/lead-definition/draft/approve", [("side", "sales"), ("digest", digest)])
    #expect(try await acme.adminBrowser.post("/lead-definition/draft/activate", []).location == "/lead-definition?notice=activated")
    let run = try #require(try await ScoringRuns(app.db, workspaceID: acme.workspace.id).latest(.activation))
    _ = try await waitForRun(app, workspaceID: acme.workspace.id, id: run.id)
}

/// The editor's fields for `definition`, as the page sends them back.
func editorFields(_ definition: LeadDefinition) -> [(String, String)] {
    LeadDefinitionForm.fields(of: definition).map { ($0.key, $0.value) } + LeadDefinitionForm.cells(of: definition).map { ("mql.grid.cells", $0) }
}

@Suite("The lead definition on pages: draft, editor, approvals, activation, scores")
struct LeadDefinitionPagesTests {
    @Test("a marketer edits the draft without JSON; a bad rule comes back next to its input with the reason; both managers approve; activation scores every contact")
    func draftToActive() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (_, marketer) = try await acme.member(app, email: "mia@acme.com", roles: [.marketing], name: "Mia")
            let (_, marketingManager) = try await acme.member(app, email: "mel@acme.com", roles: [.marketingManager], name: "Mel")
            let (_, salesManager) = try await acme.member(app, email: "sal@acme.com", roles: [.salesManager], name: "Sal")
            let api = APIClient(app: app, token: try await acme.token(app))
            for (index, title) in ["Diretora de Marketing", "Estagiário", "Director of Sales"].enumerated() {
                #expect(try await api.call(.POST, "/api/v1/contacts", json: #"{"first_name":"P\#(index)","email":"p\#(index)@acme.test","job_title":"\#(title)"}"#).status == .created)
            }

            let empty = try await marketer.get("/lead-definition")
            #expect(empty.text.contains("id=\"open-draft-form\""))
            #expect(try await marketer.post("/lead-definition/draft/open", []).location == "/lead-definition/draft")
            let editor = try await marketer.get("/lead-definition/draft")
            #expect(editor.text.contains("id=\"definition-form\""))
            #expect(editor.text.contains("value=\"decision_maker\""))

            var definition = testDefinition()
            definition.mql = .thresholds(fit: 20, engagement: 0)
            var broken = editorFields(definition)
            broken.removeAll { $0.0 == "fit_rules[0].field" }
            broken.append(("fit_rules[0].field", "shoe_size"))
            broken.append(("fit_rules[1].min", "600"))
            broken.append(("mql.thresholds.fit", "twenty"))
            let refused = try await marketer.post("/lead-definition/draft", broken)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("data-field=\"fit_rules[0].field\""))
            #expect(refused.text.contains("There is no such field."))
            #expect(refused.text.contains("data-field=\"fit_rules[1].min\""))
            #expect(refused.text.contains("This rule can never match."))
            #expect(refused.text.contains("data-field=\"mql.thresholds.fit\""), "a number that is not a number and the check's findings come back together")

            #expect(try await marketer.post("/lead-definition/draft", editorFields(definition)).location == "/lead-definition?notice=saved")
            let draft = try #require(try await LeadDefinitions(app.db, workspaceID: acme.workspace.id).draft())
            #expect(draft.version.definition.fitRules == definition.fitRules)

            // A marketer may not approve; each manager approves for their side.
            #expect(try await marketer.post("/lead-definition/draft/approve", [("side", "marketing"), ("digest", draft.version.digest)]).status == .forbidden)
            let overview = try await marketingManager.get("/lead-definition")
            #expect(overview.text.contains("id=\"approve-marketing\""))
            #expect(!overview.text.contains("id=\"approve-sales\""))
            #expect(try await marketingManager.post("/lead-definition/draft/approve", [("side", "marketing"), ("digest", draft.version.digest)])
                .location == "/lead-definition?notice=approved")
            #expect(try await salesManager.post("/lead-definition/draft/approve", [("side", "sales"), ("digest", "stale")])
                .location == "/lead-definition?notice=draft_changed")
            #expect(try await marketer.post("/lead-definition/draft/activate", []).location == "/lead-definition?notice=needs_approvals")
            _ = try await salesManager.post("/lead-definition/draft/approve", [("side", "sales"), ("digest", draft.version.digest)])
            #expect(try await marketer.post("/lead-definition/draft/activate", []).location == "/lead-definition?notice=activated")

            let run = try #require(try await ScoringRuns(app.db, workspaceID: acme.workspace.id).latest(.activation))
            let finished = try await waitForRun(app, workspaceID: acme.workspace.id, id: run.id)
            #expect(finished.status == .completed)
            #expect(finished.processed == 3)
            let contacts = try await ContactRepository(app.db, workspaceID: acme.workspace.id).page(limit: 10, after: nil)
            let directors = contacts.filter { $0.jobTitle?.hasPrefix("Diret") == true || $0.jobTitle?.hasPrefix("Director") == true }
            #expect(directors.count == 2)
            #expect(directors.allSatisfy { $0.stage == .mql })
            let profile = try await marketer.get(SiteURL.contact(directors[0].id).path)
            #expect(profile.text.contains("id=\"score-ledger\""))
            #expect(profile.text.contains("data-rule=\"director\""))
            #expect(profile.text.contains("id=\"stage-history\""))
            #expect(profile.text.contains("under lead definition v1"))
            let active = try await marketer.get("/lead-definition")
            #expect(active.text.contains("id=\"active-definition\""))
            #expect(active.text.contains("Version 1 active since"))
            let list = try await marketer.get("/contacts?f=fit_score:gte:20")
            #expect(list.text.contains("2 contacts"))
        }
    }

    @Test("a what-if of the draft shows who would become an MQL, with the score distribution, before anything is activated")
    func whatIf() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let api = APIClient(app: app, token: try await acme.token(app))
            for (index, title) in ["Director", "Intern", "Director"].enumerated() {
                _ = try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"w\#(index)@acme.test","job_title":"\#(title)"}"#)
            }
            _ = try await acme.adminBrowser.post("/lead-definition/draft/open", [])
            var definition = testDefinition()
            definition.mql = .thresholds(fit: 20, engagement: 0)
            _ = try await acme.adminBrowser.post("/lead-definition/draft", editorFields(definition))
            #expect(try await acme.adminBrowser.post("/lead-definition/draft/what-if", []).status == .seeOther)
            let run = try #require(try await ScoringRuns(app.db, workspaceID: acme.workspace.id).latest(.whatIf))
            _ = try await waitForRun(app, workspaceID: acme.workspace.id, id: run.id)
            let page = try await acme.adminBrowser.get("/lead-definition")
            #expect(page.text.contains("Of 3 contacts, 2 would become MQLs and 0 MQLs would no longer qualify."))
            #expect(page.text.contains("id=\"what-if-chart\""))
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).countByStage()[.mql] == 0)
        }
    }

    @Test("a company page rolls its contacts' scores up: the hottest contact and the sum, and follows a change of the company's size")
    func companyRollUp() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            try await activateThroughPages(testDefinition(), app: app, acme: acme)

            let api = APIClient(app: app, token: try await acme.token(app))
            let created = try await api.call(.POST, "/api/v1/companies", json: #"{"name":"Globex","domain":"globex.com","employee_count":120}"#)
            let companyID = try #require(try created.json()["id"] as? String)
            // A director (20 + 15 for the company's size) and an analyst (15).
            for (email, title) in [("bia@globex.com", "Diretora"), ("caio@globex.com", "Analista")] {
                _ = try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"\#(email)","job_title":"\#(title)","company_domain":"globex.com"}"#)
            }
            let page = try await acme.adminBrowser.get("/companies/\(companyID)")
            #expect(page.text.contains("id=\"company-score\""))
            #expect(page.text.contains("Hottest contact 35 points; all 2 scored contacts together 50."))

            _ = try await api.call(.PATCH, "/api/v1/companies/\(companyID)", json: #"{"employee_count":10}"#)
            let shrunk = try await acme.adminBrowser.get("/companies/\(companyID)")
            #expect(shrunk.text.contains("Hottest contact 20 points; all 2 scored contacts together 20."))
        }
    }
}

@Suite("The lead definition through the API")
struct ScoringAPITests {
    @Test("the draft is replaced with JSON, refused with each problem's path, approved by digest and activated; a contact's score explains itself")
    func lifecycle() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (mel, _) = try await acme.member(app, email: "mel@acme.com", roles: [.marketingManager], name: "Mel")
            let (sal, _) = try await acme.member(app, email: "sal@acme.com", roles: [.salesManager], name: "Sal")
            let api = APIClient(app: app, token: try await acme.token(app))
            let created = try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"bia@globex.com","job_title":"Diretora","company":"Globex","company_domain":"globex.com"}"#)
            let contactID = try #require(try created.json()["id"] as? String)

            let bad = #"{"version":1,"fit_rules":[{"id":"x","field":"job_title","op":"range","min":10,"max":5,"points":5}],"mql":{"thresholds":{"fit":5000,"engagement":1}}}"#
            let refused = try await api.call(.PUT, "/api/v1/lead-definition/draft", json: bad)
            #expect(refused.status == .unprocessableEntity, "\(refused.text.prefix(600))")
            #expect(try refused.errorFields() == ["fit_rules[0].min"], "an unreachable threshold waits for more rules while drafting")

            let body = String(decoding: try JSONEncoder().encode(testDefinition()), as: UTF8.self)
            let saved = try await api.call(.PUT, "/api/v1/lead-definition/draft", json: body)
            #expect(saved.status == .ok)
            let digest = try #require(try saved.json()["digest"] as? String)
            let melAPI = APIClient(app: app, token: try await acme.token(app, for: mel))
            let salAPI = APIClient(app: app, token: try await acme.token(app, for: sal))
            #expect(try await api.call(.POST, "/api/v1/lead-definition/draft/activate").status == .conflict)
            #expect(try await melAPI.call(.POST, "/api/v1/lead-definition/draft/approve", json: #"{"side":"marketing","digest":"\#(digest)"}"#).status == .ok)
            #expect(try await melAPI.call(.POST, "/api/v1/lead-definition/draft/approve", json: #"{"side":"sales","digest":"\#(digest)"}"#).status == .conflict)
            #expect(try await salAPI.call(.POST, "/api/v1/lead-definition/draft/approve", json: #"{"side":"sales","digest":"\#(digest)"}"#).status == .ok)
            let activated = try await api.call(.POST, "/api/v1/lead-definition/draft/activate")
            #expect(activated.status == .accepted)
            let runID = try #require(try activated.json()["id"] as? String)
            let runUUID = try #require(UUID(uuidString: runID))
            _ = try await waitForRun(app, workspaceID: acme.workspace.id, id: runUUID)
            let run = try await api.call(.GET, "/api/v1/scoring-runs/\(runID)")
            #expect(try run.json()["status"] as? String == "completed")

            let score = try await api.call(.GET, "/api/v1/contacts/\(contactID)/score")
            #expect(score.status == .ok)
            let json = try score.json()
            #expect(json["fit"] as? Int == 20)
            #expect((json["ledger"] as? [[String: Any]])?.first?["rule_id"] as? String == "director")
            #expect(abs((json["total"] as? Double ?? -1) - (json["ledger_total"] as? Double ?? -2)) < 1e-9)
            let overview = try await api.call(.GET, "/api/v1/lead-definition")
            #expect((try overview.json()["active"] as? [String: Any])?["version"] as? Int == 1)
        }
    }

    @Test("on bank-additional.csv with y as the outcome and duration excluded, the product's model reaches a cross-validated AUC of 0.78")
    func bankModel() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let file = try ContactImportFile.open(path: BankFile.path)
            let definitions = try await CustomFieldRepository(app.db, workspaceID: acme.workspace.id).list(.contact)
            let (_, mapping) = ColumnMapping.suggest(headers: file.headers, existing: definitions, samples: try file.samples(200))
            let runner = ContactImportRunner(db: app.db, workspaceID: acme.workspace.id, actor: .user(acme.admin, via: .page), clock: app.clock, logger: app.logger)
            let record = try await ImportRepository(app.db, workspaceID: acme.workspace.id)
                .create(fileName: "bank.csv", storedPath: BankFile.path, delimiter: file.delimiter, encoding: file.encoding, userID: acme.admin.id, now: app.clock.now())
            _ = try await runner.run(record, file: file, mapping: mapping)

            let api = APIClient(app: app, token: try await acme.token(app))
            let outcome = try await api.call(.PUT, "/api/v1/lead-definition/outcome", json: #"{"field":"y","values":["true","yes"],"excluded_fields":["cf_duration"]}"#)
            #expect(outcome.status == .ok)
            let started = try await api.call(.POST, "/api/v1/lead-definition/suggestion")
            #expect(started.status == .accepted)
            let idText = try #require(try started.json()["id"] as? String)
            let id = try #require(UUID(uuidString: idText))
            let run = try await waitForRun(app, workspaceID: acme.workspace.id, id: id)
            let suggestion = try #require(run.suggestion, "\(run.message ?? "")")
            #expect(suggestion.rows == 4119)
            #expect(suggestion.conversions == 451)
            #expect(suggestion.meanAUC >= 0.78)
            #expect(!suggestion.rules.isEmpty)
            #expect(!suggestion.rules.contains { $0.field == "cf_duration" || $0.field == "cf_y" })

            // Accepting the suggestion puts its rules into the draft, which then scores the file with a high AUC.
            _ = try await acme.adminBrowser.post("/lead-definition/draft/open", [])
            #expect(try await acme.adminBrowser.post("/lead-definition/suggestion/accept", [("run", id.uuidString)]).location == "/lead-definition/draft?notice=saved")
            let quality = try await api.call(.GET, "/api/v1/lead-definition/quality")
            let draft = try #require(try quality.json()["draft"] as? [String: Any])
            #expect((draft["auc"] as? Double ?? 0) >= 0.78)
            let page = try await acme.adminBrowser.get("/lead-definition")
            #expect(page.text.contains("id=\"lift-chart\""))
            #expect(page.text.contains("id=\"suggested-rules\""))
        }
    }
}
