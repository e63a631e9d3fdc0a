import Testing
@testable import SmarketingCore

@Suite("Calendar days")
struct CalendarDayTests {
    @Test("a day written the ways spreadsheets write it is read as ISO",
          arguments: [
              ("2026-03-01", "2026-03-01"),
              ("01/03/2026", "2026-03-01"),
              ("1/3/2026", "2026-03-01"),
              ("31/12/1999", "1999-12-31"),
              ("2026/03/01", "2026-03-01"),
              ("2026/3/1", "2026-03-01"),
              ("  2026-03-01 \n", "2026-03-01"),
              ("0900-01-01", "0900-01-01"),
          ])
    func reads(text: String, iso: String) {
        #expect(CalendarDay(parsing: text)?.iso == iso)
    }

    @Test("what is not a day of the calendar is refused",
          arguments: [
              "", "2026", "2026-03", "2026-3-1", "26-03-01", "2026-03-01T10:00:00Z", "2026-03-01 10:00",
              "01-03-2026", "01.03.2026", "03/2026", "1/3/26", "001/03/2026", "2026/003/01", "2026-02-30",
              "2026-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "31/04/2026", "0000-01-01",
              "2026-0a-01", "２０２６-03-01", "+2026-03-01", "2026/03/01/02",
          ])
    func refuses(text: String) {
        #expect(CalendarDay(parsing: text) == nil)
    }

    @Test("leap years follow the Gregorian rule",
          arguments: [(2024, true), (2000, true), (1900, false), (2100, false), (2026, false), (1600, true)])
    func leapYears(year: Int, leap: Bool) {
        #expect(CalendarDay.isLeapYear(year) == leap)
        #expect((CalendarDay(year: year, month: 2, day: 29) != nil) == leap)
    }

    @Test("each month has its number of days",
          arguments: [(1, 31), (2, 28), (3, 31), (4, 30), (5, 31), (6, 30), (7, 31), (8, 31), (9, 30), (10, 31), (11, 30), (12, 31)])
    func monthLengths(month: Int, days: Int) {
        #expect(CalendarDay.numberOfDays(inMonth: month, year: 2026) == days)
        #expect(CalendarDay(year: 2026, month: month, day: days) != nil)
        #expect(CalendarDay(year: 2026, month: month, day: days + 1) == nil)
        #expect(CalendarDay(year: 2026, month: month, day: 0) == nil)
    }

    @Test("days compare in calendar order, as their ISO text does")
    func order() throws {
        let days = try ["2025-12-31", "2026-01-01", "2026-01-02", "2026-02-01"].map { try #require(CalendarDay(parsing: $0)) }
        #expect(days == days.sorted())
        #expect(days.map(\.iso) == days.map(\.iso).sorted())
        #expect(days[0].description == "2025-12-31")
    }

    @Test("the year is kept to four digits")
    func yearRange() {
        #expect(CalendarDay(year: 0, month: 1, day: 1) == nil)
        #expect(CalendarDay(year: 10_000, month: 1, day: 1) == nil)
        #expect(CalendarDay(year: 1, month: 1, day: 1)?.iso == "0001-01-01")
    }
}
