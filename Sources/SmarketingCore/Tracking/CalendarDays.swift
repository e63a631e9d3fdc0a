import Foundation

/// The last days of a workspace's calendar, each with the instants it starts and ends there: the
/// days a chart of recent activity counts by. A day is the workspace's own (its time zone), so a
/// day that changes to or from summer time has 23 or 25 hours; the last day is today, counted up
/// to its end.
public struct CalendarDays: Sendable, Equatable {
    public struct Span: Sendable, Equatable {
        public let day: CalendarDay
        public let start: Date
        public let end: Date
    }

    public let spans: [Span]

    /// The `count` days that end with the one holding `now` in `timeZone`, oldest first.
    public init(last count: Int, endingAt now: Date, timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = calendar.startOfDay(for: now)
        var spans: [Span] = []
        for back in stride(from: max(1, count) - 1, through: 0, by: -1) {
            guard let start = calendar.date(byAdding: .day, value: -back, to: today),
                  let end = calendar.date(byAdding: .day, value: 1, to: start) else { continue }
            let parts = calendar.dateComponents([.year, .month, .day], from: start)
            guard let day = CalendarDay(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0) else { continue }
            spans.append(Span(day: day, start: start, end: end))
        }
        self.spans = spans
    }

    /// When the first day starts.
    public var start: Date { spans.first?.start ?? .distantPast }
    /// When the last day ends.
    public var end: Date { spans.last?.end ?? .distantPast }

    /// The index of the day holding `instant`, nil outside them all.
    public func index(of instant: Date) -> Int? {
        spans.firstIndex { $0.start <= instant && instant < $0.end }
    }
}
