import Foundation
import NIOCore
import SmarketingCore
import SmarketingStore

/// How the product sends email, read from the environment with the rest of ``AppConfig``.
///
/// `MAIL_TRANSPORT=outbox` (the default) keeps every message in the app's outbox; `smtp` sends
/// through the server named by `SMTP_HOST` and the other `SMTP_` variables. `MAIL_FROM` is the
/// sender of every message (`Name <address>`).
public struct MailSettings: Sendable, Equatable {
    public enum Transport: Sendable, Equatable {
        case outbox
        case smtp(SMTPSettings)
    }

    public var transport: Transport
    public var from: MailAddress

    /// The sender when `MAIL_FROM` is not set (the outbox transport sends nothing, so the
    /// address only has to be well formed).
    public static let defaultFrom = MailAddress(EmailAddress(stored: "no-reply@smarketing.localhost"), name: "Smarketing")

    public init(transport: Transport = .outbox, from: MailAddress = MailSettings.defaultFrom) {
        self.transport = transport
        self.from = from
    }

    public static func fromEnvironment(_ env: [String: String]) throws(ConfigurationError) -> MailSettings {
        func value(_ name: String) -> String? {
            guard let raw = env[name]?.trimmingBlanks, !raw.isEmpty else { return nil }
            return raw
        }
        var settings = MailSettings()
        if let raw = value("MAIL_FROM") {
            switch MailAddress.parse(raw, field: "MAIL_FROM") {
            case .success(let address): settings.from = address
            case .failure: throw ConfigurationError(variable: "MAIL_FROM", reason: "must be an email address, optionally with a name (Name <address>), got \"\(raw)\"")
            }
        }
        switch value("MAIL_TRANSPORT")?.lowercased() ?? "outbox" {
        case "outbox":
            return settings
        case "smtp":
            break
        case let other:
            throw ConfigurationError(variable: "MAIL_TRANSPORT", reason: "must be outbox or smtp, got \"\(other)\"")
        }
        guard value("MAIL_FROM") != nil else {
            throw ConfigurationError(variable: "MAIL_FROM", reason: "is required when MAIL_TRANSPORT=smtp (the sender of every message)")
        }
        guard let host = value("SMTP_HOST") else {
            throw ConfigurationError(variable: "SMTP_HOST", reason: "is required when MAIL_TRANSPORT=smtp")
        }
        guard host.utf8.allSatisfy({ $0 > 32 && $0 < 127 }), !host.contains("/") else {
            throw ConfigurationError(variable: "SMTP_HOST", reason: "must be a host name or an IP address, got \"\(host)\"")
        }
        var smtp = SMTPSettings(host: host)
        if let raw = value("SMTP_PORT") {
            guard let port = Int(raw), (1...65_535).contains(port) else {
                throw ConfigurationError(variable: "SMTP_PORT", reason: "must be a port number from 1 to 65535, got \"\(raw)\"")
            }
            smtp.port = port
        }
        if let raw = value("SMTP_STARTTLS") {
            guard let mode = SMTPSettings.StartTLS(text: raw) else {
                throw ConfigurationError(variable: "SMTP_STARTTLS", reason: "must be required, if-offered or off, got \"\(raw)\"")
            }
            smtp.startTLS = mode
        }
        let username = value("SMTP_USERNAME"), password = env["SMTP_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        switch (username, password) {
        case (nil, nil): break
        case (let username?, let password?): smtp.credentials = .init(username: username, password: password)
        case (nil, _?): throw ConfigurationError(variable: "SMTP_USERNAME", reason: "is required when SMTP_PASSWORD is set")
        case (_?, nil): throw ConfigurationError(variable: "SMTP_PASSWORD", reason: "is required when SMTP_USERNAME is set")
        }
        if let raw = value("SMTP_TLS_VERIFY") {
            switch raw.lowercased() {
            case "1", "true", "yes", "on": break
            case "0", "false", "no", "off": smtp.verification = .none
            default: throw ConfigurationError(variable: "SMTP_TLS_VERIFY", reason: "must be true or false, got \"\(raw)\"")
            }
        }
        if let path = value("SMTP_CA_FILE") {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ConfigurationError(variable: "SMTP_CA_FILE", reason: "must name a readable PEM file, got \"\(path)\"")
            }
            if smtp.verification == .none {
                throw ConfigurationError(variable: "SMTP_CA_FILE", reason: "cannot be used with SMTP_TLS_VERIFY=false: choose one")
            }
            smtp.verification = .caFile(path)
        }
        if let raw = value("SMTP_TIMEOUT") {
            guard let seconds = Int(raw), (1...600).contains(seconds) else {
                throw ConfigurationError(variable: "SMTP_TIMEOUT", reason: "must be a whole number of seconds from 1 to 600, got \"\(raw)\"")
            }
            smtp.timeoutSeconds = seconds
        }
        if let raw = value("SMTP_HELO_NAME") {
            guard raw.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
                throw ConfigurationError(variable: "SMTP_HELO_NAME", reason: "must be a host name, got \"\(raw)\"")
            }
            smtp.heloName = raw
        } else {
            smtp.heloName = settings.from.email.domain
        }
        settings.transport = .smtp(smtp)
        return settings
    }

    /// The transport these settings describe.
    public func makeTransport(group: any EventLoopGroup) -> any MailTransport {
        switch transport {
        case .outbox: OutboxOnlyTransport()
        case .smtp(let smtp): SMTPTransport(smtp, group: group)
        }
    }
}

/// Where and how the SMTP transport connects.
public struct SMTPSettings: Sendable, Equatable {
    /// Whether the connection is upgraded to TLS with STARTTLS before anything else is said.
    public enum StartTLS: String, Sendable, Equatable {
        /// Refuse to go on when the server does not offer it (the default).
        case required
        /// Upgrade when offered, else go on in plain text.
        case ifOffered = "if-offered"
        /// Never (a local relay on a trusted network).
        case off

        init?(text: String) {
            switch text.lowercased() {
            case "required", "true", "yes", "on": self = .required
            case "if-offered", "if_offered", "opportunistic": self = .ifOffered
            case "off", "false", "no": self = .off
            default: return nil
            }
        }
    }

    /// How the server's certificate is checked.
    public enum Verification: Sendable, Equatable {
        /// Against the system's trusted authorities, with the host name (the default).
        case system
        /// Against the authorities in a PEM file (a company's own CA).
        case caFile(String)
        /// Not at all (a local test server with a self-signed certificate).
        case none
    }

    public struct Credentials: Sendable, Equatable {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    public var host: String
    public var port: Int
    public var startTLS: StartTLS
    public var verification: Verification
    public var credentials: Credentials?
    /// The name the transport gives itself in EHLO.
    public var heloName: String
    /// How long one step (connecting, each reply) may take.
    public var timeoutSeconds: Int

    public init(host: String, port: Int = 587, startTLS: StartTLS = .required, verification: Verification = .system,
                credentials: Credentials? = nil, heloName: String = "localhost", timeoutSeconds: Int = 30) {
        self.host = host
        self.port = port
        self.startTLS = startTLS
        self.verification = verification
        self.credentials = credentials
        self.heloName = heloName
        self.timeoutSeconds = timeoutSeconds
    }
}
