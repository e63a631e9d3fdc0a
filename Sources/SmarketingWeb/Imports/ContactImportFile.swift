import Foundation
import SmarketingCore

/// A CSV file on disk, read as a stream: its encoding and delimiter are detected from its
/// first bytes, and rows come one at a time from Core's `CSVRecordParser` fed 1 MB chunks, so
/// a file of any size is read in bounded memory.
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
        let reader = try file.rows()
        guard let header = reader.next(), header.contains(where: { !$0.trimmingBlanks.isEmpty }) else { throw Problem.notCSV }
        file = ContactImportFile(path: path, encoding: encoding, delimiter: delimiter, headers: header.map(\.trimmingBlanks))
        return file
    }

    /// The data rows (after the header) with their 1-based row numbers in the file's data.
    func dataRows() throws -> DataRows {
        let reader = try rows()
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

    /// Counts data rows (one fast pass that builds no text; for the progress bar's total).
    func countRows() throws -> Int {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Problem.unreadable }
        defer { try? handle.close() }
        var counter = CSVRecordParser.counter(delimiter: delimiter)
        var first = true
        while true {
            let chunk = handle.readData(ofLength: Self.chunkSize)
            if chunk.isEmpty { break }
            let bytes = [UInt8](chunk)
            counter.count(first && encoding == .utf8WithBOM ? bytes.dropFirst(SourceEncoding.byteOrderMark.count) : bytes[...])
            first = false
        }
        _ = counter.finish()
        return max(0, counter.recordCount - 1)
    }

    static let chunkSize = 1 << 20

    private func rows() throws -> RowReader {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Problem.unreadable }
        if encoding == .utf8WithBOM { _ = handle.readData(ofLength: SourceEncoding.byteOrderMark.count) }
        return RowReader(handle: handle, parser: CSVRecordParser(delimiter: delimiter, encoding: encoding))
    }

    /// Records read from the file a chunk at a time: at most one chunk and the records it
    /// completes are in memory.
    final class RowReader {
        private let handle: FileHandle
        private var parser: CSVRecordParser
        private var pending: [[String]] = []
        private var position = 0
        private var ended = false

        init(handle: FileHandle, parser: CSVRecordParser) {
            self.handle = handle
            self.parser = parser
        }

        deinit { try? handle.close() }

        func next() -> [String]? {
            while position == pending.count {
                guard !ended else { return nil }
                pending.removeAll(keepingCapacity: true)
                position = 0
                let chunk = handle.readData(ofLength: ContactImportFile.chunkSize)
                if chunk.isEmpty {
                    ended = true
                    if let last = parser.finish() { pending.append(last) }
                } else {
                    parser.feed([UInt8](chunk), into: &pending)
                }
            }
            defer { position += 1 }
            return pending[position]
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
