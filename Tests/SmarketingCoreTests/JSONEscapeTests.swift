import SmarketingCore
import Testing

@Suite("Escapes of JSON text")
struct JSONEscapeTests {
    private func unicode(_ text: String) -> (scalar: Unicode.Scalar, length: Int)? {
        Array(text.utf8).withUnsafeBufferPointer { JSONEscape.unicode($0, at: 0) }
    }

    @Test("a \\u escape reads its four hex digits in either case, and a surrogate pair as one character")
    func unicodeEscapes() {
        #expect(unicode("00e9")?.scalar == "é")
        #expect(unicode("00C9rest")?.scalar == "É")
        #expect(unicode("00C9rest")?.length == 4)
        #expect(unicode("d83d\\ude00")?.scalar == "😀")
        #expect(unicode("D83D\\uDE00")?.length == 10)
        #expect(unicode("0000")?.scalar == "\u{0}")
    }

    @Test("digits that are not hex, too few of them, or half a surrogate pair read as nothing", arguments: [
        "", "12", "12g4", "d83d", "d83d\\u0041", "d83dx\\ude00", "ude00", "dc00", "d83d\\ud83d", "d83d\\ude0",
    ])
    func malformedUnicode(text: String) {
        #expect(unicode(text) == nil)
    }

    @Test("each one-letter escape stands for its character, and no other letter escapes anything")
    func simpleEscapes() {
        let expected: [Character: UInt8] = ["\"": 0x22, "\\": 0x5C, "/": 0x2F, "b": 0x08, "f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09]
        for byte in UInt8(0)...UInt8(127) {
            #expect(JSONEscape.simple(byte) == expected[Character(Unicode.Scalar(byte))], "\(byte)")
        }
    }
}
