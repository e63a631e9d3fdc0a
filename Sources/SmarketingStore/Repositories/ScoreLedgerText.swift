import Foundation
import SmarketingCore

/// A contact's ledger lines as one text, kept beside its score when bulk re-scoring writes them:
/// one row per contact instead of one per line (a million contacts with ten million events
/// would otherwise write millions of rows). A line is its fields separated by tabs; tabs, line
/// breaks and backslashes inside texts are escaped, and an absent value is `\0`.
enum ScoreLedgerText {
    static func encode(_ entries: [ScoreEntry]) -> String {
        var text = ""
        text.reserveCapacity(entries.count * 96)
        for (index, entry) in entries.enumerated() {
            if index > 0 { text += "\n" }
            let (kind, first, second): (String, String?, String?) = switch entry.cause {
            case .field(let name, let value): ("f", name, value)
            case .event(let id, let type): ("e", id, type)
            }
            append(entry.ruleID, to: &text)
            text += "\t"
            text += entry.kind.rawValue
            text += "\t"
            text += String(entry.points)
            text += "\t"
            if let requested = entry.requestedPoints { text += String(requested) }
            text += "\t"
            text += kind
            text += "\t"
            append(first, to: &text)
            text += "\t"
            append(second, to: &text)
            text += "\t"
            text += String(entry.time.timeIntervalSince1970)
            text += "\t"
            text += String(entry.definitionVersion)
        }
        return text
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

    /// Appends `text` escaped (`\0` for none), without copying it when nothing needs escaping.
    private static func append(_ text: String?, to result: inout String) {
        guard let text else { result += "\\0"; return }
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") })
        else { result += text; return }
        result += text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
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
