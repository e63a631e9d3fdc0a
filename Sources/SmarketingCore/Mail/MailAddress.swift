/// A mailbox as a message names it: an address and, optionally, the name shown beside it
/// ("Ana Souza <ana@acme.com.br>").
///
/// The address is checked like every other email of the product (``EmailAddress``) and must be
/// plain ASCII: the mailer does not speak SMTPUTF8, so an address it could not deliver is
/// refused when the message is written, not when it is sent. The display name may hold any
/// text but a line break (a line break in a header would let it write headers of its own).
public struct MailAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    public let email: EmailAddress
    public let name: String?

    /// An address checked by the caller; `name` is trimmed and dropped when blank.
    public init(_ email: EmailAddress, name: String? = nil) {
        self.email = email
        let trimmed = name?.trimmingBlanks ?? ""
        self.name = trimmed.isEmpty ? nil : trimmed
    }

    /// Reads `ana@acme.com`, `<ana@acme.com>` or `Ana Souza <ana@acme.com>` (the name may be
    /// quoted); the error names `field`.
    public static func parse(_ text: String, field: String) -> Result<MailAddress, ValidationFailure> {
        let trimmed = text.trimmingBlanks
        guard !trimmed.isEmpty else { return .failure(ValidationFailure(field, .required)) }
        guard trimmed.utf8.count <= 998 else { return .failure(ValidationFailure(field, .tooLong(maximum: 998))) }
        var name: String?
        var address = trimmed
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            var phrase = String(trimmed[..<open]).trimmingBlanks
            if phrase.count >= 2, phrase.hasPrefix("\""), phrase.hasSuffix("\"") {
                phrase = String(phrase.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                    .replacingOccurrences(of: "\\\\", with: "\\")
            }
            name = phrase
        }
        return make(address: address, name: name, field: field)
    }

    /// An address and a display name typed apart (a form's two inputs).
    public static func make(address: String, name: String?, field: String) -> Result<MailAddress, ValidationFailure> {
        if let name, MailHeader.hasLineBreakOrControl(name) { return .failure(ValidationFailure(field, .invalid)) }
        guard address.utf8.allSatisfy({ $0 < 0x80 }), let email = EmailAddress(address) else {
            return .failure(ValidationFailure(field, .invalid))
        }
        return .success(MailAddress(email, name: name))
    }

    /// `Name <address>` as a person reads it (not encoded).
    public var description: String {
        guard let name else { return email.value }
        return "\(name) <\(email.value)>"
    }
}
