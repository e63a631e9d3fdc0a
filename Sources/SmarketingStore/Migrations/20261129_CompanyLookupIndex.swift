import FluentKit
import SQLKit

/// Companies are found by name when a contact names no domain (forms, imports): index it.
struct CompanyLookupIndex: AsyncMigration {
    var name: String { "20261129_CompanyLookupIndex" }

    func prepare(on database: any Database) async throws {
        try await Index.create("companies_workspace_search", on: "companies", ["workspace_id", "search_text"], in: database)
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "companies_workspace_search").run()
    }
}
