import FluentKit
import Foundation
import SmarketingCore
import SQLKit

/// The contacts of one workspace.
public struct ContactRepository: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// Newest first, `limit` at a time; pass the cursor of the last contact shown for the next page.
    public func page(limit: Int, after cursor: PageCursor?) async throws -> [Contact] {
        var query = ContactRow.query(on: db).filter(\.$workspaceID == workspaceID)
        if let cursor {
            query = query.group(.or) { or in
                or.filter(\.$createdAt < cursor.date)
                or.group(.and) { $0.filter(\.$createdAt == cursor.date).filter(\.$id < cursor.id) }
            }
        }
        return try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(limit).all().map(\.value)
    }

    public func find(_ id: UUID) async throws -> Contact? {
        try await ContactRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first()?.value
    }

    public func find(ids: [UUID]) async throws -> [Contact] {
        guard !ids.isEmpty else { return [] }
        return try await ContactRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id ~~ ids).all().map(\.value)
    }

    /// The contacts with these addresses, in one query per 500.
    public func find(emails: [EmailAddress]) async throws -> [Contact] {
        var found: [Contact] = []
        for chunk in Array(Set(emails.map(\.value))).chunked(500) {
            found += try await ContactRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$email ~~ Array(chunk)).all().map(\.value)
        }
        return found
    }

    public func find(email: EmailAddress) async throws -> Contact? {
        try await ContactRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$email == email.value).first()?.value
    }

    public func count() async throws -> Int {
        try await ContactRow.query(on: db).filter(\.$workspaceID == workspaceID).count()
    }

    public func countByStage() async throws -> [LifecycleStage: Int] {
        var counts: [LifecycleStage: Int] = [:]
        for stage in LifecycleStage.allCases {
            counts[stage] = try await ContactRow.query(on: db).filter(\.$workspaceID == workspaceID)
                .filter(\.$lifecycleStage == stage.rawValue).count()
        }
        return counts
    }
}

/// The companies of one workspace.
public struct CompanyRepository: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    public func page(limit: Int, after cursor: PageCursor?) async throws -> [Company] {
        var query = CompanyRow.query(on: db).filter(\.$workspaceID == workspaceID)
        if let cursor {
            query = query.group(.or) { or in
                or.filter(\.$createdAt < cursor.date)
                or.group(.and) { $0.filter(\.$createdAt == cursor.date).filter(\.$id < cursor.id) }
            }
        }
        return try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(limit).all().map(\.value)
    }

    public func find(_ id: UUID) async throws -> Company? {
        try await CompanyRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first()?.value
    }

    public func find(ids: [UUID]) async throws -> [UUID: Company] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await CompanyRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id ~~ Array(Set(ids))).all()
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.id ?? UUID(), $0.value) })
    }

    public func count() async throws -> Int {
        try await CompanyRow.query(on: db).filter(\.$workspaceID == workspaceID).count()
    }

    /// How many contacts work for each of these companies (companies without any are left out).
    public func contactCounts(of ids: [UUID]) async throws -> [UUID: Int] {
        guard !ids.isEmpty, let sql = db as? any SQLDatabase else { return [:] }
        let rows = try await sql.select().column("company_id").column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from(ContactRow.schema)
            .where("workspace_id", .equal, SQLBind(workspaceID))
            .where("company_id", .in, SQLGroupExpression(SQLList(Array(Set(ids)).map { SQLBind($0) })))
            .groupBy("company_id")
            .all()
        var counts: [UUID: Int] = [:]
        for row in rows { counts[try row.decode(column: "company_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self) }
        return counts
    }

    public func contactCount(of companyID: UUID) async throws -> Int {
        try await ContactRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$companyID == companyID).count()
    }
}
