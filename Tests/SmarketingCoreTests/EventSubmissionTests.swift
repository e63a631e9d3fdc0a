import Foundation
import SmarketingCore
import Testing

@Suite("Checking an event sent to the ingest API")
struct EventSubmissionTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    let known: Set<String> = ["page_view", "form_submitted"]

    func errors(_ input: EventSubmissionInput) -> [String] {
        switch EventSubmission.check(input, knownTypes: known, now: now) {
        case .success: []
        case .failure(let failure): failure.errors.map(\.field)
        }
    }

    @Test("a complete event becomes a scoring event with its time, properties and subject")
    func complete() throws {
        let input = EventSubmissionInput(id: " e-1 ", type: "page_view", occurredAt: "2026-11-10T09:30:00.250Z", properties: ["path": "/pricing"],
                                         email: "Lia@Globex.com")
        let submission = try EventSubmission.check(input, knownTypes: known, now: now).get()
        #expect(submission.event.id == "e-1")
        #expect(submission.event.type == "page_view")
        #expect(abs(submission.event.time.timeIntervalSince1970 - 1_794_303_000.25) < 0.001)
        #expect(submission.event.properties == ["path": "/pricing"])
        #expect(submission.subject == .email(EmailAddress("lia@globex.com")!))
    }

    @Test("an event without a time happened now; one a few minutes ahead (clock skew) is kept, one an hour ahead is refused")
    func times() throws {
        let base = EventSubmissionInput(id: "e", type: "page_view", anonymousID: "v1")
        #expect(try EventSubmission.check(base, knownTypes: known, now: now).get().event.time == now)
        var skewed = base
        skewed.occurredAt = ISO8601DateFormatter().string(from: now.addingTimeInterval(120))
        #expect(errors(skewed).isEmpty)
        var ahead = base
        ahead.occurredAt = ISO8601DateFormatter().string(from: now.addingTimeInterval(3600))
        #expect(errors(ahead) == ["occurred_at"])
        var garbled = base
        garbled.occurredAt = "yesterday"
        #expect(errors(garbled) == ["occurred_at"])
    }

    @Test("an anonymous id sent with a contact identifies that visitor; alone it names the visitor")
    func identification() throws {
        let identified = try EventSubmission.check(EventSubmissionInput(id: "e", type: "form_submitted", email: "lia@globex.com", anonymousID: " v-1 "),
                                                   knownTypes: known, now: now).get()
        #expect(identified.subject == .email(EmailAddress("lia@globex.com")!))
        #expect(identified.identifies == "v-1")
        let visitor = try EventSubmission.check(EventSubmissionInput(id: "e", type: "page_view", anonymousID: "v-1"), knownTypes: known, now: now).get()
        #expect(visitor.subject == .anonymous("v-1"))
        #expect(visitor.identifies == nil)
    }

    @Test("each problem is named by its field, all at once", arguments: [
        (EventSubmissionInput(), ["id", "type", "contact_id"]),
        (EventSubmissionInput(id: "e", type: "fax_sent", anonymousID: "v"), ["type"]),
        (EventSubmissionInput(id: "e", type: "Page View", anonymousID: "v"), ["type"]),
        (EventSubmissionInput(id: String(repeating: "x", count: 201), type: "page_view", anonymousID: "v"), ["id"]),
        (EventSubmissionInput(id: "e", type: "page_view", contactID: "not-an-id"), ["contact_id"]),
        (EventSubmissionInput(id: "e", type: "page_view", email: "not an email"), ["email"]),
        (EventSubmissionInput(id: "e", type: "page_view", contactID: UUID().uuidString, email: "a@b.com"), ["contact_id", "email"]),
        (EventSubmissionInput(id: "e", type: "page_view", unreadableProperties: ["path"], anonymousID: "v"), ["properties.path"]),
        (EventSubmissionInput(id: "e", type: "page_view", properties: ["blob": String(repeating: "a", count: 9000)], anonymousID: "v"), ["properties"]),
        (EventSubmissionInput(id: "e", type: "page_view", properties: Dictionary(uniqueKeysWithValues: (0...50).map { ("k\($0)", "v") }), anonymousID: "v"),
         ["properties"]),
        (EventSubmissionInput(id: "e", type: "page_view", anonymousID: String(repeating: "v", count: 129)), ["anonymous_id"]),
    ] as [(EventSubmissionInput, [String])])
    func refused(input: EventSubmissionInput, fields: [String]) {
        #expect(errors(input) == fields)
    }
}
