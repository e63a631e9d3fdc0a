import Foundation

/// A day of the Gregorian calendar, without time or time zone: a birth date, a custom date field.
///
/// Spreadsheets write days in several ways; this reads the ones our users' exports use
/// (`2026-03-01`, Brazilian and European `01/03/2026`, `2026/03/01`) and always writes ISO 8601
/// (`YYYY-MM-DD`), so stored days sort and compare as text. A day that does not exist
/// (`2026-02-30`) is refused. The American month-first order is not read: `03/01/2026` is the 3rd
/// of January.
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A day that exists in the calendar, with a four-digit year (1...9999).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CalendarDay.numberOfDays(inMonth: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Reads `YYYY-MM-DD`, `DD/MM/YYYY` or `YYYY/MM/DD` (day and month of the slash forms may have
    /// one digit); surrounding blanks are ignored.
    public init?(parsing text: String) {
        let trimmed = text.trimmingBlanks
        let parts: [Substring]
        let yearFirst: Bool
        if trimmed.contains("-") {
            parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2 else { return nil }
            yearFirst = true
        } else {
            parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3 else { return nil }
            yearFirst = parts[0].count == 4
            let (dayOrMonth, year) = yearFirst ? (parts[1...2], parts[0]) : (parts[0...1], parts[2])
            guard year.count == 4, dayOrMonth.allSatisfy({ (1...2).contains($0.count) }) else { return nil }
        }
        guard parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }) else { return nil }
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == 3 else { return nil }
        if yearFirst {
            self.init(year: numbers[0], month: numbers[1], day: numbers[2])
        } else {
            self.init(year: numbers[2], month: numbers[1], day: numbers[0])
        }
    }

    /// `YYYY-MM-DD`.
    public var iso: String {
        Self.padded(year, 4) + "-" + Self.padded(month, 2) + "-" + Self.padded(day, 2)
    }

    public var description: String { iso }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func numberOfDays(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func padded(_ number: Int, _ width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension CalendarDay {
    /// The day a moment falls on in UTC (proleptic Gregorian calendar).
    public init(utc date: Date) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let days = Int64((seconds / 86_400).rounded(.down))
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        self.year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))
        self.month = Int(month)
        self.day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
    }
}
