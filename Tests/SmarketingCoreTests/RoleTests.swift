import Testing
@testable import SmarketingCore

@Suite("Roles")
struct RoleTests {
    @Test("roles are stored under stable snake_case names")
    func rawValues() {
        #expect(Role.allCases.map(\.rawValue) == ["admin", "marketing", "marketing_manager", "sales", "sales_manager"])
    }

    @Test("roles sort in declaration order: admin, marketing, marketing manager, sales, sales manager")
    func ordering() {
        #expect(Role.allCases.shuffled().sorted() == [.admin, .marketing, .marketingManager, .sales, .salesManager])
        #expect(Role.admin < .marketing)
        #expect(Role.marketingManager < .sales)
        #expect(!(Role.salesManager < .sales))
    }

    @Test("each role belongs to one side of the house",
          arguments: [
              (Role.admin, Role.Side.administration),
              (.marketing, .marketing), (.marketingManager, .marketing),
              (.sales, .sales), (.salesManager, .sales),
          ])
    func side(role: Role, side: Role.Side) {
        #expect(role.side == side)
    }
}
