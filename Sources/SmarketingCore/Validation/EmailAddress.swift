/// An email address in its normalised form: surrounding blanks removed and lower-cased.
/// Dots and plus tags are kept, because for many providers they are different mailboxes.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    /// The longest address SMTP allows (RFC 5321, path limit).
    public static let maximumLength = 254

    public init?(_ raw: String) {
        let normalised = raw.trimmingBlanks.lowercased()
        guard Self.isPlausible(normalised) else { return nil }
        self.value = normalised
    }

    /// An address read back from storage, where it was checked when written.
    public init(stored value: String) {
        self.value = value
    }

    public var description: String { value }

    public var domain: String {
        value.split(separator: "@").last.map(String.init) ?? ""
    }

    private static func isPlausible(_ text: String) -> Bool {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return isPlausibleASCII(Array(text.utf8)) }
        guard text.count <= maximumLength, !text.contains(where: { $0.isWhitespace || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" }) else {
            return false
        }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty, local.count <= 64, !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else {
            return false
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 && !$0.hasPrefix("-") && !$0.hasSuffix("-") }) else {
            return false
        }
        return labels.allSatisfy { label in label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }
    }

    /// The same rules over bytes, for the addresses (nearly all) that are plain ASCII: imports
    /// check a million of them.
    private static func isPlausibleASCII(_ bytes: [UInt8]) -> Bool {
        let at = UInt8(ascii: "@"), dot = UInt8(ascii: "."), dash = UInt8(ascii: "-")
        guard bytes.count <= maximumLength,
              !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }),
              let split = bytes.firstIndex(of: at), bytes.lastIndex(of: at) == split
        else { return false }
        let local = bytes[..<split], domain = bytes[(split + 1)...]
        guard !local.isEmpty, local.count <= 64, local.first != dot, local.last != dot,
              !zip(local, local.dropFirst()).contains(where: { $0 == dot && $1 == dot })
        else { return false }
        let labels = domain.split(separator: dot, omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != dash && label.last != dash
                && label.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == dash || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) }
        }
    }
}

extension FieldChecker {
    /// Checks an email address field; returns its normalised form.
    public mutating func email(_ field: String, _ value: String?) -> EmailAddress? {
        guard let text = text(field, value, maximum: EmailAddress.maximumLength) else { return nil }
        guard let email = EmailAddress(text) else {
            add(field, .invalid)
            return nil
        }
        return email
    }
}

extension EmailAddress: Codable {
    /// Encoded as the plain address; decoding checks and normalises like ``init(_:)``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let address = EmailAddress(raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an email address")
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
