import Crypto
import Foundation

/// What an email link does when a recipient follows it: the open pixel, a click that redirects
/// to `target`, or the unsubscribe link. The token in the URL carries all of it, signed with
/// the workspace's link key (HMAC-SHA256), so nothing needs to be stored per link and a forged
/// or altered token is recognised.
public struct LinkToken: Sendable, Equatable {
    public enum Kind: UInt8, Sendable, CaseIterable {
        case open = 1, click = 2, unsubscribe = 3
    }

    public var kind: Kind
    public var workspaceID: UUID
    public var contactID: UUID
    /// The message the link was sent in (the sender's id for it), kept on the event.
    public var messageID: String
    /// Where a click goes (http or https); empty for the other kinds.
    public var target: String
    /// After it, an open or a click is no longer recorded (the click still redirects). An
    /// unsubscribe link never expires.
    public var expiresAt: Date?
    /// The version of the workspace's link key that signed it.
    public var keyVersion: Int

    public init(kind: Kind, workspaceID: UUID, contactID: UUID, messageID: String, target: String = "", expiresAt: Date?, keyVersion: Int) {
        self.kind = kind
        self.workspaceID = workspaceID
        self.contactID = contactID
        self.messageID = messageID
        self.target = target
        self.expiresAt = expiresAt
        self.keyVersion = keyVersion
    }

    public static let messageIDMaximumLength = 64
    public static let targetMaximumLength = 2_000
    /// How long an open or a click counts after sending.
    public static let lifetime: TimeInterval = 180 * 86_400
    static let macLength = 16
    static let formatVersion: UInt8 = 1

    /// Whether following the link now should be recorded as an event.
    public func records(at now: Date) -> Bool {
        guard let expiresAt else { return true }
        return now <= expiresAt
    }

    /// Checks what a sender asks to sign; errors name `message_id` and `url`.
    public static func check(messageID: String, target: String?) -> ValidationFailure? {
        var checker = FieldChecker()
        if messageID.isEmpty { checker.add("message_id", .required) }
        else if messageID.utf8.count > messageIDMaximumLength { checker.add("message_id", .tooLong(maximum: messageIDMaximumLength)) }
        else if messageID.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { checker.add("message_id", .invalid) }
        if let target {
            if target.isEmpty { checker.add("url", .required) }
            else if target.utf8.count > targetMaximumLength { checker.add("url", .tooLong(maximum: targetMaximumLength)) }
            else if SiteOrigins.origin(target) == nil || target.contains(where: { $0 == " " || $0 == "\n" || $0 == "\r" }) { checker.add("url", .invalid) }
        }
        return checker.errors.isEmpty ? nil : ValidationFailure(checker.errors)
    }

    /// The token for a URL path segment (base64url, no padding).
    public func signed(with key: SymmetricKey) -> String {
        var bytes = payload()
        bytes.append(contentsOf: Self.mac(bytes, key: key))
        return Base64URL.encode(bytes)
    }

    /// The workspace and key version a token claims, read before its signature can be checked
    /// (the key depends on them); nil when it cannot be a token.
    public static func claimedKey(of token: String) -> (workspaceID: UUID, keyVersion: Int)? {
        guard let bytes = Base64URL.decode(token), bytes.count >= 43 + macLength, bytes[0] == formatVersion else { return nil }
        return (uuid(bytes, at: 6), Int(uint32(bytes, at: 2)))
    }

    /// The link a token stands for, when `key` signed exactly these bytes; nil for a forged,
    /// altered or truncated token.
    public static func open(_ token: String, key: SymmetricKey) -> LinkToken? {
        guard let bytes = Base64URL.decode(token), bytes.count >= 43 + macLength else { return nil }
        let payload = Array(bytes.dropLast(macLength)), mac = Array(bytes.suffix(macLength))
        // Compared in constant time: HMAC's own check over the truncated code.
        guard constantTimeEqual(Self.mac(payload, key: key), mac) else { return nil }
        guard payload[0] == formatVersion, let kind = Kind(rawValue: payload[1]) else { return nil }
        let expiry = uint32(payload, at: 38)
        let messageLength = Int(payload[42])
        guard payload.count >= 43 + messageLength else { return nil }
        let message = String(decoding: payload[43..<(43 + messageLength)], as: UTF8.self)
        let target = String(decoding: payload[(43 + messageLength)...], as: UTF8.self)
        return LinkToken(kind: kind, workspaceID: uuid(payload, at: 6), contactID: uuid(payload, at: 22), messageID: message, target: target,
                         expiresAt: expiry == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(expiry)), keyVersion: Int(uint32(payload, at: 2)))
    }

    /// version(1) kind(1) key version(4) workspace(16) contact(16) expiry(4) message length(1)
    /// message target
    func payload() -> [UInt8] {
        var bytes: [UInt8] = [Self.formatVersion, kind.rawValue]
        Self.append(UInt32(clamping: keyVersion), to: &bytes)
        Self.append(workspaceID, to: &bytes)
        Self.append(contactID, to: &bytes)
        Self.append(expiresAt.map { UInt32(clamping: Int($0.timeIntervalSince1970.rounded(.up))) } ?? 0, to: &bytes)
        let message = Array(messageID.utf8.prefix(Self.messageIDMaximumLength))
        bytes.append(UInt8(message.count))
        bytes.append(contentsOf: message)
        bytes.append(contentsOf: Array(target.utf8))
        return bytes
    }

    static func mac(_ bytes: [UInt8], key: SymmetricKey) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: bytes, using: key)).prefix(macLength).map { $0 }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)])
    }

    static func append(_ id: UUID, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: id.uuid) { bytes.append(contentsOf: $0) }
    }

    static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (UInt32(bytes[offset]) << 24) | (UInt32(bytes[offset + 1]) << 16) | (UInt32(bytes[offset + 2]) << 8) | UInt32(bytes[offset + 3])
    }

    static func uuid(_ bytes: [UInt8], at offset: Int) -> UUID {
        let b = Array(bytes[offset..<(offset + 16)])
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}

/// Base64 for URLs (RFC 4648 §5) without padding.
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count <= 4_096,
              text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
