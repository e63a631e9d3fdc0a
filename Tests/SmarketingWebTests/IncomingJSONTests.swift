import Foundation
import SmarketingCore
@testable import SmarketingWeb
import Testing

@Suite("Event bodies read straight from their bytes")
struct IncomingJSONTests {
    private func read(_ text: String) -> IncomingJSON? {
        read(Array(text.utf8))
    }

    private func read(_ bytes: [UInt8]) -> IncomingJSON? {
        bytes.withUnsafeBytes { IncomingJSON.read($0) }
    }

    private func decoded(_ bytes: [UInt8]) -> IncomingJSON? {
        try? JSONDecoder().decode(IncomingJSON.self, from: Data(bytes))
    }

    @Test("every kind of JSON value reads exactly as JSONDecoder reads it", arguments: [
        #"{"events":[{"id":"e-1","type":"page_view","contact_id":"01A2","properties":{"path":"/pricing","title":"Preços"}}]}"#,
        #"  { "a" : [ 1 , -0 , 0.5 , -12.25e-3 , 1E5 , 123456789012345678901234567890 , 4.9e-324 ] , "b" : { } , "c" : [ ] }  "#,
        #"{"t":true,"f":false,"n":null,"nested":[[[{"deep":[{}]}]]]}"#,
        #"{"escapes":"\"\\\/\b\f\n\r\t","unicode":"\u00e9\u00C9\u4e2d\ud83d\ude00\u0000","raw":"ação 中 😀"}"#,
        #"["top", "level", "array"]"#, #""a text""#, "42", "true", "null",
        "{\"tab\":\"\t\"}".replacingOccurrences(of: "\t", with: "\\t"),
    ])
    func readsAsJSONDecoder(text: String) throws {
        let expected = try #require(decoded(Array(text.utf8)))
        #expect(read(text) == expected)
    }

    @Test("what is not JSON, or what JSONDecoder would read otherwise, is left to JSONDecoder", arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{'a':1}", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "[1 2]", "01", "1.", ".5", "+1", "-", "1e", "1e+",
        "NaN", "Infinity", "1e400", "-1e400", "tru", "nul", "falsey", "[true]x", "{\"a\":1}{}", "\"unterminated", "\"bad \\x escape\"",
        "\"\\u12\"", "\"\\ud83d\"", "\"\\ud83d\\u0041\"", "\"\\ude00\"", "\"line\nbreak\"", "{\"a\":1,\"a\":2}",
        String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
    ])
    func givesUp(text: String) {
        #expect(read(text) == nil)
    }

    @Test("text that is not UTF-8 is left to JSONDecoder, inside a plain text or after an escape")
    func invalidUTF8() {
        #expect(read(Array("\"a".utf8) + [0xFF] + Array("b\"".utf8)) == nil)
        #expect(read(Array("\"\\n".utf8) + [0xC3] + Array("\"".utf8)) == nil)
        #expect(read(Array("\"".utf8) + [0xC3, 0xA7] + Array("\"".utf8)) == .string("ç"))
    }

    @Test("random documents, written with every escape and spacing, read as JSONDecoder reads them")
    func randomDocuments() throws {
        var random = SeededRandom(seed: 20261204)
        for _ in 0..<400 {
            let text = Self.document(depth: 0, using: &random)
            let bytes = Array(text.utf8)
            let expected = try #require(decoded(bytes), "JSONDecoder refused \(text)")
            #expect(read(bytes) == expected, "\(text)")
        }
    }

    /// A random JSON document, its texts written with escapes (some as `\u`, pairs included).
    private static func document(depth: Int, using random: inout SeededRandom) -> String {
        let space = ["", " ", "\n", "\t ", "\r\n"][Int.random(in: 0..<5, using: &random)]
        switch Int.random(in: 0..<(depth < 4 ? 8 : 5), using: &random) {
        case 0: return space + "null"
        case 1: return Bool.random(using: &random) ? "true" : "false"
        case 2:
            let number = Double.random(in: -1e6...1e6, using: &random)
            return [String(Int(number)), String(number), String(format: "%.3e", number), "0", "-0.0"][Int.random(in: 0..<5, using: &random)]
        case 3, 4: return space + quoted(text(using: &random), using: &random)
        case 5, 6:
            var keys = Set<String>()
            let fields = (0..<Int.random(in: 0...4, using: &random)).compactMap { _ -> String? in
                let key = text(using: &random)
                guard keys.insert(key).inserted else { return nil }
                return space + quoted(key, using: &random) + space + ":" + document(depth: depth + 1, using: &random) + space
            }
            return "{" + fields.joined(separator: ",") + space + "}"
        default:
            let items = (0..<Int.random(in: 0...4, using: &random)).map { _ in document(depth: depth + 1, using: &random) }
            return "[" + items.joined(separator: "," + space) + "]"
        }
    }

    private static func text(using random: inout SeededRandom) -> String {
        let pieces = ["a", "path", "/", "\\", "\"", "ç", "中", "😀", " ", "\n", "\u{01}", "\u{7F}", "é", "-", "1"]
        return (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &random)] }.joined()
    }

    private static func quoted(_ text: String, using random: inout SeededRandom) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            let asEscape = Int.random(in: 0..<4, using: &random) == 0
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += asEscape ? "\\u000a" : "\\n"
            case "/": out += asEscape ? "\\/" : "/"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            case _ where asEscape && scalar.value > 0xFFFF:
                let value = scalar.value - 0x10000
                out += String(format: "\\u%04X\\u%04x", 0xD800 + (value >> 10), 0xDC00 + (value & 0x3FF))
            case _ where asEscape: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    @Test("the ingest answer is the JSON the API's encoder writes, rejected events and odd characters included")
    func ingestAnswerMatchesEncoder() throws {
        let field = APIFieldError(field: "events[0].type", code: "not_in_list", message: "Tipo \"desconhecido\": não é aceito / ç\n")
        for result in [
            EventsAPI.IngestResultDTO(accepted: 3, duplicates: 1, rejected: []),
            EventsAPI.IngestResultDTO(accepted: 0, duplicates: 0, rejected: [
                .init(index: 0, id: "e-\"1\"", fields: [field, field]), .init(index: 7, id: nil, fields: []),
            ]),
        ] {
            var writer = JSONWriter()
            result.write(to: &writer)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(decoding: try APIJSON.encoder.encode(result), as: UTF8.self))
        }
    }
}
