import Foundation
import SmarketingStore

/// The product's configuration, read once from the environment at start.
/// A missing or invalid variable stops the start with a message naming it.
public struct AppConfig: Sendable {
    public var database: DatabaseLocation
    /// bcrypt work factor for new password hashes (4...16; 12 by default).
    public var bcryptCost: Int
    /// Mark cookies `Secure` (set when the product is served over HTTPS).
    public var secureCookies: Bool
    /// The address people reach the product at, for links in invitations; when nil the
    /// request's own host is used.
    public var publicURL: String?
    /// `text` (default) or `json` log lines.
    public var logFormat: LogFormat
    /// Run migrations on start also on PostgreSQL (SQLite always migrates on start).
    public var autoMigrate: Bool
    /// Take the caller's address from `X-Forwarded-For` (set when a proxy the product trusts
    /// stands in front of it); else the socket's peer is the caller (rate limits per IP).
    public var trustProxy: Bool = false
    /// Workers running the job queue in this process (`JOB_WORKERS`, 2 when served; 0 leaves
    /// the jobs to other instances, and to tests, which run them by hand).
    public var jobWorkers: Int = 0
    /// How email is sent: kept in the outbox (default) or through SMTP (`MAIL_TRANSPORT`, `SMTP_*`, `MAIL_FROM`).
    public var mail = MailSettings()

    public enum LogFormat: String, Sendable {
        case text, json
    }

    public init(
        database: DatabaseLocation, bcryptCost: Int = 12, secureCookies: Bool = false, publicURL: String? = nil,
        logFormat: LogFormat = .text, autoMigrate: Bool = false
    ) {
        self.database = database
        self.bcryptCost = bcryptCost
        self.secureCookies = secureCookies
        self.publicURL = publicURL
        self.logFormat = logFormat
        self.autoMigrate = autoMigrate
    }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> AppConfig {
        let database = try DatabaseLocation.from(databaseURL: env["DATABASE_URL"], sqlitePath: env["SQLITE_PATH"] ?? "./smarketing.sqlite")
        var config = AppConfig(database: database)
        if let raw = env["BCRYPT_COST"], !raw.isEmpty {
            guard let cost = Int(raw), (4...16).contains(cost) else {
                throw ConfigurationError(variable: "BCRYPT_COST", reason: "must be a whole number from 4 to 16, got \"\(raw)\"")
            }
            config.bcryptCost = cost
        }
        config.secureCookies = try flag("SECURE_COOKIES", env) ?? false
        config.autoMigrate = try flag("AUTO_MIGRATE", env) ?? false
        config.trustProxy = try flag("TRUST_PROXY", env) ?? false
        config.jobWorkers = 2
        if let raw = env["JOB_WORKERS"], !raw.isEmpty {
            guard let workers = Int(raw), (0...64).contains(workers) else {
                throw ConfigurationError(variable: "JOB_WORKERS", reason: "must be a whole number from 0 to 64, got \"\(raw)\"")
            }
            config.jobWorkers = workers
        }
        if let raw = env["PUBLIC_URL"], !raw.isEmpty {
            guard let url = URL(string: raw), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ConfigurationError(variable: "PUBLIC_URL", reason: "must be an http:// or https:// URL, got \"\(raw)\"")
            }
            config.publicURL = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
        }
        if let raw = env["LOG_FORMAT"], !raw.isEmpty {
            guard let format = LogFormat(rawValue: raw) else {
                throw ConfigurationError(variable: "LOG_FORMAT", reason: "must be text or json, got \"\(raw)\"")
            }
            config.logFormat = format
        }
        config.mail = try MailSettings.fromEnvironment(env)
        return config
    }

    private static func flag(_ name: String, _ env: [String: String]) throws(ConfigurationError) -> Bool? {
        guard let raw = env[name]?.lowercased(), !raw.isEmpty else { return nil }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(variable: name, reason: "must be true or false, got \"\(raw)\"")
        }
    }
}
