import Testing
@testable import SmarketingCore

@Suite("Role lists")
struct RoleListTests {
    // MARK: encode and decode

    @Test("a role list is stored as raw names sorted in declaration order, joined by commas")
    func encodeSortsAndJoins() {
        #expect(RoleList.encode([.salesManager, .admin, .sales]) == "admin,sales,sales_manager")
        #expect(RoleList.encode([.marketingManager, .marketing]) == "marketing,marketing_manager")
        #expect(RoleList.encode(Set(Role.allCases)) == "admin,marketing,marketing_manager,sales,sales_manager")
    }

    @Test("a single role is stored as its raw name alone", arguments: Role.allCases)
    func encodeOneRole(role: Role) {
        #expect(RoleList.encode([role]) == role.rawValue)
    }

    @Test("no roles is stored as an empty string and read back as no roles")
    func emptyList() {
        #expect(RoleList.encode([]) == "")
        #expect(RoleList.decode("") == [])
    }

    @Test("every set of roles survives a round trip through its stored form", arguments: everyRoleSet)
    func roundTrip(roles: Set<Role>) {
        #expect(RoleList.decode(RoleList.encode(roles)) == roles)
    }

    @Test("the stored form does not depend on the order roles were given in")
    func encodeIsCanonical() {
        var forwards = Set<Role>()
        for role in Role.allCases { forwards.insert(role) }
        var backwards = Set<Role>()
        for role in Role.allCases.reversed() { backwards.insert(role) }
        #expect(RoleList.encode(forwards) == RoleList.encode(backwards))
    }

    @Test("decoding ignores role names this version does not know")
    func decodeIgnoresUnknownNames() {
        #expect(RoleList.decode("admin,owner,sales") == [.admin, .sales])
        #expect(RoleList.decode("superuser") == [])
    }

    @Test("decoding tolerates repeated names and empty items")
    func decodeToleratesRepeatsAndGaps() {
        #expect(RoleList.decode("sales,sales") == [.sales])
        #expect(RoleList.decode(",marketing,,sales_manager,") == [.marketing, .salesManager])
    }

    // MARK: check

    private func check(_ names: [String], field: String = "roles") -> (roles: Set<Role>?, errors: [FieldError]) {
        var checker = FieldChecker()
        let roles = RoleList.check(field, names, into: &checker)
        return (roles, checker.errors)
    }

    @Test("submitted role names are trimmed and turned into roles")
    func checkAcceptsKnownNames() {
        let result = check([" sales ", "marketing_manager"])
        #expect(result.roles == [.sales, .marketingManager])
        #expect(result.errors.isEmpty)
    }

    @Test("every known role name is accepted on its own", arguments: Role.allCases)
    func checkAcceptsEachRole(role: Role) {
        let result = check([role.rawValue])
        #expect(result.roles == [role])
        #expect(result.errors.isEmpty)
    }

    @Test("the same role submitted twice counts once")
    func checkCollapsesRepeats() {
        let result = check(["admin", "admin"])
        #expect(result.roles == [.admin])
        #expect(result.errors.isEmpty)
    }

    @Test("blank names are skipped when others are present")
    func checkSkipsBlankNames() {
        let result = check(["", "sales", "   "])
        #expect(result.roles == [.sales])
        #expect(result.errors.isEmpty)
    }

    @Test("no roles submitted is refused as required", arguments: [[String](), [""], ["  ", "\t"]])
    func checkRequiresARole(names: [String]) {
        let result = check(names)
        #expect(result.roles == nil)
        #expect(result.errors == [FieldError("roles", .required)])
    }

    @Test("an unknown role name is refused as not in the list",
          arguments: ["owner", "Admin", "salesManager", "sales manager", "sales,marketing"])
    func checkRefusesUnknownName(name: String) {
        let result = check([name])
        #expect(result.roles == nil)
        #expect(result.errors == [FieldError("roles", .notInList)])
    }

    @Test("one unknown name among known ones refuses the whole list with one error")
    func checkRefusesMixedList() {
        let result = check(["admin", "owner", "root"])
        #expect(result.roles == nil)
        #expect(result.errors == [FieldError("roles", .notInList)])
    }

    @Test("the error is recorded under the field name given, after earlier errors")
    func checkUsesFieldNameAndKeepsEarlierErrors() {
        var checker = FieldChecker()
        checker.add("name", .required)
        let roles = RoleList.check("member_roles", [], into: &checker)
        #expect(roles == nil)
        #expect(checker.errors == [FieldError("name", .required), FieldError("member_roles", .required)])
    }
}
