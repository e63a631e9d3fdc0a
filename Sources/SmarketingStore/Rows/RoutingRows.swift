import FluentKit
import Foundation

final class RoutingRuleRow: Model, @unchecked Sendable {
    static let schema = "routing_rules"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "name") var name: String
    @Field(key: "position") var position: Int
    @Field(key: "team_id") var teamID: UUID
    /// The conditions as a JSON array of ``RoutingCondition``.
    @Field(key: "conditions") var conditions: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class RepAvailabilityRow: Model, @unchecked Sendable {
    static let schema = "rep_availability"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "user_id") var userID: UUID
    /// A ``RepAvailability`` as JSON.
    @Field(key: "availability") var availability: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class RoutingWeightRow: Model, @unchecked Sendable {
    static let schema = "routing_weights"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "team_id") var teamID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "weight") var weight: Int

    init() {}
}

final class RoutingTeamStateRow: Model, @unchecked Sendable {
    static let schema = "routing_team_states"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "team_id") var teamID: UUID
    /// A ``RoundRobinState`` as JSON.
    @Field(key: "credits") var credits: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class RoutingSettingsRow: Model, @unchecked Sendable {
    static let schema = "routing_settings"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @OptionalField(key: "fallback_owner_id") var fallbackOwnerID: UUID?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class LeadAssignmentRow: Model, @unchecked Sendable {
    static let schema = "lead_assignments"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @OptionalField(key: "owner_id") var ownerID: UUID?
    @OptionalField(key: "owner_name") var ownerName: String?
    @OptionalField(key: "team_id") var teamID: UUID?
    @OptionalField(key: "team_name") var teamName: String?
    @OptionalField(key: "rule_id") var ruleID: UUID?
    @OptionalField(key: "rule_name") var ruleName: String?
    @Field(key: "reason") var reason: String
    /// The reps passed over, as a JSON array of ``SkippedRep``.
    @Field(key: "skipped") var skipped: String
    @OptionalField(key: "actor_user_id") var actorUserID: UUID?
    @Field(key: "actor_label") var actorLabel: String
    @Field(key: "via") var via: String
    @Field(key: "at") var at: Date

    init() {}
}
