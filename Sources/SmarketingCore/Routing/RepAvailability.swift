import Foundation

/// When a rep takes new leads: their own time zone, working hours per weekday, days out of
/// office, and how many routed leads they may get per day and per week. Everything is read in
/// the rep's time zone (a rep in Lisbon works 09:00–18:00 Lisbon time, summer or winter).
public struct RepAvailability: Sendable, Equatable, Codable {
    /// An IANA identifier, e.g. `America/Sao_Paulo`.
    public var timeZone: String
    /// Nil: any hour of any day. Otherwise the rep takes leads only within a day's hours, and not
    /// at all on days without hours.
    public var workingHours: WorkingHours?
    /// Whole days away, in the rep's calendar, both ends included.
    public var outOfOffice: [Absence]
    /// Leads routed to the rep per day (midnight to midnight, rep's time); nil: no cap.
    public var capacityPerDay: Int?
    /// Leads routed to the rep per week (Monday to Sunday, rep's time); nil: no cap.
    public var capacityPerWeek: Int?
    /// False pauses routing to the rep (a manager's switch; a deactivated user is paused too).
    public var takesLeads: Bool

    public init(timeZone: String, workingHours: WorkingHours? = nil, outOfOffice: [Absence] = [],
                capacityPerDay: Int? = nil, capacityPerWeek: Int? = nil, takesLeads: Bool = true) {
        self.timeZone = timeZone
        self.workingHours = workingHours
        self.outOfOffice = outOfOffice
        self.capacityPerDay = capacityPerDay
        self.capacityPerWeek = capacityPerWeek
        self.takesLeads = takesLeads
    }

    /// A rep nobody configured: always available, no cap, in the workspace's time zone.
    public static func unrestricted(timeZone: String) -> RepAvailability {
        RepAvailability(timeZone: timeZone)
    }

    /// Leads a cap may allow per day or week.
    public static let capacityRange = 1...10_000
    /// Absences one rep may list.
    public static let maximumAbsences = 50

    /// The rep's calendar: Gregorian, in their zone (UTC when the identifier is unknown), weeks
    /// starting on Monday.
    public var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC") ?? calendar.timeZone
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        return calendar
    }

    /// The rep's day at `now`.
    public func day(at now: Date) -> CalendarDay {
        CalendarDay(utc: now.addingTimeInterval(TimeInterval(calendar.timeZone.secondsFromGMT(for: now))))
    }

    /// The start of the rep's day containing `now` (their midnight, as an instant).
    public func dayStart(at now: Date) -> Date {
        calendar.startOfDay(for: now)
    }

    /// The start of the rep's week containing `now` (Monday midnight, their time).
    public func weekStart(at now: Date) -> Date {
        calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? dayStart(at: now)
    }

    /// Why the rep cannot take a lead at `now` with `load` already routed to them, or nil when
    /// they can. Checked in this order: paused, out of office, outside working hours, day cap,
    /// week cap.
    public func unavailability(at now: Date, load: RepLoad) -> Unavailability? {
        if !takesLeads { return .inactive }
        let today = day(at: now)
        if outOfOffice.contains(where: { $0.contains(today) }) { return .outOfOffice }
        if let workingHours, !workingHours.contains(now, in: calendar) { return .outsideWorkingHours }
        if let capacityPerDay, load.today >= capacityPerDay { return .dailyCapacityReached }
        if let capacityPerWeek, load.thisWeek >= capacityPerWeek { return .weeklyCapacityReached }
        return nil
    }
}

/// How many leads were routed to a rep in their current day and week (the week includes today).
public struct RepLoad: Sendable, Equatable, Codable {
    public var today: Int
    public var thisWeek: Int

    public init(today: Int = 0, thisWeek: Int = 0) {
        self.today = today
        self.thisWeek = max(today, thisWeek)
    }
}

/// Why round robin passed over a rep.
public enum Unavailability: String, Sendable, Equatable, Codable, CaseIterable {
    /// Paused by a manager, or a deactivated user.
    case inactive
    case outOfOffice = "out_of_office"
    case outsideWorkingHours = "outside_working_hours"
    case dailyCapacityReached = "daily_capacity_reached"
    case weeklyCapacityReached = "weekly_capacity_reached"
}

/// Whole days a rep is away, `from` through `to`.
public struct Absence: Sendable, Equatable, Hashable {
    public var from: CalendarDay
    public var to: CalendarDay

    public init(from: CalendarDay, to: CalendarDay) {
        self.from = from
        self.to = to
    }

    public func contains(_ day: CalendarDay) -> Bool {
        from <= day && day <= to
    }
}

extension Absence: Codable {
    enum CodingKeys: String, CodingKey {
        case from, to
    }

    /// JSON: `{"from": "2026-12-24", "to": "2027-01-02"}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func day(_ key: CodingKeys) throws -> CalendarDay {
            guard let day = CalendarDay(parsing: try container.decode(String.self, forKey: key)) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "a day must read like 2026-12-24")
            }
            return day
        }
        from = try day(.from)
        to = try day(.to)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(from.iso, forKey: .from)
        try container.encode(to.iso, forKey: .to)
    }
}

/// A day of the week, Monday first.
public enum Weekday: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    case monday, tuesday, wednesday, thursday, friday, saturday, sunday

    /// Foundation's weekday number (Sunday is 1).
    public var calendarNumber: Int {
        switch self {
        case .sunday: 1
        case .monday: 2
        case .tuesday: 3
        case .wednesday: 4
        case .thursday: 5
        case .friday: 6
        case .saturday: 7
        }
    }

    public init?(calendarNumber: Int) {
        guard let found = Self.allCases.first(where: { $0.calendarNumber == calendarNumber }) else { return nil }
        self = found
    }
}

/// Hours of one day, from `start` up to (not including) `end`, in minutes after the rep's
/// midnight: 09:00–18:00 is 540..<1080. `end` may be 1440 (24:00); a shift past midnight is two
/// days' hours.
public struct DayHours: Sendable, Equatable, Hashable, Codable {
    public var start: Int
    public var end: Int

    public init?(start: Int, end: Int) {
        guard 0 <= start, start < end, end <= 1440 else { return nil }
        self.start = start
        self.end = end
    }

    public func contains(minute: Int) -> Bool {
        start <= minute && minute < end
    }

    /// Reads `09:00-18:00` (also with `–`, `to` or `a` between, and `9h`, `9:30`, `18h30`); nil
    /// when the text is not two times with the first earlier.
    public init?(parsing text: String) {
        let normalised = text.trimmingBlanks.lowercased()
            .replacingOccurrences(of: "–", with: "-").replacingOccurrences(of: "—", with: "-")
            .replacingOccurrences(of: " to ", with: "-").replacingOccurrences(of: " a ", with: "-")
        let parts = normalised.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Self.minute(String(parts[0])), let end = Self.minute(String(parts[1])) else { return nil }
        self.init(start: start, end: end)
    }

    /// `09:00-18:00`.
    public var text: String { Self.clock(start) + "-" + Self.clock(end) }

    static func minute(_ text: String) -> Int? {
        let trimmed = text.trimmingBlanks
        let parts = trimmed.split(whereSeparator: { $0 == ":" || $0 == "h" || $0 == "." }).map(String.init)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 2 && $0.allSatisfy(\.isASCIIDigit) }),
              let hour = Int(parts[0]) else { return nil }
        let minute = parts.count == 2 ? Int(parts[1]) ?? -1 : 0
        guard (0...59).contains(minute), (0...24).contains(hour), hour < 24 || minute == 0 else { return nil }
        return hour * 60 + minute
    }

    static func clock(_ minutes: Int) -> String {
        let hour = minutes / 60, minute = minutes % 60
        return (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
    }
}

/// A rep's working week: hours for the days they work.
public struct WorkingHours: Sendable, Equatable, Codable {
    public var days: [Weekday: DayHours]

    public init(_ days: [Weekday: DayHours]) {
        self.days = days
    }

    /// Monday to Friday with the same hours.
    public static func weekdays(_ hours: DayHours) -> WorkingHours {
        WorkingHours([.monday: hours, .tuesday: hours, .wednesday: hours, .thursday: hours, .friday: hours])
    }

    /// Whether `now`, read on `calendar` (the rep's), falls within that day's hours.
    public func contains(_ now: Date, in calendar: Calendar) -> Bool {
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: now)
        guard let number = parts.weekday, let weekday = Weekday(calendarNumber: number), let hours = days[weekday] else { return false }
        return hours.contains(minute: (parts.hour ?? 0) * 60 + (parts.minute ?? 0))
    }

    enum CodingKeys: String, CodingKey {
        case monday, tuesday, wednesday, thursday, friday, saturday, sunday
    }

    /// JSON: `{"monday": "09:00-18:00", ...}`, days off left out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var days: [Weekday: DayHours] = [:]
        for weekday in Weekday.allCases {
            guard let key = CodingKeys(rawValue: weekday.rawValue), let text = try container.decodeIfPresent(String.self, forKey: key) else { continue }
            guard let hours = DayHours(parsing: text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "hours must read like 09:00-18:00")
            }
            days[weekday] = hours
        }
        self.days = days
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        for weekday in Weekday.allCases {
            if let hours = days[weekday], let key = CodingKeys(rawValue: weekday.rawValue) { try container.encode(hours.text, forKey: key) }
        }
    }
}
