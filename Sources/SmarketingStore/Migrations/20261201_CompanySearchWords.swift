import FluentKit
import Foundation
import SmarketingCore
import SQLKit

/// The words of each company's name and domain, which the company list's search matches by
/// word start, accents ignored, as the contact search does.
struct CompanySearchWords: AsyncMigration {
    var name: String { "20261201_CompanySearchWords" }

    private struct Row: Decodable {
        var id: UUID
        var name: String
        var domain: String?
    }

    func prepare(on database: any Database) async throws {
        try await database.schema("companies").field("search_words", .string).update()
        guard let sql = database as? any SQLDatabase else { return }
        var after: UUID?
        while true {
            let select = sql.select().columns("id", "name", "domain").from("companies").orderBy("id").limit(1000)
            if let after { select.where("id", .greaterThan, SQLBind(after)) }
            let rows = try await select.all(decoding: Row.self)
            guard let last = rows.last else { return }
            try await database.transaction { tx in
                guard let sql = tx as? any SQLDatabase else { return }
                for row in rows {
                    try await sql.update("companies").set("search_words", to: SearchText.document([row.name, row.domain]))
                        .where("id", .equal, SQLBind(row.id)).run()
                }
            }
            after = last.id
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("companies").deleteField("search_words").update()
    }
}
