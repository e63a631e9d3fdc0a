import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// Runs an import: creates the new custom fields its mapping asks for, maps every row with
/// Core's `ImportRowMapper`, and writes batches in transactions that also move the import's
/// progress, so it can stop anywhere and resume without duplicates. A dry run maps every row
/// and reports what would happen without writing anything.
struct ContactImportRunner {
    let db: any Database
    let workspaceID: UUID
    let actor: AuditActor
    let clock: AppClock
    var batchSize = 2000
    let logger: Logger

    /// Maps every row without writing: counts of valid, rejected and blank rows and the first errors.
    func dryRun(_ file: ContactImportFile, mapping: ColumnMapping) async throws -> ImportReport {
        let definitions = try await CustomFieldRepository(db, workspaceID: workspaceID).list(.contact)
        let mapper = ImportRowMapper(mapping: mapping, definitions: definitions)
        try mapper.validate(mapping: mapping)
        var report = ImportReport(maximumRejectionsKept: 50)
        if let warning = file.encoding.warning { report.warn(warning) }
        let contacts = ContactSearch(db, workspaceID: workspaceID)
        let source = BatchSource(rows: try file.dataRows(), mapper: mapper, growing: GrowingOptions(mapping: mapping),
                                 skippingThrough: 0, batchSize: batchSize)
        while let batch = source.next() {
            for _ in 0..<batch.blank { report.record(row: 0, .blank) }
            for rejection in batch.rejected { report.record(row: rejection.row, ValidationFailure(rejection.errors)) }
            let existing = try await contacts.existingEmails(Set(batch.valid.compactMap { $0.input.email?.value }))
            for (number, input) in batch.valid {
                report.record(row: number, input.email.map { existing.contains($0.value) } == true ? .updated : .created)
            }
        }
        return report
    }

    /// Writes the import from the row after the last committed one. `progress` is called after
    /// each batch with the rows committed so far.
    func run(_ record: ContactImportRecord, file: ContactImportFile, mapping: ColumnMapping,
             progress: @Sendable (Int) async -> Void = { _ in }) async throws -> ContactImportRecord {
        let imports = ImportRepository(db, workspaceID: workspaceID)
        let fields = CustomFieldRepository(db, workspaceID: workspaceID)
        var definitions = try await fields.list(.contact)
        for field in mapping.newFields where !definitions.contains(where: { $0.key == field.key }) {
            definitions.append(try await fields.create(entity: .contact, key: field.key, label: field.label, type: field.type,
                                                       options: field.options, by: actor, now: clock.now()))
        }
        let mapper = ImportRowMapper(mapping: mapping, definitions: definitions)
        try mapper.validate(mapping: mapping)
        let writer = ContactWriter(db, workspaceID: workspaceID)
        let total = try file.countRows()
        try await imports.start(record.id, mapping: mapping, totalRows: total, now: clock.now())

        // Reading and checking the next batch overlaps with writing the current one.
        let source = BatchSource(rows: try file.dataRows(), mapper: mapper, growing: GrowingOptions(mapping: mapping),
                                 skippingThrough: record.processedRows, batchSize: batchSize)
        do {
            var upcoming = Task.detached { source.next() }
            while let batch = await upcoming.value {
                upcoming = Task.detached { source.next() }
                _ = try await writer.importBatch(batch.valid, rejected: batch.rejected, blank: batch.blank, importID: record.id,
                                                 processedRows: batch.lastRow, definitions: definitions, by: actor, now: clock.now())
                await progress(batch.lastRow)
            }
            let growing = source.growing
            for definition in definitions where growing.options[definition.key] != nil {
                let grown = growing.grown(definition)
                if grown.type == definition.type, grown.options != definition.options {
                    _ = try await fields.update(definition.id, label: definition.label, options: grown.options, by: actor, now: clock.now())
                }
            }
            try await imports.finish(record.id, status: .completed, message: nil, now: clock.now())
        } catch {
            logger.report(error: error)
            try await imports.finish(record.id, status: .interrupted, message: String(describing: error), now: clock.now())
            throw error
        }
        return try await imports.find(record.id) ?? record
    }
}

/// Where uploaded import files are kept: `IMPORT_DIRECTORY`, or `imports` beside the SQLite file.
enum ImportStorage {
    static func directory(_ app: Application) throws -> String {
        let base: String
        if let configured = Environment.get("IMPORT_DIRECTORY"), !configured.isEmpty {
            base = configured
        } else if case .sqliteFile(let path) = app.config.database {
            base = (URL(fileURLWithPath: path).deletingLastPathComponent().path) + "/imports"
        } else if case .sqliteMemory = app.config.database {
            base = NSTemporaryDirectory() + "smarketing-imports"
        } else {
            base = FileManager.default.currentDirectoryPath + "/imports"
        }
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        return base
    }
}

/// The rows of an import file, a batch at a time, mapped and checked. Only one task reads it
/// at a time (the next batch is read while the previous one is written), which is why it may
/// be shared between tasks.
private final class BatchSource: @unchecked Sendable {
    struct Batch: Sendable {
        var valid: [(row: Int, input: ContactInput)] = []
        var rejected: [ImportReport.Rejection] = []
        var blank = 0
        var lastRow = 0
    }

    private var rows: ContactImportFile.DataRows
    private let mapper: ImportRowMapper
    private let skippingThrough: Int
    private let batchSize: Int
    /// The choices seen so far, to grow the options of choice fields after the import.
    private(set) var growing: GrowingOptions

    init(rows: ContactImportFile.DataRows, mapper: ImportRowMapper, growing: GrowingOptions, skippingThrough: Int, batchSize: Int) {
        self.rows = rows
        self.mapper = mapper
        self.growing = growing
        self.skippingThrough = skippingThrough
        self.batchSize = batchSize
    }

    /// The next batch, or nil at the end of the file.
    func next() -> Batch? {
        var batch = Batch()
        var size = 0
        while size < batchSize, let (number, values) = rows.next() {
            guard number > skippingThrough else { continue }
            batch.lastRow = number
            size += 1
            if ImportRowMapper.isBlank(values) {
                batch.blank += 1
                continue
            }
            switch mapper.map(values) {
            case .success(let input):
                growing.record(input)
                batch.valid.append((number, input))
            case .failure(let failure):
                batch.rejected.append(ImportReport.Rejection(row: number, errors: failure.errors))
            }
        }
        return size == 0 ? nil : batch
    }
}
