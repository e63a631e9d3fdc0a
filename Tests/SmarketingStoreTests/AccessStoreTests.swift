import FluentKit
import Foundation
import SQLKit
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
import Testing

@Suite("Invitations, tokens, sessions and the audit log in the store")
struct AccessStoreTests {
    @Test("a token is stored as the lower-case hex of its SHA-256, the form stored tokens already have")
    func tokenHash() {
        #expect(SecretToken.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SecretToken.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("an invitation link works once, within its lifetime, with the invited roles and teams")
    func invitationLifecycle() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            let actor = AuditActor.user(admin, via: .page)
            let team = try await TeamRepository(db, workspaceID: workspace.id).create(name: "SDRs", memberIDs: [], by: actor, now: storeNow)
            let invitations = InvitationRepository(db, workspaceID: workspace.id)
            let (invitation, secret) = try await invitations.create(email: EmailAddress("Rep@Acme.com")!, roles: [.sales], teamIDs: [team.id], by: actor, now: storeNow)

            let (found, foundWorkspace) = try #require(try await Directory(db).invitation(secret: secret))
            #expect(found.id == invitation.id)
            #expect(foundWorkspace.id == workspace.id)
            #expect(found.email.value == "rep@acme.com")
            #expect(try await Directory(db).invitation(secret: secret + "x") == nil)

            let rep = try await invitations.accept(invitation.id, name: "Rui", passwordHash: "h", language: .en, now: storeNow.addingTimeInterval(60))
            #expect(rep.roles == [.sales])
            #expect(try await TeamRepository(db, workspaceID: workspace.id).find(team.id)?.memberIDs == [rep.id])
            await #expect(throws: InvitationRepository.AcceptError.notPending(.accepted)) {
                _ = try await invitations.accept(invitation.id, name: "Again", passwordHash: "h", language: nil, now: storeNow.addingTimeInterval(120))
            }
        }
    }

    @Test("an expired invitation cannot be accepted")
    func expiredInvitation() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            let invitations = InvitationRepository(db, workspaceID: workspace.id)
            let (invitation, _) = try await invitations.create(email: EmailAddress("late@acme.com")!, roles: [.marketing], teamIDs: [],
                                                               by: .user(admin, via: .page), now: storeNow)

            await #expect(throws: InvitationRepository.AcceptError.notPending(.expired)) {
                _ = try await invitations.accept(invitation.id, name: "Late", passwordHash: "h", language: nil,
                                                 now: storeNow.addingTimeInterval(InvitationTerms.lifetime + 1))
            }
            #expect(try await db.countRows("users") == 1)
        }
    }

    @Test("inviting an address that already has an account is refused on email")
    func inviteExistingUser() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            await #expect(throws: ValidationFailure("email", .alreadyTaken)) {
                _ = try await InvitationRepository(db, workspaceID: workspace.id)
                    .create(email: EmailAddress("ana@acme.com")!, roles: [.sales], teamIDs: [], by: .user(admin, via: .page), now: storeNow)
            }
        }
    }

    @Test("an API token resolves to its owner until it is revoked, and only its hash is stored")
    func apiTokens() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            let tokens = APITokenRepository(db, workspaceID: workspace.id)
            let (token, secret) = try await tokens.create(for: admin, name: "CRM sync", by: .user(admin, via: .page), now: storeNow)

            #expect(secret.hasPrefix("smk_"))
            #expect(token.hint == String(secret.prefix(10)))
            #expect(try await Directory(db).tokenOwner(secret: secret, now: storeNow)?.0.id == admin.id)
            #expect(try await db.countRows(whereColumn: "token_hash", equals: secret, in: "api_tokens") == 0)

            _ = try await tokens.revoke(token.id, userID: admin.id, by: .user(admin, via: .page), now: storeNow)
            #expect(try await Directory(db).tokenOwner(secret: secret, now: storeNow) == nil)
        }
    }

    @Test("a session ends when it expires or when its user is deactivated")
    func sessions() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            let sessions = SessionRepository(db)
            let secret = try await sessions.start(for: admin, now: storeNow)

            #expect(try await sessions.resolve(secret: secret, now: storeNow)?.0.id == admin.id)
            #expect(try await sessions.resolve(secret: secret, now: storeNow.addingTimeInterval(SessionRepository.lifetime + 1)) == nil)

            let invitation = try await InvitationRepository(db, workspaceID: workspace.id)
                .create(email: EmailAddress("rep@acme.com")!, roles: [.sales], teamIDs: [], by: .user(admin, via: .page), now: storeNow)
            let rep = try await InvitationRepository(db, workspaceID: workspace.id).accept(invitation.0.id, name: "Rep", passwordHash: "h", language: nil, now: storeNow)
            let repSession = try await sessions.start(for: rep, now: storeNow)
            _ = try await UserRepository(db, workspaceID: workspace.id).update(rep.id, .init(isActive: false), by: .user(admin, via: .page), now: storeNow)
            #expect(try await sessions.resolve(secret: repSession, now: storeNow) == nil)
        }
    }

    @Test("the audit log pages newest first without skipping or repeating entries")
    func auditPaging() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, admin) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            let log = AuditLog(db, workspaceID: workspace.id)
            for index in 0..<23 {
                // Several entries share a time, so the id must break ties.
                try await log.record(.teamCreated, by: .user(admin, via: .api), entityType: "team", entityID: UUID(),
                                     change: AuditChange(before: [:], after: ["n": String(index)]), at: storeNow.addingTimeInterval(Double(index / 3)))
            }
            var seen: [UUID] = []
            var cursor: PageCursor?
            repeat {
                let page = try await log.list(limit: 5, after: cursor)
                seen += page.map(\.id)
                cursor = page.count == 5 ? page.last.map { PageCursor(date: $0.at, id: $0.id) } : nil
            } while cursor != nil
            #expect(seen.count == 25)
            #expect(Set(seen).count == 25)
        }
    }

    @Test("a workspace's repositories never see another workspace's rows")
    func isolation() async throws {
        try await TestDatabase.withStore { db in
            let directory = Directory(db)
            let (acme, ana) = try await directory.createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            let (globex, _) = try await directory.createWorkspace(acmeSettings, admin: newUser("gus@globex.com"), via: .page, now: storeNow)
            let team = try await TeamRepository(db, workspaceID: acme.id).create(name: "SDRs", memberIDs: [ana.id], by: .user(ana, via: .page), now: storeNow)
            let (token, _) = try await APITokenRepository(db, workspaceID: acme.id).create(for: ana, name: "t", by: .user(ana, via: .page), now: storeNow)

            #expect(try await UserRepository(db, workspaceID: globex.id).find(ana.id) == nil)
            #expect(try await UserRepository(db, workspaceID: globex.id).list().map(\.email.value) == ["gus@globex.com"])
            #expect(try await TeamRepository(db, workspaceID: globex.id).find(team.id) == nil)
            #expect(try await TeamRepository(db, workspaceID: globex.id).delete(team.id, by: .system, now: storeNow) == false)
            #expect(try await APITokenRepository(db, workspaceID: globex.id).revoke(token.id, userID: ana.id, by: .system, now: storeNow) == nil)
            #expect(try await AuditLog(db, workspaceID: globex.id).list(limit: 50).allSatisfy { $0.actor.userID != ana.id })
        }
    }

    @Test("the demo seeder writes a workspace with both teams, companies and contacts")
    func demoSeed() async throws {
        try await TestDatabase.withStore { db in
            let demo = DemoWorkspace.make(seed: 7, contactCount: 120)
            let summary = try await DemoSeeder(db).seed(demo, passwordHash: "h", now: storeNow, batchSize: 50)

            #expect(summary.contacts == 120)
            #expect(try await ContactRepository(db, workspaceID: summary.workspace.id).count() == 120)
            #expect(try await CompanyRepository(db, workspaceID: summary.workspace.id).count() == demo.companies.count)
            let users = try await UserRepository(db, workspaceID: summary.workspace.id).list()
            #expect(users.contains { $0.roles.contains(.sales) })
            #expect(users.contains { $0.roles.contains(.marketing) })
            #expect(try await TeamRepository(db, workspaceID: summary.workspace.id).list().count == demo.teams.count)

            await #expect(throws: ValidationFailure("email", .alreadyTaken)) {
                _ = try await DemoSeeder(db).seed(demo, passwordHash: "h", now: storeNow)
            }
            #expect(try await db.countRows("workspaces") == 1)
        }
    }
}

extension FluentKit.Database {
    func countRows(whereColumn column: String, equals value: String, in table: String) async throws -> Int {
        guard let sql = self as? any SQLDatabase else { return -1 }
        let row = try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table) WHERE \(unsafeRaw: column) = \(bind: value)").first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }
}
