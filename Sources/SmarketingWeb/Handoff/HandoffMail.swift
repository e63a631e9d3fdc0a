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

    /// How many leads one email lists; the rest are in the rep's inbox.
    static let leadsListed = 50

    /// Writes the message to `owner` about the leads handed to them (one lead: an email about
    /// it; several at once: one email listing them) and its sending job, in `tx`.
    static func enqueue(_ leads: [(handoff: Handoff, contact: Contact)], owner: User, workspace: Workspace, app: Application, now: Date,
                        on tx: any Database) async throws {
        guard let (handoff, contact) = leads.first else { return }
        let l = Localizer(owner.language ?? workspace.settings.language)
        let base = app.config.publicURL ?? "http://127.0.0.1:8080"
        let settings = app.config.mail
        let inbox = base + SiteURL.inbox.path
        func name(_ contact: Contact) -> String { contact.fullName.isEmpty ? (contact.email?.value ?? "—") : contact.fullName }
        func facts(_ contact: Contact) -> String { [contact.email?.value, contact.jobTitle].compactMap { $0 }.joined(separator: " · ") }
        let subject: String, text: String, body: String
        if leads.count == 1 {
            let page = base + SiteURL.contact(contact.id).path
            let facts = facts(contact)
            subject = l(.mailHandoffSubject, name(contact))
            text = [
                l(.mailHandoffGreeting, owner.name), "",
                l(.mailHandoffBody, name(contact)) + (facts.isEmpty ? "" : " (\(facts))"),
                l(.handoffWhy) + " " + handoff.cause, "",
                l(.mailHandoffAction, inbox), page, "",
                l(.mailHandoffFooter, workspace.settings.name),
            ].joined(separator: "\n")
            body = """
            <p><strong>\(Attr.escaped(l(.mailHandoffBody, name(contact))))</strong>\(facts.isEmpty ? "" : " (" + Attr.escaped(facts) + ")")</p>
            <p>\(Attr.escaped(l(.handoffWhy) + " " + handoff.cause))</p>
            <p><a href="\(Attr.escaped(inbox))">\(Attr.escaped(l(.inboxTitle)))</a> · <a href="\(Attr.escaped(page))">\(Attr.escaped(name(contact)))</a></p>
            """
        } else {
            let listed = leads.prefix(leadsListed)
            let more = leads.count - listed.count
            subject = l(.mailHandoffDigestSubject, String(leads.count))
            var lines = [l(.mailHandoffGreeting, owner.name), "", l(.mailHandoffDigestBody, String(leads.count)), ""]
            var items = ""
            for (handoff, contact) in listed {
                let facts = facts(contact), page = base + SiteURL.contact(contact.id).path
                lines.append("- " + name(contact) + (facts.isEmpty ? "" : " (\(facts))") + ": " + handoff.cause + " " + page)
                items += "<li><a href=\"\(Attr.escaped(page))\">\(Attr.escaped(name(contact)))</a>\(facts.isEmpty ? "" : " (" + Attr.escaped(facts) + ")")"
                    + " · \(Attr.escaped(handoff.cause))</li>"
            }
            if more > 0 { lines.append(l(.mailHandoffDigestMore, String(more))) }
            lines += ["", l(.mailHandoffAction, inbox), "", l(.mailHandoffFooter, workspace.settings.name)]
            text = lines.joined(separator: "\n")
            body = """
            <p><strong>\(Attr.escaped(l(.mailHandoffDigestBody, String(leads.count))))</strong></p>
            <ul>\(items)</ul>\(more > 0 ? "<p>" + Attr.escaped(l(.mailHandoffDigestMore, String(more))) + "</p>" : "")
            <p><a href="\(Attr.escaped(inbox))">\(Attr.escaped(l(.inboxTitle)))</a></p>
            """
        }
        let html = """
        <!DOCTYPE html><html lang="\((owner.language ?? workspace.settings.language).rawValue)"><head><meta charset="utf-8"></head>
        <body style="font-family: sans-serif; line-height: 1.5;">
        <p>\(Attr.escaped(l(.mailHandoffGreeting, owner.name)))</p>
        \(body)
        <p style="color: #666; font-size: 90%;">\(Attr.escaped(l(.mailHandoffFooter, workspace.settings.name)))</p>
        </body></html>
        """
        let id = Outbox.newID(at: now)
        let message = try MailMessage(
            from: settings.from, to: [MailAddress(owner.email, name: owner.name)], subject: subject, text: text, html: html,
            headers: [MailHeader("List-Unsubscribe", "<mailto:\(settings.from.email.value)?subject=unsubscribe>"),
                      MailHeader("X-Smarketing-Kind", MailKind.handoff.rawValue)],
            id: id, date: now
        )
        // A list of leads is about none of them in particular.
        _ = try await Outbox(tx, workspaceID: workspace.id).enqueue(message, kind: .handoff, contactID: leads.count == 1 ? contact.id : nil, now: now, on: tx)
        try await JobQueue.enqueue([sendJob(id, workspaceID: workspace.id, now: now)], now: now, on: tx)
    }
}
