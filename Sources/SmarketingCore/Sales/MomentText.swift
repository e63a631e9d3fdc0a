import Foundation

/// Reads a moment as people and programs write it: ISO 8601 with a zone (`2026-11-20T14:30:00Z`,
/// `2026-11-20T14:30:00.250-03:00`), or a local date and time as a page's date-time input sends it
/// (`2026-11-20T14:30`, `2026-11-20 14:30:05`), read in the given time zone. A day alone
/// (`2026-11-20`) is that day at `dayOnlyHour` local time. Nil for anything else, or a day that
/// does not exist.
public enum MomentText {
    public static func parse(_ text: String, timeZone: String, dayOnlyHour: Int = 9) -> Date? {
        let trimmed = text.trimmingBlanks
        guard (10...40).contains(trimmed.count), trimmed.allSatisfy({ $0.isASCII }) else { return nil }
        guard let day = CalendarDay(parsing: String(trimmed.prefix(10))), trimmed.prefix(10).contains("-") else { return nil }
        var rest = Substring(trimmed.dropFirst(10))
        guard let zone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC") else { return nil }
        if rest.isEmpty { return date(day, hour: dayOnlyHour, minute: 0, second: 0, fraction: 0, offset: nil, zone: zone) }
        guard let separator = rest.first, separator == "T" || separator == "t" || separator == " " else { return nil }
        rest = rest.dropFirst()
        // hh:mm[:ss[.fff]]
        let clock = rest.prefix { $0.isASCIIDigit || $0 == ":" || $0 == "." }
        let pieces = clock.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let hms = pieces[0].split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(hms.count), hms.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCIIDigit) }),
              let hour = Int(hms[0]), let minute = Int(hms[1]), hour < 24, minute < 60 else { return nil }
        let second = hms.count == 3 ? Int(hms[2]) ?? 99 : 0
        guard second < 60 else { return nil }
        var fraction = 0.0
        if pieces.count == 2 {
            guard (1...9).contains(pieces[1].count), pieces[1].allSatisfy(\.isASCIIDigit), let value = Double("0." + pieces[1]) else { return nil }
            fraction = value
        }
        rest = rest.dropFirst(clock.count)
        var offset: Int?
        if rest == "Z" || rest == "z" {
            offset = 0
        } else if let sign = rest.first, sign == "+" || sign == "-" {
            let digits = rest.dropFirst().filter { $0 != ":" }
            guard digits.count == 4, digits.allSatisfy(\.isASCIIDigit), let hours = Int(digits.prefix(2)), let minutes = Int(digits.suffix(2)),
                  hours < 24, minutes < 60 else { return nil }
            offset = (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
        } else if !rest.isEmpty {
            return nil
        }
        return date(day, hour: hour, minute: minute, second: second, fraction: fraction, offset: offset, zone: zone)
    }

    private static func date(_ day: CalendarDay, hour: Int, minute: Int, second: Int, fraction: Double, offset: Int?, zone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = offset.flatMap { TimeZone(secondsFromGMT: $0) } ?? zone
        let parts = DateComponents(year: day.year, month: day.month, day: day.day, hour: hour, minute: minute, second: second)
        return calendar.date(from: parts).map { $0.addingTimeInterval(fraction) }
    }

    /// The local `YYYY-MM-DDTHH:MM` a page's date-time input shows for a moment.
    public static func localInput(_ date: Date, timeZone: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ value: Int?) -> String { let text = String(value ?? 0); return text.count < 2 ? "0" + text : text }
        return "\(parts.year ?? 1970)-\(two(parts.month))-\(two(parts.day))T\(two(parts.hour)):\(two(parts.minute))"
    }

    /// The day a moment falls on in a time zone.
    public static func day(of date: Date, timeZone: String) -> CalendarDay {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return CalendarDay(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1) ?? CalendarDay(utc: date)
    }

    /// The earliest moment sales records accept (older ones are typing mistakes).
    public static let earliest = Date(timeIntervalSince1970: 946_684_800) // 2000-01-01
    /// The latest moment a due date may have.
    public static let latest = Date(timeIntervalSince1970: 4_102_444_800) // 2100-01-01
}
