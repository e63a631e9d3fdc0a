import Foundation
import Testing
@testable import SmarketingCore

/// One cell of the permission table in SPEC.md (C1): what one role may do, and over which records.
struct PermissionCell: Sendable, CustomTestStringConvertible {
    var permission: Permission
    var role: Role
    var reach: Reach?

    var testDescription: String {
        "\(permission) for \(role.rawValue): \(reach.map { "\($0)" } ?? "none")"
    }
}

/// SPEC.md C1, written out row by row. Columns: admin, marketing, marketing manager, sales,
/// sales manager. `nil` is the table's "-".
private let specTable: [Permission: [Role: Reach?]] = [
    // users, teams, workspace settings | yes | - | - | - | -
    .manageWorkspace: [.admin: .all, .marketing: nil, .marketingManager: nil, .sales: nil, .salesManager: nil],
    // contacts and companies: read | all | all | all | all | all
    .readContacts: [.admin: .all, .marketing: .all, .marketingManager: .all, .sales: .all, .salesManager: .all],
    // contacts: create, edit, import | yes | yes | yes | own leads | team's leads
    .editContacts: [.admin: .all, .marketing: .all, .marketingManager: .all, .sales: .own, .salesManager: .team],
    // lead definition: edit draft | yes | yes | yes | - | yes
    .editLeadDefinitionDraft: [.admin: .all, .marketing: .all, .marketingManager: .all, .sales: nil, .salesManager: .all],
    // lead definition: approve | - | - | yes | - | yes
    .approveLeadDefinition: [.admin: nil, .marketing: nil, .marketingManager: .all, .sales: nil, .salesManager: .all],
    // routing rules, rejection reasons | yes | - | - | - | yes
    .manageRouting: [.admin: .all, .marketing: nil, .marketingManager: nil, .sales: nil, .salesManager: .all],
    // accept or reject an MQL, log activities, deals | - | - | - | own leads | team's leads
    .workLeads: [.admin: nil, .marketing: nil, .marketingManager: nil, .sales: .own, .salesManager: .team],
    // SLA: edit, sign off | edit | - | sign | - | sign
    .editSLA: [.admin: .all, .marketing: nil, .marketingManager: nil, .sales: nil, .salesManager: nil],
    .signSLA: [.admin: nil, .marketing: nil, .marketingManager: .all, .sales: nil, .salesManager: .all],
    // goals, meetings, action items | yes | yes | yes | yes | yes
    .useGoalsAndMeetings: [.admin: .all, .marketing: .all, .marketingManager: .all, .sales: .all, .salesManager: .all],
    // campaigns, templates, segments, forms | yes | yes | yes | - | -
    .manageCampaigns: [.admin: .all, .marketing: .all, .marketingManager: .all, .sales: nil, .salesManager: nil],
    // erasure and data export of a contact | yes | - | yes | - | yes
    .handlePrivacyRequests: [.admin: .all, .marketing: nil, .marketingManager: .all, .sales: nil, .salesManager: .all],
    // Not a row of the SPEC table: the audit log is read with the workspace settings, by admins.
    .readAuditLog: [.admin: .all, .marketing: nil, .marketingManager: nil, .sales: nil, .salesManager: nil],
]

private let everyCell: [PermissionCell] = Permission.allCases.flatMap { permission in
    Role.allCases.map { role in
        PermissionCell(permission: permission, role: role, reach: specTable[permission]?[role] ?? nil)
    }
}

/// Every combination of roles a user may hold, the empty set included.
let everyRoleSet: [Set<Role>] = (0..<(1 << Role.allCases.count)).map { mask in
    Set(Role.allCases.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element))
}

@Suite("Access policy")
struct AccessPolicyTests {
    @Test("the expected table has a cell for every permission and every role")
    func tableIsComplete() {
        for permission in Permission.allCases {
            let row = specTable[permission]
            #expect(row != nil, "no row for \(permission)")
            #expect(Set(row?.keys.map { $0 } ?? []) == Set(Role.allCases), "incomplete row for \(permission)")
        }
        #expect(everyCell.count == Permission.allCases.count * Role.allCases.count)
    }

    @Test("each single role gets exactly the reach the SPEC table gives it", arguments: everyCell)
    func singleRoleReach(cell: PermissionCell) {
        #expect(AccessPolicy.reach(of: cell.role, for: cell.permission) == cell.reach)
    }

    @Test("a role set of one role allows exactly what the table allows that role", arguments: everyCell)
    func singleRoleAllows(cell: PermissionCell) {
        #expect(AccessPolicy.allows([cell.role], cell.permission) == (cell.reach != nil))
        #expect(AccessPolicy.reach(of: [cell.role], for: cell.permission) == cell.reach)
    }

    @Test("a sales rep may edit only their own leads and work only their own leads")
    func salesRepReachesOwnLeads() {
        #expect(AccessPolicy.reach(of: .sales, for: .editContacts) == .own)
        #expect(AccessPolicy.reach(of: .sales, for: .workLeads) == .own)
    }

    @Test("a sales manager edits and works the leads of their team")
    func salesManagerReachesTeamLeads() {
        #expect(AccessPolicy.reach(of: .salesManager, for: .editContacts) == .team)
        #expect(AccessPolicy.reach(of: .salesManager, for: .workLeads) == .team)
    }

    @Test("marketing, marketing managers and admins edit every contact")
    func marketingAndAdminEditAll() {
        for role in [Role.admin, .marketing, .marketingManager] {
            #expect(AccessPolicy.reach(of: role, for: .editContacts) == .all)
        }
    }

    @Test("companies are edited by admins and marketing, not by reps or sales managers on their own")
    func companiesEditedByRolesThatReachEveryContact() {
        for role in [Role.admin, .marketing, .marketingManager] { #expect(AccessPolicy.mayEditCompanies([role])) }
        #expect(!AccessPolicy.mayEditCompanies([.sales]))
        #expect(!AccessPolicy.mayEditCompanies([.salesManager]))
        #expect(AccessPolicy.mayEditCompanies([.sales, .marketing]))
    }

    @Test("an admin may edit the lead definition draft but not approve it")
    func adminCannotApproveLeadDefinition() {
        #expect(AccessPolicy.allows([.admin], .editLeadDefinitionDraft))
        #expect(!AccessPolicy.allows([.admin], .approveLeadDefinition))
        #expect(AccessPolicy.reach(of: .admin, for: .approveLeadDefinition) == nil)
    }

    @Test("only the two managers approve the lead definition and sign the SLA")
    func onlyManagersApproveAndSign() {
        for permission in [Permission.approveLeadDefinition, .signSLA] {
            let allowed = Role.allCases.filter { AccessPolicy.allows([$0], permission) }
            #expect(Set(allowed) == [.marketingManager, .salesManager], "\(permission)")
        }
    }

    @Test("an admin edits the SLA but does not sign it; managers sign it but do not edit it")
    func slaEditAndSignAreSeparate() {
        #expect(AccessPolicy.allows([.admin], .editSLA))
        #expect(!AccessPolicy.allows([.admin], .signSLA))
        #expect(!AccessPolicy.allows([.marketingManager], .editSLA))
        #expect(!AccessPolicy.allows([.salesManager], .editSLA))
    }

    @Test("a sales rep may not touch the lead definition, even its draft")
    func salesRepCannotEditLeadDefinition() {
        #expect(!AccessPolicy.allows([.sales], .editLeadDefinitionDraft))
        #expect(!AccessPolicy.allows([.sales], .approveLeadDefinition))
    }

    @Test("nobody on the marketing side accepts or rejects MQLs, and neither does an admin")
    func onlySalesWorksLeads() {
        for role in [Role.admin, .marketing, .marketingManager] {
            #expect(!AccessPolicy.allows([role], .workLeads), "\(role)")
        }
    }

    @Test("only an admin manages users, teams and settings, and reads the audit log")
    func onlyAdminManagesWorkspace() {
        for role in Role.allCases {
            #expect(AccessPolicy.allows([role], .manageWorkspace) == (role == .admin), "\(role)")
            #expect(AccessPolicy.allows([role], .readAuditLog) == (role == .admin), "\(role)")
        }
    }

    @Test("everyone reads every contact and uses goals and meetings", arguments: Role.allCases)
    func everyoneReadsAndMeets(role: Role) {
        #expect(AccessPolicy.reach(of: role, for: .readContacts) == .all)
        #expect(AccessPolicy.reach(of: role, for: .useGoalsAndMeetings) == .all)
    }

    @Test("a permission, when granted, reaches every record unless it is about working leads or editing contacts",
          arguments: everyCell)
    func narrowReachOnlyForLeads(cell: PermissionCell) {
        guard let reach = cell.reach, reach != .all else { return }
        #expect([Permission.editContacts, .workLeads].contains(cell.permission))
        #expect([Role.sales, .salesManager].contains(cell.role))
    }

    @Test("a manager may do everything their team may, at least as widely", arguments: Permission.allCases)
    func managersCoverTheirTeam(permission: Permission) {
        let pairs: [(team: Role, manager: Role)] = [(.marketing, .marketingManager), (.sales, .salesManager)]
        for (team, manager) in pairs {
            guard let teamReach = AccessPolicy.reach(of: team, for: permission) else { continue }
            let managerReach = AccessPolicy.reach(of: manager, for: permission)
            #expect(managerReach.map { $0 >= teamReach } == true, "\(manager) has less than \(team) for \(permission)")
        }
    }

    @Test("a user with several roles gets the widest reach any of them gives")
    func severalRolesTakeTheWidestReach() {
        #expect(AccessPolicy.reach(of: [.sales, .salesManager], for: .editContacts) == .team)
        #expect(AccessPolicy.reach(of: [.sales, .salesManager], for: .workLeads) == .team)
        #expect(AccessPolicy.reach(of: [.sales, .marketing], for: .editContacts) == .all)
        #expect(AccessPolicy.reach(of: [.salesManager, .admin], for: .editContacts) == .all)
    }

    @Test("roles add up: a second role grants what the first lacks")
    func rolesAddUp() {
        let roles: Set<Role> = [.admin, .sales]
        #expect(AccessPolicy.reach(of: roles, for: .workLeads) == .own)
        #expect(AccessPolicy.allows(roles, .manageWorkspace))
        #expect(AccessPolicy.allows(roles, .editSLA))
        #expect(!AccessPolicy.allows(roles, .approveLeadDefinition))
        #expect(!AccessPolicy.allows(roles, .signSLA))
    }

    @Test("for any set of roles, the reach is the widest of its roles' reaches", arguments: everyRoleSet)
    func roleSetReachIsTheMaximum(roles: Set<Role>) {
        for permission in Permission.allCases {
            let widest = roles.compactMap { specTable[permission]?[$0] ?? nil }.max()
            #expect(AccessPolicy.reach(of: roles, for: permission) == widest, "\(permission)")
            #expect(AccessPolicy.allows(roles, permission) == (widest != nil), "\(permission)")
        }
    }

    @Test("a user without roles may do nothing at all", arguments: Permission.allCases)
    func noRolesNoPermissions(permission: Permission) {
        #expect(AccessPolicy.reach(of: Set<Role>(), for: permission) == nil)
        #expect(!AccessPolicy.allows([], permission))
    }

    @Test("reach is ordered own, then team, then all")
    func reachOrder() {
        #expect(Reach.own < .team)
        #expect(Reach.team < .all)
        #expect(Reach.own < .all)
        #expect([Reach.all, .own, .team].max() == .all)
        #expect([Reach.all, .own, .team].sorted() == [.own, .team, .all])
    }

    @Test("a user may do what their roles allow", arguments: everyRoleSet)
    func userMayFollowsPolicy(roles: Set<Role>) {
        let user = User(
            id: UUID(), workspaceID: UUID(), email: EmailAddress(stored: "rep@acme.com"), name: "Rep",
            roles: roles, language: nil, isActive: true, createdAt: Date(timeIntervalSince1970: 0)
        )
        for permission in Permission.allCases {
            #expect(user.may(permission) == AccessPolicy.allows(roles, permission), "\(permission)")
        }
    }

    @Test("a sales rep user may work leads but not manage the workspace")
    func salesUserExample() {
        let rep = User(
            id: UUID(), workspaceID: UUID(), email: EmailAddress(stored: "bianca@acme.com"), name: "Bianca",
            roles: [.sales], language: .ptBR, isActive: true, createdAt: Date(timeIntervalSince1970: 0)
        )
        #expect(rep.may(.workLeads))
        #expect(rep.may(.editContacts))
        #expect(!rep.may(.manageWorkspace))
        #expect(!rep.may(.manageCampaigns))
    }
}
