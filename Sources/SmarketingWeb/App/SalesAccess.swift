import Fluent
import SmarketingCore
import SmarketingStore
import Vapor

/// Who sees and changes which deals and tasks (SPEC C1: a rep works their own leads, a sales
/// manager their team's; marketing and admins read the pipeline). Pages and API ask here.
extension Member {
    /// Whose deals and tasks the member's lists show.
    func salesScope(on db: any Database) async throws -> SalesScope {
        guard AccessPolicy.reach(of: user.roles, for: .workLeads) == .team else { return SalesScope.of(user, teamMateIDs: [user.id]) }
        return SalesScope.of(user, teamMateIDs: try await TeamRepository(db, workspaceID: workspaceID).teamMateIDs(of: user.id))
    }

    /// Whether the member may see this deal: 404 otherwise, as if it did not exist.
    func maySee(_ deal: Deal, on db: any Database) async throws -> Bool {
        try await salesScope(on: db).includes(deal.ownerID)
    }

    /// Whether the member may change this deal: they work leads and the deal is theirs or their team's.
    func mayChange(_ deal: Deal, on db: any Database) async throws -> Bool {
        guard user.may(.workLeads) else { return false }
        return try await salesScope(on: db).includes(deal.ownerID)
    }

    /// Whether the member may tick or edit this task: their own, or a team mate's for a sales manager.
    func mayChange(_ task: SalesTask, on db: any Database) async throws -> Bool {
        if task.assigneeID == user.id { return true }
        guard user.may(.workLeads) else { return false }
        return try await salesScope(on: db).includes(task.assigneeID)
    }

    /// The people the member may give a task or a deal to: themselves for a rep, their team for a
    /// sales manager (active users only).
    func assignableUsers(on db: any Database) async throws -> [User] {
        let users = try await UserRepository(db, workspaceID: workspaceID).list().filter(\.isActive)
        switch try await salesScope(on: db) {
        case .everyone: return users.filter { $0.id == user.id || $0.roles.contains(.sales) || $0.roles.contains(.salesManager) }
        case .owners(let ids): return users.filter { ids.contains($0.id) }
        }
    }
}
