import FluentKit
import Foundation
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
import Testing

/// A checked message to `to`, written at `now`, with the given id.
func outboxMessage(to: String = "Joao Silva <joao@cliente.com.br>", subject: String = "Olá, João — seu relatório", id: UUID, now: Date) throws -> MailMessage {
    try MailMessage(
        from: MailAddress.parse("Acme <equipe@acme.com.br>", field: "from").get(), to: [MailAddress.parse(to, field: "to").get()],
        subject: subject, text: "Olá!\nTudo certo.", html: "<p>Olá!</p>",
        headers: MailHeader.listUnsubscribe(url: "https://app.acme.com.br/e/u/abc"), id: id, date: now
    )
}

@Suite("The outbox in the store")
struct OutboxStoreTests {
    @Test("an enqueued message reads back whole, queued, with the Message-ID it was made with")
    func enqueueAndFind() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, _) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            let outbox = Outbox(db, workspaceID: workspace.id)
            let id = Outbox.newID(at: storeNow)
            let message = try outboxMessage(id: id, now: storeNow)

            let stored = try await outbox.enqueue(message, kind: .test, now: storeNow)
            let found = try #require(try await outbox.find(id))

            #expect(stored.id == id)
            #expect(found.message == message)
            #expect(found.status == .queued)
            #expect(found.attempts == 0)
            #expect(found.kind == .test)
            #expect(found.message.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
        }
    }

    @Test("a message enqueued in a transaction that rolls back is not in the outbox")
    func enqueueInsideATransaction() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, _) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            let outbox = Outbox(db, workspaceID: workspace.id)
            struct Rollback: Error {}
            let kept = Outbox.newID(at: storeNow)
            _ = try await db.transaction { tx in
                try await outbox.enqueue(outboxMessage(id: kept, now: storeNow), kind: .handoff, now: storeNow, on: tx)
            }
            let dropped = Outbox.newID(at: storeNow)
            await #expect(throws: Rollback.self) {
                try await db.transaction { tx in
                    try await outbox.enqueue(outboxMessage(id: dropped, now: storeNow), kind: .handoff, now: storeNow, on: tx)
                    throw Rollback()
                }
            }
            #expect(try await outbox.find(kept) != nil)
            #expect(try await outbox.find(dropped) == nil)
        }
    }

    @Test("the list is newest first, filters by status and pages without repeating or skipping a message")
    func listing() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, _) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            let outbox = Outbox(db, workspaceID: workspace.id)
            var ids: [UUID] = []
            for index in 0..<7 {
                // Two messages share each millisecond, so the id breaks the tie.
                let now = storeNow.addingTimeInterval(Double(index / 2))
                let id = Outbox.newID(at: now)
                try await outbox.enqueue(outboxMessage(subject: "Message \(index)", id: id, now: now), kind: .test, now: now)
                ids.append(id)
            }
            try await outbox.markHeld(ids[1], reason: "held", now: storeNow)
            try await outbox.markHeld(ids[4], reason: "held", now: storeNow)

            var seen: [UUID] = []
            var cursor: OutboxCursor?
            repeat {
                let page = try await outbox.list(limit: 3, after: cursor.flatMap { OutboxCursor(token: $0.token) })
                seen += page.messages.map(\.id)
                cursor = page.next
            } while cursor != nil
            #expect(seen == ids.reversed())
            #expect(try await outbox.list(status: .held).messages.map(\.id) == [ids[4], ids[1]])
            #expect(try await outbox.list(status: .queued).messages.count == 5)
            #expect(try await outbox.counts() == [.queued: 5, .held: 2])
        }
    }

    @Test("a delivery claims a queued message once; sent, failed and retriable failures are recorded")
    func deliveryStates() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, _) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            let outbox = Outbox(db, workspaceID: workspace.id)
            let id = Outbox.newID(at: storeNow)
            try await outbox.enqueue(outboxMessage(id: id, now: storeNow), kind: .test, now: storeNow)

            let claimed = try #require(try await outbox.claim(id, now: storeNow))
            #expect(claimed.status == .sending && claimed.attempts == 1)
            #expect(try await outbox.claim(id, now: storeNow.addingTimeInterval(1)) == nil, "a second delivery does not take it")

            try await outbox.markFailed(id, error: "421 try again later", retriable: true, now: storeNow)
            let retriable = try #require(try await outbox.find(id))
            #expect(retriable.status == .queued && retriable.lastError == "421 try again later")

            #expect(try await outbox.claim(id, now: storeNow)?.attempts == 2)
            let later = storeNow.addingTimeInterval(5)
            try await outbox.markSent(id, reply: "250 OK", now: later)
            let sent = try #require(try await outbox.find(id))
            #expect(sent.status == .sent && sent.sentAt == later && sent.lastError == nil && sent.deliveryNote == "250 OK")
            #expect(try await outbox.claim(id, now: later) == nil, "a sent message is never sent again")

            let other = Outbox.newID(at: storeNow)
            try await outbox.enqueue(outboxMessage(id: other, now: storeNow), kind: .test, now: storeNow)
            _ = try await outbox.claim(other, now: storeNow)
            try await outbox.markFailed(other, error: "535 authentication failed", retriable: false, now: storeNow)
            #expect(try await outbox.find(other)?.status == .failed)
            #expect(try await outbox.claim(other, now: storeNow) == nil)
        }
    }

    @Test("a message left sending by a stopped process can be claimed again after the lease")
    func staleSending() async throws {
        try await TestDatabase.withStore { db in
            let (workspace, _) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            let outbox = Outbox(db, workspaceID: workspace.id)
            let id = Outbox.newID(at: storeNow)
            try await outbox.enqueue(outboxMessage(id: id, now: storeNow), kind: .test, now: storeNow)
            _ = try await outbox.claim(id, now: storeNow)

            #expect(try await outbox.claim(id, now: storeNow.addingTimeInterval(60)) == nil)
            #expect(try await outbox.claim(id, now: storeNow.addingTimeInterval(Outbox.sendingLease + 1))?.attempts == 2)
        }
    }

    @Test("another workspace can neither read, list, claim nor mark a message")
    func workspaceIsolation() async throws {
        try await TestDatabase.withStore { db in
            let (acme, _) = try await Directory(db).createWorkspace(acmeSettings, admin: newUser("ana@acme.com"), via: .page, now: storeNow)
            let (globex, _) = try await Directory(db).createWorkspace(
                WorkspaceSettings(name: "Globex", timeZone: "UTC", currency: "USD", language: .en), admin: newUser("gus@globex.com"), via: .page, now: storeNow)
            let id = Outbox.newID(at: storeNow)
            try await Outbox(db, workspaceID: acme.id).enqueue(outboxMessage(id: id, now: storeNow), kind: .test, now: storeNow)
            let intruder = Outbox(db, workspaceID: globex.id)

            #expect(try await intruder.find(id) == nil)
            #expect(try await intruder.list().messages.isEmpty)
            #expect(try await intruder.claim(id, now: storeNow) == nil)
            try await intruder.markSent(id, reply: "250", now: storeNow)
            #expect(try await Outbox(db, workspaceID: acme.id).find(id)?.status == .queued)
        }
    }
}
