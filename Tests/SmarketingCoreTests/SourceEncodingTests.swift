import Testing
@testable import SmarketingCore

@Suite("Source encodings")
struct SourceEncodingTests {
    private let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    @Test("a byte-order mark means UTF-8 with BOM")
    func bomDetected() {
        #expect(SourceEncoding.detect(prefix: bom + Array("nome;email".utf8)) == .utf8WithBOM)
        #expect(SourceEncoding.detect(prefix: bom) == .utf8WithBOM)
    }

    @Test("valid UTF-8 is UTF-8", arguments: ["", "ascii only", "São Paulo; Não; ação", "€ 10 — “ok”", "emoji 🎉 ok", "日本語"])
    func utf8(text: String) {
        #expect(SourceEncoding.detect(prefix: Array(text.utf8)) == .utf8)
    }

    @Test("a prefix that cuts a multi-byte character at its end is still UTF-8")
    func cutCharacter() {
        for text in ["não", "€", "🎉"] {
            let bytes = Array(("abc " + text).utf8)
            for cut in 1..<text.utf8.count {
                #expect(SourceEncoding.detect(prefix: Array(bytes.dropLast(cut))) == .utf8)
            }
        }
    }

    @Test("bytes that are not UTF-8 are Latin-1",
          arguments: [
              [0x53, 0xE3, 0x6F],                 // "São" in Latin-1
              [0x61, 0xE7, 0xE3, 0x6F],           // "ação"
              [0xC3, 0x28],                       // bad continuation
              [0x80, 0x61],                       // lone continuation
              [0xC0, 0xAF],                       // overlong "/"
              [0xE0, 0x80, 0xAF],                 // overlong
              [0xED, 0xA0, 0x80],                 // surrogate
              [0xF4, 0x90, 0x80, 0x80],           // past U+10FFFF
              [0xF5, 0x80, 0x80, 0x80],           // not a lead byte
              [0xFF, 0xFE, 0x61, 0x00],           // UTF-16 BOM: read as Latin-1, not guessed
              [0xE9, 0x61, 0x62, 0x63],           // "é" then text: the cut-end allowance is only for the end
          ] as [[UInt8]])
    func latin1(bytes: [UInt8]) {
        #expect(SourceEncoding.detect(prefix: bytes) == .latin1)
    }

    @Test("a Latin-1 byte at the very end is not mistaken for a cut character")
    func latin1AtEnd() {
        // 0xE9 could start a three-byte character, so alone at the end it is accepted...
        #expect(SourceEncoding.detect(prefix: Array("caf".utf8) + [0xE9]) == .utf8)
        // ...but a byte that can start nothing is not.
        #expect(SourceEncoding.detect(prefix: Array("caf".utf8) + [0xFF]) == .latin1)
    }

    @Test("UTF-8 is decoded with the BOM stripped")
    func decodeUTF8() {
        #expect(SourceEncoding.decode(bom + Array("nome;ação".utf8), as: .utf8WithBOM) == "nome;ação")
        #expect(SourceEncoding.decode(Array("nome;ação".utf8), as: .utf8) == "nome;ação")
        #expect(SourceEncoding.decode(bom + Array("x".utf8), as: .utf8) == "x")
        #expect(SourceEncoding.decode(Array("x".utf8), as: .utf8WithBOM) == "x")
        #expect(SourceEncoding.decode([], as: .utf8) == "")
    }

    @Test("Latin-1 is decoded as Windows writes it")
    func decodeLatin1() {
        #expect(SourceEncoding.decode([0x53, 0xE3, 0x6F, 0x20, 0x50, 0x61, 0x75, 0x6C, 0x6F], as: .latin1) == "São Paulo")
        #expect(SourceEncoding.decode([0x61, 0xE7, 0xE3, 0x6F, 0x3B, 0xC9], as: .latin1) == "ação;É")
        #expect(SourceEncoding.decode([0x80, 0x20, 0x93, 0x6F, 0x6B, 0x94, 0x20, 0x96], as: .latin1) == "€ “ok” –")
        #expect(SourceEncoding.decode([0x81, 0xA0, 0xFF], as: .latin1) == "\u{81}\u{A0}ÿ")
    }

    @Test("reading a file as Latin-1 warns, as UTF-8 does not")
    func warnings() {
        #expect(SourceEncoding.latin1.warning == .decodedAsLatin1)
        #expect(SourceEncoding.utf8.warning == nil)
        #expect(SourceEncoding.utf8WithBOM.warning == nil)
    }

    @Test("a Latin-1 file round-trips through detection and decoding")
    func latin1File() {
        let bytes: [UInt8] = Array("nome;cidade\nJo".utf8) + [0xE3, 0x6F] + Array(";S".utf8) + [0xE3, 0x6F] + Array(" Paulo\n".utf8)
        let encoding = SourceEncoding.detect(prefix: bytes)
        #expect(encoding == .latin1)
        #expect(SourceEncoding.decode(bytes, as: encoding) == "nome;cidade\nJoão;São Paulo\n")
    }
}
