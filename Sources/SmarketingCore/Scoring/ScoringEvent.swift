import Foundation

/// A behaviour event as the scoring engine reads it: what happened (`type`), when, and its
/// properties (`path` of a page view, `form` of a submission, `campaign` of an email).
///
/// The engine keeps no reference to it; ledger lines name it by `id`.
public struct ScoringEvent: Sendable, Equatable, Hashable, Codable {
    /// The event's id in the events table (or the sender's id for batch ingest).
    public var id: String
    /// `page_view`, `form_submitted`, `email_opened`, `email_clicked` or a custom type, in lower
    /// case (see ``StandardEventType``).
    public var type: String
    /// When it happened (UTC).
    public var time: Date
    public var properties: [String: String]

    public init(id: String, type: String, time: Date, properties: [String: String] = [:]) {
        self.id = id
        self.type = type
        self.time = time
        self.properties = properties
    }

    /// The order histories are scored in: by time, then by id for events at the same instant,
    /// so a replay always meets simultaneous events in the same order.
    public static func historyOrder(_ lhs: ScoringEvent, _ rhs: ScoringEvent) -> Bool {
        lhs.time != rhs.time ? lhs.time < rhs.time : lhs.id < rhs.id
    }

    /// A lower-case name: a letter, then letters, digits, `_`, `.`, `:` or `-`.
    public static func isWellFormedType(_ type: String) -> Bool {
        guard let first = type.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return type.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "." || $0 == ":" || $0 == "-"
        }
    }
}

/// Why the engine did not apply an event.
public enum ScoringError: Error, Sendable, Equatable {
    /// The event happened before the state's as-of time. Incremental scoring only moves forward
    /// (caps and frequency windows depend on the order): re-score the whole history with
    /// ``CompiledLeadDefinition/replay(_:)`` or ``CompiledLeadDefinition/rescore(profile:events:now:)``.
    case eventBeforeState(event: Date, asOf: Date)
    /// The state was built for another version of the lead definition (or another shape of it):
    /// re-score with the definition at hand.
    case stateFromOtherDefinition(stateVersion: Int, definitionVersion: Int)
    /// The event's time is not a finite number of seconds.
    case eventTimeNotFinite
}
