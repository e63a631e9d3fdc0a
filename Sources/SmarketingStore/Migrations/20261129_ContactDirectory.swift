import FluentKit
import SQLKit

/// Contacts and companies as the shared lead database: more contact fields, a search column,
/// typed custom fields, the change timeline of every record, idempotent creates, lists, and
/// imports with their per-row report.
struct ContactDirectory: AsyncMigration {
    var name: String { "20261129_ContactDirectory" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite's ALTER TABLE adds a single column.
        for (name, type) in [("birth_date", DatabaseSchema.DataType.string), ("age", .int), ("campaign", .string),
                             ("last_source", .string), ("last_campaign", .string), ("search_text", .string)] {
            try await database.schema("contacts").field(.definition(name: .key(FieldKey(stringLiteral: name)), dataType: type, constraints: [])).update()
        }
        try await database.schema("companies")
            .field("search_text", .string)
            .update()
        try await Index.create("contacts_workspace_search", on: "contacts", ["workspace_id", "search_text"], in: database)
        try await Index.create("contacts_workspace_stage_created", on: "contacts", ["workspace_id", "lifecycle_stage", "created_at", "id"], in: database)
        try await Index.create("contacts_workspace_name", on: "contacts", ["workspace_id", "last_name", "first_name", "id"], in: database)
        try await Index.create("companies_workspace_created", on: "companies", ["workspace_id", "created_at", "id"], in: database)

        try await database.schema("custom_field_definitions")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("entity", .string, .required)
            .field("key", .string, .required)
            .field("label", .string, .required)
            .field("type", .string, .required)
            .field("options", .string, .required)
            .field("position", .int, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "entity", "key")
            .create()

        try await database.schema("custom_field_values")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("field_id", .uuid, .required, .references("custom_field_definitions", "id", onDelete: .cascade))
            .field("record_id", .uuid, .required)
            .field("text_value", .string, .required)
            .field("number_value", .double)
            .unique(on: "field_id", "record_id")
            .create()
        try await Index.create("custom_field_values_record", on: "custom_field_values", ["workspace_id", "record_id"], in: database)
        try await Index.create("custom_field_values_text", on: "custom_field_values", ["workspace_id", "field_id", "text_value"], in: database)
        try await Index.create("custom_field_values_number", on: "custom_field_values", ["workspace_id", "field_id", "number_value"], in: database)

        try await database.schema("record_changes")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("record_type", .string, .required)
            .field("record_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("actor_user_id", .uuid)
            .field("actor_label", .string, .required)
            .field("via", .string, .required)
            .field("before", .string, .required)
            .field("after", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await Index.create("record_changes_record_at", on: "record_changes", ["workspace_id", "record_id", "at", "id"], in: database)

        try await database.schema("idempotency_keys")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("key", .string, .required)
            .field("request_hash", .string, .required)
            .field("status", .int, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "key")
            .create()

        try await database.schema("contact_lists")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "name")
            .create()
        try await database.schema("contact_list_members")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("list_id", .uuid, .required, .references("contact_lists", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("added_at", .datetime, .required)
            .unique(on: "list_id", "contact_id")
            .create()

        try await database.schema("imports")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("user_id", .uuid)
            .field("file_name", .string, .required)
            .field("stored_path", .string, .required)
            .field("status", .string, .required)
            .field("delimiter", .string, .required)
            .field("encoding", .string, .required)
            .field("mapping", .string, .required)
            .field("total_rows", .int)
            .field("processed_rows", .int, .required)
            .field("created_count", .int, .required)
            .field("updated_count", .int, .required)
            .field("rejected_count", .int, .required)
            .field("message", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await Index.create("imports_workspace_created", on: "imports", ["workspace_id", "created_at"], in: database)
        try await database.schema("import_rejections")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("import_id", .uuid, .required, .references("imports", "id", onDelete: .cascade))
            .field("row_number", .int, .required)
            .field("errors", .string, .required)
            .unique(on: "import_id", "row_number")
            .create()
        try await database.schema("import_mappings")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("headers", .string, .required)
            .field("mapping", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id", "headers")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["import_mappings", "import_rejections", "imports", "contact_list_members", "contact_lists",
                      "idempotency_keys", "record_changes", "custom_field_values", "custom_field_definitions"] {
            try await database.schema(table).delete()
        }
        try await database.schema("companies").deleteField("search_text").update()
        for name in ["birth_date", "age", "campaign", "last_source", "last_campaign", "search_text"] {
            try await database.schema("contacts").deleteField(FieldKey(stringLiteral: name)).update()
        }
    }
}
