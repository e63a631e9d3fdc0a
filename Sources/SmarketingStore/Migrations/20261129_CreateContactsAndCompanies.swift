import FluentKit
import SQLKit

struct CreateContactsAndCompanies: AsyncMigration {
    var name: String { "20261129_CreateContactsAndCompanies" }

    func prepare(on database: any Database) async throws {
        try await database.schema("companies")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("domain", .string)
            .field("employee_count", .int)
            .field("industry", .string)
            .field("revenue_band", .string)
            .field("country", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id", "domain")
            .create()
        try await Index.create("companies_workspace_name", on: "companies", ["workspace_id", "name", "id"], in: database)

        try await database.schema("contacts")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("first_name", .string, .required)
            .field("last_name", .string, .required)
            .field("email", .string)
            .field("phone", .string)
            .field("job_title", .string)
            .field("seniority", .string)
            .field("country", .string)
            .field("source", .string)
            .field("company_id", .uuid, .references("companies", "id", onDelete: .setNull))
            .field("owner_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("lifecycle_stage", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id", "email")
            .create()
        try await Index.create("contacts_workspace_created", on: "contacts", ["workspace_id", "created_at", "id"], in: database)
        try await Index.create("contacts_workspace_company", on: "contacts", ["workspace_id", "company_id"], in: database)
        try await Index.create("contacts_workspace_owner", on: "contacts", ["workspace_id", "owner_id"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema("contacts").delete()
        try await database.schema("companies").delete()
    }
}
