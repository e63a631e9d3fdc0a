/// The behaviour event types the product records itself. Rules may also name any other type an
/// integration sends (`webinar_attended`); types are compared exactly, in lower case.
public enum StandardEventType: String, Sendable, CaseIterable, Codable {
    case pageView = "page_view"
    case formSubmitted = "form_submitted"
    case emailOpened = "email_opened"
    case emailClicked = "email_clicked"
    case emailUnsubscribed = "email_unsubscribed"
    /// A visitor of the tracked site named as a contact (t.js `identify`).
    case identified
}

/// A rule on what a contact does: each event of `eventType` whose properties meet every one of
/// `conditions` adds `points` to the engagement score, at most `cap` points per calendar period.
///
/// Examples: a page view whose `path` starts with `/pricing` +10 (at most 30 a day), a form
/// submitted +25, an email clicked +5, an email opened +1. Every rule an event meets fires.
public struct EngagementRule: Sendable, Equatable, Hashable, Codable {
    public var id: String
    public var eventType: String
    /// All must hold; none means every event of the type.
    public var conditions: [PropertyCondition]
    /// Points per event (negative for a bad sign, such as an unsubscribe).
    public var points: Int
    public var cap: PointsCap?

    public init(id: String, eventType: String, conditions: [PropertyCondition] = [], points: Int, cap: PointsCap? = nil) {
        self.id = id
        self.eventType = eventType
        self.conditions = conditions
        self.points = points
        self.cap = cap
    }

    enum CodingKeys: String, CodingKey {
        case id
        case eventType = "event_type"
        case conditions, points, cap
    }

    /// `conditions` and `cap` may be left out of the JSON.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        eventType = try container.decode(String.self, forKey: .eventType)
        conditions = try container.decodeIfPresent([PropertyCondition].self, forKey: .conditions) ?? []
        points = try container.decode(Int.self, forKey: .points)
        cap = try container.decodeIfPresent(PointsCap.self, forKey: .cap)
    }
}

/// At most `points` points (in absolute value) from one rule per calendar period.
///
/// Periods are calendar windows in UTC: a day runs from 00:00 to 24:00 UTC, a week from Monday
/// 00:00 UTC. They were chosen over rolling windows because they need one counter per rule rather
/// than the rule's whole recent history, and a person reads "at most 30 points a day" that way. An
/// event that would pass the cap gets what is left (the ledger line says how much it asked for);
/// once the cap is reached the rule adds nothing until the next period.
public struct PointsCap: Sendable, Equatable, Hashable, Codable {
    public var points: Int
    public var per: CapPeriod

    public init(points: Int, per: CapPeriod) {
        self.points = points
        self.per = per
    }
}

/// The calendar period a cap counts over, in UTC.
public enum CapPeriod: String, Sendable, Codable, CaseIterable {
    case day
    case week
}

/// A test on one property of an event (`path`, `form`, `campaign`, `url`). Texts are compared
/// ignoring case, accents and extra blanks (see ``ScoringText``); an event without the property
/// does not meet the condition.
///
/// JSON: `{"property": "path", "op": "starts_with", "value": "/pricing"}`.
public struct PropertyCondition: Sendable, Equatable, Hashable {
    public var property: String
    public var match: PropertyMatch

    public init(property: String, match: PropertyMatch) {
        self.property = property
        self.match = match
    }
}

/// How a property condition tests a value; the JSON operator names are ``operatorName``.
public enum PropertyMatch: Sendable, Equatable, Hashable {
    case equals(String)
    case oneOf([String])
    case startsWith(String)
    /// The value contains at least one of these texts.
    case contains([String])
    case isSet

    /// The operator's name in JSON: `equals`, `one_of`, `starts_with`, `contains`, `is_set`.
    public var operatorName: String {
        switch self {
        case .equals: "equals"
        case .oneOf: "one_of"
        case .startsWith: "starts_with"
        case .contains: "contains"
        case .isSet: "is_set"
        }
    }
}

extension PropertyCondition: Codable {
    enum CodingKeys: String, CodingKey {
        case property, op, value, values
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        property = try container.decode(String.self, forKey: .property)
        let name = try container.decode(String.self, forKey: .op)
        switch name {
        case "equals": match = .equals(try container.decode(String.self, forKey: .value))
        case "one_of": match = .oneOf(try container.decode([String].self, forKey: .values))
        case "starts_with": match = .startsWith(try container.decode(String.self, forKey: .value))
        case "contains": match = .contains(try container.decode([String].self, forKey: .values))
        case "is_set": match = .isSet
        default:
            throw DecodingError.dataCorruptedError(forKey: .op, in: container, debugDescription: "unknown operator \(name)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(property, forKey: .property)
        try container.encode(match.operatorName, forKey: .op)
        switch match {
        case .equals(let value), .startsWith(let value): try container.encode(value, forKey: .value)
        case .oneOf(let values), .contains(let values): try container.encode(values, forKey: .values)
        case .isSet: break
        }
    }
}
