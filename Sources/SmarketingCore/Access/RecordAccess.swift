import Foundation

/// Whether a user may change a record owned by someone, given the reach their roles give for
/// a permission: everything, their team's records, or only their own.
public enum RecordAccess {
    /// - Parameters:
    ///   - ownerID: the record's owner, nil when nobody owns it.
    ///   - teamMateIDs: ids of the users who share a team with `user` (the user included).
    public static func may(_ permission: Permission, user: User, ownerID: UUID?, teamMateIDs: Set<UUID>) -> Bool {
        switch AccessPolicy.reach(of: user.roles, for: permission) {
        case .all: true
        case .team: ownerID.map { $0 == user.id || teamMateIDs.contains($0) } ?? false
        case .own: ownerID == user.id
        case nil: false
        }
    }

    /// The owner a new record must get when the user's reach is limited: a rep creates their
    /// own leads. Nil when the user may choose any owner.
    public static func forcedOwner(_ permission: Permission, user: User) -> UUID? {
        switch AccessPolicy.reach(of: user.roles, for: permission) {
        case .all, nil: nil
        case .team, .own: user.id
        }
    }
}
