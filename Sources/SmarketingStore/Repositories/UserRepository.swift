import FluentKit
import Foundation
import SmarketingCore

/// The users of one workspace.
public struct UserRepository: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    private func query(on db: any Database) -> QueryBuilder<UserRow> {
        UserRow.query(on: db).filter(\.$workspaceID == workspaceID)
    }

    public func list() async throws -> [User] {
        try await query(on: db).sort(\.$name).sort(\.$id).all().map(\.value)
    }

    public func find(_ id: UUID) async throws -> User? {
        try await query(on: db).filter(\.$id == id).first()?.value
    }

    /// The ids of the teams each user is in.
    public func teamIDs(of userIDs: [UUID]) async throws -> [UUID: [UUID]] {
        guard !userIDs.isEmpty else { return [:] }
        let rows = try await TeamMemberRow.query(on: db)
            .filter(\.$workspaceID == workspaceID).filter(\.$userID ~~ userIDs).all()
        return Dictionary(grouping: rows, by: \.userID).mapValues { $0.map(\.teamID) }
    }

    /// What an admin may change about a user; nil leaves a value as it is.
    public struct Changes: Sendable {
        public var name: String?
        public var roles: Set<Role>?
        public var isActive: Bool?
        public var teamIDs: [UUID]?

        public init(name: String? = nil, roles: Set<Role>? = nil, isActive: Bool? = nil, teamIDs: [UUID]? = nil) {
            self.name = name
            self.roles = roles
            self.isActive = isActive
            self.teamIDs = teamIDs
        }
    }

    /// Applies the changes and records them in the audit log, in one transaction.
    /// Refuses to leave the workspace without an active admin, and team ids of other workspaces.
    public func update(_ id: UUID, _ changes: Changes, by actor: AuditActor, now: Date) async throws -> User? {
        // After the commit: copies in memory read the change from then on.
        defer { StoreGeneration.access.bump() }
        return try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await query(on: tx).filter(\.$id == id).first() else { return nil }
            let before = row.value
            var beforeFields = Self.fields(before)
            var after = before
            if let name = changes.name { after.name = name }
            if let roles = changes.roles { after.roles = roles }
            if let isActive = changes.isActive { after.isActive = isActive }

            if before.roles.contains(.admin) && before.isActive && !(after.roles.contains(.admin) && after.isActive) {
                let otherAdmins = try await query(on: tx).filter(\.$isActive == true).filter(\.$id != id).all()
                    .filter { RoleList.decode($0.roles).contains(.admin) }
                if otherAdmins.isEmpty {
                    throw ValidationFailure(changes.roles != nil ? "roles" : "is_active", .lastAdmin)
                }
            }

            var afterFields = Self.fields(after)
            if let teamIDs = changes.teamIDs {
                let wanted = Set(teamIDs)
                let known = try await TeamRow.query(on: tx).filter(\.$workspaceID == workspaceID).all().compactMap(\.id)
                guard wanted.isSubset(of: Set(known)) else { throw ValidationFailure("teams", .notInList) }
                let current = try await TeamMemberRow.query(on: tx)
                    .filter(\.$workspaceID == workspaceID).filter(\.$userID == id).all()
                let currentIDs = Set(current.map(\.teamID))
                beforeFields["teams"] = Self.teamList(currentIDs)
                afterFields["teams"] = Self.teamList(wanted)
                for member in current where !wanted.contains(member.teamID) {
                    try await member.delete(on: tx)
                }
                for teamID in wanted.subtracting(currentIDs) {
                    try await TeamMemberRow(workspaceID: workspaceID, teamID: teamID, userID: id).create(on: tx)
                }
            }

            let change = AuditChange(before: beforeFields, after: afterFields)
            guard !change.isEmpty else { return after }
            row.name = after.name
            row.roles = RoleList.encode(after.roles)
            row.isActive = after.isActive
            row.updatedAt = now
            try await row.update(on: tx)
            let action: AuditAction = before.isActive == after.isActive ? .userUpdated : (after.isActive ? .userReactivated : .userDeactivated)
            try await AuditLog(tx, workspaceID: workspaceID)
                .record(action, by: actor, entityType: "user", entityID: id, change: change, at: now)
            return row.value
        }
    }

    /// A user's own choice of language (nil follows the browser).
    public func setLanguage(_ id: UUID, _ language: Language?, now: Date) async throws {
        guard let row = try await query(on: db).filter(\.$id == id).first() else { return }
        row.language = language?.rawValue
        row.updatedAt = now
        try await row.update(on: db)
    }

    public func passwordHash(of id: UUID) async throws -> String? {
        try await query(on: db).filter(\.$id == id).first()?.passwordHash
    }

    public func setPassword(_ id: UUID, hash: String, by actor: AuditActor, now: Date) async throws {
        try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await query(on: tx).filter(\.$id == id).first() else { return }
            row.passwordHash = hash
            row.updatedAt = now
            try await row.update(on: tx)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .passwordChanged, by: actor, entityType: "user", entityID: id,
                change: AuditChange(before: ["password": "•••"], after: ["password": "changed"]), at: now
            )
        }
    }

    static func fields(_ user: User) -> [String: String] {
        ["email": user.email.value, "name": user.name, "roles": RoleList.encode(user.roles), "active": user.isActive ? "yes" : "no"]
    }

    static func teamList(_ ids: Set<UUID>) -> String {
        ids.map { $0.uuidString.lowercased() }.sorted().joined(separator: ",")
    }
}
