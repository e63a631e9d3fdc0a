/// "`count` or more events of `eventType` (meeting `conditions`) within `days` days" adds
/// `points` to the engagement score, once for each stretch of time the statement stays true.
///
/// The window slides: an event at time s is within the window at time t when t - s < `days` x 24 h.
/// - When points are added: at the event that makes the statement true (the `count`-th matching
///   event within the window). The ledger line carries that event's id and time, and the points
///   decay from then like any engagement points.
/// - While it stays true, further matching events add nothing: "3 visits in 7 days" is worth its
///   points once, not once per visit.
/// - When it stops being true: at the moment the `count`-th most recent matching event leaves the
///   window with no new one to replace it. The points already added are not taken back (decay
///   ages them; a removal would need a timer, which incremental scoring avoids), but the rule
///   re-arms: the next time the statement becomes true, it adds its points again.
public struct FrequencyRule: Sendable, Equatable, Hashable, Codable {
    public var id: String
    public var eventType: String
    public var conditions: [PropertyCondition]
    /// At least 2: one event is what an engagement rule is for.
    public var count: Int
    /// Length of the sliding window, in days (24-hour periods).
    public var days: Int
    public var points: Int

    public init(id: String, eventType: String, conditions: [PropertyCondition] = [], count: Int, days: Int, points: Int) {
        self.id = id
        self.eventType = eventType
        self.conditions = conditions
        self.count = count
        self.days = days
        self.points = points
    }

    enum CodingKeys: String, CodingKey {
        case id
        case eventType = "event_type"
        case conditions, count, days, points
    }

    /// `conditions` may be left out of the JSON.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        eventType = try container.decode(String.self, forKey: .eventType)
        conditions = try container.decodeIfPresent([PropertyCondition].self, forKey: .conditions) ?? []
        count = try container.decode(Int.self, forKey: .count)
        days = try container.decode(Int.self, forKey: .days)
        points = try container.decode(Int.self, forKey: .points)
    }
}
