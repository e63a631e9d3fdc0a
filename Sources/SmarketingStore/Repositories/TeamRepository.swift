import FluentKit
import Foundation
import SmarketingCore

/// The teams of one workspace and their members.
public struct TeamRepository: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    public func list() async throws -> [Team] {
        let rows = try await TeamRow.query(on: db).filter(\.$workspaceID == workspaceID).sort(\.$name).all()
        let members = try await TeamMemberRow.query(on: db).filter(\.$workspaceID == workspaceID).all()
        let byTeam = Dictionary(grouping: members, by: \.teamID)
        return rows.map { row in
            let id = row.id ?? UUID()
            return Team(id: id, workspaceID: workspaceID, name: row.name, memberIDs: byTeam[id]?.map(\.userID) ?? [])
        }
    }

    public func find(_ id: UUID) async throws -> Team? {
        try await list().first { $0.id == id }
    }

    /// Creates a team; a name already used in the workspace is refused on `name`.
    public func create(name: String, memberIDs: [UUID], by actor: AuditActor, now: Date) async throws -> Team {
        try await StoreTuning.writeTransaction(db) { tx in
            try await ensureNameFree(name, except: nil, on: tx)
            try await ensureMembers(memberIDs, on: tx)
            let row = TeamRow(id: UUID(), workspaceID: workspaceID, name: name, now: now)
            try await row.create(on: tx)
            let id = try row.requireID()
            for userID in Set(memberIDs) {
                try await TeamMemberRow(workspaceID: workspaceID, teamID: id, userID: userID).create(on: tx)
            }
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .teamCreated, by: actor, entityType: "team", entityID: id,
                change: AuditChange(before: [:], after: ["name": name, "members": UserRepository.teamList(Set(memberIDs))]), at: now
            )
            return Team(id: id, workspaceID: workspaceID, name: name, memberIDs: Array(Set(memberIDs)))
        }
    }

    /// Renames a team and/or replaces its members.
    public func update(_ id: UUID, name: String?, memberIDs: [UUID]?, by actor: AuditActor, now: Date) async throws -> Team? {
        try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await TeamRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() else {
                return nil
            }
            var before = ["name": row.name]
            var after = before
            if let name, name != row.name {
                try await ensureNameFree(name, except: id, on: tx)
                row.name = name
                after["name"] = name
                try await row.update(on: tx)
            }
            let current = try await TeamMemberRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$teamID == id).all()
            var members = Set(current.map(\.userID))
            if let memberIDs {
                try await ensureMembers(memberIDs, on: tx)
                let wanted = Set(memberIDs)
                before["members"] = UserRepository.teamList(members)
                after["members"] = UserRepository.teamList(wanted)
                for member in current where !wanted.contains(member.userID) { try await member.delete(on: tx) }
                for userID in wanted.subtracting(members) {
                    try await TeamMemberRow(workspaceID: workspaceID, teamID: id, userID: userID).create(on: tx)
                }
                members = wanted
            }
            let change = AuditChange(before: before, after: after)
            if !change.isEmpty {
                try await AuditLog(tx, workspaceID: workspaceID)
                    .record(.teamUpdated, by: actor, entityType: "team", entityID: id, change: change, at: now)
            }
            return Team(id: id, workspaceID: workspaceID, name: row.name, memberIDs: Array(members))
        }
    }

    /// Deletes a team (its users stay); returns false when there is no such team here.
    public func delete(_ id: UUID, by actor: AuditActor, now: Date) async throws -> Bool {
        try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await TeamRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() else {
                return false
            }
            try await TeamMemberRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$teamID == id).delete()
            try await row.delete(on: tx)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .teamDeleted, by: actor, entityType: "team", entityID: id,
                change: AuditChange(before: ["name": row.name], after: [:]), at: now
            )
            return true
        }
    }

    private func ensureNameFree(_ name: String, except id: UUID?, on tx: any Database) async throws {
        let same = try await TeamRow.query(on: tx).filter(\.$workspaceID == workspaceID).all()
            .filter { $0.name.lowercased() == name.lowercased() && $0.id != id }
        if !same.isEmpty { throw ValidationFailure("name", .alreadyTaken) }
    }

    private func ensureMembers(_ ids: [UUID], on tx: any Database) async throws {
        guard !ids.isEmpty else { return }
        let found = try await UserRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id ~~ Array(Set(ids))).count()
        if found != Set(ids).count { throw ValidationFailure("members", .notInList) }
    }
}

extension TeamRepository {
    /// The users who share at least one team with `userID`, the user included.
    public func teamMateIDs(of userID: UUID) async throws -> Set<UUID> {
        let mine = try await TeamMemberRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$userID == userID).all().map(\.teamID)
        guard !mine.isEmpty else { return [userID] }
        let mates = try await TeamMemberRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$teamID ~~ mine).all().map(\.userID)
        return Set(mates).union([userID])
    }
}
