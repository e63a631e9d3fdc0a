import Foundation

/// What a rep did with a contact.
public enum ActivityKind: String, Sendable, Codable, CaseIterable, Hashable {
    case call, email, meeting, note

    /// The outcomes a rep picks from for this kind, in the order a form offers them; a note has none.
    public var outcomes: [ActivityOutcome] {
        switch self {
        case .call: [.connected, .leftVoicemail, .noAnswer, .wrongNumber]
        case .email: [.sent, .replied, .bounced]
        case .meeting: [.booked, .held, .noShow, .rescheduled, .canceled]
        case .note: []
        }
    }
}

/// How an activity went. "Meeting booked" and "meeting held" are the outcomes goals count.
public enum ActivityOutcome: String, Sendable, Codable, CaseIterable, Hashable {
    case connected
    case leftVoicemail = "left_voicemail"
    case noAnswer = "no_answer"
    case wrongNumber = "wrong_number"
    case sent, replied, bounced
    case booked, held
    case noShow = "no_show"
    case rescheduled, canceled
}

/// A call, email, meeting or note a rep logged on a contact: how it went, what was said, the
/// agreed next step, when it happened and, for calls and meetings, how long it took.
public struct Activity: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var contactID: UUID
    public var kind: ActivityKind
    public var outcome: ActivityOutcome?
    public var notes: String?
    public var nextStep: String?
    public var occurredAt: Date
    /// Minutes, when known.
    public var durationMinutes: Int?
    public var actor: AuditActor
    public var loggedAt: Date

    public init(id: UUID, contactID: UUID, kind: ActivityKind, outcome: ActivityOutcome?, notes: String?, nextStep: String?,
                occurredAt: Date, durationMinutes: Int?, actor: AuditActor, loggedAt: Date) {
        self.id = id
        self.contactID = contactID
        self.kind = kind
        self.outcome = outcome
        self.notes = notes
        self.nextStep = nextStep
        self.occurredAt = occurredAt
        self.durationMinutes = durationMinutes
        self.actor = actor
        self.loggedAt = loggedAt
    }
}

/// A checked activity as a form or the API submitted it.
public struct ActivityInput: Sendable, Equatable {
    public var kind: ActivityKind
    public var outcome: ActivityOutcome?
    public var notes: String?
    public var nextStep: String?
    public var occurredAt: Date
    public var durationMinutes: Int?

    public static let notesMaximumLength = 5000
    public static let nextStepMaximumLength = 300
    public static let durationRange = 0...1440
    /// How far ahead of now an activity may be dated: a meeting logged as held at 3 pm may be
    /// typed a little early, a date next month is a mistake.
    public static let maximumAhead: TimeInterval = 24 * 3600

    public init(kind: ActivityKind, outcome: ActivityOutcome?, notes: String?, nextStep: String?, occurredAt: Date, durationMinutes: Int?) {
        self.kind = kind
        self.outcome = outcome
        self.notes = notes
        self.nextStep = nextStep
        self.occurredAt = occurredAt
        self.durationMinutes = durationMinutes
    }

    /// Checks submitted fields (`kind`, `outcome`, `notes`, `next_step`, `occurred_at`,
    /// `duration_minutes`) and reports every problem at once. `occurred_at` is ISO 8601 or a
    /// local date and time in `timeZone`; empty means `now`. Calls, emails and meetings need an
    /// outcome from their kind's list; a note needs its text and takes no outcome.
    public static func check(_ fields: [String: String], now: Date, timeZone: String) throws(ValidationFailure) -> ActivityInput {
        var checker = FieldChecker()
        var kind: ActivityKind?
        if let raw = checker.text("kind", fields["kind"], maximum: 20) {
            kind = ActivityKind(rawValue: raw.lowercased())
            if kind == nil { checker.add("kind", .notInList) }
        }
        var outcome: ActivityOutcome?
        let rawOutcome = (fields["outcome"] ?? "").trimmingBlanks.lowercased()
        if let kind {
            if kind.outcomes.isEmpty {
                if !rawOutcome.isEmpty { checker.add("outcome", .notInList) }
            } else if rawOutcome.isEmpty {
                checker.add("outcome", .required)
            } else if let found = ActivityOutcome(rawValue: rawOutcome), kind.outcomes.contains(found) {
                outcome = found
            } else {
                checker.add("outcome", .notInList)
            }
        }
        let notes = checker.text("notes", fields["notes"], required: kind == .note, maximum: notesMaximumLength)
        let nextStep = checker.text("next_step", fields["next_step"], required: false, maximum: nextStepMaximumLength)
        var occurredAt = now
        if let raw = checker.text("occurred_at", fields["occurred_at"], required: false, maximum: 40) {
            if let parsed = MomentText.parse(raw, timeZone: timeZone, dayOnlyHour: 12), parsed >= MomentText.earliest,
               parsed <= now.addingTimeInterval(maximumAhead) {
                occurredAt = parsed
            } else {
                checker.add("occurred_at", .invalid)
            }
        }
        var duration: Int?
        if let raw = checker.text("duration_minutes", fields["duration_minutes"], required: false, maximum: 10) {
            if let minutes = Int(raw), durationRange.contains(minutes) { duration = minutes } else { checker.add("duration_minutes", .invalid) }
        }
        try checker.throwIfAny()
        guard let kind else { throw ValidationFailure("kind", .required) }
        return ActivityInput(kind: kind, outcome: outcome, notes: notes, nextStep: nextStep, occurredAt: occurredAt, durationMinutes: duration)
    }
}
