import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The application's one clock. Production reads the system time; tests set and advance it,
/// so expiries and throttles are tested without sleeping. Times are truncated to whole
/// milliseconds, the precision every list cursor uses.
public final class AppClock: Sendable {
    private let fixed: NIOLockedValueBox<Date?>

    public init(fixed: Date? = nil) {
        self.fixed = NIOLockedValueBox(fixed)
    }

    public func now() -> Date {
        let date = fixed.withLockedValue { $0 } ?? Date()
        return Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    /// Stops the clock at a time (tests).
    public func set(_ date: Date) {
        fixed.withLockedValue { $0 = date }
    }

    /// Moves a stopped clock forward (tests).
    public func advance(by interval: TimeInterval) {
        fixed.withLockedValue { $0 = ($0 ?? Date()).addingTimeInterval(interval) }
    }
}

extension Application {
    private struct ClockKey: StorageKey {
        typealias Value = AppClock
    }

    private struct ConfigKey: StorageKey {
        typealias Value = AppConfig
    }

    public var clock: AppClock {
        get {
            if let clock = storage[ClockKey.self] { return clock }
            let clock = AppClock()
            storage[ClockKey.self] = clock
            return clock
        }
        set { storage[ClockKey.self] = newValue }
    }

    public var config: AppConfig {
        get {
            guard let config = storage[ConfigKey.self] else {
                fatalError("configure(_:config:) sets the configuration before anything reads it")
            }
            return config
        }
        set { storage[ConfigKey.self] = newValue }
    }
}

extension Request {
    public var now: Date { application.clock.now() }
}
