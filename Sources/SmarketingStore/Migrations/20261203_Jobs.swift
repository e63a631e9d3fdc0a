import FluentKit

/// The job queue: work to do after a commit (a notification, a webhook delivery, an email),
/// written in the same transaction as the change that causes it. A unique key makes a scheduled
/// tick run once however many instances schedule it.
struct CreateJobs: AsyncMigration {
    var name: String { "20261203_Jobs" }

    func prepare(on database: any Database) async throws {
        try await database.schema("jobs")
            .id()
            .field("workspace_id", .uuid, .references("workspaces", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("unique_key", .string)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("max_attempts", .int, .required)
            .field("run_at", .datetime, .required)
            .field("locked_by", .string)
            .field("locked_until", .datetime)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("finished_at", .datetime)
            .unique(on: "unique_key")
            .create()
        try await Index.create("jobs_due", on: "jobs", ["status", "run_at"], in: database)
        try await Index.create("jobs_workspace", on: "jobs", ["workspace_id", "kind", "created_at"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await Index.drop("jobs_workspace", in: database)
        try await Index.drop("jobs_due", in: database)
        try await database.schema("jobs").delete()
    }
}
