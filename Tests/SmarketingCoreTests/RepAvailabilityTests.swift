import Foundation
import Testing
@testable import SmarketingCore

/// An instant given as a UTC calendar date and time.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
}

@Suite("Rep availability")
struct RepAvailabilityTests {
    private func day(_ text: String) -> CalendarDay { CalendarDay(parsing: text)! }

    private let nineToFive = WorkingHours.weekdays(DayHours(start: 9 * 60, end: 17 * 60)!)

    @Test("working hours are read in the rep's own time zone")
    func hoursInRepTimeZone() {
        let saoPaulo = RepAvailability(timeZone: "America/Sao_Paulo", workingHours: nineToFive)
        let lisbon = RepAvailability(timeZone: "Europe/Lisbon", workingHours: nineToFive)
        // Wednesday 2026-11-25 18:30 UTC: 15:30 in São Paulo, 18:30 in Lisbon.
        let now = utc(2026, 11, 25, 18, 30)

        #expect(saoPaulo.unavailability(at: now, load: RepLoad()) == nil)
        #expect(lisbon.unavailability(at: now, load: RepLoad()) == .outsideWorkingHours)
    }

    @Test("working hours follow daylight saving time: 09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer")
    func hoursAcrossDST() {
        let newYork = RepAvailability(timeZone: "America/New_York", workingHours: nineToFive)

        // Friday 2026-03-06, before the clocks change: 13:30 UTC is 08:30 EST.
        #expect(newYork.unavailability(at: utc(2026, 3, 6, 13, 30), load: RepLoad()) == .outsideWorkingHours)
        #expect(newYork.unavailability(at: utc(2026, 3, 6, 14, 30), load: RepLoad()) == nil)
        // Monday 2026-03-09, after: 13:30 UTC is 09:30 EDT, and 21:30 UTC is 17:30 EDT.
        #expect(newYork.unavailability(at: utc(2026, 3, 9, 13, 30), load: RepLoad()) == nil)
        #expect(newYork.unavailability(at: utc(2026, 3, 9, 21, 30), load: RepLoad()) == .outsideWorkingHours)
    }

    @Test("the start and end of working hours: the first minute is in, the end minute is out")
    func hoursBoundaries() {
        let utcRep = RepAvailability(timeZone: "UTC", workingHours: nineToFive)
        #expect(utcRep.unavailability(at: utc(2026, 11, 25, 8, 59), load: RepLoad()) == .outsideWorkingHours)
        #expect(utcRep.unavailability(at: utc(2026, 11, 25, 9, 0), load: RepLoad()) == nil)
        #expect(utcRep.unavailability(at: utc(2026, 11, 25, 16, 59), load: RepLoad()) == nil)
        #expect(utcRep.unavailability(at: utc(2026, 11, 25, 17, 0), load: RepLoad()) == .outsideWorkingHours)
        // Saturday has no hours: a day off.
        #expect(utcRep.unavailability(at: utc(2026, 11, 28, 12, 0), load: RepLoad()) == .outsideWorkingHours)
    }

    @Test("a weekday is the rep's weekday: Monday 01:00 in Tokyo is still Sunday in UTC")
    func weekdayInRepZone() {
        let tokyo = RepAvailability(timeZone: "Asia/Tokyo", workingHours: WorkingHours([.monday: DayHours(start: 0, end: 120)!]))
        #expect(tokyo.unavailability(at: utc(2026, 11, 29, 16, 0), load: RepLoad()) == nil)
    }

    @Test("out of office covers whole days in the rep's calendar, both ends included")
    func outOfOfficeBoundaries() {
        let away = RepAvailability(timeZone: "America/Sao_Paulo", outOfOffice: [Absence(from: day("2026-11-25"), to: day("2026-11-27"))])
        // São Paulo is UTC-3: its 25th starts at 03:00 UTC and its 27th ends at 03:00 UTC on the 28th.
        #expect(away.unavailability(at: utc(2026, 11, 25, 2, 59), load: RepLoad()) == nil)
        #expect(away.unavailability(at: utc(2026, 11, 25, 3, 0), load: RepLoad()) == .outOfOffice)
        #expect(away.unavailability(at: utc(2026, 11, 28, 2, 59), load: RepLoad()) == .outOfOffice)
        #expect(away.unavailability(at: utc(2026, 11, 28, 3, 0), load: RepLoad()) == nil)
    }

    @Test("capacity per day and per week: at the cap the rep is full")
    func capacity() {
        let capped = RepAvailability(timeZone: "UTC", capacityPerDay: 5, capacityPerWeek: 20)
        let now = utc(2026, 11, 25, 12)
        #expect(capped.unavailability(at: now, load: RepLoad(today: 4, thisWeek: 19)) == nil)
        #expect(capped.unavailability(at: now, load: RepLoad(today: 5, thisWeek: 5)) == .dailyCapacityReached)
        #expect(capped.unavailability(at: now, load: RepLoad(today: 2, thisWeek: 20)) == .weeklyCapacityReached)
    }

    @Test("a paused rep is inactive before anything else is checked")
    func paused() {
        let paused = RepAvailability(timeZone: "UTC", workingHours: nineToFive, takesLeads: false)
        #expect(paused.unavailability(at: utc(2026, 11, 28, 12), load: RepLoad()) == .inactive)
    }

    @Test("the day and the week a load is counted in start at the rep's midnight, weeks on Monday")
    func loadWindows() {
        let saoPaulo = RepAvailability(timeZone: "America/Sao_Paulo")
        let wednesday = utc(2026, 11, 25, 15)
        #expect(saoPaulo.dayStart(at: wednesday) == utc(2026, 11, 25, 3))
        #expect(saoPaulo.weekStart(at: wednesday) == utc(2026, 11, 23, 3))
        #expect(saoPaulo.day(at: utc(2026, 11, 25, 2)) == day("2026-11-24"))

        let newYork = RepAvailability(timeZone: "America/New_York")
        // Sunday 2026-03-08 is the day the clocks go forward: it started at 05:00 UTC (EST).
        #expect(newYork.dayStart(at: utc(2026, 3, 8, 20)) == utc(2026, 3, 8, 5))
        // The next week starts on Monday at 00:00 EDT, 04:00 UTC.
        #expect(newYork.weekStart(at: utc(2026, 3, 10, 20)) == utc(2026, 3, 9, 4))
        // A Sunday belongs to the week that started the Monday before.
        #expect(newYork.weekStart(at: utc(2026, 3, 8, 20)) == utc(2026, 3, 2, 5))
    }

    @Test("day hours read as people type them", arguments: [
        ("09:00-18:00", "09:00-18:00"), ("9h - 18h", "09:00-18:00"), ("8:30 to 12:00", "08:30-12:00"), ("13h30 – 24:00", "13:30-24:00"),
        ("08:00 a 17:00", "08:00-17:00"),
    ])
    func dayHours(typed: String, read: String) {
        #expect(DayHours(parsing: typed)?.text == read)
    }

    @Test("day hours that are not two times with the first earlier are refused", arguments: ["18:00-09:00", "9-9", "25:00-26:00", "nine to five", "09:60-10:00", "10:00"])
    func badDayHours(typed: String) {
        #expect(DayHours(parsing: typed) == nil)
    }

    @Test("the availability form reads every field and its fields read back the same")
    func formRoundTrip() throws {
        let fields = [
            "time_zone": "Europe/Lisbon", "takes_leads": "yes", "capacity_per_day": "5", "capacity_per_week": "",
            "working_hours.monday": "9h-18h", "working_hours.friday": "09:00-13:00",
            "out_of_office[0].from": "24/12/2026", "out_of_office[0].to": "2027-01-02",
            "out_of_office[1].from": "", "out_of_office[1].to": "",
            "out_of_office[2].from": "2026-11-30",
        ]
        let availability = try RepAvailabilityForm.parse(fields).get()

        #expect(availability == RepAvailability(
            timeZone: "Europe/Lisbon",
            workingHours: WorkingHours([.monday: DayHours(start: 540, end: 1080)!, .friday: DayHours(start: 540, end: 780)!]),
            outOfOffice: [Absence(from: day("2026-12-24"), to: day("2027-01-02")), Absence(from: day("2026-11-30"), to: day("2026-11-30"))],
            capacityPerDay: 5, capacityPerWeek: nil, takesLeads: true
        ))
        #expect(try RepAvailabilityForm.parse(RepAvailabilityForm.fields(of: availability)).get() == availability)
    }

    @Test("every bad input of the availability form is named at once")
    func formErrors() {
        let fields = [
            "time_zone": "Mars/Olympus", "capacity_per_day": "0", "capacity_per_week": "many",
            "working_hours.monday": "nine to five", "working_hours.tuesday": "10:00-09:00",
            "out_of_office[0].from": "2026-12-10", "out_of_office[0].to": "2026-12-01",
            "out_of_office[3].from": "someday",
        ]
        guard case .failure(let failure) = RepAvailabilityForm.parse(fields) else {
            Issue.record("a bad availability was accepted")
            return
        }
        #expect(Set(failure.errors) == [
            FieldError("time_zone", .notInList), FieldError("capacity_per_day", .invalid), FieldError("capacity_per_week", .notANumber),
            FieldError("working_hours.monday", .invalid), FieldError("working_hours.tuesday", .invalid),
            FieldError("out_of_office[0].to", .invalid), FieldError("out_of_office[3].from", .notADate),
        ])
    }

    @Test("a week cap below the day cap is refused on the week cap")
    func weekBelowDay() {
        #expect(RepAvailability(timeZone: "UTC", capacityPerDay: 10, capacityPerWeek: 5).problems() == [FieldError("capacity_per_week", .invalid)])
    }

    @Test("availability is stored as JSON with readable hours and days")
    func json() throws {
        let availability = RepAvailability(timeZone: "UTC", workingHours: nineToFive,
                                           outOfOffice: [Absence(from: day("2026-12-24"), to: day("2026-12-26"))], capacityPerDay: 3)
        let text = String(decoding: try JSONEncoder().encode(availability), as: UTF8.self)
        #expect(text.contains("\"monday\":\"09:00-17:00\""))
        #expect(text.contains("\"from\":\"2026-12-24\""))
        #expect(try JSONDecoder().decode(RepAvailability.self, from: Data(text.utf8)) == availability)
    }

    @Test("weights are whole numbers from 1 to 100")
    func weights() {
        var checker = FieldChecker()
        #expect(RoutingWeight.check("weight", " 3 ", into: &checker) == 3)
        #expect(RoutingWeight.check("w0", "0", into: &checker) == nil)
        #expect(RoutingWeight.check("w1", "1.5", into: &checker) == nil)
        #expect(RoutingWeight.check("w2", "", into: &checker) == nil)
        #expect(checker.errors == [FieldError("w0", .invalid), FieldError("w1", .notANumber), FieldError("w2", .required)])
    }
}
