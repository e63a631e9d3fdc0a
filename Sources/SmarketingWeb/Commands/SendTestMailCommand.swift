import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// `smarketing send-test-mail --workspace ID-OR-NAME --to ADDRESS`: writes a test message into
/// the workspace's outbox and delivers it at once through the configured transport, then says
/// what happened (sent with the server's reply, held by the outbox transport, or why it
/// failed). The message and its outcome stay on the Outbox page. Exits with an error when the
/// message was not sent or held.
struct SendTestMailCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "workspace", short: "w", help: "The workspace's id or its exact name")
        var workspace: String?

        @Option(name: "to", help: "The recipient: ana@example.com or \"Ana Souza <ana@example.com>\"")
        var to: String?

        @Option(name: "subject", help: "A subject of your own (default: the workspace language's test subject)")
        var subject: String?
    }

    var help: String { "Sends a test message through the configured mail transport (MAIL_TRANSPORT)." }

    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let console = context.console
        guard let raw = signature.workspace?.trimmingBlanks, !raw.isEmpty else {
            console.error("Name the workspace with --workspace ID-OR-NAME.")
            throw ValidationFailure("workspace", .required)
        }
        let matches = try await Directory(app.db).workspaces(idOrName: raw)
        guard matches.count == 1, let workspace = matches.first else {
            console.error(matches.isEmpty ? "No workspace has the id or name \"\(raw)\"." : "Several workspaces are named \"\(raw)\": use the id.")
            throw ValidationFailure("workspace", .notInList)
        }
        let recipient: MailAddress
        switch MailAddress.parse(signature.to ?? "", field: "to") {
        case .success(let address): recipient = address
        case .failure(let error):
            console.error("--to must be an email address (optionally \"Name <address>\").")
            throw error
        }
        let subject = signature.subject?.trimmingBlanks
        let transport = app.mailTransport
        let baseURL = app.config.publicURL ?? "http://127.0.0.1:8080"
        let message = try await TestMail.enqueue(
            to: recipient, subject: subject?.isEmpty == false ? subject : nil, workspace: workspace, db: app.db, settings: app.config.mail,
            transportName: transport.name, baseURL: baseURL, now: app.clock.now()
        )
        let id = message.id.uuidString.lowercased()
        console.print("Message \(id) (Message-ID <\(message.message.messageID)>) to \(recipient.email.value), through the \(transport.name) transport.")
        do {
            switch try await OutboxDelivery(app).deliver(messageID: message.id, workspaceID: workspace.id) {
            case .sent(let reply):
                console.print("Sent: the server answered \(reply).")
            case .held(let reason):
                console.print("Held in the outbox (\(reason)): see it on the Outbox page.")
            case .failed(let error):
                console.error("Not sent, for good: \(error)")
                throw Refused(description: error)
            case .notWaiting(let status):
                console.error("The message is \(status.rawValue), not waiting to be sent.")
                throw Refused(description: "message \(status.rawValue)")
            case .missing:
                throw Refused(description: "the message was not found")
            }
        } catch let error as MailDeliveryError {
            console.error("Not sent yet, kept in the queue to be tried again: \(error)")
            throw error
        }
    }
}
