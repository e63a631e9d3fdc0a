import Foundation
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
@testable import SmarketingWeb
import Testing
import Vapor

@Suite("Batch ingest of behaviour events through the API")
struct EventIngestTests {
    /// An active definition and a director (fit 20): a form (25 points) makes the contact an MQL.
    func scoredWorkspace(_ app: Application) async throws -> (TestWorkspace, APIClient, contactID: String) {
        let acme = try await TestWorkspace.viaSetup(app)
        try await activateThroughPages(testDefinition(), app: app, acme: acme)
        let api = APIClient(app: app, token: try await acme.token(app))
        let created = try await api.call(.POST, "/api/v1/contacts", json: #"{"email":"lia@globex.com","job_title":"Diretora de Vendas"}"#)
        #expect(created.status == .created)
        return (acme, api, try #require(try created.json()["id"] as? String))
    }

    @Test("valid events are stored and scored before the 202, each refused event comes back with its fields, and the valid ones in the same batch are kept")
    func mixedBatch() async throws {
        try await withTestApp { app in
            let (acme, api, id) = try await scoredWorkspace(app)
            let future = ISO8601DateFormatter().string(from: app.clock.now().addingTimeInterval(3600))
            let body = """
            {"events":[
              {"id":"crm-1","type":"form_submitted","email":"LIA@globex.com","occurred_at":"2026-11-10T10:00:00Z","properties":{"form":"demo","utm_source":"google","step":2,"consent":true}},
              {"id":"crm-2","type":"fax_sent","contact_id":"\(id)"},
              {"id":"crm-3","type":"page_view","contact_id":"\(id)","occurred_at":"\(future)"},
              {"id":"crm-4","type":"page_view"},
              {"type":"page_view","email":"nobody@globex.com","properties":{"path":{"nested":true}}},
              "not an object",
              {"id":"crm-7","type":"page_view","anonymous_id":"visitor-9","properties":{"path":"/pricing"}}
            ]}
            """
            let reply = try await api.call(.POST, "/api/v1/events", json: body)
            #expect(reply.status == .accepted)
            let json = try reply.json()
            #expect(json["accepted"] as? Int == 2)
            #expect(json["duplicates"] as? Int == 0)
            let rejected = try #require(json["rejected"] as? [[String: Any]])
            var fields: [Int: Set<String>] = [:]
            for item in rejected {
                fields[item["index"] as? Int ?? -1] = Set((item["fields"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            }
            #expect(fields == [1: ["type"], 2: ["occurred_at"], 3: ["contact_id"], 4: ["id", "properties.path"], 5: ["id", "type", "contact_id"]])
            let message = (rejected.first { $0["index"] as? Int == 1 }?["fields"] as? [[String: Any]])?.first?["message"] as? String
            #expect(message?.isEmpty == false)

            // The form was scored in the same commit: the director is now an MQL, explained by the event.
            let contact = try await api.call(.GET, "/api/v1/contacts/\(id)")
            #expect(try contact.json()["lifecycle_stage"] as? String == "mql")
            let score = try await api.call(.GET, "/api/v1/contacts/\(id)/score")
            #expect(score.text.contains("crm-1"))
            let events = EventLog(app.db, workspaceID: acme.workspace.id)
            #expect(try await events.count() == 2)
            let stored = try await events.scoringEvents(of: try #require(UUID(uuidString: id)))
            #expect(stored.map(\.id) == ["crm-1"])
            #expect(stored.first?.properties == ["form": "demo", "utm_source": "google", "step": "2", "consent": "true"])
        }
    }

    @Test("the writer's commits show on /metrics: how many, how many events each, how long each took and waited for the disk")
    func writerMetrics() async throws {
        try await withTestApp { app in
            let (_, api, id) = try await scoredWorkspace(app)
            let three = #"{"events":[{"id":"m1","type":"page_view","contact_id":"\#(id)"},{"id":"m2","type":"page_view","anonymous_id":"v"},{"id":"m3","type":"email_opened","contact_id":"\#(id)"},{"id":"bad","type":"fax_sent"}]}"#
            #expect(try await api.call(.POST, "/api/v1/events", json: three).json()["accepted"] as? Int == 3)
            let two = #"{"events":[{"id":"m4","type":"page_view","contact_id":"\#(id)"},{"id":"m1","type":"page_view","contact_id":"\#(id)"}]}"#
            #expect(try await api.call(.POST, "/api/v1/events", json: two).json()["duplicates"] as? Int == 1)

            let text = try await APIClient(app: app, token: nil).call(.GET, "/metrics").text
            let lines = Set(text.split(separator: "\n").map(String.init))
            // Two commits, of 3 and 2 events (the refused one never reaches the writer, the duplicate does).
            #expect(lines.contains("smarketing_ingest_commit_events_count 2"))
            #expect(lines.contains { $0.hasPrefix("smarketing_ingest_commit_events_sum 5") })
            #expect(lines.contains(#"smarketing_ingest_commit_events_bucket{le="2.0"} 1"#))
            #expect(lines.contains("smarketing_ingest_commit_seconds_count 2"))
            #expect(lines.contains("smarketing_ingest_durable_wait_seconds_count 2"))
        }
    }

    @Test("a replayed batch stores nothing twice and says which events were duplicates")
    func replay() async throws {
        try await withTestApp { app in
            let (acme, api, id) = try await scoredWorkspace(app)
            let body = #"{"events":[{"id":"e1","type":"page_view","contact_id":"\#(id)","properties":{"path":"/pricing"}},{"id":"e1","type":"page_view","contact_id":"\#(id)"},{"id":"e2","type":"email_opened","contact_id":"\#(id)"}]}"#
            let first = try await api.call(.POST, "/api/v1/events", json: body)
            #expect(try first.json()["accepted"] as? Int == 2)
            #expect(try first.json()["duplicates"] as? Int == 1, "the same id twice in one batch")
            let scoreBefore = try await api.call(.GET, "/api/v1/contacts/\(id)/score").text
            let again = try await api.call(.POST, "/api/v1/events", json: body)
            #expect(again.status == .accepted)
            #expect(try again.json()["accepted"] as? Int == 0)
            #expect(try again.json()["duplicates"] as? Int == 3)
            #expect(try await EventLog(app.db, workspaceID: acme.workspace.id).count() == 2)
            #expect(try await api.call(.GET, "/api/v1/contacts/\(id)/score").text == scoreBefore, "a replay changes no score")
        }
    }

    @Test("a workspace cannot attach events to another workspace's contacts, and the request shape is checked before anything is stored")
    func sealedAndShaped() async throws {
        try await withTestApp { app in
            let (acme, _, id) = try await scoredWorkspace(app)
            let globex = try await TestWorkspace.direct(app, email: "gus@globex.com", name: "Globex")
            let other = APIClient(app: app, token: try await globex.token(app))
            let foreign = try await other.call(.POST, "/api/v1/events", json: #"{"events":[{"id":"x1","type":"page_view","contact_id":"\#(id)"},{"id":"x2","type":"page_view","email":"lia@globex.com"}]}"#)
            #expect(foreign.status == .accepted)
            #expect(try foreign.json()["accepted"] as? Int == 0)
            #expect(try await EventLog(app.db, workspaceID: acme.workspace.id).count() == 0)
            #expect(try await EventLog(app.db, workspaceID: globex.workspace.id).count() == 0)

            let many = "{\"events\":[" + (0...EventSubmissionLimits.eventsPerRequest).map { #"{"id":"m\#($0)","type":"page_view","anonymous_id":"v"}"# }.joined(separator: ",") + "]}"
            let tooMany = try await other.call(.POST, "/api/v1/events", json: many)
            #expect(tooMany.status == .unprocessableEntity)
            #expect(try tooMany.errorFields() == ["events"])
            #expect(try await other.call(.POST, "/api/v1/events", json: #"{"events":[]}"#).errorFields() == ["events"])
            #expect(try await other.call(.POST, "/api/v1/events", json: #"{"events":"#).status == .badRequest)
            #expect(try await other.call(.POST, "/api/v1/events", json: "x=1", contentType: "application/x-www-form-urlencoded").status == .unsupportedMediaType)
            let huge = "{\"events\":[{\"id\":\"h\",\"type\":\"page_view\",\"anonymous_id\":\"v\",\"properties\":{\"blob\":\"" + String(repeating: "a", count: EventSubmissionLimits.bytesPerRequest) + "\"}}]}"
            #expect(try await other.call(.POST, "/api/v1/events", json: huge).status == .payloadTooLarge)
            #expect(try await APIClient(app: app, token: nil).call(.POST, "/api/v1/events", json: #"{"events":[]}"#).status == .unauthorized)
            #expect(try await EventLog(app.db, workspaceID: globex.workspace.id).count() == 0)
        }
    }

    @Test("many requests at once each get their answer after a commit, and every event is stored exactly once")
    func concurrentRequests() async throws {
        try await withTestApp { app in
            let (acme, api, id) = try await scoredWorkspace(app)
            let answers = try await withThrowingTaskGroup(of: Int.self) { group in
                for request in 0..<20 {
                    group.addTask {
                        let events = (0..<5).map { #"{"id":"r\#(request)-\#($0)","type":"page_view","contact_id":"\#(id)","properties":{"path":"/docs"}}"# }
                        let reply = try await api.call(.POST, "/api/v1/events", json: "{\"events\":[" + events.joined(separator: ",") + "]}")
                        return try reply.json()["accepted"] as? Int ?? -1
                    }
                }
                var all: [Int] = []
                for try await accepted in group { all.append(accepted) }
                return all
            }
            #expect(answers == Array(repeating: 5, count: 20))
            #expect(try await EventLog(app.db, workspaceID: acme.workspace.id).count() == 100)
        }
    }

    @Test("the tracking page lists the workspace's latest events with their contact or visitor, and nothing of another workspace")
    func trackingPage() async throws {
        try await withTestApp { app in
            let (acme, api, id) = try await scoredWorkspace(app)
            let globex = try await TestWorkspace.direct(app, email: "gus@globex.com", name: "Globex")
            let body = #"{"events":[{"id":"t1","type":"form_submitted","contact_id":"\#(id)","properties":{"form":"demo"}},{"id":"t2","type":"page_view","anonymous_id":"visitor-7"}]}"#
            #expect(try await api.call(.POST, "/api/v1/events", json: body).status == .accepted)
            let other = APIClient(app: app, token: try await globex.token(app))
            #expect(try await other.call(.POST, "/api/v1/events", json: #"{"events":[{"id":"g1","type":"page_view","anonymous_id":"g-visitor"}]}"#).status == .accepted)

            let page = try await acme.adminBrowser.get("/settings/tracking")
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"ingest-example\""))
            #expect(page.text.contains("data-event=\"t1\""))
            #expect(page.text.contains("href=\"/contacts/\(id.lowercased())\""))
            #expect(page.text.contains("form=demo"))
            #expect(page.text.contains("Visitor visitor-7"))
            #expect(!page.text.contains("g-visitor"), "another workspace's events never show")
            let empty = try await globex.adminBrowser.get("/settings/tracking")
            #expect(!empty.text.contains("data-event=\"t1\""))
            #expect(empty.text.contains("data-event=\"g1\""))
        }
    }

    @Test("an event that names both a contact and a visitor gives the visitor's earlier events to the contact, scored as if they had come in order")
    func identification() async throws {
        try await withTestApp { app in
            let (acme, api, id) = try await scoredWorkspace(app)
            let contactID = try #require(UUID(uuidString: id))
            // Three pricing pages in one morning (10 points each, at most 20 a day), before the visitor is known.
            let views = (0..<3).map { #"{"id":"v\#($0)","type":"page_view","anonymous_id":"visitor-1","occurred_at":"2026-11-16T0\#($0 + 8):00:00Z","properties":{"path":"/pricing"}}"# }
            let anonymous = try await api.call(.POST, "/api/v1/events", json: "{\"events\":[" + views.joined(separator: ",") + "]}")
            #expect(try anonymous.json()["accepted"] as? Int == 3)
            let keeper = ScoreKeeper(app.db, workspaceID: acme.workspace.id)
            let definition = try await keeper.activeDefinition()
            #expect(try await keeper.score(of: contactID, definition: definition, now: app.clock.now())?.ledger.contains { $0.ruleID == "pricing" } == false)

            let form = try await api.call(.POST, "/api/v1/events", json: #"{"events":[{"id":"f1","type":"form_submitted","email":"lia@globex.com","anonymous_id":"visitor-1","occurred_at":"2026-11-16T12:00:00Z"}]}"#)
            #expect(try form.json()["accepted"] as? Int == 1)
            let events = try await EventLog(app.db, workspaceID: acme.workspace.id).scoringEvents(of: contactID)
            #expect(events.map(\.id) == ["v0", "v1", "v2", "f1"])
            let score = try #require(try await keeper.score(of: contactID, definition: definition, now: app.clock.now()))
            #expect(score.ledger.filter { $0.ruleID == "pricing" }.map(\.points).reduce(0, +) == 20, "the day's cap applies to the visitor's pages")
            #expect(score.ledger.filter { $0.ruleID == "form" }.count == 1)
            #expect(abs(score.total - score.ledgerTotal) < 1e-9)
            #expect(try await api.call(.GET, "/api/v1/contacts/\(id)").json()["lifecycle_stage"] as? String == "mql")
            // From then on the visitor is the contact: a later page view of it alone is the contact's and scores at once.
            let later = try await api.call(.POST, "/api/v1/events", json: #"{"events":[{"id":"v9","type":"page_view","anonymous_id":"visitor-1","properties":{"path":"/pricing/enterprise"}}]}"#)
            #expect(try later.json()["accepted"] as? Int == 1)
            #expect(try await EventLog(app.db, workspaceID: acme.workspace.id).scoringEvents(of: contactID).map(\.id) == ["v0", "v1", "v2", "f1", "v9"])
            let after = try #require(try await keeper.score(of: contactID, definition: definition, now: app.clock.now()))
            #expect(after.ledger.contains { $0.ruleID == "pricing" && $0.cause == .event(id: "v9", type: "page_view") })
        }
    }

    @Test("a contact's timeline shows its events beside its changes, newest first, with the points each gave, and pages through both without repeats")
    func timeline() async throws {
        try await withTestApp { app in
            let (acme, api, id) = try await scoredWorkspace(app)
            var events = (0..<30).map { minute in
                #"{"id":"p\#(minute)","type":"page_view","contact_id":"\#(id)","occurred_at":"2026-11-16T08:\#(String(format: "%02d", minute)):00Z","properties":{"path":"/pricing"}}"#
            }
            events.append(#"{"id":"f1","type":"form_submitted","contact_id":"\#(id)","occurred_at":"2026-11-16T12:00:00Z","properties":{"form":"demo"}}"#)
            #expect(try await api.call(.POST, "/api/v1/events", json: "{\"events\":[" + events.joined(separator: ",") + "]}").json()["accepted"] as? Int == 31)

            func eventIDs(_ html: String) -> [String] {
                html.components(separatedBy: "data-event=\"").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
            }
            let first = try await acme.adminBrowser.get("/contacts/\(id)")
            let list = first.text.components(separatedBy: "id=\"timeline\"").dropFirst().first?.components(separatedBy: "</ol>").first ?? ""
            #expect(list.components(separatedBy: "<li class=\"timeline-item").count - 1 == 25)
            let firstEvents = eventIDs(first.text)
            // The newest lines: the contact's creation (today), the form (the 16th at noon), then the latest page views.
            #expect(first.text.range(of: "data-kind=\"created\"")!.lowerBound < first.text.range(of: "data-event=\"f1\"")!.lowerBound)
            #expect(Array(firstEvents.prefix(3)) == ["f1", "p29", "p28"])
            #expect(first.text.contains("+25 points (form)"))
            #expect(first.text.contains("Form submitted"))
            #expect(first.text.contains("form=demo"))
            let older = try #require(first.text.attribute("href", ofElementWithID: "older-timeline"))
            let second = try await acme.adminBrowser.get(older)
            let secondEvents = eventIDs(second.text)
            #expect(Set(firstEvents).isDisjoint(with: secondEvents))
            #expect(Set(firstEvents + secondEvents) == Set(["f1"] + (0..<30).map { "p\($0)" }))
            #expect(!second.text.contains("id=\"older-timeline\""))
            // Only the first two pricing views of the day scored (at most 20 points a day): the others show no points.
            #expect(second.text.contains("data-event=\"p0\""))
            let pointsShown = (first.text + second.text).components(separatedBy: "+10 points (pricing)").count - 1
            #expect(pointsShown == 2)

            // The API's timeline pages through the same lines.
            var seen: [String] = [], kinds = Set<String>(), cursor: String?
            repeat {
                let page = try await api.call(.GET, "/api/v1/contacts/\(id)/timeline?limit=10" + (cursor.map { "&after=\($0)" } ?? "")).json()
                for entry in page["data"] as? [[String: Any]] ?? [] {
                    kinds.insert(entry["kind"] as? String ?? "")
                    if let eventID = entry["event_id"] as? String { seen.append(eventID) }
                }
                cursor = page["next_cursor"] as? String
            } while cursor != nil
            #expect(seen.first == "f1")
            #expect(Set(seen) == Set(["f1"] + (0..<30).map { "p\($0)" }))
            #expect(seen.count == 31, "no line twice")
            #expect(kinds.isSuperset(of: ["event", "created"]))
        }
    }

    @Test("work that prefers the writer's own event loop runs on that loop's thread, and so do the bodies of the write transactions it opens")
    func writerThread() async throws {
        try await withTestApp { app in
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let loop = group.next()
            let executor = EventLoopTaskExecutor(loop)
            let (before, inside, after) = try await Task(executorPreference: executor) {
                let before = loop.inEventLoop
                let inside = try await StoreTuning.$transactionExecutor.withValue(executor) {
                    try await StoreTuning.writeTransaction(app.db) { tx in
                        _ = try await WorkspaceRepository(tx, workspaceID: UUID()).get()
                        return loop.inEventLoop
                    }
                }
                try await Task.sleep(for: .milliseconds(1))
                return (before, inside, loop.inEventLoop)
            }.value
            #expect(before && inside && after)
            #expect(!loop.inEventLoop, "the test itself runs elsewhere")
            try await group.shutdownGracefully()
        }
    }

    @Test("once the server stops, an event it can no longer commit gets a 503 that asks to try again, and nothing is stored")
    func stoppedWriter() async throws {
        try await withTestApp { app in
            let (acme, api, id) = try await scoredWorkspace(app)
            await app.ingest.shutdown()
            let reply = try await api.call(.POST, "/api/v1/events", json: #"{"events":[{"id":"late","type":"page_view","contact_id":"\#(id)"}]}"#)
            #expect(reply.status == .serviceUnavailable)
            let error = try #require(try reply.json()["error"] as? [String: Any])
            #expect(error["code"] as? String == "unavailable")
            #expect((error["message"] as? String)?.contains("Try again") == true)
            #expect(try await EventLog(app.db, workspaceID: acme.workspace.id).count() == 0)
        }
    }
}
