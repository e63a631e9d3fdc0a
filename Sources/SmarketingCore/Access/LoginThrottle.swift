import Foundation

/// Limits password guessing: too many failed logins for one email, or from one address,
/// within a window make further attempts wait.
public struct LoginThrottle: Sendable, Equatable {
    public var window: TimeInterval
    public var maximumFailuresPerEmail: Int
    public var maximumFailuresPerAddress: Int

    public init(window: TimeInterval = 15 * 60, maximumFailuresPerEmail: Int = 5, maximumFailuresPerAddress: Int = 30) {
        self.window = window
        self.maximumFailuresPerEmail = max(1, maximumFailuresPerEmail)
        self.maximumFailuresPerAddress = max(1, maximumFailuresPerAddress)
    }

    public enum Decision: Sendable, Equatable {
        case allowed
        /// Refused; the caller may try again after this many seconds.
        case refused(retryAfter: Int)
    }

    /// Decides from the times of recent failures (for this email and for this address).
    public func decide(emailFailures: [Date], addressFailures: [Date], now: Date) -> Decision {
        let since = now.addingTimeInterval(-window)
        let byEmail = emailFailures.filter { $0 > since }.sorted()
        let byAddress = addressFailures.filter { $0 > since }.sorted()
        var waits: [TimeInterval] = []
        if byEmail.count >= maximumFailuresPerEmail {
            waits.append(byEmail[byEmail.count - maximumFailuresPerEmail].timeIntervalSince(since))
        }
        if byAddress.count >= maximumFailuresPerAddress {
            waits.append(byAddress[byAddress.count - maximumFailuresPerAddress].timeIntervalSince(since))
        }
        guard let wait = waits.max() else { return .allowed }
        return .refused(retryAfter: max(1, Int(wait.rounded(.up))))
    }
}
