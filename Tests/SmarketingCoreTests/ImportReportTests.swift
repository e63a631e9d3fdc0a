import Foundation
import Testing
@testable import SmarketingCore

@Suite("Import reports")
struct ImportReportTests {
    @Test("each outcome is counted")
    func counts() {
        var report = ImportReport()
        report.record(row: 2, .created)
        report.record(row: 3, .created)
        report.record(row: 4, .updated)
        report.record(row: 5, .rejected([FieldError("email", .invalid)]))
        report.record(row: 6, .blank)
        #expect(report.created == 2)
        #expect(report.updated == 1)
        #expect(report.rejected == 1)
        #expect(report.skippedBlank == 1)
        #expect(report.processed == 5)
        #expect(report.rejections == [ImportReport.Rejection(row: 5, errors: [FieldError("email", .invalid)])])
    }

    @Test("only the first rejections are kept, every one is counted")
    func keepsFirst() {
        var report = ImportReport(maximumRejectionsKept: 2)
        for row in 2...6 { report.record(row: row, ValidationFailure("cf_nps", .invalid)) }
        #expect(report.rejected == 5)
        #expect(report.rejections.map(\.row) == [2, 3])
        #expect(report.rejectionsLeftOut == 3)
    }

    @Test("a report can keep no rejections at all")
    func keepsNone() {
        var report = ImportReport(maximumRejectionsKept: -1)
        report.record(row: 2, .rejected([]))
        #expect(report.maximumRejectionsKept == 0)
        #expect(report.rejections.isEmpty)
        #expect(report.rejected == 1)
    }

    @Test("warnings are kept once")
    func warnings() {
        var report = ImportReport()
        report.warn(.decodedAsLatin1)
        report.warn(.decodedAsLatin1)
        #expect(report.warnings == [.decodedAsLatin1])
    }

    @Test("batches merge into one report, rejections up to the limit")
    func merge() {
        var total = ImportReport(maximumRejectionsKept: 3)
        var first = ImportReport()
        first.record(row: 2, .created)
        first.record(row: 3, .rejected([FieldError("email", .invalid)]))
        first.record(row: 4, .rejected([FieldError("age", .invalid)]))
        var second = ImportReport()
        second.record(row: 5, .updated)
        second.record(row: 6, .rejected([FieldError("country", .invalid)]))
        second.record(row: 7, .rejected([FieldError("phone", .invalid)]))
        second.record(row: 8, .blank)
        second.warn(.decodedAsLatin1)
        total.merge(first)
        total.merge(second)
        #expect(total.created == 1)
        #expect(total.updated == 1)
        #expect(total.rejected == 4)
        #expect(total.skippedBlank == 1)
        #expect(total.rejections.map(\.row) == [3, 4, 6])
        #expect(total.warnings == [.decodedAsLatin1])
    }

    @Test("a report encodes and decodes as JSON, to survive a page reload")
    func codable() throws {
        var report = ImportReport(maximumRejectionsKept: 10)
        report.record(row: 2, .created)
        report.record(row: 3, .rejected([FieldError("cf_job", .notInList), FieldError("name", .tooLong(maximum: 100))]))
        report.warn(.decodedAsLatin1)
        #expect(try JSONDecoder().decode(ImportReport.self, from: JSONEncoder().encode(report)) == report)
    }
}
