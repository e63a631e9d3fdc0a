import FluentKit

/// Sales follow-up: activities logged on contacts, tasks with due dates and reminders, deals,
/// and the history of tasks and deals that the contact's timeline and the deal page show.
struct CreateSalesFollowUp: AsyncMigration {
    var name: String { "20261203_SalesFollowUp" }

    func prepare(on database: any Database) async throws {
        try await database.schema("activities")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("outcome", .string)
            .field("notes", .string)
            .field("next_step", .string)
            .field("occurred_at", .datetime, .required)
            .field("duration_minutes", .int)
            .field("actor_user_id", .uuid)
            .field("actor_label", .string, .required)
            .field("via", .string, .required)
            .field("logged_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        // The contact's timeline, newest first.
        try await Index.create("activities_contact", on: "activities", ["workspace_id", "contact_id", "occurred_at"], in: database)

        try await database.schema("sales_tasks")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .references("contacts", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("notes", .string)
            .field("due_at", .datetime, .required)
            .field("reminder_minutes", .int)
            .field("remind_at", .datetime)
            .field("reminded_at", .datetime)
            .field("assignee_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("completed_at", .datetime)
            .field("completed_by_label", .string)
            .field("created_by_user_id", .uuid)
            .field("created_by_label", .string, .required)
            .field("via", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        // "My open tasks by due date": completed_at IS NULL is an equality on the index.
        try await Index.create("sales_tasks_assignee_due", on: "sales_tasks", ["workspace_id", "assignee_id", "completed_at", "due_at"], in: database)
        try await Index.create("sales_tasks_contact", on: "sales_tasks", ["workspace_id", "contact_id", "due_at"], in: database)
        // Reminders not sent yet whose time has come, across workspaces (the job queue's scan).
        try await Index.create("sales_tasks_reminders", on: "sales_tasks", ["reminded_at", "remind_at"], in: database)

        try await database.schema("deals")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("amount_minor", .int64, .required)
            .field("currency", .string, .required)
            .field("stage", .string, .required)
            .field("expected_close_date", .string, .required)
            .field("lost_reason", .string)
            .field("lost_note", .string)
            .field("owner_id", .uuid)
            .field("closed_at", .datetime)
            .field("closed_by_user_id", .uuid)
            .field("closed_by_label", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await Index.create("deals_contact", on: "deals", ["workspace_id", "contact_id", "created_at"], in: database)
        // "Open deals by close date", per stage for the board.
        try await Index.create("deals_stage_close", on: "deals", ["workspace_id", "stage", "expected_close_date"], in: database)
        try await Index.create("deals_owner_stage", on: "deals", ["workspace_id", "owner_id", "stage"], in: database)
        try await Index.create("deals_created", on: "deals", ["workspace_id", "created_at"], in: database)

        try await database.schema("sales_changes")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .references("contacts", "id", onDelete: .cascade))
            .field("subject_type", .string, .required)
            .field("subject_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("actor_user_id", .uuid)
            .field("actor_label", .string, .required)
            .field("via", .string, .required)
            .field("before", .string, .required)
            .field("after", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await Index.create("sales_changes_contact", on: "sales_changes", ["workspace_id", "contact_id", "at"], in: database)
        try await Index.create("sales_changes_subject", on: "sales_changes", ["workspace_id", "subject_id", "at"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sales_changes").delete()
        try await database.schema("deals").delete()
        try await database.schema("sales_tasks").delete()
        try await database.schema("activities").delete()
    }
}
