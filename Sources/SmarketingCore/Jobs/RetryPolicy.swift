import Foundation

/// When a failed job is tried again: exponential back-off from `base`, capped at `cap`, with a
/// spread of ±`jitter` so that many jobs failing together (a receiver down) do not all come back
/// in the same second; after `maxAttempts` tries the job is given up and kept as failed.
public struct RetryPolicy: Sendable, Equatable {
    public var base: TimeInterval
    public var cap: TimeInterval
    public var maxAttempts: Int
    /// The share of the delay it may move either way (0.2 = ±20 %).
    public var jitter: Double

    public init(base: TimeInterval, cap: TimeInterval, maxAttempts: Int, jitter: Double = 0.2) {
        self.base = base
        self.cap = cap
        self.maxAttempts = max(1, maxAttempts)
        self.jitter = min(max(jitter, 0), 1)
    }

    /// Webhook deliveries and emails: 30 s, 1 min, 2 min … up to 6 hours apart, 10 tries
    /// (about 13 hours in all before giving up).
    public static let delivery = RetryPolicy(base: 30, cap: 6 * 3600, maxAttempts: 10)

    /// Work inside the product (a reminder, a report): quick retries, few of them.
    public static let internalWork = RetryPolicy(base: 5, cap: 300, maxAttempts: 5)

    /// The delay before try number `attempts + 1`, after `attempts` tries failed; `unit` in
    /// [0, 1) places it within the jitter (0.5 is the middle).
    public func delay(afterAttempts attempts: Int, unit: Double) -> TimeInterval {
        let exponent = Double(max(0, attempts - 1))
        let plain = min(cap, base * pow(2, min(exponent, 62)))
        let spread = plain * jitter * (2 * min(max(unit, 0), 1) - 1)
        return max(1, min(cap * (1 + jitter), plain + spread))
    }

    /// When to try again after `attempts` failed tries, or nil when the job is given up.
    public func nextAttempt(afterAttempts attempts: Int, now: Date, unit: Double = Double.random(in: 0..<1)) -> Date? {
        guard attempts < maxAttempts else { return nil }
        return now.addingTimeInterval(delay(afterAttempts: attempts, unit: unit))
    }
}
