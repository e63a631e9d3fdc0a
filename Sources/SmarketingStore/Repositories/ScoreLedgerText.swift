import Foundation
import SmarketingCore

/// A contact's ledger lines as one text, kept beside its score when bulk re-scoring writes them:
/// one row per contact instead of one per line (a million contacts with ten million events
/// would otherwise write millions of rows). A line is its fields separated by tabs; tabs, line
/// breaks and backslashes inside texts are escaped, and an absent value is `\0`.
enum ScoreLedgerText {
    static func encode(_ entries: [ScoreEntry]) -> String {
        var text = TextBuffer(capacity: entries.count * 96)
        for (index, entry) in entries.enumerated() {
            if index > 0 { text.append(ascii: "\n") }
            let (kind, first, second): (Unicode.Scalar, String?, String?) = switch entry.cause {
            case .field(let name, let value): ("f", name, value)
            case .event(let id, let type): ("e", id, type)
            }
            append(entry.ruleID, to: &text)
            text.append(ascii: "\t")
            text.append(entry.kind.rawValue)
            text.append(ascii: "\t")
            text.append(entry.points)
            text.append(ascii: "\t")
            if let requested = entry.requestedPoints { text.append(requested) }
            text.append(ascii: "\t")
            text.append(ascii: kind)
            text.append(ascii: "\t")
            append(first, to: &text)
            text.append(ascii: "\t")
            append(second, to: &text)
            text.append(ascii: "\t")
            text.append(entry.time.timeIntervalSince1970)
            text.append(ascii: "\t")
            text.append(entry.definitionVersion)
        }
        return text.text
    }

    static func decode(_ text: String) -> [ScoreEntry] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 9, let kind = ScoreRuleKind(rawValue: String(fields[1])), let points = Int(fields[2]),
                  let seconds = Double(fields[7]), let version = Int(fields[8]) else { return nil }
            let first = unescape(fields[5]), second = unescape(fields[6])
            let cause: ScoreCause = fields[4] == "f" ? .field(name: first ?? "", value: second) : .event(id: first ?? "", type: second ?? "")
            return ScoreEntry(ruleID: unescape(fields[0]) ?? "", kind: kind, points: points, cause: cause,
                              time: Date(timeIntervalSince1970: seconds), definitionVersion: version, requestedPoints: Int(fields[3]))
        }
    }

    /// Appends `text` escaped (`\0` for none); most texts (rule ids, event ids and types) need
    /// no escape and go in whole.
    private static func append(_ text: String?, to result: inout TextBuffer) {
        guard let text else { result.append("\\0"); return }
        guard text.utf8.contains(where: isEscaped) else {
            result.append(text)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): result.append("\\\\")
            case UInt8(ascii: "\t"): result.append("\\t")
            case UInt8(ascii: "\n"): result.append("\\n")
            case UInt8(ascii: "\r"): result.append("\\r")
            default: result.append(byte: byte)
            }
        }
    }

    private static func isEscaped(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\\"), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): true
        default: false
        }
    }

    private static func unescape(_ field: Substring) -> String? {
        if field == "\\0" { return nil }
        guard field.contains("\\") else { return String(field) }
        var result = ""
        var iterator = field.makeIterator()
        while let character = iterator.next() {
            guard character == "\\", let next = iterator.next() else { result.append(character); continue }
            switch next {
            case "t": result.append("\t")
            case "n": result.append("\n")
            case "r": result.append("\r")
            default: result.append(next)
            }
        }
        return result
    }
}
