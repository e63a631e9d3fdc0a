import FluentKit
import Foundation
import SmarketingCore

/// Invitation links of one workspace.
public struct InvitationRepository: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// Creates an invitation and returns it with the secret for its link (shown once).
    /// An address that is already a user is refused on `email`; inviting an address again
    /// revokes its earlier pending link.
    public func create(email: EmailAddress, roles: Set<Role>, teamIDs: [UUID], by actor: AuditActor, now: Date) async throws -> (Invitation, secret: String) {
        try await StoreTuning.writeTransaction(db) { tx in
            if try await UserRow.query(on: tx).filter(\.$email == email.value).first() != nil {
                throw ValidationFailure("email", .alreadyTaken)
            }
            let teams = Set(teamIDs)
            if !teams.isEmpty {
                let found = try await TeamRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id ~~ Array(teams)).count()
                if found != teams.count { throw ValidationFailure("teams", .notInList) }
            }
            let earlier = try await InvitationRow.query(on: tx)
                .filter(\.$workspaceID == workspaceID).filter(\.$email == email.value)
                .filter(\.$acceptedAt == nil).filter(\.$revokedAt == nil).all()
            for row in earlier {
                row.revokedAt = now
                try await row.update(on: tx)
            }
            let token = SecretToken(prefix: SecretToken.invitationPrefix)
            let terms = InvitationTerms.issued(at: now)
            let row = InvitationRow()
            row.id = UUID()
            row.workspaceID = workspaceID
            row.email = email.value
            row.roles = RoleList.encode(roles)
            row.teamIDs = UserRepository.teamList(teams)
            row.tokenHash = token.hash
            row.invitedBy = actor.userID
            row.createdAt = terms.createdAt
            row.expiresAt = terms.expiresAt
            try await row.create(on: tx)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .invitationCreated, by: actor, entityType: "invitation", entityID: row.id,
                change: AuditChange(before: [:], after: ["email": email.value, "roles": row.roles, "teams": row.teamIDs]), at: now
            )
            return (Self.value(row), token.secret)
        }
    }

    /// Newest first.
    public func list() async throws -> [Invitation] {
        try await InvitationRow.query(on: db).filter(\.$workspaceID == workspaceID)
            .sort(\.$createdAt, .descending).limit(200).all().map(Self.value)
    }

    public func find(_ id: UUID) async throws -> Invitation? {
        try await InvitationRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first().map(Self.value)
    }

    /// Revokes a pending invitation; returns nil when there is no such invitation here.
    public func revoke(_ id: UUID, by actor: AuditActor, now: Date) async throws -> Invitation? {
        try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await InvitationRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() else {
                return nil
            }
            guard Self.value(row).terms.state(at: now) == .pending else { return Self.value(row) }
            row.revokedAt = now
            try await row.update(on: tx)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .invitationRevoked, by: actor, entityType: "invitation", entityID: id,
                change: AuditChange(before: ["state": "pending"], after: ["state": "revoked"]), at: now
            )
            return Self.value(row)
        }
    }

    public enum AcceptError: Error, Sendable, Equatable {
        case notPending(InvitationTerms.State)
    }

    /// Turns a pending invitation into a user with the invited roles and teams.
    public func accept(_ id: UUID, name: String, passwordHash: String, language: Language?, now: Date) async throws -> User {
        try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await InvitationRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() else {
                throw AcceptError.notPending(.revoked)
            }
            let invitation = Self.value(row)
            let state = invitation.terms.state(at: now)
            guard state == .pending else { throw AcceptError.notPending(state) }
            if try await UserRow.query(on: tx).filter(\.$email == invitation.email.value).first() != nil {
                throw ValidationFailure("email", .alreadyTaken)
            }
            let user = UserRow(
                id: UUID(), workspaceID: workspaceID, email: invitation.email, name: name, passwordHash: passwordHash,
                roles: invitation.roles, language: language, now: now
            )
            try await user.create(on: tx)
            let userID = try user.requireID()
            let liveTeams = try await TeamRow.query(on: tx).filter(\.$workspaceID == workspaceID).all().compactMap(\.id)
            for teamID in invitation.teamIDs where liveTeams.contains(teamID) {
                try await TeamMemberRow(workspaceID: workspaceID, teamID: teamID, userID: userID).create(on: tx)
            }
            row.acceptedAt = now
            try await row.update(on: tx)
            let actor = AuditActor(userID: userID, name: name, channel: .page)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .invitationAccepted, by: actor, entityType: "user", entityID: userID,
                change: AuditChange(before: [:], after: UserRepository.fields(user.value)), at: now
            )
            return user.value
        }
    }

    static func value(_ row: InvitationRow) -> Invitation {
        Invitation(
            id: row.id ?? UUID(), workspaceID: row.workspaceID, email: EmailAddress(stored: row.email),
            roles: RoleList.decode(row.roles), teamIDs: row.teamIDs.split(separator: ",").compactMap { UUID(uuidString: String($0)) },
            invitedBy: row.invitedBy,
            terms: InvitationTerms(createdAt: row.createdAt, expiresAt: row.expiresAt, acceptedAt: row.acceptedAt, revokedAt: row.revokedAt)
        )
    }
}
