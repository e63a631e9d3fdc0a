import Foundation
import SmarketingCore
import SmarketingStore
@testable import SmarketingWeb
import Testing
import Vapor

extension Browser {
    /// Uploads a file like a browser's multipart form, with the CSRF token in the action URL.
    func upload(_ path: String, fileName: String, contents: Data) async throws -> Reply {
        if cookies[Cookies.csrf] == nil { try await get("/login") }
        let boundary = "----smarketing-test-boundary"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
        body.append(contents)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return try await send(.POST, path + "?_csrf=" + (cookies[Cookies.csrf] ?? ""), bytes: body,
                              contentType: "multipart/form-data; boundary=\(boundary)")
    }
}

@Suite("Importing contacts from CSV")
struct ImportTests {
    /// Waits for a background import to finish (the app runs it in a task).
    func waitForImport(_ app: Application, workspaceID: UUID, id: UUID) async throws -> ContactImportRecord {
        for _ in 0..<300 {
            if let record = try await ImportRepository(app.db, workspaceID: workspaceID).find(id), record.status != .running { return record }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Abort(.requestTimeout)
    }

    @Test("a semicolon file with a BOM, quoted newlines and bad rows imports the good rows and reports the bad ones by row")
    func importWithReport() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let csv = "\u{FEFF}First Name;Last Name;Email;Job Title;Lifecycle Stage\r\n"
                + "Ana;Silva;ana@globex.com;\"Diretora\nde Marketing\";Lead\r\n"
                + "Bruno;Souza;not-an-email;CTO;lead\r\n"
                + "\r\n"
                + "Carla;Dias;carla@globex.com;CFO;Marketing Qualified Lead\r\n"
            let uploaded = try await acme.adminBrowser.upload("/contacts/import", fileName: "hubspot.csv", contents: Data(csv.utf8))
            #expect(uploaded.status == .seeOther)
            let importPath = try #require(uploaded.location)
            let mapping = try await acme.adminBrowser.get(importPath)
            #expect(mapping.text.contains("id=\"mapping-table\""))
            #expect(mapping.text.contains("value=\"field:email\" selected"))

            let form: [(String, String)] = [("col_0", "field:first_name"), ("col_1", "field:last_name"), ("col_2", "field:email"),
                                            ("col_3", "field:job_title"), ("col_4", "field:lifecycle_stage")]
            let dryRun = try await acme.adminBrowser.post(importPath + "/check", form)
            #expect(dryRun.text.contains("Would create 2, update 0, reject 1; 1 blank lines skipped."))
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == 0)

            #expect(try await acme.adminBrowser.post(importPath + "/run", form).status == .seeOther)
            let id = try #require(UUID(uuidString: String(importPath.split(separator: "/").last ?? "")))
            let record = try await waitForImport(app, workspaceID: acme.workspace.id, id: id)
            #expect(record.status == .completed)
            #expect(record.created == 2)
            #expect(record.rejected == 1)
            let report = try await acme.adminBrowser.get(importPath)
            #expect(report.text.contains("data-row=\"2\""))
            let ana = try await ContactRepository(app.db, workspaceID: acme.workspace.id).find(email: EmailAddress("ana@globex.com")!)
            #expect(ana?.jobTitle == "Diretora\nde Marketing")
            let carla = try await ContactRepository(app.db, workspaceID: acme.workspace.id).find(email: EmailAddress("carla@globex.com")!)
            #expect(carla?.stage == .mql)
        }
    }

    @Test("a Latin-1 file is read with its accents, and its mapping, dry run and progress pages warn that it is not UTF-8")
    func latin1Warning() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            // "João;Conceição" in Windows-1252: ã = E3, ç = E7.
            var bytes = Data("first_name;last_name;email\n".utf8)
            bytes.append(contentsOf: [0x4A, 0x6F, 0xE3, 0x6F, 0x3B, 0x43, 0x6F, 0x6E, 0x63, 0x65, 0x69, 0xE7, 0xE3, 0x6F, 0x3B])
            bytes.append(Data("joao@x.com\n".utf8))
            let uploaded = try await acme.adminBrowser.upload("/contacts/import", fileName: "excel.csv", contents: bytes)
            let path = try #require(uploaded.location)
            let warning = "The file is not UTF-8; it was read as Latin-1 (Windows-1252)."
            #expect(try await acme.adminBrowser.get(path).text.contains(warning))
            let form = [("col_0", "field:first_name"), ("col_1", "field:last_name"), ("col_2", "field:email")]
            #expect(try await acme.adminBrowser.post(path + "/check", form).text.contains(warning))
            _ = try await acme.adminBrowser.post(path + "/run", form)
            let id = try #require(UUID(uuidString: String(path.split(separator: "/").last ?? "")))
            #expect(try await waitForImport(app, workspaceID: acme.workspace.id, id: id).created == 1)
            #expect(try await acme.adminBrowser.get(path).text.contains(warning))
            let joao = try await ContactRepository(app.db, workspaceID: acme.workspace.id).find(email: EmailAddress("joao@x.com")!)
            #expect(joao?.fullName == "João Conceição")
        }
    }

    @Test("re-importing the same file updates by email instead of duplicating, with the saved mapping")
    func reimportUpdates() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let csv = "email,first_name,segment\nana@x.com,Ana,Retail\nbia@x.com,Bia,Health\n"
            for round in 0..<2 {
                let uploaded = try await acme.adminBrowser.upload("/contacts/import", fileName: "contacts.csv", contents: Data(csv.utf8))
                let path = try #require(uploaded.location)
                let page = try await acme.adminBrowser.get(path)
                if round == 1 { #expect(page.text.contains("value=\"custom:segment\" selected")) }
                let target = round == 0 ? "new:choice" : "custom:segment"
                _ = try await acme.adminBrowser.post(path + "/run", [("col_0", "field:email"), ("col_1", "field:first_name"), ("col_2", target)])
                let record = try await waitForImport(app, workspaceID: acme.workspace.id, id: UUID(uuidString: String(path.split(separator: "/").last ?? ""))!)
                #expect(round == 0 ? record.created == 2 : record.updated == 2, "round \(round): \(record)")
            }
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == 2)
            let fields = try await CustomFieldRepository(app.db, workspaceID: acme.workspace.id).list(.contact)
            #expect(fields.first?.key == "segment")
            #expect(fields.first?.options == ["Retail", "Health"])
        }
    }

    @Test("a file that is not CSV, or an empty upload, is refused with a reason on the file field")
    func notCSV() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let binary = try await acme.adminBrowser.upload("/contacts/import", fileName: "photo.png", contents: Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x00, 0x01]))
            #expect(binary.status == .unprocessableEntity)
            #expect(binary.text.contains("data-field=\"file\""))
            let empty = try await acme.adminBrowser.upload("/contacts/import", fileName: "empty.csv", contents: Data())
            #expect(empty.status == .unprocessableEntity)
            #expect(try await ImportRepository(app.db, workspaceID: acme.workspace.id).list().isEmpty)
        }
    }

    @Test("an upload over the size limit is refused with the limit, and no import is left behind")
    func tooLarge() async throws {
        try await withTestApp { app in
            app.importUploadLimit = 1 << 20
            let acme = try await TestWorkspace.viaSetup(app)
            let row = "Ana;Silva;ana@globex.com\r\n"
            let big = "First Name;Last Name;Email\r\n" + String(repeating: row, count: (1 << 20) / row.utf8.count + 10)
            let reply = try await acme.adminBrowser.upload("/contacts/import", fileName: "big.csv", contents: Data(big.utf8))
            #expect(reply.status == .payloadTooLarge)
            #expect(reply.text.contains("The file is larger than 1 MB."))
            #expect(try await ImportRepository(app.db, workspaceID: acme.workspace.id).list().isEmpty)
        }
    }

    @Test("a form posted without its file part, or not as multipart, asks for the file")
    func missingFilePart() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let browser = acme.adminBrowser
            let boundary = "----b"
            let noFile = "--\(boundary)\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nvalue\r\n--\(boundary)--\r\n"
            let reply = try await browser.send(.POST, "/contacts/import?_csrf=" + (browser.cookies[Cookies.csrf] ?? ""), body: noFile,
                                               contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(reply.status == .unprocessableEntity)
            #expect(reply.text.contains("data-field=\"file\""))
            let plain = try await browser.post("/contacts/import", [("file", "First Name\nAna")])
            #expect(plain.status == .unprocessableEntity)
            #expect(try await ImportRepository(app.db, workspaceID: acme.workspace.id).list().isEmpty)
        }
    }

    @Test("bank-additional.csv imports all 4,119 rows with every column kept as typed fields")
    func bankFile() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            let data = try Data(contentsOf: URL(fileURLWithPath: BankFile.path))
            let uploaded = try await acme.adminBrowser.upload("/contacts/import", fileName: "bank-additional.csv", contents: data)
            let path = try #require(uploaded.location)
            let page = try await acme.adminBrowser.get(path)
            var form: [(String, String)] = []
            for index in 0..<21 {
                let selected = page.text.range(of: "name=\"col_\(index)\"").flatMap { range -> String? in
                    let rest = page.text[range.upperBound...]
                    guard let selectedRange = rest.range(of: "\" selected") else { return nil }
                    let before = rest[..<selectedRange.lowerBound]
                    return before.components(separatedBy: "value=\"").last
                }
                form.append(("col_\(index)", selected ?? "ignore"))
            }
            _ = try await acme.adminBrowser.post(path + "/run", form)
            let record = try await waitForImport(app, workspaceID: acme.workspace.id, id: UUID(uuidString: String(path.split(separator: "/").last ?? ""))!)
            #expect(record.status == .completed)
            #expect(record.created == 4119)
            #expect(record.rejected == 0)
            let fields = try await CustomFieldRepository(app.db, workspaceID: acme.workspace.id).list(.contact)
            #expect(fields.count == 20)
            #expect(fields.first { $0.key == "y" }?.type == .boolean)
            #expect(fields.first { $0.key == "job" }?.type == .choice)
            let definitions = fields
            let converted = try await ContactSearch(app.db, workspaceID: acme.workspace.id)
                .count(ContactQuery(filters: [FieldFilter(field: "cf_y", operation: .equals, values: ["true"])]), definitions: definitions)
            #expect(converted == 451)
        }
    }
}

/// Where the shared data sets are, from the test file (CI clones beside `shared/`).
enum BankFile {
    static var path: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<6 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("shared/data/bank-additional.csv").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return "/work/shared/data/bank-additional.csv"
    }
}

@Suite("Resuming an import")
struct ImportResumeTests {
    @Test("an import stopped after a committed batch resumes after it without writing any row twice")
    func resumeWithoutDuplicates() async throws {
        try await withTestApp { app in
            let acme = try await TestWorkspace.viaSetup(app)
            // Rows without email: writing one twice would make a duplicate, so the count proves it.
            var csv = "first_name,last_name,job_title\n"
            for index in 1...25 { csv += "Name\(index),Last\(index),Title \(index)\n" }
            let path = NSTemporaryDirectory() + "resume-\(UUID().uuidString).csv"
            try csv.write(toFile: path, atomically: true, encoding: .utf8)
            let file = try ContactImportFile.open(path: path)
            let mapping = ColumnMapping(targets: [.field("first_name"), .field("last_name"), .field("job_title")])
            let imports = ImportRepository(app.db, workspaceID: acme.workspace.id)
            let record = try await imports.create(fileName: "resume.csv", storedPath: path, delimiter: ",", encoding: .utf8, userID: acme.admin.id, now: app.clock.now())
            try await imports.start(record.id, mapping: mapping, totalRows: 25, now: app.clock.now())

            // The first ten rows were committed, then the process stopped.
            let mapper = ImportRowMapper(mapping: mapping, definitions: [])
            let firstBatch = try (1...10).map { number in (row: number, input: try mapper.map(["Name\(number)", "Last\(number)", "Title \(number)"]).get()) }
            _ = try await ContactWriter(app.db, workspaceID: acme.workspace.id).importBatch(
                firstBatch, rejected: [], blank: 0, importID: record.id, processedRows: 10, definitions: [], by: .user(acme.admin, via: .command), now: app.clock.now())
            try await ImportRepository.interruptStaleRuns(app.db, now: app.clock.now())
            let interrupted = try #require(try await imports.find(record.id))
            #expect(interrupted.status == .interrupted)
            #expect(interrupted.processedRows == 10)

            let runner = ContactImportRunner(db: app.db, workspaceID: acme.workspace.id, actor: .user(acme.admin, via: .command),
                                             clock: app.clock, batchSize: 7, logger: app.logger)
            let finished = try await runner.run(interrupted, file: file, mapping: mapping)
            #expect(finished.status == .completed)
            #expect(finished.created == 25)
            #expect(try await ContactRepository(app.db, workspaceID: acme.workspace.id).count() == 25)
            let titles = try await ContactSearch(app.db, workspaceID: acme.workspace.id)
                .page(ContactQuery(filters: [FieldFilter(field: "job_title", operation: .equals, values: ["title 11"])]), limit: 5, after: nil, definitions: [])
            #expect(titles.contacts.count == 1)
        }
    }
}
