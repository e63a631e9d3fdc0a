import FluentKit
import Foundation
import SmarketingCore
import SQLKit

/// Full-text search over contacts: `search_text` is rewritten in the word form of Core's
/// `SearchText`, and each engine indexes those words its own way, since neither has the
/// other's full-text syntax: an FTS5 table kept in step by triggers on SQLite, a GIN index of
/// the words on PostgreSQL. The plain index on the column goes: a `LIKE '%…%'` never used it.
struct ContactSearchWords: AsyncMigration {
    var name: String { "20261201_ContactSearchWords" }

    private struct Row: Decodable {
        var rowID: UUID
        var firstName: String
        var lastName: String
        var email: String?
        var companyName: String?

        enum CodingKeys: String, CodingKey {
            case rowID = "id", firstName = "first_name", lastName = "last_name", email, companyName = "company_name"
        }
    }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await rewriteSearchText(database)
        try await sql.drop(index: "contacts_workspace_search").run()
        if sql.dialect.name == "sqlite" {
            try await sql.raw("""
                CREATE VIRTUAL TABLE contacts_fts USING fts5(search_text, content='contacts', content_rowid='rowid', \
                tokenize='unicode61', prefix='2 3')
                """).run()
            try await sql.raw("""
                CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
                  INSERT INTO contacts_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
                END
                """).run()
            try await sql.raw("""
                CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
                  INSERT INTO contacts_fts(contacts_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
                END
                """).run()
            try await sql.raw("""
                CREATE TRIGGER contacts_fts_update AFTER UPDATE OF search_text ON contacts WHEN old.search_text IS NOT new.search_text BEGIN
                  INSERT INTO contacts_fts(contacts_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
                  INSERT INTO contacts_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
                END
                """).run()
            try await sql.raw("INSERT INTO contacts_fts(contacts_fts) VALUES ('rebuild')").run()
        } else {
            try await sql.raw("CREATE INDEX contacts_search_words ON contacts USING gin (to_tsvector('simple', coalesce(search_text, '')))").run()
        }
    }

    /// Every contact's search text in the word form, a thousand at a time, each thousand in one
    /// transaction.
    private func rewriteSearchText(_ database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        var after: UUID?
        while true {
            let select = sql.select()
                .column(SQLColumn("id", table: "c")).column(SQLColumn("first_name", table: "c")).column(SQLColumn("last_name", table: "c"))
                .column(SQLColumn("email", table: "c")).column(SQLAlias(SQLColumn("name", table: "co"), as: SQLIdentifier("company_name")))
                .from(SQLAlias(SQLIdentifier("contacts"), as: SQLIdentifier("c")))
                .join(SQLAlias(SQLIdentifier("companies"), as: SQLIdentifier("co")), method: SQLJoinMethod.left,
                      on: SQLColumn("company_id", table: "c"), .equal, SQLColumn("id", table: "co"))
                .orderBy(SQLColumn("id", table: "c"))
                .limit(1000)
            if let after { select.where(SQLColumn("id", table: "c"), .greaterThan, SQLBind(after)) }
            let rows = try await select.all(decoding: Row.self)
            guard let last = rows.last else { return }
            try await database.transaction { tx in
                guard let sql = tx as? any SQLDatabase else { return }
                for row in rows {
                    try await sql.update("contacts")
                        .set("search_text", to: SearchText.document([row.firstName, row.lastName, row.email, row.companyName]))
                        .where("id", .equal, SQLBind(row.rowID))
                        .run()
                }
            }
            after = last.rowID
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        if sql.dialect.name == "sqlite" {
            for trigger in ["contacts_fts_insert", "contacts_fts_delete", "contacts_fts_update"] {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: trigger)").run()
            }
            try await sql.raw("DROP TABLE IF EXISTS contacts_fts").run()
        } else {
            try await sql.drop(index: "contacts_search_words").run()
        }
        try await Index.create("contacts_workspace_search", on: "contacts", ["workspace_id", "search_text"], in: database)
    }
}
