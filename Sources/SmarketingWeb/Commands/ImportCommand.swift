import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// `smarketing import FILE --as admin@company.com`: imports contacts from a CSV file with the
/// workspace's saved mapping for its headers or else the suggested one (unknown columns become
/// custom fields unless `--ignore`d), saves the mapping for the next file, shows a
/// progress bar, and can be resumed (`--resume ID`) after a stop. `--dry-run` only reports.
struct ImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "The CSV file to import")
        var file: String

        @Option(name: "as", help: "Email of the user the import runs as (their workspace receives the contacts)")
        var user: String?

        @Option(name: "ignore", help: "Comma-separated column headers not to import")
        var ignore: String?

        @Option(name: "resume", help: "Id of an interrupted import to continue")
        var resume: String?

        @Flag(name: "dry-run", help: "Check every row and report, without writing anything")
        var dryRun: Bool

        @Flag(name: "no-new-fields", help: "Ignore columns that would become new custom fields")
        var noNewFields: Bool
    }

    var help: String { "Imports contacts from a CSV file (comma or semicolon, UTF-8 or Latin-1)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let console = context.console
        guard let raw = signature.user, let email = EmailAddress(raw),
              let (user, _) = try await Directory(app.db).userForLogin(email: email), user.isActive
        else {
            console.error("Name the user the import runs as with --as EMAIL (an active user of the workspace).")
            throw ValidationFailure("as", .notInList)
        }
        guard user.may(.editContacts) else {
            console.error("\(email.value) may not import contacts.")
            throw ValidationFailure("as", .notInList)
        }
        let file: ContactImportFile
        do {
            file = try ContactImportFile.open(path: signature.file)
        } catch let problem as ContactImportFile.Problem {
            console.error(Self.describe(problem, path: signature.file))
            throw ValidationFailure("file", .invalid)
        }
        if let warning = file.encoding.warning { console.warning("Note: \(warning.rawValue): the file was read as Latin-1 (Windows-1252).") }

        let definitions = try await CustomFieldRepository(app.db, workspaceID: user.workspaceID).list(.contact)
        let mappings = ImportMappings(db: app.db, workspaceID: user.workspaceID)
        var (mapping, preset) = try await mappings.initial(for: file, definitions: definitions)
        let ignored = Set((signature.ignore ?? "").split(separator: ",").map { String($0).trimmingBlanks.lowercased() })
        for (index, header) in file.headers.enumerated() where ignored.contains(header.lowercased()) { mapping.targets[index] = .ignore }
        if signature.noNewFields {
            for index in mapping.targets.indices { if case .newCustom = mapping.targets[index] { mapping.targets[index] = .ignore } }
        }
        let origin = preset.map { "\($0.rawValue) headers" } ?? "the workspace's saved mapping for these headers"
        console.print("Columns (\(origin), delimiter \"\(file.delimiter)\", \(file.encoding.rawValue)):")
        for (header, target) in zip(file.headers, mapping.targets) { console.print("  \(header) -> \(Self.describe(target))") }

        let runner = ContactImportRunner(db: app.db, workspaceID: user.workspaceID, actor: AuditActor(userID: user.id, name: user.name, channel: .command),
                                         clock: app.clock, logger: app.logger)
        if signature.dryRun {
            let report = try await runner.dryRun(file, mapping: mapping)
            Self.print(report, console: console, title: "Dry run: nothing was written.")
            return
        }
        let imports = ImportRepository(app.db, workspaceID: user.workspaceID)
        var record: ContactImportRecord
        if let id = signature.resume.flatMap(UUID.init(uuidString:)) {
            guard let found = try await imports.find(id), found.status != .completed else {
                console.error("No interrupted import \(signature.resume ?? "") in this workspace.")
                throw ValidationFailure("resume", .notInList)
            }
            record = found
            mapping = found.mapping ?? mapping
            console.print("Resuming after row \(found.processedRows).")
        } else {
            try await mappings.remember(mapping, headers: file.headers, now: app.clock.now())
            let stored = try ImportStorage.directory(app) + "/\(UUID().uuidString.lowercased()).csv"
            try FileManager.default.copyItem(atPath: signature.file, toPath: stored)
            record = try await imports.create(fileName: URL(fileURLWithPath: signature.file).lastPathComponent, storedPath: stored,
                                              delimiter: file.delimiter, encoding: file.encoding, userID: user.id, now: app.clock.now())
        }
        console.print("Import \(record.id.uuidString.lowercased()) (resume it with --resume if it stops).")
        let total = try file.countRows()
        let started = Date()
        record = try await runner.run(record, file: file, mapping: mapping) { done in
            let share = total == 0 ? 1 : Double(done) / Double(total)
            let bar = String(repeating: "#", count: Int(share * 30)) + String(repeating: ".", count: 30 - Int(share * 30))
            let rate = Double(done) / max(0.001, Date().timeIntervalSince(started))
            console.print("  [\(bar)] \(Int(share * 100))%  \(done)/\(total) rows  \(Int(rate)) rows/s")
        }
        console.print("Done: \(record.created) created, \(record.updated) updated, \(record.rejected) rejected.")
        let rejections = try await imports.rejections(record.id, limit: 20)
        for rejection in rejections {
            console.print("  row \(rejection.row): " + rejection.errors.map { "\($0.field) \($0.code.apiCode)" }.joined(separator: ", "))
        }
    }

    static func print(_ report: ImportReport, console: any Console, title: String) {
        console.print(title)
        console.print("  would create \(report.created), update \(report.updated), reject \(report.rejected); \(report.skippedBlank) blank lines skipped")
        for rejection in report.rejections.prefix(20) {
            console.print("  row \(rejection.row): " + rejection.errors.map { "\($0.field) \($0.code.apiCode)" }.joined(separator: ", "))
        }
    }

    static func describe(_ target: ColumnTarget) -> String {
        switch target {
        case .field(let name): name
        case .custom(let key): "custom field \(key)"
        case .newCustom(let key, _, let type, _): "new custom field \(key) (\(type.rawValue))"
        case .ignore: "(ignored)"
        }
    }

    static func describe(_ problem: ContactImportFile.Problem, path: String) -> String {
        switch problem {
        case .unreadable: "\(path) cannot be read."
        case .empty: "\(path) is empty."
        case .notCSV: "\(path) is not a CSV file (no header row, or binary content)."
        }
    }
}
