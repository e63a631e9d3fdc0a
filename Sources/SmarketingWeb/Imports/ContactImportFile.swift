import CSV
import Foundation
import SmarketingCore

/// A CSV file on disk, read as a stream: its encoding and delimiter are detected from its
/// first bytes, Latin-1 files are turned into UTF-8 once (in chunks), and rows come one at a
/// time, so a file of any size is read in bounded memory.
struct ContactImportFile {
    let path: String
    let encoding: SourceEncoding
    let delimiter: Character
    let headers: [String]

    enum Problem: Error, Equatable {
        case unreadable
        case notCSV
        case empty
    }

    /// Opens and checks a file: a binary file (NUL bytes), an empty one, or one without a
    /// header row is refused with a reason.
    static func open(path: String) throws -> ContactImportFile {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Problem.unreadable }
        let prefix = [UInt8](handle.readData(ofLength: 64 * 1024))
        try? handle.close()
        guard !prefix.isEmpty else { throw Problem.empty }
        guard !prefix.contains(0) else { throw Problem.notCSV }
        let encoding = SourceEncoding.detect(prefix: prefix)
        let text = SourceEncoding.decode(Array(prefix.prefix(8 * 1024)), as: encoding)
        let delimiter = CSVFormat.detectDelimiter(in: text)
        var file = ContactImportFile(path: path, encoding: encoding, delimiter: delimiter, headers: [])
        var reader = try file.rows()
        guard let header = reader.next(), header.contains(where: { !$0.trimmingBlanks.isEmpty }) else { throw Problem.notCSV }
        file = ContactImportFile(path: path, encoding: encoding, delimiter: delimiter, headers: header.map(\.trimmingBlanks))
        return file
    }

    /// The data rows (after the header) with their 1-based row numbers in the file's data.
    func dataRows() throws -> DataRows {
        var reader = try rows()
        _ = reader.next()
        return DataRows(reader: reader)
    }

    /// The first data rows, for the mapping page and type inference.
    func samples(_ count: Int) throws -> [[String]] {
        var rows = try dataRows()
        var samples: [[String]] = []
        while samples.count < count, let (_, values) = rows.next() {
            if !ImportRowMapper.isBlank(values) { samples.append(values) }
        }
        return samples
    }

    /// Counts data rows (one streaming pass; for the progress bar's total).
    func countRows() throws -> Int {
        var rows = try dataRows()
        var count = 0
        while rows.next() != nil { count += 1 }
        return count
    }

    private func rows() throws -> RowReader {
        let source: String
        if encoding == .latin1 {
            source = try Self.utf8Copy(of: path)
        } else {
            source = path
        }
        guard let stream = InputStream(fileAtPath: source) else { throw Problem.unreadable }
        let scalar = delimiter.unicodeScalars.first ?? ","
        let reader = try CSVReader(stream: stream, codecType: UTF8.self, hasHeaderRow: false, trimFields: false, delimiter: scalar)
        return RowReader(reader: reader, stripBOM: encoding == .utf8WithBOM)
    }

    /// A UTF-8 copy of a Latin-1 (Windows-1252) file beside it, written once in 1 MB chunks.
    static func utf8Copy(of path: String) throws -> String {
        let copy = path + ".utf8"
        if FileManager.default.fileExists(atPath: copy) { return copy }
        guard let input = FileHandle(forReadingAtPath: path) else { throw Problem.unreadable }
        defer { try? input.close() }
        FileManager.default.createFile(atPath: copy + ".part", contents: nil)
        guard let output = FileHandle(forWritingAtPath: copy + ".part") else { throw Problem.unreadable }
        while true {
            let chunk = input.readData(ofLength: 1024 * 1024)
            if chunk.isEmpty { break }
            output.write(Data(SourceEncoding.decode([UInt8](chunk), as: .latin1).utf8))
        }
        try output.close()
        try FileManager.default.moveItem(atPath: copy + ".part", toPath: copy)
        return copy
    }

    struct RowReader {
        let reader: CSVReader
        var stripBOM: Bool

        mutating func next() -> [String]? {
            guard var row = reader.next() else { return nil }
            if stripBOM, let first = row.first, first.hasPrefix("\u{FEFF}") {
                row[0] = String(first.dropFirst())
            }
            stripBOM = false
            return row
        }
    }

    struct DataRows {
        var reader: RowReader
        var number = 0

        mutating func next() -> (Int, [String])? {
            guard let row = reader.next() else { return nil }
            number += 1
            return (number, row)
        }
    }
}
