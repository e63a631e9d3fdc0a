import FluentKit
import SQLKit

/// The shared lead definition and the scores it gives: every version with its approvals, each
/// contact's score state and the ledger that explains every point, the behaviour events scores
/// are made of, stage changes with their cause, background re-scoring runs, and the workspace's
/// choice of outcome for score quality.
struct CreateScoring: AsyncMigration {
    var name: String { "20261202_Scoring" }

    func prepare(on database: any Database) async throws {
        try await database.schema("lead_definitions")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("version", .int, .required)
            .field("status", .string, .required)
            .field("body", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id", "version")
            .create()

        try await database.schema("contact_scores")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("definition_version", .int, .required)
            .field("fit", .int, .required)
            .field("engagement", .double, .required)
            .field("engagement_at", .datetime)
            .field("engagement_key", .double)
            .field("is_mql", .bool, .required)
            .field("cell", .string)
            .field("state", .string, .required)
            .field("ledger", .string)
            .field("updated_at", .datetime, .required)
            .unique(on: "contact_id")
            .create()
        try await Index.create("contact_scores_workspace_fit", on: "contact_scores", ["workspace_id", "fit"], in: database)
        try await Index.create("contact_scores_workspace_engagement", on: "contact_scores", ["workspace_id", "engagement_key"], in: database)

        try await database.schema("score_changes")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("definition_version", .int, .required)
            .field("rule_id", .string, .required)
            .field("kind", .string, .required)
            .field("points", .int, .required)
            .field("requested_points", .int)
            .field("cause_field", .string)
            .field("cause_value", .string)
            .field("cause_event_id", .string)
            .field("cause_event_type", .string)
            .field("at", .datetime, .required)
            .create()
        try await Index.create("score_changes_contact", on: "score_changes", ["workspace_id", "contact_id", "definition_version", "at"], in: database)

        try await database.schema("events")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .references("contacts", "id", onDelete: .setNull))
            .field("anonymous_id", .string)
            .field("external_id", .string, .required)
            .field("type", .string, .required)
            .field("properties", .string, .required)
            .field("occurred_at", .datetime, .required)
            .field("received_at", .datetime, .required)
            .unique(on: "workspace_id", "external_id")
            .create()
        try await Index.create("events_contact_time", on: "events", ["workspace_id", "contact_id", "occurred_at", "id"], in: database)
        try await Index.create("events_anonymous", on: "events", ["workspace_id", "anonymous_id"], in: database)

        try await database.schema("stage_changes")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("from_stage", .string, .required)
            .field("to_stage", .string, .required)
            .field("actor_user_id", .uuid)
            .field("actor_label", .string, .required)
            .field("via", .string, .required)
            .field("cause", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await Index.create("stage_changes_contact", on: "stage_changes", ["workspace_id", "contact_id", "at"], in: database)
        try await Index.create("stage_changes_time", on: "stage_changes", ["workspace_id", "at"], in: database)

        try await database.schema("scoring_runs")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("definition_version", .int, .required)
            .field("status", .string, .required)
            .field("total", .int, .required)
            .field("processed", .int, .required)
            .field("last_contact_id", .uuid)
            .field("result", .string)
            .field("message", .string)
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime)
            .create()
        try await Index.create("scoring_runs_workspace", on: "scoring_runs", ["workspace_id", "started_at"], in: database)

        try await database.schema("scoring_settings")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("outcome_field", .string)
            .field("outcome_values", .string, .required)
            .field("excluded_fields", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["scoring_settings", "scoring_runs", "stage_changes", "events", "score_changes", "contact_scores", "lead_definitions"] {
            try await database.schema(table).delete()
        }
    }
}
