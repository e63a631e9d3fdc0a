import Foundation

/// One line of a contact's score ledger: a rule that fired (or stopped holding), its points,
/// what caused it, when, and under which version of the lead definition.
///
/// The ledger explains every point: the fit score is the sum of the fit lines, and the
/// engagement score at a time `now` is the sum of the engagement and frequency lines, each decayed
/// from its own time to `now` (see ``CompiledLeadDefinition/ledgerTotal(_:at:)``).
public struct ScoreEntry: Sendable, Equatable, Hashable, Codable {
    public var ruleID: String
    public var kind: ScoreRuleKind
    /// Whole points as added; engagement lines decay from `time` on.
    public var points: Int
    public var cause: ScoreCause
    public var time: Date
    public var definitionVersion: Int
    /// Set when a cap cut the rule's points: what the rule would have given.
    public var requestedPoints: Int?

    public init(ruleID: String, kind: ScoreRuleKind, points: Int, cause: ScoreCause, time: Date, definitionVersion: Int, requestedPoints: Int? = nil) {
        self.ruleID = ruleID
        self.kind = kind
        self.points = points
        self.cause = cause
        self.time = time
        self.definitionVersion = definitionVersion
        self.requestedPoints = requestedPoints
    }

    /// True for engagement and frequency lines, which decay.
    public var decays: Bool { kind != .fit }

    enum CodingKeys: String, CodingKey {
        case ruleID = "rule_id"
        case kind, points, cause, time
        case definitionVersion = "definition_version"
        case requestedPoints = "requested_points"
    }
}

/// The kind of rule a ledger line comes from: fit lines keep their points, engagement and
/// frequency lines decay.
public enum ScoreRuleKind: String, Sendable, Codable, CaseIterable {
    case fit
    case engagement
    case frequency
}

/// What made a rule fire.
public enum ScoreCause: Sendable, Equatable, Hashable {
    /// A fit rule: the field and the value it read. A fit rule that stops holding writes a line
    /// with the opposite points and the field's new value (nil when it was cleared).
    case field(name: String, value: String?)
    /// An engagement rule: the event. A frequency rule: the event that completed the window.
    case event(id: String, type: String)
}

extension ScoreCause: Codable {
    enum CodingKeys: String, CodingKey {
        case field, value
        case eventID = "event_id"
        case eventType = "event_type"
    }

    /// `{"field": "job_title", "value": "Diretor"}` or `{"event_id": "...", "event_type": "page_view"}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let name = try container.decodeIfPresent(String.self, forKey: .field) {
            self = .field(name: name, value: try container.decodeIfPresent(String.self, forKey: .value))
        } else {
            self = .event(id: try container.decode(String.self, forKey: .eventID), type: try container.decode(String.self, forKey: .eventType))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .field(let name, let value):
            try container.encode(name, forKey: .field)
            try container.encodeIfPresent(value, forKey: .value)
        case .event(let id, let type):
            try container.encode(id, forKey: .eventID)
            try container.encode(type, forKey: .eventType)
        }
    }
}
