import Testing
@testable import SmarketingCore

@Suite("CSV delimiter detection")
struct CSVFormatTests {
    @Test("the delimiter that occurs most in the first record wins",
          arguments: [
              ("a,b,c\n1,2,3\n", ","), ("a;b;c\n1;2;3\n", ";"), ("a\tb\tc\n1\t2\t3\n", "\t"),
              ("\"age\";\"job\";\"marital\"\n30;\"blue-collar\";\"married\"\n", ";"),
              ("nome;valor (R$, mil);data\n", ";"), ("name,notes;tags,email\n", ","),
          ] as [(String, Character)])
    func detects(text: String, delimiter: Character) {
        #expect(CSVFormat.detectDelimiter(in: text) == delimiter)
    }

    @Test("delimiters inside quotes do not count")
    func quotes() {
        #expect(CSVFormat.detectDelimiter(in: "\"a;b;c;d\",\"e;f\",g\n") == ",")
        #expect(CSVFormat.detectDelimiter(in: "\"Souza, Ana\";\"Rua A, 1, apto 2\"\n") == ";")
        #expect(CSVFormat.detectDelimiter(in: "\"say \"\"hi, there\"\"\";b;c\n") == ";")
    }

    @Test("blank lines and a byte-order mark before the header are skipped")
    func blankLines() {
        #expect(CSVFormat.detectDelimiter(in: "\n  \n\r\na;b\n") == ";")
        #expect(CSVFormat.detectDelimiter(in: "\u{FEFF}a;b;c\r\n1;2;3\r\n") == ";")
    }

    @Test("a quoted line break does not end the first record")
    func quotedNewline() {
        #expect(CSVFormat.detectDelimiter(in: "\"first\nline, with, commas\";b;c\n") == ";")
    }

    @Test("a tie is broken by the second record")
    func tie() {
        #expect(CSVFormat.detectDelimiter(in: "a;b,c\n1;2\n") == ";")
        #expect(CSVFormat.detectDelimiter(in: "a;b,c\n1,2\n") == ",")
        #expect(CSVFormat.detectDelimiter(in: "a;b,c\n1,2;3\n") == ",")
        #expect(CSVFormat.detectDelimiter(in: "a;b,c") == ",")
    }

    @Test("without any delimiter the default is a comma", arguments: ["", "email\nana@acme.com\n", "   \n", "\"a,b\"\n"])
    func defaultComma(text: String) {
        #expect(CSVFormat.detectDelimiter(in: text) == ",")
    }

    @Test("a header without a line break is enough")
    func noNewline() {
        #expect(CSVFormat.detectDelimiter(in: "a;b;c") == ";")
    }
}
