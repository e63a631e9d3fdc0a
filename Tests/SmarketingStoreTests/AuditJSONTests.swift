import Foundation
import Testing
@testable import SmarketingStore

@Suite("Stored change JSON")
struct AuditJSONTests {
    @Test("changes are stored as JSON any parser reads back, with sorted keys", arguments: [
        [:], ["name": "Ana"], ["b": "2", "a": "1"],
        ["notes": "line 1\nline 2\ttab \"quoted\" back\\slash \u{01} é 😀 /path"],
    ] as [[String: String]])
    func roundTrip(values: [String: String]) throws {
        let text = AuditLog.encode(values)
        let parsed = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        #expect(parsed == values)
        #expect(AuditLog.decode(text) == values)
    }

    @Test("keys come out in order so equal changes store equal text")
    func sortedKeys() {
        #expect(AuditLog.encode(["b": "2", "a": "1"]) == #"{"a":"1","b":"2"}"#)
    }

    @Test("the fast reader agrees with JSONDecoder on what it reads, and declines what it does not", arguments: [
        #"{}"#, #"{"a":"1"}"#, #" { "a" : "x\"y" , "b":"\u00e9\ud83d\ude00\n\/" } "#, #"{"k":"Preços"}"#,
    ])
    func fastReader(text: String) throws {
        let expected = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        #expect(FlatJSON.decode(text) == expected)
    }

    @Test("numbers, nesting and broken text are left to the full decoder", arguments: [
        #"{"a":1}"#, #"{"a":{"b":"c"}}"#, #"{"a":"b""#, #"["a"]"#, #"{"a":"b"} x"#, "",
    ])
    func fastReaderDeclines(text: String) {
        #expect(FlatJSON.decode(text) == nil)
    }
}
