import FluentKit

/// The forms of a workspace: the contact fields each asks (with labels and required flags) and
/// its consent checkboxes as JSON, the submit label, what follows a submission, and a count of
/// the submissions accepted.
struct CreateForms: AsyncMigration {
    var name: String { "20261202_Forms" }

    func prepare(on database: any Database) async throws {
        try await database.schema("forms")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("fields", .string, .required)
            .field("consents", .string, .required)
            .field("submit_label", .string, .required)
            .field("after_submit", .string, .required)
            .field("thank_you_message", .string)
            .field("redirect_url", .string)
            .field("submissions", .int, .required)
            .field("last_submitted_at", .datetime)
            .field("archived", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await Index.create("forms_workspace_created", on: "forms", ["workspace_id", "created_at"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema("forms").delete()
    }
}
