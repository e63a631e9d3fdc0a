import Foundation

/// One email as the product writes it: who sends it and to whom, the subject, a plain-text body
/// and optionally an HTML one (sent together as alternatives), extra headers such as
/// `List-Unsubscribe`, its Message-ID and its date.
///
/// Every value that ends up in a header is checked when the message is made
/// (``check()``): a line break in a subject, a display name or a header value would let it
/// write headers of its own, so it is refused with a ``FieldError`` naming the field.
public struct MailMessage: Sendable, Equatable, Codable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var replyTo: MailAddress?
    public var subject: String
    public var text: String
    public var html: String?
    public var headers: [MailHeader]
    /// The Message-ID without its angle brackets: `<uuid>@<domain>`.
    public var messageID: String
    /// When the message was written (the Date header).
    public var date: Date

    /// The longest subject accepted, in characters.
    public static let subjectMaximumLength = 500
    /// The most recipients of one message.
    public static let recipientsMaximum = 50
    /// The largest body accepted, in UTF-8 bytes (each of the text and the HTML).
    public static let bodyMaximumBytes = 2_000_000

    /// A checked message; throws every refused field at once.
    /// - Parameters:
    ///   - id: the message's unique id, the left part of its Message-ID.
    ///   - domain: the right part of its Message-ID; the sender's domain when nil.
    public init(
        from: MailAddress, to: [MailAddress], replyTo: MailAddress? = nil, subject: String, text: String, html: String? = nil,
        headers: [MailHeader] = [], id: UUID, domain: String? = nil, date: Date
    ) throws(ValidationFailure) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.headers = headers
        self.messageID = Self.messageID(id, domain: domain ?? from.email.domain)
        self.date = date
        let errors = check()
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }

    /// A message read back from storage, where it was checked when written; ``MIMEMessage``
    /// checks it again before writing it out.
    public static func unchecked(
        from: MailAddress, to: [MailAddress], replyTo: MailAddress?, subject: String, text: String, html: String?,
        headers: [MailHeader], messageID: String, date: Date
    ) -> MailMessage {
        MailMessage(uncheckedFrom: from, to: to, replyTo: replyTo, subject: subject, text: text, html: html, headers: headers,
                    messageID: messageID, date: date)
    }

    private init(
        uncheckedFrom from: MailAddress, to: [MailAddress], replyTo: MailAddress?, subject: String, text: String, html: String?,
        headers: [MailHeader], messageID: String, date: Date
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.headers = headers
        self.messageID = messageID
        self.date = date
    }

    /// `<uuid>@<domain>`, lower-cased.
    public static func messageID(_ id: UUID, domain: String) -> String {
        "\(id.uuidString.lowercased())@\(domain.lowercased())"
    }

    /// What is wrong with the message, field by field: `from`, `to`, `reply_to`, `subject`,
    /// `text`, `html`, `message_id`, and each extra header by its own name.
    public func check() -> [FieldError] {
        var checker = FieldChecker()
        if let name = from.name, MailHeader.hasLineBreakOrControl(name) { checker.add("from", .invalid) }
        if !from.email.value.utf8.allSatisfy({ $0 < 0x80 }) { checker.add("from", .invalid) }
        if to.isEmpty { checker.add("to", .required) }
        if to.count > Self.recipientsMaximum { checker.add("to", .tooLong(maximum: Self.recipientsMaximum)) }
        if to.contains(where: { ($0.name.map(MailHeader.hasLineBreakOrControl) ?? false) || !$0.email.value.utf8.allSatisfy { $0 < 0x80 } }) {
            checker.add("to", .invalid)
        }
        if let replyTo, (replyTo.name.map(MailHeader.hasLineBreakOrControl) ?? false) || !replyTo.email.value.utf8.allSatisfy({ $0 < 0x80 }) {
            checker.add("reply_to", .invalid)
        }
        if subject.trimmingBlanks.isEmpty { checker.add("subject", .required) }
        else if MailHeader.hasLineBreakOrControl(subject) { checker.add("subject", .invalid) }
        else if subject.count > Self.subjectMaximumLength { checker.add("subject", .tooLong(maximum: Self.subjectMaximumLength)) }
        if text.utf8.count > Self.bodyMaximumBytes { checker.add("text", .tooLong(maximum: Self.bodyMaximumBytes)) }
        if let html, html.utf8.count > Self.bodyMaximumBytes { checker.add("html", .tooLong(maximum: Self.bodyMaximumBytes)) }
        if messageID.isEmpty || messageID.utf8.count > 250 || !messageID.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") })
            || messageID.split(separator: "@", omittingEmptySubsequences: false).count != 2 {
            checker.add("message_id", .invalid)
        }
        for header in headers {
            let field = header.name.isEmpty ? "headers" : header.name
            if !MailHeader.isValidName(header.name) || MailHeader.reserved.contains(header.name.lowercased()) {
                checker.add(field, .notInList)
            } else if MailHeader.hasLineBreakOrControl(header.value) {
                checker.add(field, .invalid)
            } else if header.value.utf8.count > 4_000 {
                checker.add(field, .tooLong(maximum: 4_000))
            } else if header.value.utf8.allSatisfy({ $0 < 0x80 }), header.value.split(separator: " ").contains(where: { $0.utf8.count > 900 }) {
                // A word this long cannot be folded under the line limit of 998 characters.
                checker.add(field, .tooLong(maximum: 900))
            }
        }
        return checker.errors
    }

    /// The addresses the message goes to (the SMTP envelope's recipients).
    public var recipients: [EmailAddress] { to.map(\.email) }

    /// The first extra header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
