import Foundation

/// A rep's qualification of a lead as sales-qualified (SQL): the answers to the SQL criteria of
/// the lead definition in force (budget, authority, need, timing...), kept with the version they
/// answered so that a later change of the criteria never rewrites what was recorded.
public struct SQLQualification: Sendable, Equatable {
    /// One answer as recorded: the criterion's key and label at the time, and the value as text.
    public struct Answer: Sendable, Equatable, Codable {
        public var key: String
        public var label: String
        public var value: String

        public init(key: String, label: String, value: String) {
            self.key = key
            self.label = label
            self.value = value
        }
    }

    public var contactID: UUID
    public var definitionVersion: Int
    /// In the order of the criteria.
    public var answers: [Answer]
    public var actor: AuditActor
    public var at: Date

    public init(contactID: UUID, definitionVersion: Int, answers: [Answer], actor: AuditActor, at: Date) {
        self.contactID = contactID
        self.definitionVersion = definitionVersion
        self.answers = answers
        self.actor = actor
        self.at = at
    }

    /// Stages a lead may be qualified from: not yet with sales beyond acceptance, and not closed
    /// or disqualified (a disqualified lead is recycled first).
    public static let qualifiableStages: Set<LifecycleStage> = [.subscriber, .lead, .mql, .sal, .recycled]

    /// Checks a rep's answers (by criterion key) for a contact in `stage` and gives them in the
    /// criteria's order, or throws every problem at once: `lifecycle_stage` when the stage does
    /// not allow it, and each missing or malformed answer named by its criterion's key.
    public static func answers(_ given: [String: String], criteria: [SQLCriterion], stage: LifecycleStage) throws(ValidationFailure) -> [Answer] {
        var errors: [FieldError] = []
        if !qualifiableStages.contains(stage) { errors.append(FieldError("lifecycle_stage", .notInList)) }
        var typed: [String: CustomFieldValue] = [:]
        do {
            typed = try SQLCriterion.checkAnswers(given, criteria: criteria)
        } catch {
            errors += error.errors
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        return criteria.compactMap { criterion in
            typed[criterion.key].map { Answer(key: criterion.key, label: criterion.label, value: $0.storageText) }
        }
    }

    /// The cause the stage change records: who qualified and what they learned.
    public var cause: String {
        let said = answers.map { "\($0.label): \($0.value)" }.joined(separator: "; ")
        return "qualified by \(actor.name)" + (said.isEmpty ? "" : " (\(said))")
    }
}
