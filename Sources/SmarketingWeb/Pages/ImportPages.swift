import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// Importing contacts from a CSV file in the browser: upload, map columns (a preset for
/// HubSpot and Mautic headers, the workspace's saved mapping for known files), check with a
/// dry run, then import with a live progress bar that survives a reload, and a per-row report.
struct ImportPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("contacts", "import", use: start)
        routes.on(.POST, "contacts", "import", body: .stream, use: upload)
        routes.get("contacts", "import", ":importID", use: show)
        routes.post("contacts", "import", ":importID", "check", use: check)
        routes.post("contacts", "import", ":importID", "run", use: run)
        routes.post("contacts", "import", ":importID", "resume", use: resume)
    }

    private func importer(_ req: Request) throws -> Member {
        let member = try req.requireMember()
        try member.require(.editContacts)
        return member
    }

    func start(req: Request) async throws -> Response {
        let member = try importer(req)
        return try await uploadPage(req, member: member, error: nil).response(for: req)
    }

    func upload(req: Request) async throws -> Response {
        let member = try importer(req)
        let path = try ImportStorage.directory(req.application) + "/\(UUID().uuidString.lowercased()).csv"
        func refused(_ error: FieldError, status: HTTPStatus = .unprocessableEntity) async throws -> Response {
            var page = try await uploadPage(req, member: member, error: error)
            page.status = status
            return page.response(for: req)
        }
        let upload: StreamedUpload
        do {
            upload = try await StreamedUpload.receive(req, field: "file", to: path, maximumSize: req.application.importUploadLimit)
        } catch StreamedUpload.Problem.tooLarge {
            return try await refused(FieldError("file", .tooLong(maximum: max(1, req.application.importUploadLimit >> 20))), status: .payloadTooLarge)
        } catch is StreamedUpload.Problem {
            return try await refused(FieldError("file", .required))
        }
        let file: ContactImportFile
        do {
            file = try ContactImportFile.open(path: path)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            return try await refused(FieldError("file", .invalid))
        }
        let record = try await ImportRepository(req.db, workspaceID: member.workspaceID).create(
            fileName: upload.fileName, storedPath: path, delimiter: file.delimiter, encoding: file.encoding, userID: member.user.id, now: req.now
        )
        return req.redirect(to: "/contacts/import/\(record.id.uuidString.lowercased())", redirectType: .normal)
    }

    func show(req: Request) async throws -> Response {
        let member = try importer(req)
        let record = try await find(req, member)
        switch record.status {
        case .mapping:
            let file = try ContactImportFile.open(path: record.storedPath)
            let mapping = try await suggestedMapping(req, member: member, file: file)
            return try await mappingPage(req, member: member, record: record, file: file, mapping: mapping, report: nil).response(for: req)
        case .running, .completed, .interrupted:
            return try await progressPage(req, member: member, record: record).response(for: req)
        }
    }

    func check(req: Request) async throws -> Response {
        let member = try importer(req)
        let record = try await find(req, member)
        guard record.status == .mapping else { return req.redirect(to: req.url.path.replacingOccurrences(of: "/check", with: "")) }
        let file = try ContactImportFile.open(path: record.storedPath)
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let mapping = try await chosenMapping(req, file: file, definitions: definitions)
        let report = try await runner(req, member: member).dryRun(file, mapping: mapping)
        return try await mappingPage(req, member: member, record: record, file: file, mapping: mapping, report: report).response(for: req)
    }

    func run(req: Request) async throws -> Response {
        let member = try importer(req)
        let record = try await find(req, member)
        guard record.status == .mapping else { return req.redirect(to: "/contacts/import/\(record.id.uuidString.lowercased())", redirectType: .normal) }
        let file = try ContactImportFile.open(path: record.storedPath)
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let mapping = try await chosenMapping(req, file: file, definitions: definitions)
        let problems = Self.problems(of: mapping, definitions: definitions)
        if !problems.isEmpty {
            var page = try await mappingPage(req, member: member, record: record, file: file, mapping: mapping, report: nil, problems: problems)
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        try await ImportMappings(db: req.db, workspaceID: member.workspaceID).remember(mapping, headers: file.headers, now: req.now)
        try await ImportRepository(req.db, workspaceID: member.workspaceID).start(record.id, mapping: mapping, totalRows: nil, now: req.now)
        launch(req, member: member, record: record, file: file, mapping: mapping)
        return req.redirect(to: "/contacts/import/\(record.id.uuidString.lowercased())", redirectType: .normal)
    }

    func resume(req: Request) async throws -> Response {
        let member = try importer(req)
        let record = try await find(req, member)
        guard record.status == .interrupted, let mapping = record.mapping else {
            return req.redirect(to: "/contacts/import/\(record.id.uuidString.lowercased())", redirectType: .normal)
        }
        let file = try ContactImportFile.open(path: record.storedPath)
        try await ImportRepository(req.db, workspaceID: member.workspaceID).start(record.id, mapping: mapping, totalRows: record.totalRows, now: req.now)
        launch(req, member: member, record: record, file: file, mapping: mapping)
        return req.redirect(to: "/contacts/import/\(record.id.uuidString.lowercased())", redirectType: .normal)
    }

    /// Runs the import in the background; the progress page follows it from the database.
    private func launch(_ req: Request, member: Member, record: ContactImportRecord, file: ContactImportFile, mapping: ColumnMapping) {
        let runner = runner(req, member: member)
        let logger = req.logger
        Task {
            do {
                _ = try await runner.run(record, file: file, mapping: mapping)
            } catch {
                logger.error("import stopped", metadata: ["import_id": .string(record.id.uuidString), "error": .string(String(describing: error))])
            }
        }
    }

    private func runner(_ req: Request, member: Member) -> ContactImportRunner {
        ContactImportRunner(db: req.application.db, workspaceID: member.workspaceID, actor: member.actor, clock: req.application.clock,
                            logger: req.application.logger)
    }

    private func find(_ req: Request, _ member: Member) async throws -> ContactImportRecord {
        guard let id = req.parameters.get("importID", as: UUID.self),
              let record = try await ImportRepository(req.db, workspaceID: member.workspaceID).find(id)
        else { throw Abort(.notFound) }
        return record
    }

    private func suggestedMapping(_ req: Request, member: Member, file: ContactImportFile) async throws -> ColumnMapping {
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        return try await ImportMappings(db: req.db, workspaceID: member.workspaceID).initial(for: file, definitions: definitions).mapping
    }

    /// The mapping the form chose: per column `ignore`, `field:<name>`, `custom:<key>` or `new:<type>`.
    private func chosenMapping(_ req: Request, file: ContactImportFile, definitions: [CustomFieldDefinition]) async throws -> ColumnMapping {
        let form = try await FormData.read(req)
        let samples = try file.samples(200)
        let suggested = ColumnMapping.suggest(headers: file.headers, existing: definitions, samples: samples).mapping
        var targets: [ColumnTarget] = []
        for (index, header) in file.headers.enumerated() {
            let choice = form.value("col_\(index)") ?? "ignore"
            if choice.hasPrefix("field:"), ContactFields.builtIn.contains(String(choice.dropFirst(6))) {
                targets.append(.field(String(choice.dropFirst(6))))
            } else if choice.hasPrefix("custom:"), definitions.contains(where: { $0.key == String(choice.dropFirst(7)) }) {
                targets.append(.custom(String(choice.dropFirst(7))))
            } else if choice.hasPrefix("new:"), let type = CustomFieldType(rawValue: String(choice.dropFirst(4))) {
                if case .newCustom(let key, let label, let suggestedType, let options) = suggested.targets[index], suggestedType == type {
                    targets.append(.newCustom(key: key, label: label, type: type, options: options))
                } else {
                    var key = CustomFieldDefinition.suggestedKey(fromHeader: header)
                    while definitions.contains(where: { $0.key == key }) || ContactFields.builtIn.contains(key) { key += "_2" }
                    // A choice field starts with the values the first rows hold; the import adds later ones.
                    var options: [String] = []
                    if type == .choice || type == .multiChoice {
                        for row in samples where index < row.count {
                            let value = row[index].trimmingBlanks
                            if !value.isEmpty, !options.contains(where: { $0.lowercased() == value.lowercased() }), options.count < 200 {
                                options.append(value)
                            }
                        }
                    }
                    targets.append(.newCustom(key: key, label: String(header.prefix(60)), type: options.isEmpty && type == .choice ? .text : type,
                                              options: options))
                }
            } else {
                targets.append(.ignore)
            }
        }
        return ColumnMapping(targets: targets)
    }

    // MARK: Pages

    private func uploadPage(_ req: Request, member: Member, error: FieldError?) async throws -> Page {
        let l = req.l
        let imports = try await ImportRepository(req.db, workspaceID: member.workspaceID).list()
        let zone = member.workspace.settings.timeZone
        let rows: [HTMLNode] = imports.map { record in
            el("tr", [.data("import", record.id.uuidString.lowercased())], [
                cell([el("a", [.href("/contacts/import/\(record.id.uuidString.lowercased())")], text: record.fileName)]),
                cell(Self.statusName(record.status, l)),
                cell(l(.importCounts, l.number(record.created), l.number(record.updated), l.number(record.rejected))),
                cell(l.dateTime(record.createdAt, timeZone: zone)),
            ])
        }
        return Page(title: l(.importTitle), area: .contacts, body: [
            pageHeader(l(.importTitle), subtitle: l(.importIntro), actions: [link(l(.backToContacts), .contacts)]),
            el("section", [.class("panel")], [
                el("form", [Attr("method", "post"), Attr("action", "/contacts/import?_csrf=" + req.csrfToken), Attr("enctype", "multipart/form-data"),
                            .id("upload-form")], [
                    el("div", [.class(error == nil ? "field" : "field has-error")], [
                        el("label", [Attr("for", "f-file")], text: l(.importFile)),
                        void("input", [.id("f-file"), .name("file"), .type("file"), Attr("accept", ".csv,text/csv"), .flag("required")]),
                        el("p", [.class("hint")], text: l(.importFileHint)),
                        Form.errorLine(l, name: "file", error: error.map { $0.code == .invalid ? FieldError("file", .invalid) : $0 }),
                    ]),
                    Form.submit(l(.importUpload)),
                ]),
            ]),
            el("h2", [], text: l(.importRecent)),
            dataTable(id: "imports-table", caption: l(.importRecent), headers: [l(.importFile), l(.status), l(.importResult), l(.createdAt)],
                      rows: rows, empty: l(.importNone)),
        ])
    }

    private func mappingPage(_ req: Request, member: Member, record: ContactImportRecord, file: ContactImportFile,
                             mapping: ColumnMapping, report: ImportReport?, problems: [FieldError] = []) async throws -> Page {
        let l = req.l
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let samples = try file.samples(3)
        let base = "/contacts/import/\(record.id.uuidString.lowercased())"
        var options: [(String, String)] = [("ignore", l(.importIgnore))]
        options += ContactFieldLabels.filterable(l).filter { ContactFields.builtIn.contains($0.0) }.map { ("field:\($0.0)", $0.1) }
        options += [("field:company", l(.company)), ("field:company_domain", l(.domain)), ("field:owner_email", l(.owner) + " (email)")]
        options += definitions.map { ("custom:\($0.key)", "\(l(.customFields)): \($0.label)") }
        options += CustomFieldType.allCases.map { ("new:\($0.rawValue)", l(.importNewField, CustomFieldPages.typeName($0, l))) }
        let rows: [HTMLNode] = file.headers.enumerated().map { index, header in
            let target = index < mapping.targets.count ? mapping.targets[index] : .ignore
            let selected: String = switch target {
            case .field(let name): "field:\(name)"
            case .custom(let key): "custom:\(key)"
            case .newCustom(_, _, let type, _): "new:\(type.rawValue)"
            case .ignore: "ignore"
            }
            return el("tr", [.data("column", header)], [
                cell([el("label", [Attr("for", "col-\(index)")], text: header)]),
                cell(samples.compactMap { index < $0.count ? $0[index] : nil }.filter { !$0.isEmpty }.prefix(3).joined(separator: " · ")),
                cell([el("select", [.id("col-\(index)"), .name("col_\(index)")], options.map { value, label in
                    el("option", [.value(value)] + (value == selected ? [.flag("selected")] : []), text: label)
                })]),
            ])
        }
        let reportPanel: HTMLNode = report.map { report in
            el("section", [.class("panel"), .id("dry-run")], [
                el("h2", [], text: l(.importDryRun)),
                el("p", [], text: l(.importWould, l.number(report.created), l.number(report.updated), l.number(report.rejected), l.number(report.skippedBlank))),
                rejectionTable(report.rejections.prefix(20).map { $0 }, l: l, definitions: definitions),
            ])
        } ?? .empty
        return Page(title: l(.importMapTitle), area: .contacts, body: [
            pageHeader(l(.importMapTitle), subtitle: "\(record.fileName) · \(l(.importDelimiter)) \"\(file.delimiter)\" · \(file.encoding.rawValue)",
                       actions: [link(l(.importTitle), .contactImport)]),
            Self.encodingWarning(file.encoding, l),
            reportPanel,
            problems.isEmpty ? .empty : el("div", [.class("form-error"), Attr("role", "alert"), .id("mapping-problems")],
                                           [text(l(.importMappingProblem) + " " + problems.map { "\($0.field): \(l.message(for: $0))" }.joined(separator: "; "))]),
            Form.post(req, action: base + "/run", id: "mapping-form", [
                dataTable(id: "mapping-table", caption: l(.importMapTitle), headers: [l(.importColumn), l(.importSamples), l(.importTarget)],
                          rows: rows, empty: ""),
                el("div", [.class("form-actions")], [
                    el("button", [.type("submit"), .class("button-secondary"), Attr("formaction", base + "/check"), .id("check-button")], text: l(.importCheck)),
                    Form.submit(l(.importRun), attributes: [.id("run-button")]),
                ]),
            ]),
        ])
    }

    private func progressPage(_ req: Request, member: Member, record: ContactImportRecord) async throws -> Page {
        let l = req.l
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let rejections = try await ImportRepository(req.db, workspaceID: member.workspaceID).rejections(record.id, limit: 100)
        let total = record.totalRows ?? 0
        let percent = total == 0 ? (record.status == .completed ? 100 : 0) : min(100, record.processedRows * 100 / total)
        var body: [HTMLNode] = [
            pageHeader(record.fileName, subtitle: Self.statusName(record.status, l), actions: [link(l(.importTitle), .contactImport), link(l(.navContacts), .contacts)]),
            Self.encodingWarning(SourceEncoding(rawValue: record.encoding) ?? .utf8, l),
            el("section", [.class("panel"), .id("import-progress"), .data("status", record.status.rawValue)], [
                el("label", [Attr("for", "import-bar")], text: l(.importProgress, l.number(record.processedRows), l.number(total))),
                el("progress", [.id("import-bar"), Attr("max", "100"), .value(String(percent))], text: "\(percent)%"),
                el("p", [.id("import-counts")], text: l(.importCounts, l.number(record.created), l.number(record.updated), l.number(record.rejected))),
                record.message.map { el("p", [.class("form-error")], text: $0) } ?? .empty,
                record.status == .interrupted
                    ? Form.post(req, action: "/contacts/import/\(record.id.uuidString.lowercased())/resume", id: "resume-form", [Form.submit(l(.importResume))])
                    : .empty,
            ]),
        ]
        if !rejections.isEmpty {
            body.append(el("section", [.class("panel")], [el("h2", [], text: l(.importRejected)), rejectionTable(rejections, l: l, definitions: definitions)]))
        }
        var page = Page(title: l(.importTitle), area: .contacts, body: body)
        if record.status == .running { page.refreshSeconds = 2 }
        return page
    }

    private func rejectionTable(_ rejections: [ImportReport.Rejection], l: Localizer, definitions: [CustomFieldDefinition]) -> HTMLNode {
        dataTable(id: "rejections-table", caption: l(.importRejected), headers: [l(.importRow), l(.importReason)], rows: rejections.map { rejection in
            el("tr", [.data("row", String(rejection.row))], [
                cell(String(rejection.row)),
                cell(rejection.errors.map { "\(ContactFieldLabels.label($0.field, definitions: definitions, l)): \(l.message(for: $0))" }.joined(separator: "; ")),
            ])
        }, empty: l(.importNoRejections))
    }

    static func problems(of mapping: ColumnMapping, definitions: [CustomFieldDefinition]) -> [FieldError] {
        do {
            try ImportRowMapper(mapping: mapping, definitions: definitions).validate(mapping: mapping)
            return []
        } catch {
            return error.errors
        }
    }

    /// A file read as Latin-1 may show wrong accents: said on every page of its import.
    static func encodingWarning(_ encoding: SourceEncoding, _ l: Localizer) -> HTMLNode {
        encoding.warning == nil ? .empty : el("p", [.class("form-error"), .id("encoding-warning"), Attr("role", "status")], text: l(.importLatin1))
    }

    static func statusName(_ status: ContactImportRecord.Status, _ l: Localizer) -> String {
        switch status {
        case .mapping: l(.importStatusMapping)
        case .running: l(.importStatusRunning)
        case .completed: l(.importStatusCompleted)
        case .interrupted: l(.importStatusInterrupted)
        }
    }
}
