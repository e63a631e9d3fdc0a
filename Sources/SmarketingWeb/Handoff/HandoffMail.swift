import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// The email that tells a rep a lead was handed to them: who, why it qualified, and the link to
/// their inbox, in the rep's language. It is written to the outbox with a `mail.send` job in the
/// transaction of the handoff's notification; the job hands it to the configured transport.
enum HandoffMail {
    static let sendJob = "mail.send"

    static func register(_ app: Application) {
        app.jobs.register(sendJob, policy: .delivery) { job, context in
            guard let workspaceID = job.workspaceID, let id = messageID(inPayload: job.payload) else {
                throw JobRunner.JobFailure.permanent("no message in the job's payload")
            }
            do {
                _ = try await OutboxDelivery(context.app).deliver(messageID: id, workspaceID: workspaceID)
            } catch {
                // The transport failed for now: the message went back to the queue; tried again later,
                // and given up for good after the last attempt.
                if job.attempts >= job.maxAttempts {
                    _ = try? await Outbox(context.db, workspaceID: workspaceID).markFailed(id, error: "\(error)", retriable: false, now: context.now)
                }
                throw JobRunner.JobFailure.transient("\(error)")
            }
        }
    }

    static func messageID(inPayload payload: String) -> UUID? { JobQueue.id("message_id", inPayload: payload) }

    /// The job that hands an outbox message to the transport.
    static func sendJob(_ id: UUID, workspaceID: UUID, now: Date) -> NewJob {
        NewJob(workspaceID: workspaceID, kind: sendJob, payload: JobQueue.payload("message_id", id), runAt: now, maxAttempts: RetryPolicy.delivery.maxAttempts)
    }

    /// Writes the message to `owner` and its sending job, in `tx`.
    static func enqueue(_ handoff: Handoff, contact: Contact, owner: User, workspace: Workspace, app: Application, now: Date, on tx: any Database) async throws {
        let l = Localizer(owner.language ?? workspace.settings.language)
        let base = app.config.publicURL ?? "http://127.0.0.1:8080"
        let settings = app.config.mail
        let name = contact.fullName.isEmpty ? (contact.email?.value ?? "—") : contact.fullName
        let inbox = base + SiteURL.inbox.path
        let page = base + SiteURL.contact(contact.id).path
        let facts = [contact.email?.value, contact.jobTitle].compactMap { $0 }.joined(separator: " · ")
        let text = [
            l(.mailHandoffGreeting, owner.name), "",
            l(.mailHandoffBody, name) + (facts.isEmpty ? "" : " (\(facts))"),
            l(.handoffWhy) + " " + handoff.cause, "",
            l(.mailHandoffAction, inbox), page, "",
            l(.mailHandoffFooter, workspace.settings.name),
        ].joined(separator: "\n")
        let html = """
        <!DOCTYPE html><html lang="\((owner.language ?? workspace.settings.language).rawValue)"><head><meta charset="utf-8"></head>
        <body style="font-family: sans-serif; line-height: 1.5;">
        <p>\(Attr.escaped(l(.mailHandoffGreeting, owner.name)))</p>
        <p><strong>\(Attr.escaped(l(.mailHandoffBody, name)))</strong>\(facts.isEmpty ? "" : " (" + Attr.escaped(facts) + ")")</p>
        <p>\(Attr.escaped(l(.handoffWhy) + " " + handoff.cause))</p>
        <p><a href="\(Attr.escaped(inbox))">\(Attr.escaped(l(.inboxTitle)))</a> · <a href="\(Attr.escaped(page))">\(Attr.escaped(name))</a></p>
        <p style="color: #666; font-size: 90%;">\(Attr.escaped(l(.mailHandoffFooter, workspace.settings.name)))</p>
        </body></html>
        """
        let id = Outbox.newID(at: now)
        let message = try MailMessage(
            from: settings.from, to: [MailAddress(owner.email, name: owner.name)], subject: l(.mailHandoffSubject, name), text: text, html: html,
            headers: [MailHeader("List-Unsubscribe", "<mailto:\(settings.from.email.value)?subject=unsubscribe>"),
                      MailHeader("X-Smarketing-Kind", MailKind.handoff.rawValue)],
            id: id, date: now
        )
        _ = try await Outbox(tx, workspaceID: workspace.id).enqueue(message, kind: .handoff, contactID: contact.id, now: now, on: tx)
        try await JobQueue.enqueue([sendJob(id, workspaceID: workspace.id, now: now)], now: now, on: tx)
    }
}
