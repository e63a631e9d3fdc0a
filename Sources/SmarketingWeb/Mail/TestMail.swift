import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// The message an admin sends to check the mail settings: in the workspace's language, with a
/// text and an HTML body, and an unsubscribe link like every message the product sends. When
/// the recipient is a contact of the workspace the link is the contact's signed one-click
/// unsubscribe link; otherwise it is a `mailto:` to the sender.
enum TestMail {
    /// Writes the test message to `to` into the workspace's outbox (queued); deliver it with
    /// ``OutboxDelivery``.
    static func enqueue(
        to recipient: MailAddress, subject: String?, workspace: Workspace, db: any Database, settings: MailSettings, transportName: String,
        baseURL: String, now: Date
    ) async throws -> OutboxMessage {
        let l = Localizer(workspace.settings.language)
        let id = Outbox.newID(at: now)
        let name = workspace.settings.name
        let contact = try await ContactRepository(db, workspaceID: workspace.id).find(email: recipient.email)
        var headers: [MailHeader]
        if let contact {
            let (key, version) = try await TrackingSites(db, workspaceID: workspace.id).signingKey(now: now)
            let token = LinkToken(kind: .unsubscribe, workspaceID: workspace.id, contactID: contact.id, messageID: id.uuidString.lowercased(),
                                  expiresAt: nil, keyVersion: version)
            headers = MailHeader.listUnsubscribe(url: baseURL + "/e/u/" + token.signed(with: key))
        } else {
            headers = [MailHeader("List-Unsubscribe", "<mailto:\(settings.from.email.value)?subject=unsubscribe>")]
        }
        headers.append(MailHeader("X-Smarketing-Kind", MailKind.test.rawValue))
        let text = [
            l(.mailTestGreeting, recipient.name ?? recipient.email.value),
            "",
            l(.mailTestBody, name, transportName),
            "",
            l(.mailTestFooter, baseURL),
        ].joined(separator: "\n")
        let html = """
        <!DOCTYPE html><html lang="\(workspace.settings.language.rawValue)"><head><meta charset="utf-8"><title>\(Attr.escaped(subject ?? l(.mailTestSubject, name)))</title></head>
        <body style="font-family: sans-serif; line-height: 1.5;">
        <p>\(Attr.escaped(l(.mailTestGreeting, recipient.name ?? recipient.email.value)))</p>
        <p>\(Attr.escaped(l(.mailTestBody, name, transportName)))</p>
        <p style="color: #666; font-size: 90%;">\(Attr.escaped(l(.mailTestFooter, baseURL)))</p>
        </body></html>
        """
        let message = try MailMessage(
            from: settings.from, to: [recipient], subject: subject ?? l(.mailTestSubject, name), text: text, html: html, headers: headers,
            id: id, date: now
        )
        return try await Outbox(db, workspaceID: workspace.id).enqueue(message, kind: .test, contactID: contact?.id, now: now)
    }
}
