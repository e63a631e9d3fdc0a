/// Splits CSV bytes into records, fed in chunks of any size so that a file of any length is
/// read in bounded memory. It follows RFC 4180 and what spreadsheets write: a delimiter byte
/// (`,` `;` or tab), cells in double quotes that may hold delimiters, doubled quotes and line
/// breaks, and records ended by LF, CRLF or a lone CR. A blank line is a record of one empty
/// cell (the row mapper counts it as blank). Cells are decoded as UTF-8 (invalid bytes become
/// U+FFFD) or, for files saved by Windows, as Windows-1252.
///
/// It never refuses input: a quote inside an unquoted cell is kept as text, text after a
/// closing quote is appended to the cell, and a quoted cell that grows past
/// ``maximumCellBytes`` (a quote that never closes) stops being quoted, so the next line
/// break ends the record and the rest of the file is read as usual.
public struct CSVRecordParser: Sendable {
    public static let maximumCellBytes = 1 << 20

    private let delimiter: UInt8
    private let encoding: SourceEncoding
    /// False when only counting records: no cell is kept or decoded.
    private let building: Bool
    private var cell: [UInt8] = []
    private var cellBytes = 0
    private var record: [String] = []
    private var state = State.cellStart
    /// The previous byte was a CR ending a record: a LF right after it belongs to it.
    private var afterCR = false
    /// Records completed so far.
    public private(set) var recordCount = 0

    private enum State {
        case cellStart, unquoted, quoted, quoteInQuoted
    }

    private static let quote = UInt8(ascii: "\""), lineFeed = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")

    public init(delimiter: Character, encoding: SourceEncoding) {
        self.init(delimiter: delimiter, encoding: encoding, building: true)
    }

    private init(delimiter: Character, encoding: SourceEncoding, building: Bool) {
        self.delimiter = delimiter.asciiValue ?? UInt8(ascii: ",")
        self.encoding = encoding
        self.building = building
    }

    /// A parser that only counts records (the total of an import's progress bar), splitting
    /// exactly as a full parser does but without building any text.
    public static func counter(delimiter: Character) -> CSVRecordParser {
        CSVRecordParser(delimiter: delimiter, encoding: .utf8, building: false)
    }

    /// Parses a chunk and appends the records it completes.
    public mutating func feed(_ bytes: some Collection<UInt8>, into records: inout [[String]]) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { feed(buffer: $0, into: &records) }
        if done == nil { Array(bytes).withUnsafeBufferPointer { feed(buffer: $0, into: &records) } }
    }

    private mutating func feed(buffer: UnsafeBufferPointer<UInt8>, into records: inout [[String]]) {
        for byte in buffer {
            if afterCR {
                afterCR = false
                if byte == Self.lineFeed { continue }
            }
            switch state {
            case .quoted:
                if byte == Self.quote {
                    state = .quoteInQuoted
                } else {
                    append(byte)
                    if cellBytes > Self.maximumCellBytes { state = .unquoted }
                }
            case .quoteInQuoted:
                if byte == Self.quote {
                    append(byte)
                    state = .quoted
                } else {
                    state = .unquoted
                    take(byte, into: &records)
                }
            case .cellStart:
                if byte == Self.quote {
                    state = .quoted
                } else {
                    take(byte, into: &records)
                }
            case .unquoted:
                take(byte, into: &records)
            }
        }
    }

    /// Counts the records a chunk completes (for a parser made by ``counter(delimiter:)``).
    public mutating func count(_ bytes: some Collection<UInt8>) {
        var ignored: [[String]] = []
        feed(bytes, into: &ignored)
    }

    /// Ends the input: returns the last record when the file does not end with a line break.
    public mutating func finish() -> [String]? {
        guard state != .cellStart || !record.isEmpty else { return nil }
        endCell()
        recordCount += 1
        defer { record = []; state = .cellStart }
        return record
    }

    /// An unquoted byte: a delimiter, a line break or text.
    private mutating func take(_ byte: UInt8, into records: inout [[String]]) {
        if byte == delimiter {
            endCell()
            state = .cellStart
        } else if byte == Self.lineFeed || byte == Self.carriageReturn {
            endCell()
            recordCount += 1
            if building { records.append(record) }
            record.removeAll(keepingCapacity: true)
            state = .cellStart
            afterCR = byte == Self.carriageReturn
        } else {
            append(byte)
            state = .unquoted
        }
    }

    private mutating func append(_ byte: UInt8) {
        cellBytes += 1
        if building { cell.append(byte) }
    }

    private mutating func endCell() {
        if building {
            record.append(SourceEncoding.decode(cell, as: encoding))
            cell.removeAll(keepingCapacity: true)
        } else if record.isEmpty {
            record.append("")
        }
        cellBytes = 0
    }
}
