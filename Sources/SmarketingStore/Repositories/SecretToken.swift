import Crypto
import Foundation

/// A random secret handed to a person once (API token, invitation link) and stored only as
/// its SHA-256 hash, so a copy of the database does not give access.
public struct SecretToken: Sendable, Equatable {
    /// What the person receives, e.g. `smk_3q2...`.
    public let secret: String

    public init(prefix: String) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        self.secret = prefix + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public var hash: String { Self.hash(secret) }

    /// The first characters, safe to show in lists.
    public var hint: String { String(secret.prefix(10)) }

    public static func hash(_ secret: String) -> String {
        // Hex digits by hand: `String(format:)` per byte was a twentieth of an ingest request.
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: SHA256.hash(data: Data(secret.utf8)).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
    }

    public static let apiPrefix = "smk_"
    public static let invitationPrefix = "inv_"
}
