/// A header a message carries besides the ones the mailer writes itself (From, To, Subject,
/// Date, Message-ID, the MIME headers): `List-Unsubscribe`, `X-Campaign`...
public struct MailHeader: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// The headers the mailer writes from the message's own fields; an extra header may not
    /// repeat them.
    public static let reserved: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "sender", "subject", "date", "message-id", "mime-version",
        "content-type", "content-transfer-encoding", "return-path",
    ]

    /// True when the text holds a line break or another control character (a tab is allowed):
    /// in a header it would end the line and start a header of the sender's choosing.
    public static func hasLineBreakOrControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F || $0 == "\u{2028}" || $0 == "\u{2029}" || $0 == "\u{85}" }
    }

    /// A field name of RFC 5322: printable ASCII without a colon, 1 to 76 characters.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 76 && name.utf8.allSatisfy { $0 >= 33 && $0 <= 126 && $0 != UInt8(ascii: ":") }
    }

    /// `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 2369, RFC 8058): the unsubscribe
    /// link a mail client offers as a button, answered by one POST without opening a page.
    /// `url` must be https (or http for a local install); a `mailto` address may follow.
    public static func listUnsubscribe(url: String, mailto: EmailAddress? = nil) -> [MailHeader] {
        var targets = ["<\(url)>"]
        if let mailto { targets.append("<mailto:\(mailto.value)?subject=unsubscribe>") }
        return [
            MailHeader("List-Unsubscribe", targets.joined(separator: ", ")),
            MailHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ]
    }
}
