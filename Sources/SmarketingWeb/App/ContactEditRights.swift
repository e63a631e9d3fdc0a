import Fluent
import SmarketingCore
import SmarketingStore
import Vapor

/// Which contacts a member may change: everyone's for marketing and admins, a sales manager's
/// team's leads, a rep's own (SPEC C1, `RecordAccess` in Core). Pages and API ask here.
extension Member {
    func mayEdit(_ contact: Contact, on db: any Database) async throws -> Bool {
        try await editable([contact], on: db).isEmpty == false
    }

    /// The contacts among these the member may change.
    func editable(_ contacts: [Contact], on db: any Database) async throws -> [Contact] {
        switch AccessPolicy.reach(of: user.roles, for: .editContacts) {
        case nil: return []
        case .all: return contacts
        case .team, .own:
            let mates = try await TeamRepository(db, workspaceID: workspaceID).teamMateIDs(of: user.id)
            return contacts.filter { RecordAccess.may(.editContacts, user: user, ownerID: $0.ownerID, teamMateIDs: mates) }
        }
    }

    /// Whether the member works this lead (SPEC C1: a rep's own leads, a sales manager's team's):
    /// accepts it, logs activities, qualifies it as SQL.
    func mayWork(_ contact: Contact, on db: any Database) async throws -> Bool {
        guard let reach = AccessPolicy.reach(of: user.roles, for: .workLeads) else { return false }
        let mates = reach == .all ? [] : try await TeamRepository(db, workspaceID: workspaceID).teamMateIDs(of: user.id)
        return RecordAccess.may(.workLeads, user: user, ownerID: contact.ownerID, teamMateIDs: mates)
    }

    /// The ids among these the member may change.
    func editableIDs(_ ids: [UUID], on db: any Database) async throws -> [UUID] {
        if AccessPolicy.reach(of: user.roles, for: .editContacts) == .all { return ids }
        return try await editable(try await ContactRepository(db, workspaceID: workspaceID).find(ids: ids), on: db).map(\.id)
    }
}
