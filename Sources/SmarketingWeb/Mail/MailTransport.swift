import Foundation
import SmarketingCore
import Vapor

/// Carries a message out of the outbox. The configuration picks one (`MAIL_TRANSPORT`): the
/// outbox transport, which keeps every message in the app, or SMTP.
public protocol MailTransport: Sendable {
    /// The transport's name as pages and logs show it (`outbox`, `smtp`).
    var name: String { get }

    /// Sends the message, or keeps it; throws a ``MailDeliveryError`` saying whether a later
    /// try may succeed.
    func send(_ message: MailMessage) async throws -> MailDeliveryResult
}

/// What a transport did with a message it did not refuse.
public enum MailDeliveryResult: Sendable, Equatable {
    /// The mail server accepted it; its reply (`250 2.0.0 Ok: queued as ...`).
    case sent(reply: String)
    /// The transport kept it in the outbox on purpose.
    case held(reason: String)
}

/// Why a delivery failed, at which step, and whether trying again later may help: a 4xx
/// reply, a refused or cut connection and a timeout may pass (transient); a 5xx reply, wrong
/// credentials or a server without the required STARTTLS will not (permanent).
public struct MailDeliveryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case transient, permanent
    }

    public var kind: Kind
    /// The step that failed, in words: `connection`, `authentication`, `RCPT TO`...
    public var step: String
    /// The server's reply code, when it answered.
    public var code: Int?
    public var detail: String

    public init(_ kind: Kind, step: String, code: Int? = nil, detail: String) {
        self.kind = kind
        self.step = step
        self.code = code
        self.detail = detail
    }

    public var isTransient: Bool { kind == .transient }

    public var description: String {
        "SMTP \(step) failed (\(kind == .transient ? "temporary, will be retried" : "permanent")): \(detail)"
    }
}

/// The outbox transport, the default: nothing leaves the machine. Each message is checked
/// and rendered like a real one, then kept in the outbox, where the Outbox page shows it.
public struct OutboxOnlyTransport: MailTransport {
    public static let heldReason = "held – not sent, outbox transport"

    public init() {}

    public var name: String { "outbox" }

    public func send(_ message: MailMessage) async throws -> MailDeliveryResult {
        do {
            _ = try MIMEMessage.render(message)
        } catch {
            throw MailDeliveryError(.permanent, step: "message", detail: "the message cannot be written: " + error.errors.map(\.field).joined(separator: ", "))
        }
        return .held(reason: Self.heldReason)
    }
}

extension Application {
    private struct MailTransportKey: StorageKey {
        typealias Value = any MailTransport
    }

    /// The transport the configuration chose; tests put their own in its place.
    public var mailTransport: any MailTransport {
        get {
            if let transport = storage[MailTransportKey.self] { return transport }
            let transport = config.mail.makeTransport(group: eventLoopGroup)
            storage[MailTransportKey.self] = transport
            return transport
        }
        set { storage[MailTransportKey.self] = newValue }
    }
}
