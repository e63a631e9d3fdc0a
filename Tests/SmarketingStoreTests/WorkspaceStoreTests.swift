import FluentKit
import Foundation
import SQLKit
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
import Testing

/// A fixed moment for store tests, in whole milliseconds like the app clock.
let storeNow = Date(timeIntervalSince1970: 1_795_000_000)

func newUser(_ email: String, roles: Set<Role> = [.admin], name: String = "Ana Admin") -> Directory.NewUser {
    Directory.NewUser(email: EmailAddress(email)!, name: name, passwordHash: "hash", roles: roles, language: nil)
}

let acmeSettings = WorkspaceSettings(name: "Acme", timeZone: "America/Sao_Paulo", currency: "BRL", language: .ptBR)

@Suite("Workspaces and users in the store")
struct WorkspaceStoreTests {
    @Test("creating a workspace stores its admin and records both in the audit log")
    func createWorkspace() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)

            #expect(workspace.settings == acmeSettings)
            #expect(admin.roles == [.admin])
            #expect(admin.workspaceID == workspace.id)
            let log = try await AuditLog(db, workspaceID: workspace.id).list(limit: 10)
            #expect(Set(log.map(\.action)) == ["workspace.created", "user.created"])
            #expect(log.first { $0.action == "workspace.created" }?.change.after["time_zone"] == "America/Sao_Paulo")
            #expect(try await Directory(db).hasAnyWorkspace())
        }
    }

    @Test("an email that already has an account is refused and nothing is written")
    func duplicateAdminEmail() async throws {
        try await TestDatabase.withStore { db in
            let directory = Directory(db)
            _ = try await directory.createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)

            await #expect(throws: ValidationFailure("admin_email", .alreadyTaken)) {
                _ = try await directory.createWorkspace(acmeSettings, admin: newUser(" ANA@acme.com "), via: .page, now: storeNow)
            }
            let workspaces = try await db.countRows("workspaces")
            #expect(workspaces == 1)
        }
    }

    @Test("the last active admin can neither lose the role nor be deactivated")
    func lastAdminIsKept() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            let users = UserRepository(db, workspaceID: workspace.id)
            let actor = AuditActor.user(admin, via: .page)

            await #expect(throws: ValidationFailure("roles", .lastAdmin)) {
                _ = try await users.update(admin.id, .init(roles: [.sales]), by: actor, now: storeNow)
            }
            await #expect(throws: ValidationFailure("is_active", .lastAdmin)) {
                _ = try await users.update(admin.id, .init(isActive: false), by: actor, now: storeNow)
            }
            #expect(try await users.find(admin.id)?.roles == [.admin])
        }
    }

    @Test("changing a user's roles and teams is audited with before and after")
    func roleChangeIsAudited() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            let actor = AuditActor.user(admin, via: .page)
            let invitation = try await InvitationRepository(db, workspaceID: workspace.id)
                .create(email: EmailAddress("rep@acme.com")!, roles: [.sales], teamIDs: [], by: actor, now: storeNow)
            let rep = try await InvitationRepository(db, workspaceID: workspace.id)
                .accept(invitation.0.id, name: "Rui Rep", passwordHash: "h", language: nil, now: storeNow)
            let team = try await TeamRepository(db, workspaceID: workspace.id).create(name: "SDRs", memberIDs: [], by: actor, now: storeNow)

            let updated = try await UserRepository(db, workspaceID: workspace.id)
                .update(rep.id, .init(roles: [.sales, .salesManager], teamIDs: [team.id]), by: actor, now: storeNow.addingTimeInterval(1))

            #expect(updated?.roles == [.sales, .salesManager])
            let entry = try #require(try await AuditLog(db, workspaceID: workspace.id).list(limit: 1).first)
            #expect(entry.action == "user.updated")
            #expect(entry.actor.userID == admin.id)
            #expect(entry.change.before["roles"] == "sales")
            #expect(entry.change.after["roles"] == "sales,sales_manager")
            #expect(entry.change.after["teams"] == team.id.uuidString.lowercased())
            #expect(try await TeamRepository(db, workspaceID: workspace.id).find(team.id)?.memberIDs == [rep.id])
        }
    }

    @Test("team names are unique within a workspace but free across workspaces")
    func teamNames() async throws {
        try await TestDatabase.withStore { db in
            let directory = Directory(db)
            let (acme, ana) = try await directory.createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            let (globex, gus) = try await directory.createWorkspace(acmeSettings, admin: newUser("gus@globex.com"), via: .page, now: storeNow)
            _ = try await TeamRepository(db, workspaceID: acme.id).create(name: "Inbound", memberIDs: [], by: .user(ana, via: .page), now: storeNow)

            await #expect(throws: ValidationFailure("name", .alreadyTaken)) {
                _ = try await TeamRepository(db, workspaceID: acme.id).create(name: "inbound", memberIDs: [], by: .user(ana, via: .page), now: storeNow)
            }
            let other = try await TeamRepository(db, workspaceID: globex.id).create(name: "Inbound", memberIDs: [], by: .user(gus, via: .page), now: storeNow)
            #expect(other.name == "Inbound")
            await #expect(throws: ValidationFailure("members", .notInList)) {
                _ = try await TeamRepository(db, workspaceID: globex.id).create(name: "Mixed", memberIDs: [ana.id], by: .user(gus, via: .page), now: storeNow)
            }
        }
    }
}

/// Counting rows of a table straight in SQL, to check nothing was half-written.
extension FluentKit.Database {
    func countRows(_ table: String) async throws -> Int {
        guard let sql = self as? any SQLDatabase else { return -1 }
        let row = try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }
}
