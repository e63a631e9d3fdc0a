import Foundation

/// How often one caller (an IP address, a workspace) may use a public endpoint: a bucket of
/// `burst` requests that refills at `perSecond`. A caller over the limit is told how many
/// seconds to wait (`Retry-After`).
public struct RateLimitPolicy: Sendable, Equatable, Hashable {
    public var burst: Double
    public var perSecond: Double

    public init(burst: Double, perSecond: Double) {
        self.burst = burst
        self.perSecond = perSecond
    }

    /// Page views from t.js, per visitor IP address.
    public static let collectPerIP = RateLimitPolicy(burst: 60, perSecond: 10)
    /// Page views from t.js, per workspace (all its sites together).
    public static let collectPerWorkspace = RateLimitPolicy(burst: 5_000, perSecond: 2_000)
    /// Form submissions per IP address: a person fills a few forms a minute.
    public static let formPerIP = RateLimitPolicy(burst: 10, perSecond: 0.2)
    /// Email opens, clicks and unsubscribes per IP address (mail scanners open many at once).
    public static let emailLinkPerIP = RateLimitPolicy(burst: 120, perSecond: 20)
}

/// One caller's bucket.
public struct TokenBucket: Sendable, Equatable {
    public private(set) var tokens: Double
    public private(set) var updatedAt: Date

    public init(policy: RateLimitPolicy, now: Date) {
        tokens = policy.burst
        updatedAt = now
    }

    /// Takes one request from the bucket; nil when allowed, else the whole seconds to wait
    /// (at least 1) before the next request would be.
    public mutating func take(_ policy: RateLimitPolicy, now: Date) -> Int? {
        let elapsed = max(0, now.timeIntervalSince(updatedAt))
        tokens = min(policy.burst, tokens + elapsed * policy.perSecond)
        updatedAt = now
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return max(1, Int(((1 - tokens) / policy.perSecond).rounded(.up)))
    }

    /// Whether the bucket is full again, so forgetting it changes nothing.
    public func isFull(_ policy: RateLimitPolicy, now: Date) -> Bool {
        tokens + max(0, now.timeIntervalSince(updatedAt)) * policy.perSecond >= policy.burst
    }
}

/// The buckets of many callers under one policy, in memory. Full buckets are forgotten when
/// the table grows, so a flood of distinct addresses cannot grow it without bound.
public struct RateLimitTable: Sendable {
    public let policy: RateLimitPolicy
    public let capacity: Int
    private var buckets: [String: TokenBucket] = [:]

    public init(policy: RateLimitPolicy, capacity: Int = 100_000) {
        self.policy = policy
        self.capacity = capacity
    }

    public var count: Int { buckets.count }

    /// Nil when `key` may go on; else the seconds it must wait.
    public mutating func take(_ key: String, now: Date) -> Int? {
        if buckets[key] == nil, buckets.count >= capacity {
            buckets = buckets.filter { !$0.value.isFull(policy, now: now) }
            // Still full of active callers: the newcomer waits rather than grow the table.
            if buckets.count >= capacity { return 1 }
        }
        var bucket = buckets[key] ?? TokenBucket(policy: policy, now: now)
        let wait = bucket.take(policy, now: now)
        buckets[key] = bucket
        return wait
    }
}
