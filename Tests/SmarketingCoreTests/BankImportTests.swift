import Foundation
import Testing
@testable import SmarketingCore

/// The UCI bank marketing sample (`shared/data/bank-additional.csv`): semicolons, quoted text,
/// no name or email, a blank last line. Every row must import with every column kept.
@Suite("Importing the bank marketing data set")
struct BankImportTests {
    /// The file, looked up in `shared/data/` beside the repository (as CI lays it out) or in the
    /// workplace's shared folder.
    static func bankFile() throws -> Data {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        var candidates: [URL] = []
        while folder.pathComponents.count > 1 {
            candidates.append(folder.appendingPathComponent("shared/data/bank-additional.csv"))
            folder.deleteLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: "/work/shared/data/bank-additional.csv"))
        let found = try #require(candidates.first { FileManager.default.fileExists(atPath: $0.path) },
                                 "shared/data/bank-additional.csv not found beside the repository")
        return try Data(contentsOf: found)
    }

    /// Cells of a line: split on `;`, surrounding double quotes removed (the file has no quoted
    /// delimiters or line breaks).
    static func cells(_ line: Substring) -> [String] {
        line.split(separator: ";", omittingEmptySubsequences: false).map { cell in
            var text = String(cell)
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
            return text
        }
    }

    struct Prepared {
        var headers: [String]
        var rows: [[String]]
        var blankLines: Int
        var encoding: SourceEncoding
        var delimiter: Character
    }

    static func prepare() throws -> Prepared {
        let bytes = [UInt8](try bankFile())
        let encoding = SourceEncoding.detect(prefix: Array(bytes.prefix(64 * 1024)))
        let text = SourceEncoding.decode(bytes, as: encoding)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        let delimiter = CSVFormat.detectDelimiter(in: lines.prefix(5).joined(separator: "\n"))
        let headers = try #require(lines.first.map(cells))
        var rows: [[String]] = []
        var blank = 0
        for line in lines.dropFirst() {
            let values = cells(line)
            if ImportRowMapper.isBlank(values) { blank += 1 } else { rows.append(values) }
        }
        return Prepared(headers: headers, rows: rows, blankLines: blank, encoding: encoding, delimiter: delimiter)
    }

    static let expectedHeaders = [
        "age", "job", "marital", "education", "default", "housing", "loan", "contact", "month", "day_of_week", "duration",
        "campaign", "pdays", "previous", "poutcome", "emp.var.rate", "cons.price.idx", "cons.conf.idx", "euribor3m",
        "nr.employed", "y",
    ]

    @Test("the file is UTF-8, semicolon-delimited, with 4,119 rows and blank lines at the end")
    func fileShape() throws {
        let file = try Self.prepare()
        #expect(file.encoding == .utf8)
        #expect(file.delimiter == ";")
        #expect(file.headers == Self.expectedHeaders)
        #expect(file.rows.count == 4119)
        #expect(file.blankLines >= 1)
        #expect(file.rows.allSatisfy { $0.count == 21 })
    }

    @Test("the suggested mapping keeps age as a contact field and every other column as a new custom field")
    func suggestion() throws {
        let file = try Self.prepare()
        let (preset, mapping) = ColumnMapping.suggest(headers: file.headers, existing: [], samples: Array(file.rows.prefix(200)))
        #expect(preset == .smarketing)
        #expect(mapping.targets.count == 21)
        #expect(mapping.targets.first == .field("age"))
        #expect(mapping.newFields.count == 20)
        let fields = Dictionary(uniqueKeysWithValues: mapping.newFields.map { ($0.key, $0) })
        #expect(fields.keys.sorted() == [
            "campaign_2", "cons_conf_idx", "cons_price_idx", "contact", "day_of_week", "default", "duration", "education",
            "emp_var_rate", "euribor3m", "housing", "job", "loan", "marital", "month", "nr_employed", "pdays", "poutcome",
            "previous", "y",
        ])
        #expect(fields["job"]?.type == .choice)
        #expect(fields["job"]?.options.count == 12)
        #expect(fields["job"]?.options.first == "blue-collar")
        #expect(fields["y"]?.type == .boolean)
        #expect(fields["month"]?.type == .choice)
        #expect(fields["day_of_week"]?.options.sorted() == ["fri", "mon", "thu", "tue", "wed"])
        #expect(fields["campaign_2"]?.label == "campaign")
        for key in ["duration", "campaign_2", "pdays", "previous", "emp_var_rate", "cons_price_idx", "cons_conf_idx", "euribor3m", "nr_employed"] {
            #expect(fields[key]?.type == .number, "\(key) should be a number")
        }
        for key in ["marital", "education", "default", "housing", "loan", "contact", "poutcome"] {
            #expect(fields[key]?.type == .choice, "\(key) should be a choice")
        }
        #expect(fields["emp_var_rate"]?.label == "emp.var.rate")
    }

    @Test("every row of the file maps to a valid contact with every column kept, typed as inferred")
    func importsEveryRow() throws {
        let file = try Self.prepare()
        let (_, mapping) = ColumnMapping.suggest(headers: file.headers, existing: [], samples: Array(file.rows.prefix(200)))
        let created = mapping.newFields.map {
            CustomFieldDefinition(id: UUID(), entity: .contact, key: $0.key, label: $0.label, type: $0.type, options: $0.options)
        }
        for field in created {
            #expect(throws: Never.self) {
                try CustomFieldDefinition.check(key: field.key, label: field.label, type: field.type.rawValue, options: field.options, entity: "contact")
            }
        }
        let mapper = ImportRowMapper(mapping: mapping, definitions: created)
        #expect(throws: Never.self) { try mapper.validate(mapping: mapping) }

        var report = ImportReport()
        var growing = GrowingOptions(mapping: mapping)
        var inputs: [ContactInput] = []
        for (index, row) in file.rows.enumerated() {
            switch mapper.map(row) {
            case .success(let input):
                inputs.append(input)
                growing.record(input)
                report.record(row: index + 2, .created)
            case .failure(let failure):
                report.record(row: index + 2, failure)
            }
        }
        for _ in 0..<file.blankLines { report.record(row: 0, .blank) }

        #expect(report.rejections == [])
        #expect(report.created == 4119)
        #expect(report.rejected == 0)
        #expect(report.skippedBlank == file.blankLines)
        #expect(inputs.allSatisfy { $0.age != nil && $0.custom.count == 20 && $0.email == nil && $0.firstName.isEmpty })

        let first = try #require(inputs.first)
        #expect(first.age == 30)
        #expect(first.custom["job"] == .choice("blue-collar"))
        #expect(first.custom["marital"] == .choice("married"))
        #expect(first.custom["y"] == .boolean(false))
        #expect(first.custom["duration"] == .number(487))
        #expect(first.custom["campaign_2"] == .number(2))
        #expect(first.custom["emp_var_rate"] == .number(-1.8))
        #expect(first.custom["cons_price_idx"] == .number(92.893))
        #expect(first.custom["nr_employed"] == .number(5099.1))
        #expect(first.custom["month"] == .choice("may"))
        #expect(inputs.filter { $0.custom["y"] == .boolean(true) }.count == 451)
        #expect(inputs.map(\.age).compactMap { $0 }.allSatisfy { (17...98).contains($0) })

        // Values the first 200 rows did not show became options of the new fields.
        let grown = created.map(growing.grown)
        let options = Dictionary(uniqueKeysWithValues: grown.map { ($0.key, $0.options) })
        #expect(options["month"]?.contains("dec") == true)
        #expect(options["marital"]?.contains("unknown") == true)
        #expect(options["education"]?.contains("illiterate") == true)
        #expect(options["default"]?.sorted() == ["no", "unknown", "yes"])
        #expect(options["job"]?.count == 12)
        for field in grown {
            #expect(throws: Never.self) {
                try CustomFieldDefinition.check(key: field.key, label: field.label, type: field.type.rawValue, options: field.options, entity: "contact")
            }
        }

        // Exported and imported again with the completed fields, every contact is the same.
        let again = inputs.map { ContactInput.check($0.fields(), customFields: grown) }
        #expect(zip(again, inputs).allSatisfy { result, input in (try? result.get()) == input })
    }
}
