import Foundation
import Testing
@testable import SmarketingCore

@Suite("Contacts")
struct ContactTests {
    private func contact(first: String, last: String) -> Contact {
        Contact(
            id: UUID(), workspaceID: UUID(), firstName: first, lastName: last, email: nil,
            createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0)
        )
    }

    @Test("the full name joins the names that are present with one space",
          arguments: [("Ana", "Silva", "Ana Silva"), ("Ana", "", "Ana"), ("", "Silva", "Silva"), ("", "", "")])
    func fullName(first: String, last: String, expected: String) {
        #expect(contact(first: first, last: last).fullName == expected)
    }

    @Test("a new contact starts as a lead without owner or company")
    func defaults() {
        let new = contact(first: "Ana", last: "Silva")
        #expect(new.stage == .lead)
        #expect(new.ownerID == nil)
        #expect(new.companyID == nil)
    }

    @Test("lifecycle stages are stored under stable names in funnel order")
    func stageNames() {
        #expect(LifecycleStage.allCases.map(\.rawValue) == [
            "subscriber", "lead", "mql", "sal", "sql", "opportunity", "customer", "disqualified", "recycled",
        ])
    }
}
