import Foundation
import Testing
@testable import SmarketingCore

@Suite("Login throttle")
struct LoginThrottleTests {
    private let now = Date(timeIntervalSince1970: 1_700_000_000)
    private let throttle = LoginThrottle()

    /// Failures that happened the given numbers of seconds before `now`.
    private func failures(secondsAgo: [TimeInterval]) -> [Date] {
        secondsAgo.map { now.addingTimeInterval(-$0) }
    }

    @Test("the defaults are 5 failures per email and 30 per address within 15 minutes")
    func defaults() {
        #expect(throttle.window == 15 * 60)
        #expect(throttle.maximumFailuresPerEmail == 5)
        #expect(throttle.maximumFailuresPerAddress == 30)
    }

    @Test("without failures a login is allowed")
    func noFailures() {
        #expect(throttle.decide(emailFailures: [], addressFailures: [], now: now) == .allowed)
    }

    @Test("four failures for one email are still allowed")
    func fourFailuresAllowed() {
        let recent = failures(secondsAgo: [400, 300, 200, 100])
        #expect(throttle.decide(emailFailures: recent, addressFailures: recent, now: now) == .allowed)
    }

    @Test("five failures for one email within 15 minutes refuse until the oldest leaves the window",
          arguments: [
              // (failures, seconds ago; expected retry-after in seconds)
              ([600.0, 500, 400, 300, 200], 300),
              ([60.0, 50, 40, 30, 20], 840),
              ([899.0, 10, 10, 10, 10], 1),
              ([0.0, 0, 0, 0, 0], 900),
              ([200.0, 600, 300, 500, 400], 300), // order of the input does not matter
          ])
    func fiveFailuresRefuse(secondsAgo: [TimeInterval], retryAfter: Int) {
        let decision = throttle.decide(emailFailures: failures(secondsAgo: secondsAgo), addressFailures: [], now: now)
        #expect(decision == .refused(retryAfter: retryAfter))
    }

    @Test("a login is allowed again exactly when the retry-after has passed, and not a second earlier")
    func allowedAgainAfterRetry() {
        let emailFailures = failures(secondsAgo: [600, 500, 400, 300, 200])
        #expect(throttle.decide(emailFailures: emailFailures, addressFailures: [], now: now) == .refused(retryAfter: 300))
        let justBefore = now.addingTimeInterval(299)
        #expect(throttle.decide(emailFailures: emailFailures, addressFailures: [], now: justBefore) == .refused(retryAfter: 1))
        let atRetry = now.addingTimeInterval(300)
        #expect(throttle.decide(emailFailures: emailFailures, addressFailures: [], now: atRetry) == .allowed)
    }

    @Test("failures older than the window do not count, nor one exactly 15 minutes old")
    func oldFailuresDoNotCount() {
        let emailFailures = failures(secondsAgo: [86_400, 3_600, 901, 900, 300, 200, 100, 50])
        #expect(throttle.decide(emailFailures: emailFailures, addressFailures: [], now: now) == .allowed)
    }

    @Test("with more than five failures, the wait lasts until only four remain in the window")
    func moreFailuresWaitLonger() {
        // Seven failures: the three oldest must leave; the third oldest is 600 seconds old.
        let emailFailures = failures(secondsAgo: [800, 700, 600, 500, 400, 300, 200])
        #expect(throttle.decide(emailFailures: emailFailures, addressFailures: [], now: now) == .refused(retryAfter: 300))
        #expect(throttle.decide(emailFailures: emailFailures, addressFailures: [], now: now.addingTimeInterval(299)) != .allowed)
        #expect(throttle.decide(emailFailures: emailFailures, addressFailures: [], now: now.addingTimeInterval(300)) == .allowed)
    }

    @Test("a fraction of a second to wait is rounded up, and the wait is never under one second",
          arguments: [(899.5, 1), (600.2, 300), (899.999, 1)])
    func retryAfterRoundsUp(oldest: TimeInterval, retryAfter: Int) {
        let emailFailures = failures(secondsAgo: [oldest, 10, 10, 10, 10])
        #expect(throttle.decide(emailFailures: emailFailures, addressFailures: [], now: now) == .refused(retryAfter: retryAfter))
    }

    @Test("29 failures from one address across emails are allowed, 30 are refused")
    func perAddressLimit() {
        let twentyNine = failures(secondsAgo: (1...29).map { TimeInterval($0 * 10) })
        #expect(throttle.decide(emailFailures: [], addressFailures: twentyNine, now: now) == .allowed)
        let thirty = failures(secondsAgo: (1...30).map { TimeInterval($0 * 10) })
        // The oldest of the thirty is 300 seconds old; it leaves the window in 600 seconds.
        #expect(throttle.decide(emailFailures: [], addressFailures: thirty, now: now) == .refused(retryAfter: 600))
    }

    @Test("the address limit ignores failures outside the window")
    func perAddressWindow() {
        let addressFailures = failures(secondsAgo: (1...29).map { TimeInterval($0 * 10) } + [900, 1_000, 5_000])
        #expect(throttle.decide(emailFailures: [], addressFailures: addressFailures, now: now) == .allowed)
    }

    @Test("when both limits are reached, the longer wait applies")
    func longerWaitWins() {
        let emailFailures = failures(secondsAgo: [100, 90, 80, 70, 60])                     // wait 800
        let addressFailures = failures(secondsAgo: (1...30).map { TimeInterval($0 * 20) })  // oldest 600 ago: wait 300
        #expect(throttle.decide(emailFailures: emailFailures, addressFailures: addressFailures, now: now) == .refused(retryAfter: 800))
        let laterEmail = failures(secondsAgo: [700, 690, 680, 670, 660])                    // wait 200
        #expect(throttle.decide(emailFailures: laterEmail, addressFailures: addressFailures, now: now) == .refused(retryAfter: 300))
    }

    @Test("four failures for an email do not add to the address count to refuse")
    func limitsAreSeparate() {
        let emailFailures = failures(secondsAgo: [40, 30, 20, 10])
        let addressFailures = failures(secondsAgo: (1...29).map { TimeInterval($0) })
        #expect(throttle.decide(emailFailures: emailFailures, addressFailures: addressFailures, now: now) == .allowed)
    }

    @Test("a throttle with its own window and limits uses them")
    func customLimits() {
        let strict = LoginThrottle(window: 60, maximumFailuresPerEmail: 3, maximumFailuresPerAddress: 10)
        #expect(strict.decide(emailFailures: failures(secondsAgo: [50, 40]), addressFailures: [], now: now) == .allowed)
        #expect(strict.decide(emailFailures: failures(secondsAgo: [50, 40, 30]), addressFailures: [], now: now) == .refused(retryAfter: 10))
        #expect(strict.decide(emailFailures: failures(secondsAgo: [70, 40, 30]), addressFailures: [], now: now) == .allowed)
        let tenFromAddress = failures(secondsAgo: (1...10).map { TimeInterval($0 * 5) })
        #expect(strict.decide(emailFailures: [], addressFailures: tenFromAddress, now: now) == .refused(retryAfter: 10))
    }
}
