/// What a user does in the workspace. A user may hold several roles; the permissions add up.
public enum Role: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    case admin
    case marketing
    case marketingManager = "marketing_manager"
    case sales
    case salesManager = "sales_manager"

    public static func < (lhs: Role, rhs: Role) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }

    /// The team side a role belongs to, used to tell the two teams apart in lists and reports.
    public var side: Side {
        switch self {
        case .admin: .administration
        case .marketing, .marketingManager: .marketing
        case .sales, .salesManager: .sales
        }
    }

    public enum Side: String, Sendable, Codable {
        case administration, marketing, sales
    }
}

/// How far a permission reaches for a role that has it.
public enum Reach: Int, Sendable, Comparable, Codable {
    /// Only records the user owns (a rep's own leads).
    case own = 1
    /// Records owned by anyone in the user's teams (a sales manager's team).
    case team = 2
    /// Every record of the workspace.
    case all = 3

    public static func < (lhs: Reach, rhs: Reach) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Everything a role may be allowed to do, one case per row of the permission table in SPEC.md (C1).
public enum Permission: String, Sendable, CaseIterable, Codable {
    case manageWorkspace
    case readContacts
    case editContacts
    case editLeadDefinitionDraft
    case approveLeadDefinition
    case manageRouting
    case workLeads
    case editSLA
    case signSLA
    case useGoalsAndMeetings
    case manageCampaigns
    case handlePrivacyRequests
    case readAuditLog
}

/// The permission table: who may do what, and over which records.
public enum AccessPolicy {
    /// The reach a single role has for a permission, or nil when it has none.
    public static func reach(of role: Role, for permission: Permission) -> Reach? {
        switch (permission, role) {
        case (.manageWorkspace, .admin), (.readAuditLog, .admin): .all
        case (.manageWorkspace, _), (.readAuditLog, _): nil

        case (.readContacts, _): .all

        case (.editContacts, .admin), (.editContacts, .marketing), (.editContacts, .marketingManager): .all
        case (.editContacts, .sales): .own
        case (.editContacts, .salesManager): .team

        case (.editLeadDefinitionDraft, .sales): nil
        case (.editLeadDefinitionDraft, _): .all

        case (.approveLeadDefinition, .marketingManager), (.approveLeadDefinition, .salesManager): .all
        case (.approveLeadDefinition, _): nil

        case (.manageRouting, .admin), (.manageRouting, .salesManager): .all
        case (.manageRouting, _): nil

        case (.workLeads, .sales): .own
        case (.workLeads, .salesManager): .team
        case (.workLeads, _): nil

        case (.editSLA, .admin): .all
        case (.editSLA, _): nil

        case (.signSLA, .marketingManager), (.signSLA, .salesManager): .all
        case (.signSLA, _): nil

        case (.useGoalsAndMeetings, _): .all

        case (.manageCampaigns, .admin), (.manageCampaigns, .marketing), (.manageCampaigns, .marketingManager): .all
        case (.manageCampaigns, _): nil

        case (.handlePrivacyRequests, .admin), (.handlePrivacyRequests, .marketingManager),
             (.handlePrivacyRequests, .salesManager): .all
        case (.handlePrivacyRequests, _): nil
        }
    }

    /// The widest reach any of the roles gives, or nil when none of them has the permission.
    public static func reach(of roles: Set<Role>, for permission: Permission) -> Reach? {
        roles.compactMap { reach(of: $0, for: permission) }.max()
    }

    public static func allows(_ roles: Set<Role>, _ permission: Permission) -> Bool {
        reach(of: roles, for: permission) != nil
    }

    /// A company is shared by the contacts of every owner, so only roles that may edit every
    /// contact (admins and marketing) create, edit or delete companies on their own; a rep's
    /// contacts still create or join companies when saved.
    public static func mayEditCompanies(_ roles: Set<Role>) -> Bool {
        reach(of: roles, for: .editContacts) == .all
    }
}

/// A set of roles as it is stored and sent: sorted raw values joined by commas.
public enum RoleList {
    public static func encode(_ roles: Set<Role>) -> String {
        roles.sorted().map(\.rawValue).joined(separator: ",")
    }

    /// Decodes a stored list, ignoring names this version does not know.
    public static func decode(_ text: String) -> Set<Role> {
        Set(text.split(separator: ",").compactMap { Role(rawValue: String($0)) })
    }

    /// Checks submitted role names: at least one, each known.
    public static func check(_ field: String, _ names: [String], into checker: inout FieldChecker) -> Set<Role>? {
        let cleaned = names.map(\.trimmingBlanks).filter { !$0.isEmpty }
        guard !cleaned.isEmpty else {
            checker.add(field, .required)
            return nil
        }
        var roles = Set<Role>()
        for name in cleaned {
            guard let role = Role(rawValue: name) else {
                checker.add(field, .notInList)
                return nil
            }
            roles.insert(role)
        }
        return roles
    }
}
