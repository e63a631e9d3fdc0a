import Crypto
import Foundation

/// What a workspace's webhooks can be told about.
public enum WebhookEventType: String, Sendable, Codable, CaseIterable, Hashable {
    case leadMQL = "lead.mql"
    case leadAssigned = "lead.assigned"
    case leadAccepted = "lead.accepted"
    case leadRejected = "lead.rejected"
    case dealWon = "deal.won"
    case dealLost = "deal.lost"
}

/// A receiver of the workspace's events, as its admin configures it.
public struct WebhookEndpointInput: Sendable, Equatable {
    public var url: URL
    public var description: String?
    /// Empty means every type, present and future.
    public var eventTypes: Set<WebhookEventType>
    public var active: Bool

    public init(url: URL, description: String?, eventTypes: Set<WebhookEventType>, active: Bool) {
        self.url = url
        self.description = description
        self.eventTypes = eventTypes
        self.active = active
    }

    public static let urlLimit = 2000
    public static let descriptionLimit = 200

    /// Checks a form or an API body, or throws every problem at once: `url` (an absolute http or
    /// https address with a host), `description` (too long), `event_types` (a name not in the list).
    public static func check(url: String?, description: String?, eventTypes: [String], active: Bool) throws(ValidationFailure) -> WebhookEndpointInput {
        var checker = FieldChecker()
        var parsed: URL?
        if let text = checker.text("url", url, maximum: urlLimit) {
            if let candidate = URL(string: text), let scheme = candidate.scheme?.lowercased(), ["http", "https"].contains(scheme),
               let host = candidate.host, !host.isEmpty, candidate.user == nil, candidate.password == nil {
                parsed = candidate
            } else {
                checker.add("url", .invalid)
            }
        }
        let description = checker.text("description", description, required: false, maximum: descriptionLimit)
        var types: Set<WebhookEventType> = []
        for name in eventTypes.map(\.trimmingBlanks).filter({ !$0.isEmpty }) {
            if let type = WebhookEventType(rawValue: name) { types.insert(type) } else { checker.add("event_types", .notInList) }
        }
        guard checker.errors.isEmpty, let parsed else { throw ValidationFailure(checker.errors) }
        return WebhookEndpointInput(url: parsed, description: description, eventTypes: types, active: active)
    }
}

/// The signature a receiver checks: HMAC-SHA256 with the endpoint's secret over
/// `"<timestamp>.<body>"`, sent as `Smarketing-Signature: t=<timestamp>,v1=<hex>`. Signing the
/// time with the body lets a receiver refuse replays older than a few minutes.
public enum WebhookSignature {
    public static let header = "Smarketing-Signature"

    public static func sign(secret: String, timestamp: Int, body: [UInt8]) -> String {
        "t=\(timestamp),v1=\(digest(secret: secret, timestamp: timestamp, body: body))"
    }

    static func digest(secret: String, timestamp: Int, body: [UInt8]) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        mac.update(data: Array("\(timestamp).".utf8))
        mac.update(data: body)
        return Data(mac.finalize()).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether a header value is a valid signature of `body` made within `tolerance` seconds
    /// of `now` (what a receiver does; the product's tests use it too).
    public static func verify(header value: String, secret: String, body: [UInt8], now: Date, tolerance: TimeInterval = 300) -> Bool {
        var timestamp: Int?
        var signatures: [String] = []
        for part in value.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int(pair[1]) } else if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { return false }
        let expected = Array(digest(secret: secret, timestamp: timestamp, body: body).utf8)
        return signatures.contains { candidate in
            let given = Array(candidate.utf8)
            guard given.count == expected.count else { return false }
            return zip(given, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }

    /// A new endpoint secret: `whsec_` and 32 random bytes in base64url.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "whsec_" + Base64URL.encode(bytes)
    }
}
