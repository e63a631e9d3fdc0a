import Testing
@testable import SmarketingCore

@Suite("CSV record parser")
struct CSVRecordParserTests {
    /// Parses text fed in chunks of `chunk` bytes, as a file is read.
    private func parse(_ text: String, delimiter: Character = ",", chunk: Int = 1 << 16, encoding: SourceEncoding = .utf8) -> [[String]] {
        parse(Array(text.utf8), delimiter: delimiter, chunk: chunk, encoding: encoding)
    }

    private func parse(_ bytes: [UInt8], delimiter: Character = ",", chunk: Int = 1 << 16, encoding: SourceEncoding = .utf8) -> [[String]] {
        var parser = CSVRecordParser(delimiter: delimiter, encoding: encoding)
        var records: [[String]] = []
        var start = 0
        while start < bytes.count {
            parser.feed(bytes[start..<min(start + chunk, bytes.count)], into: &records)
            start += chunk
        }
        if let last = parser.finish() { records.append(last) }
        return records
    }

    private func count(_ text: String, delimiter: Character = ",", chunk: Int = 1 << 16) -> Int {
        var counter = CSVRecordParser.counter(delimiter: delimiter)
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            counter.count(bytes[start..<min(start + chunk, bytes.count)])
            start += chunk
        }
        _ = counter.finish()
        return counter.recordCount
    }

    @Test("plain records split on the delimiter and line breaks")
    func plain() {
        #expect(parse("a,b,c\n1,2,3\n") == [["a", "b", "c"], ["1", "2", "3"]])
        #expect(parse("a;b\n1;2", delimiter: ";") == [["a", "b"], ["1", "2"]])
        #expect(parse("a\tb\n", delimiter: "\t") == [["a", "b"]])
    }

    @Test("quoted cells keep delimiters, doubled quotes and line breaks")
    func quoted() {
        #expect(parse("\"Souza, Ana\",\"say \"\"hi\"\"\",\"line 1\nline 2\"\n") == [["Souza, Ana", "say \"hi\"", "line 1\nline 2"]])
        #expect(parse("\"\",x\n") == [["", "x"]])
    }

    @Test("CRLF, lone CR and LF all end a record, and a CRLF split across chunks counts once")
    func lineEnds() {
        #expect(parse("a,b\r\n1,2\r\n") == [["a", "b"], ["1", "2"]])
        #expect(parse("a\r1\r") == [["a"], ["1"]])
        #expect(parse("a,b\r\n1,2\r\n", chunk: 4) == [["a", "b"], ["1", "2"]])
    }

    @Test("a blank line is a record of one empty cell, and a trailing line break adds no record")
    func blankLines() {
        #expect(parse("a\n\nb\n") == [["a"], [""], ["b"]])
        #expect(parse("a;b\n1;2\n\n", delimiter: ";") == [["a", "b"], ["1", "2"], [""]])
        #expect(parse("a,\n") == [["a", ""]])
        #expect(parse("") == [])
    }

    @Test("malformed quoting is read as text instead of refused")
    func lenient() {
        #expect(parse("ab\"c,d\n") == [["ab\"c", "d"]])
        #expect(parse("\"ab\"c,d\n") == [["abc", "d"]])
        #expect(parse("\"never closed,x\ny\n") == [["never closed,x\ny\n"]])
    }

    @Test("a quote that never closes stops being a quote after a megabyte, and the rest of the file is read")
    func runawayQuote() {
        let text = "\"" + String(repeating: "x", count: CSVRecordParser.maximumCellBytes + 10) + "\nnext,row\n"
        let records = parse(text, chunk: 100_000)
        #expect(records.count == 2)
        #expect(records.last == ["next", "row"])
        #expect(count(text, chunk: 100_000) == 2)
    }

    @Test("multi-byte UTF-8 split across chunks is decoded whole; Windows-1252 bytes are decoded as such")
    func encodings() {
        #expect(parse("João,Ação\n", chunk: 3) == [["João", "Ação"]])
        #expect(parse([0x4A, 0x6F, 0xE3, 0x6F, 0x2C, 0x80, 0x0A], encoding: .latin1) == [["João", "€"]])
    }

    @Test("the counter finds as many records as the parser, whatever the chunk size",
          arguments: ["a,b\n1,2\n", "a,b\n1,2", "\"x\ny\",z\r\n\r\nw", "a\r\n", "", "\n\n", "\"q\"\"q\"\n", "ab\"c\nd\n"])
    func counter(text: String) {
        for chunk in [1, 2, 7, 1000] {
            #expect(count(text, chunk: chunk) == parse(text, chunk: chunk).count)
        }
    }
}
