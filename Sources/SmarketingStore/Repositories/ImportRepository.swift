import FluentKit
import Foundation
import SmarketingCore

/// An import of a CSV file as the product keeps it: file, mapping, status, progress and report.
public struct ContactImportRecord: Sendable, Equatable, Identifiable {
    public enum Status: String, Sendable, Codable {
        /// Uploaded; the mapping is being chosen.
        case mapping
        /// Rows are being written.
        case running
        /// Every row was read.
        case completed
        /// Stopped before the end (error or restart); can be resumed from `processedRows`.
        case interrupted
    }

    public var id: UUID
    public var fileName: String
    public var storedPath: String
    public var status: Status
    public var delimiter: String
    public var encoding: String
    public var mapping: ColumnMapping?
    public var totalRows: Int?
    /// Data rows committed so far; a resume starts after them.
    public var processedRows: Int
    public var created: Int
    public var updated: Int
    public var rejected: Int
    public var message: String?
    public var createdAt: Date
    public var updatedAt: Date
}

final class ImportRow: Model, @unchecked Sendable {
    static let schema = "imports"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @OptionalField(key: "user_id") var userID: UUID?
    @Field(key: "file_name") var fileName: String
    @Field(key: "stored_path") var storedPath: String
    @Field(key: "status") var status: String
    @Field(key: "delimiter") var delimiter: String
    @Field(key: "encoding") var encoding: String
    @Field(key: "mapping") var mapping: String
    @OptionalField(key: "total_rows") var totalRows: Int?
    @Field(key: "processed_rows") var processedRows: Int
    @Field(key: "created_count") var createdCount: Int
    @Field(key: "updated_count") var updatedCount: Int
    @Field(key: "rejected_count") var rejectedCount: Int
    @OptionalField(key: "message") var message: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var value: ContactImportRecord {
        ContactImportRecord(
            id: id ?? UUID(), fileName: fileName, storedPath: storedPath,
            status: ContactImportRecord.Status(rawValue: status) ?? .interrupted, delimiter: delimiter, encoding: encoding,
            mapping: try? JSONDecoder().decode(ColumnMapping.self, from: Data(mapping.utf8)), totalRows: totalRows,
            processedRows: processedRows, created: createdCount, updated: updatedCount, rejected: rejectedCount, message: message,
            createdAt: createdAt, updatedAt: updatedAt
        )
    }
}

final class ImportRejectionRow: Model, @unchecked Sendable {
    static let schema = "import_rejections"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "import_id") var importID: UUID
    @Field(key: "row_number") var rowNumber: Int
    @Field(key: "errors") var errors: String

    init() {}
}

/// The imports of one workspace, their progress and their per-row report.
public struct ImportRepository: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    public func create(fileName: String, storedPath: String, delimiter: Character, encoding: SourceEncoding, userID: UUID?, now: Date) async throws -> ContactImportRecord {
        let row = ImportRow()
        row.id = UUID()
        row.workspaceID = workspaceID
        row.userID = userID
        row.fileName = String(fileName.prefix(200))
        row.storedPath = storedPath
        row.status = ContactImportRecord.Status.mapping.rawValue
        row.delimiter = String(delimiter)
        row.encoding = encoding.rawValue
        row.mapping = "null"
        row.processedRows = 0
        row.createdCount = 0
        row.updatedCount = 0
        row.rejectedCount = 0
        row.createdAt = now
        row.updatedAt = now
        try await row.create(on: db)
        return row.value
    }

    public func find(_ id: UUID) async throws -> ContactImportRecord? {
        try await ImportRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first()?.value
    }

    public func list(limit: Int = 20) async throws -> [ContactImportRecord] {
        try await ImportRow.query(on: db).filter(\.$workspaceID == workspaceID).sort(\.$createdAt, .descending).limit(limit).all().map(\.value)
    }

    public func start(_ id: UUID, mapping: ColumnMapping, totalRows: Int?, now: Date) async throws {
        guard let row = try await ImportRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() else { return }
        row.mapping = String(decoding: try JSONEncoder().encode(mapping), as: UTF8.self)
        row.status = ContactImportRecord.Status.running.rawValue
        row.totalRows = totalRows
        row.message = nil
        row.updatedAt = now
        try await row.update(on: db)
    }

    /// Records a committed batch; call it on the batch's own transaction, so progress and rows
    /// are written together and a resume never writes a row twice.
    public func advance(_ id: UUID, to processedRows: Int, batch: ImportReport, rejections: [ImportReport.Rejection], now: Date, on tx: any Database) async throws {
        guard let row = try await ImportRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() else { return }
        row.processedRows = processedRows
        row.createdCount += batch.created
        row.updatedCount += batch.updated
        row.rejectedCount += batch.rejected
        row.updatedAt = now
        try await row.update(on: tx)
        for rejection in rejections {
            let rejectionRow = ImportRejectionRow()
            rejectionRow.id = UUID()
            rejectionRow.workspaceID = workspaceID
            rejectionRow.importID = id
            rejectionRow.rowNumber = rejection.row
            rejectionRow.errors = String(decoding: try JSONEncoder().encode(rejection.errors), as: UTF8.self)
            try await rejectionRow.create(on: tx)
        }
    }

    public func finish(_ id: UUID, status: ContactImportRecord.Status, message: String?, now: Date) async throws {
        guard let row = try await ImportRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() else { return }
        row.status = status.rawValue
        row.message = message.map { String($0.prefix(500)) }
        row.updatedAt = now
        try await row.update(on: db)
    }

    /// The first rejected rows of an import, with their reasons.
    public func rejections(_ id: UUID, limit: Int) async throws -> [ImportReport.Rejection] {
        try await ImportRejectionRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$importID == id)
            .sort(\.$rowNumber).limit(limit).all().map { row in
                ImportReport.Rejection(row: row.rowNumber, errors: (try? JSONDecoder().decode([FieldError].self, from: Data(row.errors.utf8))) ?? [])
            }
    }
}

final class ImportMappingRow: Model, @unchecked Sendable {
    static let schema = "import_mappings"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "headers") var headers: String
    @Field(key: "mapping") var mapping: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

extension ImportRepository {
    static func signature(_ headers: [String]) -> String {
        String(headers.map { $0.lowercased() }.joined(separator: "\u{1F}").prefix(4000))
    }

    /// The mapping last used for files with these headers, so a monthly export maps itself.
    public func savedMapping(headers: [String]) async throws -> ColumnMapping? {
        guard let row = try await ImportMappingRow.query(on: db).filter(\.$workspaceID == workspaceID)
            .filter(\.$headers == Self.signature(headers)).first() else { return nil }
        return try? JSONDecoder().decode(ColumnMapping.self, from: Data(row.mapping.utf8))
    }

    public func saveMapping(_ mapping: ColumnMapping, headers: [String], now: Date) async throws {
        let signature = Self.signature(headers)
        let row = try await ImportMappingRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$headers == signature).first()
            ?? ImportMappingRow()
        if row.id == nil {
            row.id = UUID()
            row.workspaceID = workspaceID
            row.headers = signature
        }
        row.mapping = String(decoding: try JSONEncoder().encode(mapping), as: UTF8.self)
        row.updatedAt = now
        try await row.save(on: db)
    }

    /// At start: imports left running by a stopped process are marked interrupted, to resume.
    public static func interruptStaleRuns(_ db: any Database, now: Date) async throws {
        try await ImportRow.query(on: db).filter(\.$status == ContactImportRecord.Status.running.rawValue)
            .set(\.$status, to: ContactImportRecord.Status.interrupted.rawValue).set(\.$updatedAt, to: now).update()
    }
}
