import Foundation

/// Writes a ``MailMessage`` as the bytes of an Internet message (RFC 5322 and MIME): lines
/// end in CRLF and no line passes 78 characters; the text body alone, or the text and the HTML
/// as `multipart/alternative`; bodies in UTF-8, quoted-printable (76-character lines, soft
/// breaks); subjects and display names outside ASCII as RFC 2047 encoded words.
///
/// The output is plain ASCII and the same for the same message, so it can be shown, stored,
/// compared in tests and sent as it is (the SMTP transport only adds dot-stuffing).
public enum MIMEMessage {
    /// The longest line written (RFC 5322 recommends 78, without the CRLF).
    public static let lineLimit = 78
    /// The longest quoted-printable line (RFC 2045), soft-break `=` included.
    public static let quotedPrintableLineLimit = 76
    /// The longest encoded word written, so a header's first word fits on its first line.
    static let encodedWordLimit = 60

    /// The message as bytes; throws when a field would break the message (see
    /// ``MailMessage/check()``).
    public static func render(_ message: MailMessage) throws(ValidationFailure) -> [UInt8] {
        Array(try renderText(message).utf8)
    }

    /// The message as text (ASCII only, CRLF line ends).
    public static func renderText(_ message: MailMessage) throws(ValidationFailure) -> String {
        let errors = message.check()
        if !errors.isEmpty { throw ValidationFailure(errors) }
        var lines: [String] = []
        lines.append(fold("Date", [dateHeader(message.date)]))
        lines.append(fold("From", mailboxTokens([message.from])))
        lines.append(fold("To", mailboxTokens(message.to)))
        if let replyTo = message.replyTo { lines.append(fold("Reply-To", mailboxTokens([replyTo]))) }
        lines.append(fold("Subject", unstructuredTokens(message.subject)))
        lines.append(fold("Message-ID", ["<\(message.messageID)>"]))
        lines.append("MIME-Version: 1.0")
        for header in message.headers {
            lines.append(fold(header.name, unstructuredTokens(header.value)))
        }
        let textPart = "Content-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable"
        guard let html = message.html else {
            return lines.joined(separator: "\r\n") + "\r\n" + textPart + "\r\n\r\n" + quotedPrintable(message.text) + "\r\n"
        }
        let boundary = Self.boundary(for: message)
        lines.append(fold("Content-Type", ["multipart/alternative;", "boundary=\"\(boundary)\""]))
        var result = lines.joined(separator: "\r\n") + "\r\n\r\n"
        result += "--\(boundary)\r\n" + textPart + "\r\n\r\n" + quotedPrintable(message.text) + "\r\n"
        result += "--\(boundary)\r\n" + "Content-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable"
            + "\r\n\r\n" + quotedPrintable(html) + "\r\n"
        result += "--\(boundary)--\r\n"
        return result
    }

    /// The boundary between the parts: `=_smk_` and the message's id. A quoted-printable body
    /// never holds `=_` (its `=` is always followed by a hex digit or a line break), so the
    /// boundary cannot occur inside a part.
    public static func boundary(for message: MailMessage) -> String {
        let id = message.messageID.prefix { $0 != "@" }.filter { $0.isLetter || $0.isNumber }
        return "=_smk_" + String(id.prefix(40))
    }

    // MARK: Headers

    /// `Tue, 01 Dec 2026 13:05:09 +0000` (RFC 5322, always in UTC).
    public static func dateHeader(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let day = days[max(0, min(6, (parts.weekday ?? 1) - 1))]
        let month = months[max(0, min(11, (parts.month ?? 1) - 1))]
        return "\(day), \(two(parts.day)) \(month) \(parts.year ?? 1970) \(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }

    /// A header line: `Name:` then the tokens separated by single spaces, a token that would
    /// pass the line limit moved to a continuation line (folding at a space, RFC 5322 2.2.3).
    static func fold(_ name: String, _ tokens: [String]) -> String {
        var lines: [String] = []
        var line = name + ":"
        var lineHasToken = false
        for token in tokens {
            if lineHasToken, !token.isEmpty, line.utf8.count + 1 + token.utf8.count > lineLimit {
                lines.append(line)
                line = " " + token
            } else {
                line += " " + token
            }
            lineHasToken = true
        }
        lines.append(line)
        return lines.joined(separator: "\r\n")
    }

    /// The words of an unstructured value (a subject, a header's value): as they are when the
    /// text is plain ASCII, else encoded words that a reader decodes back to the same text.
    static func unstructuredTokens(_ value: String) -> [String] {
        let plain = value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F || $0 == 0x09 } && !value.contains("=?")
            && !value.split(separator: " ").contains { $0.utf8.count > 900 }
        return plain ? value.split(separator: " ", omittingEmptySubsequences: false).map(String.init) : encodedWords(value)
    }

    /// Mailboxes separated by commas: `Name <address>`, the name as atoms, a quoted string or
    /// encoded words.
    static func mailboxTokens(_ addresses: [MailAddress]) -> [String] {
        var tokens: [String] = []
        for (index, address) in addresses.enumerated() {
            var mailbox: [String]
            if let name = address.name {
                mailbox = phraseTokens(name) + ["<\(address.email.value)>"]
            } else {
                mailbox = [address.email.value]
            }
            if index < addresses.count - 1 { mailbox[mailbox.count - 1] += "," }
            tokens += mailbox
        }
        return tokens
    }

    /// A display name as RFC 5322 allows it: atoms when it is made of them, a quoted string
    /// when it is ASCII with other characters, else encoded words.
    static func phraseTokens(_ name: String) -> [String] {
        let ascii = name.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        guard ascii, !name.contains("=?") else { return encodedWords(name) }
        let words = name.split(separator: " ").map(String.init)
        if words.allSatisfy({ $0.utf8.allSatisfy(isAtomText) }) { return words }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return ["\"\(escaped)\""]
    }

    private static func isAtomText(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
        }
    }

    /// The text as RFC 2047 encoded words (`=?UTF-8?Q?...?=`), each at most 60 characters and
    /// never splitting a character between two words. The Q form is limited to the characters
    /// allowed in a display name, so the same words serve subjects and names.
    public static func encodedWords(_ text: String) -> [String] {
        let prefix = "=?UTF-8?Q?", suffix = "?="
        let room = encodedWordLimit - prefix.utf8.count - suffix.utf8.count
        var words: [String] = []
        var current = ""
        for character in text {
            var piece = ""
            for byte in String(character).utf8 {
                switch byte {
                case UInt8(ascii: " "): piece += "_"
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "!"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"):
                    piece.append(Character(Unicode.Scalar(byte)))
                default: piece += hexEscape(byte)
                }
            }
            if !current.isEmpty, current.utf8.count + piece.utf8.count > room {
                words.append(prefix + current + suffix)
                current = ""
            }
            current += piece
        }
        if !current.isEmpty || words.isEmpty { words.append(prefix + current + suffix) }
        return words
    }

    // MARK: Bodies

    /// The text in UTF-8 as quoted-printable (RFC 2045 6.7): line breaks of any kind become
    /// CRLF, lines longer than 76 characters get soft breaks (`=` at the end), bytes outside
    /// printable ASCII, `=`, and a space or tab that ends a line are written as `=XX`.
    public static func quotedPrintable(_ text: String) -> String {
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var output = ""
        output.reserveCapacity(normalised.utf8.count + normalised.utf8.count / 8)
        for (lineIndex, line) in normalised.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if lineIndex > 0 { output += "\r\n" }
            let bytes = Array(line.utf8)
            var length = 0
            for (index, byte) in bytes.enumerated() {
                let piece: String
                if byte == 0x20 || byte == 0x09 {
                    piece = index == bytes.count - 1 ? hexEscape(byte) : String(Character(Unicode.Scalar(byte)))
                } else if byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=") {
                    piece = String(Character(Unicode.Scalar(byte)))
                } else {
                    piece = hexEscape(byte)
                }
                // Room for the soft break's `=` within the 76 characters.
                if length + piece.utf8.count > quotedPrintableLineLimit - 1 {
                    output += "=\r\n"
                    length = 0
                }
                output += piece
                length += piece.utf8.count
            }
        }
        return output
    }

    private static let hexDigits = Array("0123456789ABCDEF")

    private static func hexEscape(_ byte: UInt8) -> String {
        "=" + String(hexDigits[Int(byte >> 4)]) + String(hexDigits[Int(byte & 0x0F)])
    }
}
