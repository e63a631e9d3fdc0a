import Foundation

/// How many handed-over leads sales accepted, rejected or has not answered yet.
public struct HandoffTally: Sendable, Equatable {
    public var accepted = 0
    public var rejected = 0
    public var pending = 0

    public init(accepted: Int = 0, rejected: Int = 0, pending: Int = 0) {
        self.accepted = accepted
        self.rejected = rejected
        self.pending = pending
    }

    public var total: Int { accepted + rejected + pending }
    public var decided: Int { accepted + rejected }

    /// Accepted among the answered ones; nil before any answer.
    public var acceptanceRate: Double? { decided == 0 ? nil : Double(accepted) / Double(decided) }

    mutating func add(_ status: HandoffStatus, _ count: Int) {
        switch status {
        case .accepted: accepted += count
        case .rejected: rejected += count
        case .pending: pending += count
        case .closed: break
        }
    }
}

/// Marketing's feedback from sales over a period: the acceptance rate overall and week by
/// week, the reasons of the rejections, and the same tallies by source, campaign and the score
/// rule that gave the leads their points. Handoffs closed by a newer one are left out.
public struct HandoffFeedback: Sendable, Equatable {
    public struct Group: Sendable, Equatable {
        public var key: String
        public var tally: HandoffTally
    }

    public struct Week: Sendable, Equatable {
        /// The Monday that starts it.
        public var start: CalendarDay
        public var tally: HandoffTally
    }

    public var overall = HandoffTally()
    public var weeks: [Week] = []
    /// Rejections per reason label, most first.
    public var reasons: [(label: String, count: Int)] = []
    public var sources: [Group] = []
    public var campaigns: [Group] = []
    public var rules: [Group] = []

    public init() {}

    public static func == (lhs: HandoffFeedback, rhs: HandoffFeedback) -> Bool {
        lhs.overall == rhs.overall && lhs.weeks == rhs.weeks && lhs.sources == rhs.sources && lhs.campaigns == rhs.campaigns
            && lhs.rules == rhs.rules && lhs.reasons.map(\.label) == rhs.reasons.map(\.label) && lhs.reasons.map(\.count) == rhs.reasons.map(\.count)
    }

    /// One count of handoffs sharing a key (a day, a source…) and a status.
    public struct Count: Sendable {
        public var key: String?
        public var status: HandoffStatus
        public var count: Int

        public init(key: String?, status: HandoffStatus, count: Int) {
            self.key = key
            self.status = status
            self.count = count
        }
    }

    /// Builds the report from counts per day (`YYYY-MM-DD`), per source, campaign and rule, and
    /// rejections per reason, for the weeks from `from` to `to` (every week shown, empty or not).
    /// A missing source or campaign is counted under `none`.
    public static func build(days: [Count], sources: [Count], campaigns: [Count], rules: [Count], reasons: [(String, Int)],
                             from: CalendarDay, to: CalendarDay, none: String) -> HandoffFeedback {
        var report = HandoffFeedback()
        var byWeek: [CalendarDay: HandoffTally] = [:]
        for count in days {
            report.overall.add(count.status, count.count)
            if let day = count.key.flatMap(CalendarDay.init(parsing:)) { byWeek[weekStart(of: day), default: HandoffTally()].add(count.status, count.count) }
        }
        var week = weekStart(of: from)
        let last = weekStart(of: to)
        while week <= last {
            report.weeks.append(Week(start: week, tally: byWeek[week] ?? HandoffTally()))
            week = week.adding(days: 7)
        }
        func groups(_ counts: [Count]) -> [Group] {
            var tallies: [String: HandoffTally] = [:]
            for count in counts { tallies[count.key.flatMap { $0.isEmpty ? nil : $0 } ?? none, default: HandoffTally()].add(count.status, count.count) }
            return tallies.map { Group(key: $0.key, tally: $0.value) }
                .sorted { $0.tally.total != $1.tally.total ? $0.tally.total > $1.tally.total : $0.key < $1.key }
        }
        report.sources = groups(sources)
        report.campaigns = groups(campaigns)
        report.rules = groups(rules)
        report.reasons = reasons.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map { (label: $0.0, count: $0.1) }
        return report
    }

    /// The Monday of the week a day falls in.
    public static func weekStart(of day: CalendarDay) -> CalendarDay {
        day.adding(days: -((day.weekday + 5) % 7))
    }
}

extension CalendarDay {
    /// Days since 1970-01-01 (negative before).
    var ordinal: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    init(ordinal: Int) {
        let z = ordinal + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        self = CalendarDay(year: year, month: month, day: day) ?? CalendarDay(year: 1970, month: 1, day: 1)!
    }

    /// 1 = Sunday … 7 = Saturday, as Foundation's Gregorian calendar counts.
    public var weekday: Int {
        // 1970-01-01 was a Thursday (5).
        ((ordinal % 7) + 7 + 4) % 7 + 1
    }

    public func adding(days: Int) -> CalendarDay {
        CalendarDay(ordinal: ordinal + days)
    }

    /// The day a moment falls on in a time zone.
    public init(_ date: Date, timeZone: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        self = CalendarDay(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1) ?? CalendarDay(year: 1970, month: 1, day: 1)!
    }
}
