import Foundation
import Testing
@testable import SmarketingCore

@Suite("The last days of a workspace's calendar")
struct CalendarDaysTests {
    @Test("the last 14 days end with today in the workspace's time zone, oldest first, each from its local midnight to the next")
    func lastDaysInTimeZone() {
        // 2026-12-05 01:30 UTC is still the 4th in São Paulo (22:30, UTC-3).
        let days = CalendarDays(last: 14, endingAt: utc(2026, 12, 5, 1, 30), timeZone: TimeZone(identifier: "America/Sao_Paulo")!)
        #expect(days.spans.count == 14)
        #expect(days.spans.first?.day.iso == "2026-11-21")
        #expect(days.spans.last?.day.iso == "2026-12-04")
        #expect(days.start == utc(2026, 11, 21, 3))
        #expect(days.end == utc(2026, 12, 5, 3))
        for (earlier, later) in zip(days.spans, days.spans.dropFirst()) {
            #expect(earlier.end == later.start, "the days follow each other with no gap")
            #expect(later.end.timeIntervalSince(later.start) == 24 * 3600)
        }
    }

    @Test("a day on which the clocks change lasts 23 or 25 hours")
    func daylightSaving() {
        let newYork = TimeZone(identifier: "America/New_York")!
        // New York leaves summer time on 2026-11-01 and starts it on 2026-03-08.
        let autumn = CalendarDays(last: 3, endingAt: utc(2026, 11, 2, 15), timeZone: newYork)
        #expect(autumn.spans.map(\.day.iso) == ["2026-10-31", "2026-11-01", "2026-11-02"])
        #expect(autumn.spans.map { $0.end.timeIntervalSince($0.start) / 3600 } == [24, 25, 24])
        let spring = CalendarDays(last: 2, endingAt: utc(2026, 3, 8, 15), timeZone: newYork)
        #expect(spring.spans.map { $0.end.timeIntervalSince($0.start) / 3600 } == [24, 23])
    }

    @Test("an instant falls in the day that holds it: a day's start is in it, its end is in the next, and outside them all is none")
    func index() {
        let days = CalendarDays(last: 2, endingAt: utc(2026, 12, 5, 12), timeZone: TimeZone(identifier: "UTC")!)
        #expect(days.index(of: utc(2026, 12, 4, 0)) == 0)
        #expect(days.index(of: utc(2026, 12, 4, 23, 59)) == 0)
        #expect(days.index(of: utc(2026, 12, 5, 0)) == 1)
        #expect(days.index(of: utc(2026, 12, 5, 23, 59)) == 1)
        #expect(days.index(of: utc(2026, 12, 3, 23, 59)) == nil)
        #expect(days.index(of: utc(2026, 12, 6, 0)) == nil)
    }

    @Test("asking for no days gives today alone")
    func atLeastToday() {
        let days = CalendarDays(last: 0, endingAt: utc(2026, 12, 5, 12), timeZone: TimeZone(identifier: "UTC")!)
        #expect(days.spans.map(\.day.iso) == ["2026-12-05"])
    }
}
