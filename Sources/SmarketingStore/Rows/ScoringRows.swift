import FluentKit
import Foundation
import SmarketingCore

/// One version of a workspace's lead definition: the Core `LeadDefinitionVersion` as JSON, with
/// its number and status as columns to find it by.
final class LeadDefinitionRow: Model, @unchecked Sendable {
    static let schema = "lead_definitions"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "version") var version: Int
    @Field(key: "status") var status: String
    @Field(key: "body") var body: String
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// A contact's current score under the active definition: the engine's state, and the figures
/// lists filter and sort by.
final class ContactScoreRow: Model, @unchecked Sendable {
    static let schema = "contact_scores"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @Field(key: "definition_version") var definitionVersion: Int
    @Field(key: "fit") var fit: Int
    /// Engagement points at `engagement_at` (decay applies after it, at read time).
    @Field(key: "engagement") var engagement: Double
    @OptionalField(key: "engagement_at") var engagementAt: Date?
    /// Orders decayed engagement in queries (``CompiledLeadDefinition/engagementKey(value:asOf:)``);
    /// nil for no engagement.
    @OptionalField(key: "engagement_key") var engagementKey: Double?
    @Field(key: "is_mql") var isMQL: Bool
    @OptionalField(key: "cell") var cell: String?
    @Field(key: "state") var state: String
    /// Ledger lines written in bulk (by a re-scoring run), as ``ScoreLedgerText``; lines written
    /// one at a time since then are rows of `score_changes`.
    @OptionalField(key: "ledger") var ledger: String?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// One line of a contact's score ledger (see `ScoreEntry`).
final class ScoreChangeRow: Model, @unchecked Sendable {
    static let schema = "score_changes"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @Field(key: "definition_version") var definitionVersion: Int
    @Field(key: "rule_id") var ruleID: String
    @Field(key: "kind") var kind: String
    @Field(key: "points") var points: Int
    @OptionalField(key: "requested_points") var requestedPoints: Int?
    @OptionalField(key: "cause_field") var causeField: String?
    @OptionalField(key: "cause_value") var causeValue: String?
    @OptionalField(key: "cause_event_id") var causeEventID: String?
    @OptionalField(key: "cause_event_type") var causeEventType: String?
    @Field(key: "at") var at: Date

    init() {}

    var entry: ScoreEntry {
        let cause: ScoreCause = if let causeField { .field(name: causeField, value: causeValue) }
            else { .event(id: causeEventID ?? "", type: causeEventType ?? "") }
        return ScoreEntry(ruleID: ruleID, kind: ScoreRuleKind(rawValue: kind) ?? .fit, points: points, cause: cause, time: at,
                          definitionVersion: definitionVersion, requestedPoints: requestedPoints)
    }
}

/// A behaviour event: a page view, a form submission, an email open or click, or one sent by
/// another system. Append-only.
final class EventRow: Model, @unchecked Sendable {
    static let schema = "events"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @OptionalField(key: "contact_id") var contactID: UUID?
    @OptionalField(key: "anonymous_id") var anonymousID: String?
    /// The sender's id of the event; a second event with the same one is the same event.
    @Field(key: "external_id") var externalID: String
    @Field(key: "type") var type: String
    /// A flat JSON object of text values.
    @Field(key: "properties") var properties: String
    @Field(key: "occurred_at") var occurredAt: Date
    @Field(key: "received_at") var receivedAt: Date

    init() {}
}

/// A contact moving from one lifecycle stage to another, with who or what moved it and why.
final class StageChangeRow: Model, @unchecked Sendable {
    static let schema = "stage_changes"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @Field(key: "from_stage") var fromStage: String
    @Field(key: "to_stage") var toStage: String
    @OptionalField(key: "actor_user_id") var actorUserID: UUID?
    @Field(key: "actor_label") var actorLabel: String
    @Field(key: "via") var via: String
    @Field(key: "cause") var cause: String
    @Field(key: "at") var at: Date

    init() {}
}

/// Background work over every contact: re-scoring after an activation, or a what-if.
final class ScoringRunRow: Model, @unchecked Sendable {
    static let schema = "scoring_runs"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "definition_version") var definitionVersion: Int
    @Field(key: "status") var status: String
    @Field(key: "total") var total: Int
    @Field(key: "processed") var processed: Int
    /// The last contact (in id order) the run has finished: a resume starts after it.
    @OptionalField(key: "last_contact_id") var lastContactID: UUID?
    @OptionalField(key: "result") var result: String?
    @OptionalField(key: "message") var message: String?
    @Field(key: "started_at") var startedAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}
}

/// Which recorded outcome score quality and the predictive model measure against.
final class ScoringSettingsRow: Model, @unchecked Sendable {
    static let schema = "scoring_settings"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @OptionalField(key: "outcome_field") var outcomeField: String?
    @Field(key: "outcome_values") var outcomeValues: String
    @Field(key: "excluded_fields") var excludedFields: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// A rep's answers to the SQL criteria when they qualified a lead (JSON list of key, label, value).
final class SQLQualificationRow: Model, @unchecked Sendable {
    static let schema = "sql_qualifications"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @Field(key: "definition_version") var definitionVersion: Int
    @Field(key: "answers") var answers: String
    @OptionalField(key: "actor_user_id") var actorUserID: UUID?
    @Field(key: "actor_label") var actorLabel: String
    @Field(key: "via") var via: String
    @Field(key: "at") var at: Date

    init() {}
}
