import FluentKit

/// Sales qualifications: the answers a rep gave to the SQL criteria when marking a lead SQL.
struct CreateSQLQualifications: AsyncMigration {
    var name: String { "20261202_SQLQualifications" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sql_qualifications")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("definition_version", .int, .required)
            .field("answers", .string, .required)
            .field("actor_user_id", .uuid)
            .field("actor_label", .string, .required)
            .field("via", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await Index.create("sql_qualifications_contact", on: "sql_qualifications", ["workspace_id", "contact_id", "at"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sql_qualifications").delete()
    }
}
