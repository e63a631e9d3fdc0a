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
    var batchSize = 500
    let logger: Logger

    /// Maps every row without writing: counts of valid, rejected and blank rows and the first errors.
    func dryRun(_ file: ContactImportFile, mapping: ColumnMapping) async throws -> ImportReport {
        let definitions = try await CustomFieldRepository(db, workspaceID: workspaceID).list(.contact)
        let mapper = ImportRowMapper(mapping: mapping, definitions: definitions)
        try mapper.validate(mapping: mapping)
        var report = ImportReport(maximumRejectionsKept: 50)
        if let warning = file.encoding.warning { report.warn(warning) }
        let emails = ContactRepository(db, workspaceID: workspaceID)
        var rows = try file.dataRows()
        while let (number, values) = rows.next() {
            if ImportRowMapper.isBlank(values) {
                report.record(row: number, .blank)
                continue
            }
            switch mapper.map(values) {
            case .success(let input):
                let exists = try await input.email.asyncFlatMap { try await emails.find(email: $0) } != nil
                report.record(row: number, exists ? .updated : .created)
            case .failure(let failure):
                report.record(row: number, failure)
            }
            if number % 5000 == 0 { await Task.yield() }
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
        var growing = GrowingOptions(mapping: mapping)
        let writer = ContactWriter(db, workspaceID: workspaceID)
        let total = try file.countRows()
        try await imports.start(record.id, mapping: mapping, totalRows: total, now: clock.now())

        var rows = try file.dataRows()
        var valid: [(row: Int, input: ContactInput)] = []
        var rejected: [ImportReport.Rejection] = []
        var blank = 0
        var last = record.processedRows
        func flush() async throws {
            guard !valid.isEmpty || !rejected.isEmpty || blank > 0 else { return }
            _ = try await writer.importBatch(valid, rejected: rejected, blank: blank, importID: record.id, processedRows: last,
                                             definitions: definitions, by: actor, now: clock.now())
            valid.removeAll(keepingCapacity: true)
            rejected.removeAll()
            blank = 0
            await progress(last)
        }
        do {
            while let (number, values) = rows.next() {
                guard number > record.processedRows else { continue }
                last = number
                if ImportRowMapper.isBlank(values) {
                    blank += 1
                } else {
                    switch mapper.map(values) {
                    case .success(let input):
                        growing.record(input)
                        valid.append((number, input))
                    case .failure(let failure):
                        rejected.append(ImportReport.Rejection(row: number, errors: failure.errors))
                    }
                }
                if valid.count + rejected.count + blank >= batchSize { try await flush() }
            }
            try await flush()
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
