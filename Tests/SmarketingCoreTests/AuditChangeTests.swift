import Foundation
import Testing
@testable import SmarketingCore

@Suite("Audit changes")
struct AuditChangeTests {
    @Test("only fields whose value changed are kept")
    func keepsOnlyChangedFields() {
        let change = AuditChange(
            before: ["name": "Acme", "time_zone": "America/Sao_Paulo", "currency": "BRL"],
            after: ["name": "Acme Software", "time_zone": "America/Sao_Paulo", "currency": "BRL"]
        )
        #expect(change.before == ["name": "Acme"])
        #expect(change.after == ["name": "Acme Software"])
        #expect(change.fields == ["name"])
        #expect(!change.isEmpty)
    }

    @Test("a field that was added appears only after")
    func addedField() {
        let change = AuditChange(before: ["name": "Ana"], after: ["name": "Ana", "team": "Inbound SDRs"])
        #expect(change.before == [:])
        #expect(change.after == ["team": "Inbound SDRs"])
        #expect(change.fields == ["team"])
        #expect(!change.isEmpty)
    }

    @Test("a field that was removed appears only before")
    func removedField() {
        let change = AuditChange(before: ["name": "Ana", "team": "Inbound SDRs"], after: ["name": "Ana"])
        #expect(change.before == ["team": "Inbound SDRs"])
        #expect(change.after == [:])
        #expect(change.fields == ["team"])
        #expect(!change.isEmpty)
    }

    @Test("a field emptied is a change, not a removal")
    func emptiedField() {
        let change = AuditChange(before: ["phone": "+55 11 91234-5678"], after: ["phone": ""])
        #expect(change.before == ["phone": "+55 11 91234-5678"])
        #expect(change.after == ["phone": ""])
    }

    @Test("values are compared exactly, so a change of case is a change")
    func caseChangeCounts() {
        let change = AuditChange(before: ["name": "acme"], after: ["name": "Acme"])
        #expect(change.fields == ["name"])
    }

    @Test("identical before and after make an empty change",
          arguments: [[String: String](), ["name": "Acme"], ["name": "Acme", "roles": "admin,sales", "active": "yes"]])
    func noChangeIsEmpty(values: [String: String]) {
        let change = AuditChange(before: values, after: values)
        #expect(change.isEmpty)
        #expect(change.before.isEmpty)
        #expect(change.after.isEmpty)
        #expect(change.fields.isEmpty)
    }

    @Test("added, removed and changed fields together are listed once each, sorted by name")
    func fieldsSorted() {
        let change = AuditChange(
            before: ["zeta": "1", "alpha": "1", "mid": "1", "same": "x"],
            after: ["zeta": "2", "beta": "new", "mid": "1", "same": "x"]
        )
        #expect(change.fields == ["alpha", "beta", "zeta"])
        #expect(change.before == ["zeta": "1", "alpha": "1"])
        #expect(change.after == ["zeta": "2", "beta": "new"])
    }

    @Test("a change survives a JSON round trip")
    func codable() throws {
        let change = AuditChange(before: ["roles": "sales"], after: ["roles": "sales,sales_manager"])
        let decoded = try JSONDecoder().decode(AuditChange.self, from: JSONEncoder().encode(change))
        #expect(decoded == change)
    }

    // MARK: actors and actions

    @Test("a person's actor carries their id and name and the channel they used")
    func userActor() {
        let user = User(
            id: UUID(), workspaceID: UUID(), email: EmailAddress(stored: "marina@acme.com"), name: "Marina Costa",
            roles: [.marketingManager], language: .ptBR, isActive: true, createdAt: Date(timeIntervalSince1970: 0)
        )
        let actor = AuditActor.user(user, via: .api)
        #expect(actor == AuditActor(userID: user.id, name: "Marina Costa", channel: .api))
    }

    @Test("the product itself acts as the system, without a user")
    func systemActor() {
        #expect(AuditActor.system.userID == nil)
        #expect(AuditActor.system.channel == .system)
        #expect(AuditActor.system.name == "Smarketing")
    }

    @Test("every audit action is named as a lower-case entity and verb separated by one dot", arguments: AuditAction.allCases)
    func actionNames(action: AuditAction) {
        let parts = action.rawValue.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 2)
        #expect(action.rawValue == action.rawValue.lowercased())
        #expect(!action.rawValue.contains(" "))
    }

    @Test("audit action names are unique")
    func actionNamesUnique() {
        #expect(Set(AuditAction.allCases.map(\.rawValue)).count == AuditAction.allCases.count)
    }
}
