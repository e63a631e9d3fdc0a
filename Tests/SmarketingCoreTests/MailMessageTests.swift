import Foundation
import Testing
@testable import SmarketingCore

/// A moment whose Date header is known: Tuesday 1 December 2026, 13:05:09 UTC.
let mailDate = Date(timeIntervalSince1970: 1_796_130_309)
let mailID = UUID(uuidString: "6F1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D")!

func address(_ text: String) throws -> MailAddress {
    try MailAddress.parse(text, field: "test").get()
}

func sampleMessage(
    subject: String = "Olá, João — seu relatório", html: String? = "<p>Olá, <strong>João</strong>!</p>",
    headers: [MailHeader] = MailHeader.listUnsubscribe(url: "https://app.acme.com.br/e/u/token123"),
    text: String = "Olá, João!\nSeu relatório está pronto."
) throws -> MailMessage {
    try MailMessage(
        from: address("Equipe Smarketing <equipe@acme.com.br>"), to: [address("João Silva <joao@cliente.com.br>")],
        replyTo: address("vendas@acme.com.br"), subject: subject, text: text, html: html, headers: headers, id: mailID, date: mailDate
    )
}

/// Reads a rendered message back the way a mail reader does: unfolds header lines, decodes
/// encoded words and quoted-printable bodies. Written here from the RFCs, apart from the
/// renderer, so the tests check the format and not the renderer against itself.
enum MailReader {
    static func split(_ raw: String) -> (headers: [(String, String)], body: String) {
        let parts = raw.components(separatedBy: "\r\n\r\n")
        let head = parts[0]
        let body = parts.dropFirst().joined(separator: "\r\n\r\n")
        let unfolded = head.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: "\t")
        let headers = unfolded.components(separatedBy: "\r\n").map { line -> (String, String) in
            let colon = line.firstIndex(of: ":") ?? line.endIndex
            return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        return (headers, body)
    }

    static func header(_ name: String, in raw: String) -> String? {
        split(raw).headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// RFC 2047: encoded words decoded, the blanks between two adjacent ones dropped.
    static func decodeWords(_ value: String) -> String {
        var bytes: [UInt8] = []
        var pendingBlank: [UInt8] = []
        var lastWasEncoded = false
        for token in value.split(separator: " ", omittingEmptySubsequences: false) {
            if token.hasPrefix("=?UTF-8?Q?"), token.hasSuffix("?=") {
                if !lastWasEncoded { bytes += pendingBlank }
                pendingBlank = []
                let payload = token.dropFirst(10).dropLast(2)
                var iterator = Array(payload.utf8).makeIterator()
                while let byte = iterator.next() {
                    if byte == UInt8(ascii: "_") { bytes.append(0x20) }
                    else if byte == UInt8(ascii: "="), let high = iterator.next(), let low = iterator.next() {
                        bytes.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) ?? 0)
                    } else { bytes.append(byte) }
                }
                lastWasEncoded = true
            } else {
                bytes += pendingBlank + Array(token.utf8)
                pendingBlank = []
                lastWasEncoded = false
            }
            pendingBlank = [0x20]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// RFC 2045 quoted-printable to text, line breaks as "\n".
    static func decodeQuotedPrintable(_ body: String) -> String {
        var bytes: [UInt8] = []
        let lines = body.components(separatedBy: "\r\n")
        for (index, line) in lines.enumerated() {
            var chars = Array(line.utf8)
            let soft = chars.last == UInt8(ascii: "=")
            if soft { chars.removeLast() }
            var i = 0
            while i < chars.count {
                if chars[i] == UInt8(ascii: "="), i + 2 < chars.count {
                    bytes.append(UInt8(String(decoding: chars[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) ?? 0)
                    i += 3
                } else {
                    bytes.append(chars[i])
                    i += 1
                }
            }
            if !soft && index < lines.count - 1 { bytes.append(0x0A) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

@Suite("Mail addresses and messages")
struct MailMessageTests {
    @Test("an address is read with or without a display name, quoted or not",
          arguments: [
              ("ana@acme.com", "ana@acme.com", nil),
              ("<Ana@Acme.com>", "ana@acme.com", ""),
              ("Ana Souza <ana@acme.com>", "ana@acme.com", "Ana Souza"),
              ("\"Souza, Ana\" <ana@acme.com>", "ana@acme.com", "Souza, Ana"),
              ("  João Silva   <joao@cliente.com.br> ", "joao@cliente.com.br", "João Silva"),
          ] as [(String, String, String?)])
    func parsesAddresses(text: String, email: String, name: String?) throws {
        let parsed = try MailAddress.parse(text, field: "to").get()
        #expect(parsed.email.value == email)
        #expect(parsed.name == (name?.isEmpty == true ? nil : name))
    }

    @Test("a bad address is refused with an error naming its field",
          arguments: ["", "not an address", "Ana <ana@>", "José <josé@acme.com>", "Ana\r\nBcc: x@evil.com <ana@acme.com>"])
    func refusesBadAddresses(text: String) {
        guard case .failure(let error) = MailAddress.parse(text, field: "to") else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(error.errors.map(\.field) == ["to"])
    }

    @Test("a message gets a Message-ID made of its id and the sender's domain")
    func messageID() throws {
        let message = try sampleMessage()
        #expect(message.messageID == "6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d@acme.com.br")
        let other = try MailMessage(from: address("a@b.com"), to: [address("c@d.com")], subject: "Hi", text: "x", id: mailID,
                                    domain: "mail.acme.com", date: mailDate)
        #expect(other.messageID.hasSuffix("@mail.acme.com"))
    }

    @Test("a line break in any header value is refused, naming the field")
    func headerInjectionIsRefused() throws {
        #expect(throws: ValidationFailure("subject", .invalid)) {
            _ = try sampleMessage(subject: "Hello\r\nBcc: everyone@example.com")
        }
        #expect(throws: ValidationFailure("subject", .invalid)) {
            _ = try sampleMessage(subject: "Hello\nthere")
        }
        #expect(throws: ValidationFailure("List-Unsubscribe", .invalid)) {
            _ = try sampleMessage(headers: [MailHeader("List-Unsubscribe", "<https://x.com/u>\r\nBcc: a@b.com")])
        }
        #expect(throws: ValidationFailure("X-Campaign", .invalid)) {
            _ = try sampleMessage(headers: [MailHeader("X-Campaign", "spring\u{0}")])
        }
    }

    @Test("a display name with a line break, decoded from storage, is refused when rendered")
    func storedDisplayNameIsCheckedAgain() throws {
        var message = try sampleMessage()
        let json = try JSONEncoder().encode(MailAddress(EmailAddress("eve@evil.com")!, name: "Eve"))
        let tampered = String(decoding: json, as: UTF8.self).replacingOccurrences(of: "Eve", with: "Eve\\r\\nBcc: all@acme.com")
        message.from = try JSONDecoder().decode(MailAddress.self, from: Data(tampered.utf8))
        #expect(throws: ValidationFailure("from", .invalid)) { _ = try MIMEMessage.render(message) }
    }

    @Test("headers the mailer writes itself cannot be added again, nor badly named ones")
    func reservedHeaders() {
        #expect(throws: ValidationFailure("Bcc", .notInList)) { _ = try sampleMessage(headers: [MailHeader("Bcc", "x@y.com")]) }
        #expect(throws: ValidationFailure("subject", .notInList)) { _ = try sampleMessage(headers: [MailHeader("subject", "again")]) }
        #expect(throws: ValidationFailure("Bad Name", .notInList)) { _ = try sampleMessage(headers: [MailHeader("Bad Name", "x")]) }
    }

    @Test("a message needs a recipient and a subject, and says every problem at once")
    func requiredFields() throws {
        let sender = try address("a@b.com")
        do {
            _ = try MailMessage(from: sender, to: [], subject: "  ", text: "", id: mailID, date: mailDate)
            Issue.record("accepted")
        } catch {
            #expect(Set(error.errors.map(\.field)) == ["to", "subject"])
        }
    }

    @Test("List-Unsubscribe comes with its one-click POST header")
    func listUnsubscribe() {
        let headers = MailHeader.listUnsubscribe(url: "https://app.acme.com/e/u/abc", mailto: EmailAddress("unsub@acme.com"))
        #expect(headers == [
            MailHeader("List-Unsubscribe", "<https://app.acme.com/e/u/abc>, <mailto:unsub@acme.com?subject=unsubscribe>"),
            MailHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ])
    }
}

@Suite("Writing a message as MIME")
struct MIMEMessageTests {
    @Test("every line ends in CRLF, none is longer than 78 characters, and only ASCII is written")
    func linesAreCRLFAndShort() throws {
        let long = String(repeating: "Relatório de vendas e marketing ", count: 12)
        let raw = try MIMEMessage.renderText(sampleMessage(subject: long, text: String(repeating: "ação ", count: 200)))
        #expect(raw.hasSuffix("\r\n"))
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        #expect(raw.utf8.allSatisfy { $0 < 0x80 })
        for line in raw.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 78, "too long: \(line)")
        }
    }

    @Test("the headers carry the date, the sender, the recipients, the subject, the Message-ID and the extra headers")
    func headers() throws {
        let raw = try MIMEMessage.renderText(sampleMessage())
        #expect(MailReader.header("Date", in: raw) == "Tue, 01 Dec 2026 13:05:09 +0000")
        #expect(MailReader.header("Message-ID", in: raw) == "<6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d@acme.com.br>")
        #expect(MailReader.header("MIME-Version", in: raw) == "1.0")
        #expect(MailReader.header("Reply-To", in: raw) == "vendas@acme.com.br")
        #expect(MailReader.header("List-Unsubscribe", in: raw) == "<https://app.acme.com.br/e/u/token123>")
        #expect(MailReader.header("List-Unsubscribe-Post", in: raw) == "List-Unsubscribe=One-Click")
    }

    @Test("a Brazilian Portuguese subject and display names are encoded words that read back the same")
    func encodedWords() throws {
        let raw = try MIMEMessage.renderText(sampleMessage())
        let subject = try #require(MailReader.header("Subject", in: raw))
        #expect(subject.hasPrefix("=?UTF-8?Q?"))
        #expect(MailReader.decodeWords(subject) == "Olá, João — seu relatório")
        let to = try #require(MailReader.header("To", in: raw))
        #expect(to.hasSuffix("<joao@cliente.com.br>"))
        #expect(MailReader.decodeWords(String(to.dropLast("<joao@cliente.com.br>".count)).trimmingCharacters(in: .whitespaces)) == "João Silva")
        #expect(MailReader.header("From", in: raw) == "Equipe Smarketing <equipe@acme.com.br>")
    }

    @Test("a long subject is folded at spaces into lines a reader unfolds back to the same text")
    func foldsLongSubjects() throws {
        let subject = "Your weekly report of marketing qualified leads, accepted leads and rejected leads is ready to read now"
        let raw = try MIMEMessage.renderText(sampleMessage(subject: subject))
        let head = raw.components(separatedBy: "\r\n\r\n")[0]
        #expect(head.contains("\r\n "), "folded")
        #expect(MailReader.header("Subject", in: raw) == subject)
    }

    @Test("a long non-ASCII subject is split into several encoded words without cutting a character")
    func longEncodedSubject() throws {
        let subject = String(repeating: "ção—ñ ", count: 30).trimmingCharacters(in: .whitespaces)
        let raw = try MIMEMessage.renderText(sampleMessage(subject: subject))
        let value = try #require(MailReader.header("Subject", in: raw))
        #expect(value.split(separator: " ").count > 3)
        #expect(MailReader.decodeWords(value) == subject)
    }

    @Test("a display name with a comma or quote is written as a quoted string")
    func quotedDisplayName() throws {
        let message = try MailMessage(from: address("\"Souza, \\\"Ana\\\"\" <ana@acme.com>"), to: [address("b@acme.com"), address("Carl <c@acme.com>")],
                                      subject: "Hi", text: "x", id: mailID, date: mailDate)
        let raw = try MIMEMessage.renderText(message)
        #expect(MailReader.header("From", in: raw) == #""Souza, \"Ana\"" <ana@acme.com>"#)
        #expect(MailReader.header("To", in: raw) == "b@acme.com, Carl <c@acme.com>")
    }

    @Test("with an HTML body the message is multipart/alternative: text first, then HTML, both quoted-printable UTF-8")
    func multipartAlternative() throws {
        let message = try sampleMessage()
        let raw = try MIMEMessage.renderText(message)
        let boundary = MIMEMessage.boundary(for: message)
        #expect(MailReader.header("Content-Type", in: raw) == "multipart/alternative; boundary=\"\(boundary)\"")
        let body = MailReader.split(raw).body
        let parts = body.components(separatedBy: "--\(boundary)")
        #expect(parts.count == 4, "preamble, two parts, the closing part")
        #expect(parts[3] == "--\r\n")
        // "\r\n" is one Character in Swift.
        let text = MailReader.split(String(parts[1].dropFirst()))
        #expect(text.headers.map(\.0) == ["Content-Type", "Content-Transfer-Encoding"])
        #expect(text.headers[0].1 == "text/plain; charset=\"utf-8\"")
        #expect(text.headers[1].1 == "quoted-printable")
        #expect(MailReader.decodeQuotedPrintable(String(text.body.dropLast())) == "Olá, João!\nSeu relatório está pronto.")
        let html = MailReader.split(String(parts[2].dropFirst()))
        #expect(html.headers[0].1 == "text/html; charset=\"utf-8\"")
        #expect(MailReader.decodeQuotedPrintable(String(html.body.dropLast())) == "<p>Olá, <strong>João</strong>!</p>")
    }

    @Test("without an HTML body the message is a single text/plain part")
    func textOnly() throws {
        let raw = try MIMEMessage.renderText(sampleMessage(html: nil))
        #expect(MailReader.header("Content-Type", in: raw) == "text/plain; charset=\"utf-8\"")
        #expect(MailReader.header("Content-Transfer-Encoding", in: raw) == "quoted-printable")
        #expect(!raw.contains("multipart"))
    }

    @Test("quoted-printable keeps lines to 76 characters with soft breaks, escapes =, non-ASCII and trailing blanks, and decodes back")
    func quotedPrintable() {
        let text = String(repeating: "Olá = João; ", count: 20) + "\nend with space \nand a tab\t\r\nwindows line\rold mac"
        let encoded = MIMEMessage.quotedPrintable(text)
        for line in encoded.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76)
            #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"))
        }
        #expect(encoded.contains("=3D"))
        #expect(encoded.contains("Ol=C3=A1"))
        #expect(encoded.contains("space=20\r\n"))
        #expect(encoded.contains("=\r\n"), "soft breaks")
        #expect(MailReader.decodeQuotedPrintable(encoded) == text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n"))
    }

    @Test("an escape is never cut by a soft break")
    func escapesStayWhole() {
        let encoded = MIMEMessage.quotedPrintable(String(repeating: "ã", count: 100))
        for line in encoded.components(separatedBy: "\r\n") {
            let body = line.hasSuffix("=") ? String(line.dropLast()) : line
            #expect(body.count % 3 == 0 && body.allSatisfy { $0 == "=" || $0.isHexDigit }, "\(line)")
        }
    }

    @Test("the same message renders to the same bytes")
    func deterministic() throws {
        #expect(try MIMEMessage.render(sampleMessage()) == MIMEMessage.render(sampleMessage()))
    }
}
