import NIOConcurrencyHelpers
import SmarketingCore
import Vapor

/// The rate limits of the public endpoints (t.js collection, hosted forms, email links), per
/// caller, in memory: a caller over its limit gets 429 with `Retry-After`.
final class RateLimits: Sendable {
    private let tables = NIOLockedValueBox<[RateLimitPolicy: RateLimitTable]>([:])

    /// Nil when `key` may go on under `policy`; else the seconds to wait.
    func take(_ policy: RateLimitPolicy, key: String, now: Date) -> Int? {
        tables.withLockedValue { tables in
            var table = tables[policy] ?? RateLimitTable(policy: policy)
            let wait = table.take(key, now: now)
            tables[policy] = table
            return wait
        }
    }

    /// Throws 429 with `Retry-After` when `key` is over `policy`.
    func check(_ policy: RateLimitPolicy, key: String, now: Date) throws {
        if let wait = take(policy, key: key, now: now) {
            throw Abort(.tooManyRequests, headers: ["Retry-After": String(wait)], reason: "Too many requests; try again in \(wait) s.")
        }
    }
}

extension Application {
    private struct RateLimitsKey: StorageKey {
        typealias Value = RateLimits
    }

    /// Set up by `configure`.
    var rateLimits: RateLimits {
        get {
            guard let limits = storage[RateLimitsKey.self] else { fatalError("configure(_:) sets up the rate limits") }
            return limits
        }
        set { storage[RateLimitsKey.self] = newValue }
    }
}

extension Request {
    /// The caller's IP address: the socket's peer, or the first address of `X-Forwarded-For`
    /// when the product runs behind a proxy it trusts (`TRUST_PROXY`).
    var clientAddress: String {
        if application.config.trustProxy, let forwarded = headers.first(name: .xForwardedFor)?.split(separator: ",").first {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }
}
