import Foundation

/// A contact's scoring state under one version of the lead definition: what the engine needs to
/// apply the next event without reading the contact's history again.
///
/// It holds the points each fit rule gives, the engagement value at `asOf` (decayed to that
/// instant, not since), what each capped rule has used of its current period, and the recent
/// matching event times of each frequency rule (at most `count - 1` per rule). The store keeps it
/// as JSON beside the contact's scores; times are seconds since 1970-01-01 UTC.
public struct ScoreState: Sendable, Equatable, Codable {
    public internal(set) var definitionVersion: Int
    /// Points each fit rule gives now (0 when it does not hold), in the definition's order.
    public internal(set) var fitAwards: [Int]
    /// The sum of `fitAwards`.
    public internal(set) var fit: Int
    /// Engagement points at `asOf`, decay included up to that instant.
    public internal(set) var engagementValue: Double
    /// The time of the last event that changed the state (seconds since 1970 UTC), nil before any.
    public internal(set) var asOfSeconds: Double?
    var caps: [CapUsage]
    var windows: [FrequencyWindow]

    init(definitionVersion: Int, fitRules: Int, engagementRules: Int, frequencyCounts: [Int]) {
        self.definitionVersion = definitionVersion
        self.fitAwards = Array(repeating: 0, count: fitRules)
        self.fit = 0
        self.engagementValue = 0
        self.asOfSeconds = nil
        self.caps = Array(repeating: CapUsage(period: Int64.min, used: 0), count: engagementRules)
        self.windows = frequencyCounts.map { FrequencyWindow(capacity: max(1, $0 - 1)) }
    }

    /// The time of the last event that changed the state.
    public var asOf: Date? { asOfSeconds.map { Date(timeIntervalSince1970: $0) } }

    enum CodingKeys: String, CodingKey {
        case definitionVersion = "definition_version"
        case fitAwards = "fit_awards"
        case fit
        case engagementValue = "engagement_value"
        case asOfSeconds = "as_of"
        case caps
        case windows
    }
}

/// Points a capped rule has given in its current calendar period (a UTC day or week number).
struct CapUsage: Sendable, Equatable, Codable {
    var period: Int64
    var used: Int
}

/// The most recent matching event times of a frequency rule, in a ring of `count - 1` slots,
/// and until when its statement holds (seconds since 1970 UTC).
struct FrequencyWindow: Sendable, Equatable, Codable {
    var recent: [Double]
    /// The slot the next time goes to; when the ring is full, it holds the oldest time.
    var next: Int
    var filled: Int
    /// The statement holds until this time (exclusive) unless another matching event comes.
    var holdsUntil: Double?

    init(capacity: Int) {
        recent = Array(repeating: 0, count: capacity)
        next = 0
        filled = 0
        holdsUntil = nil
    }

    enum CodingKeys: String, CodingKey {
        case recent, next, filled
        case holdsUntil = "holds_until"
    }
}
