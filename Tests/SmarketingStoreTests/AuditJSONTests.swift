import Foundation
import SmarketingCore
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

    @Test("a ledger kept as text reads back every line, with tabs, line breaks, backslashes and absent values intact")
    func ledgerText() {
        let time = Date(timeIntervalSince1970: 1_796_190_927.085)
        let entries = [
            ScoreEntry(ruleID: "pricing_visit", kind: .engagement, points: 10, cause: .event(id: "b1", type: "page_view"), time: time, definitionVersion: 3),
            ScoreEntry(ruleID: "odd\tid", kind: .engagement, points: 0, cause: .event(id: "e\n1\\x", type: "form\r"), time: time,
                       definitionVersion: 3, requestedPoints: 25),
            ScoreEntry(ruleID: "decision_maker", kind: .fit, points: -30, cause: .field(name: "job_title", value: nil), time: time, definitionVersion: 3),
            ScoreEntry(ruleID: "title", kind: .fit, points: 20, cause: .field(name: "job_title", value: "Diretora\tde\nMarketing \\0"), time: time,
                       definitionVersion: 3),
        ]
        let text = ScoreLedgerText.encode(entries)
        #expect(text.split(separator: "\n").count == entries.count)
        #expect(ScoreLedgerText.decode(text) == entries)
        #expect(ScoreLedgerText.decode(ScoreLedgerText.encode([])) == [])
    }
}
