import Foundation
import NIOConcurrencyHelpers
import SmarketingCore
import SmarketingStore
import SmarketingTestSupport
@testable import SmarketingWeb
import Testing
import Vapor

/// A transport that answers what a test tells it to, and keeps what it was given.
final class ScriptedTransport: MailTransport, @unchecked Sendable {
    private let answers: NIOLockedValueBox<[Result<MailDeliveryResult, MailDeliveryError>]>
    private let sent = NIOLockedValueBox<[MailMessage]>([])

    init(_ answers: [Result<MailDeliveryResult, MailDeliveryError>]) {
        self.answers = NIOLockedValueBox(answers)
    }

    var name: String { "scripted" }
    var messages: [MailMessage] { sent.withLockedValue { $0 } }

    func send(_ message: MailMessage) async throws -> MailDeliveryResult {
        sent.withLockedValue { $0.append(message) }
        let answer = answers.withLockedValue { $0.isEmpty ? .success(.sent(reply: "250 OK")) : $0.removeFirst() }
        return try answer.get()
    }
}

/// A queued test message in the workspace's outbox.
func queuedMessage(_ app: Application, _ workspace: Workspace, to: String = "Joao <joao@cliente.com.br>") async throws -> OutboxMessage {
    try await TestMail.enqueue(
        to: MailAddress.parse(to, field: "to").get(), subject: nil, workspace: workspace, db: app.db, settings: MailSettings(),
        transportName: "outbox", baseURL: "http://127.0.0.1:8080", now: app.clock.now()
    )
}

@Suite("The Outbox page and delivering its messages")
struct OutboxTests {
    @Test("admins and both teams' managers see the Outbox in the navigation and open it; marketers and reps do not")
    func whoSeesTheOutbox() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let (_, marketingManager) = try await acme.member(app, email: "mia@acme.com", roles: [.marketingManager])
            let (_, salesManager) = try await acme.member(app, email: "sam@acme.com", roles: [.salesManager])
            let (_, marketer) = try await acme.member(app, email: "max@acme.com", roles: [.marketing])
            let (_, rep) = try await acme.member(app, email: "rui@acme.com", roles: [.sales])

            for browser in [acme.adminBrowser, marketingManager, salesManager] {
                let home = try await browser.get("/")
                #expect(home.text.contains("data-nav=\"outbox\""))
                let page = try await browser.get("/outbox")
                #expect(page.status == .ok)
                #expect(page.text.contains("id=\"mail-transport\" data-transport=\"outbox\""))
            }
            for browser in [marketer, rep] {
                let home = try await browser.get("/")
                #expect(!home.text.contains("data-nav=\"outbox\""))
                #expect(try await browser.get("/outbox").status == .forbidden)
            }
            let managerPage = try await marketingManager.get("/outbox")
            #expect(!managerPage.text.contains("id=\"test-mail-form\""), "only admins send test messages")
            #expect(try await marketingManager.post("/outbox/test", [("to", "a@b.com")]).status == .forbidden)
        }
    }

    @Test("an admin sends a test message: the outbox transport holds it, the list shows it, and its page shows the headers, the text, and the HTML only in a sandboxed frame")
    func testMessageIsHeld() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let admin = acme.adminBrowser
            try await admin.get("/outbox")

            let reply = try await admin.post("/outbox/test", [("to", "João Silva <joao@cliente.com.br>")])

            #expect(reply.status == .seeOther)
            let location = try #require(reply.location)
            #expect(location.hasSuffix("?notice=test_sent"))
            let page = try await admin.get(location)
            #expect(page.status == .ok)
            #expect(page.text.contains("data-status=\"held\""))
            #expect(page.text.contains(OutboxOnlyTransport.heldReason))
            // `sandbox` without a value: every restriction on (no scripts, no forms, an origin of its own).
            #expect(page.text.contains("<iframe id=\"message-html\" sandbox srcdoc=\""))
            #expect(page.text.contains("&lt;p&gt;Hello, João Silva!&lt;/p&gt;"), "the HTML is in the frame's srcdoc, escaped")
            #expect(!page.text.contains("<p>Hello, João Silva!</p>"), "never inline in the page")
            #expect(page.text.contains("data-header=\"list-unsubscribe\""))
            #expect(page.text.contains("data-header=\"message-id\""))
            #expect(page.text.contains("id=\"message-text\""))
            #expect(page.text.contains("Content-Type: multipart/alternative;"), "the source shows the MIME structure")

            let list = try await admin.get("/outbox")
            #expect(list.text.contains("data-status=\"held\""))
            #expect(list.text.contains("joao@cliente.com.br"))
            #expect(try await admin.get("/outbox?status=held").text.contains("class=\"message-subject\""))
            #expect(!(try await admin.get("/outbox?status=sent").text.contains("class=\"message-subject\"")))

            let stored = try await Outbox(app.db, workspaceID: acme.workspace.id).list().messages
            #expect(stored.count == 1)
            #expect(stored.first?.status == .held && stored.first?.attempts == 1 && stored.first?.kind == .test)
        }
    }

    @Test("the test form refuses a bad address next to its field and keeps what was typed")
    func badTestAddress() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let reply = try await acme.adminBrowser.post("/outbox/test", [("to", "not an \"address")])
            #expect(reply.status == .unprocessableEntity)
            #expect(errorFieldNames(reply.text) == ["to"])
            #expect(reply.text.contains("value=\"not an &quot;address\""))
            #expect(try await Outbox(app.db, workspaceID: acme.workspace.id).list().messages.isEmpty)
        }
    }

    @Test("a message of another workspace is not found, neither on its page nor in the list")
    func otherWorkspace() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let globex = try await TestWorkspace.direct(app, email: "gus@globex.com", name: "Globex")
            let message = try await queuedMessage(app, acme.workspace)

            #expect(try await globex.adminBrowser.get("/outbox/\(message.id.uuidString.lowercased())").status == .notFound)
            #expect(!(try await globex.adminBrowser.get("/outbox").text.contains(message.id.uuidString.lowercased())))
            #expect(try await acme.adminBrowser.get("/outbox/\(message.id.uuidString.lowercased())").status == .ok)
        }
    }

    @Test("a delivery that fails for now leaves the message queued with its error and throws, and the next one sends it")
    func transientFailureIsRetried() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let transport = ScriptedTransport([
                .failure(MailDeliveryError(.transient, step: "MAIL FROM", code: 451, detail: "451 4.3.0 try later")),
                .success(.sent(reply: "250 2.0.0 queued as 42")),
            ])
            app.mailTransport = transport
            let message = try await queuedMessage(app, acme.workspace)
            let delivery = OutboxDelivery(app)

            await #expect(throws: MailDeliveryError.self) {
                try await delivery.deliver(messageID: message.id, workspaceID: acme.workspace.id)
            }
            let retriable = try #require(try await Outbox(app.db, workspaceID: acme.workspace.id).find(message.id))
            #expect(retriable.status == .queued && retriable.attempts == 1)
            #expect(retriable.lastError?.contains("451") == true)

            app.clock.advance(by: 60)
            let outcome = try await delivery.deliver(messageID: message.id, workspaceID: acme.workspace.id)
            #expect(outcome == .sent(reply: "250 2.0.0 queued as 42"))
            let sent = try #require(try await Outbox(app.db, workspaceID: acme.workspace.id).find(message.id))
            #expect(sent.status == .sent && sent.attempts == 2 && sent.lastError == nil && sent.sentAt == app.clock.now())
            #expect(transport.messages.count == 2)
            #expect(try await delivery.deliver(messageID: message.id, workspaceID: acme.workspace.id) == .notWaiting(.sent), "never sent twice")
            #expect(transport.messages.count == 2)
        }
    }

    @Test("a permanent failure fails the message for good and is returned, not thrown")
    func permanentFailure() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            app.mailTransport = ScriptedTransport([.failure(MailDeliveryError(.permanent, step: "authentication", code: 535, detail: "535 bad credentials"))])
            let message = try await queuedMessage(app, acme.workspace)

            let outcome = try await OutboxDelivery(app).deliver(messageID: message.id, workspaceID: acme.workspace.id)

            guard case .failed(let error) = outcome else { Issue.record("\(outcome)"); return }
            #expect(error.contains("authentication"))
            #expect(try await Outbox(app.db, workspaceID: acme.workspace.id).find(message.id)?.status == .failed)
            #expect(try await OutboxDelivery(app).deliver(messageID: message.id, workspaceID: acme.workspace.id) == .notWaiting(.failed))
            #expect(try await OutboxDelivery(app).deliver(messageID: UUID(), workspaceID: acme.workspace.id) == .missing)
            let page = try await acme.adminBrowser.get("/outbox?status=failed")
            #expect(page.text.contains("535 bad credentials"))
        }
    }

    @Test("a test message to a contact carries the contact's signed one-click unsubscribe link")
    func unsubscribeLinkForContacts() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let token = try await acme.token(app)
            let created = try await APIClient(app: app, token: token)
                .call(.POST, "/api/v1/contacts", json: #"{"email":"lia@cliente.com.br","first_name":"Lia"}"#)
            #expect(created.status == .created)

            let message = try await queuedMessage(app, acme.workspace, to: "lia@cliente.com.br")
            let stranger = try await queuedMessage(app, acme.workspace, to: "nobody@elsewhere.com")

            let link = try #require(message.message.header("List-Unsubscribe"))
            #expect(link.hasPrefix("<http://127.0.0.1:8080/e/u/"))
            #expect(message.message.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
            #expect(message.contactID != nil)
            let path = String(link.dropFirst("<http://127.0.0.1:8080".count).dropLast())
            let unsubscribe = try await Browser(app).send(.POST, path, body: "List-Unsubscribe=One-Click", contentType: "application/x-www-form-urlencoded")
            #expect(unsubscribe.status == .ok)
            #expect(stranger.message.header("List-Unsubscribe") == "<mailto:no-reply@smarketing.localhost?subject=unsubscribe>")
        }
    }
}

@Suite("Mail settings from the environment")
struct MailSettingsTests {
    @Test("without settings the outbox transport is used")
    func defaults() throws {
        let config = try AppConfig.fromEnvironment(["SQLITE_PATH": "x.sqlite"])
        #expect(config.mail.transport == .outbox)
        #expect(config.mail.from == MailSettings.defaultFrom)
    }

    @Test("SMTP settings are read whole")
    func smtp() throws {
        let settings = try MailSettings.fromEnvironment([
            "MAIL_TRANSPORT": "smtp", "SMTP_HOST": "smtp.acme.com", "SMTP_PORT": "2525", "SMTP_USERNAME": "mailer", "SMTP_PASSWORD": "s3cret",
            "SMTP_STARTTLS": "if-offered", "SMTP_TLS_VERIFY": "false", "SMTP_TIMEOUT": "5", "MAIL_FROM": "Equipe Acme <equipe@acme.com.br>",
        ])
        #expect(settings.from.description == "Equipe Acme <equipe@acme.com.br>")
        #expect(settings.transport == .smtp(SMTPSettings(
            host: "smtp.acme.com", port: 2525, startTLS: .ifOffered, verification: .none,
            credentials: .init(username: "mailer", password: "s3cret"), heloName: "acme.com.br", timeoutSeconds: 5)))
    }

    @Test("a bad or missing setting stops the start and names its variable",
          arguments: [
              (["MAIL_TRANSPORT": "pigeon"], "MAIL_TRANSPORT"),
              (["MAIL_FROM": "not an address"], "MAIL_FROM"),
              (["MAIL_TRANSPORT": "smtp", "SMTP_HOST": "smtp.acme.com"], "MAIL_FROM"),
              (["MAIL_TRANSPORT": "smtp", "MAIL_FROM": "a@acme.com"], "SMTP_HOST"),
              (["MAIL_TRANSPORT": "smtp", "MAIL_FROM": "a@acme.com", "SMTP_HOST": "h", "SMTP_PORT": "70000"], "SMTP_PORT"),
              (["MAIL_TRANSPORT": "smtp", "MAIL_FROM": "a@acme.com", "SMTP_HOST": "h", "SMTP_STARTTLS": "sometimes"], "SMTP_STARTTLS"),
              (["MAIL_TRANSPORT": "smtp", "MAIL_FROM": "a@acme.com", "SMTP_HOST": "h", "SMTP_USERNAME": "u"], "SMTP_PASSWORD"),
              (["MAIL_TRANSPORT": "smtp", "MAIL_FROM": "a@acme.com", "SMTP_HOST": "h", "SMTP_CA_FILE": "/nonexistent/ca.pem"], "SMTP_CA_FILE"),
              (["MAIL_TRANSPORT": "smtp", "MAIL_FROM": "a@acme.com", "SMTP_HOST": "h", "SMTP_TLS_VERIFY": "maybe"], "SMTP_TLS_VERIFY"),
              (["MAIL_TRANSPORT": "smtp", "MAIL_FROM": "a@acme.com", "SMTP_HOST": "h", "SMTP_TIMEOUT": "0"], "SMTP_TIMEOUT"),
          ] as [([String: String], String)])
    func badSettings(env: [String: String], variable: String) {
        do {
            _ = try AppConfig.fromEnvironment(env)
            Issue.record("accepted \(env)")
        } catch {
            #expect(error.variable == variable)
            #expect(!error.reason.isEmpty)
        }
    }
}
