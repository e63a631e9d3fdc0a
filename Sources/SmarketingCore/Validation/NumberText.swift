/// Reads and writes numbers the way people type them in Brazilian and English spreadsheets.
///
/// Reading: `1234.5`, `-3`, `+7`, `1.234,56` and `1,5` (Brazilian), `1,234.56` (English
/// thousands), `1.234.567` and `1,234,567` (thousands only), `1.5e3`. When a text holds both a
/// dot and a comma, the last one is the decimal separator. A lone separator is always the decimal
/// one, so `1.234` is 1.234 and `1,234` is 1.234 too: an English export (most of them) reads right,
/// and a Brazilian thousand written without decimals (`1.000`) reads as 1 — a known ambiguity.
/// Groups of thousands must have three digits. Anything else (`12abc`, `R$ 10`, `nan`, `inf`,
/// hexadecimal) is not a number.
///
/// Writing: `.` as decimal separator, no grouping, integers without a trailing `.0`.
public enum NumberText {
    public static func parse(_ text: String) -> Double? {
        var rest = Substring(text.trimmingBlanks)
        var sign = ""
        if let first = rest.first, first == "-" || first == "+" {
            if first == "-" { sign = "-" }
            rest = rest.dropFirst()
        }
        var exponent = ""
        if let e = rest.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var digits = rest[rest.index(after: e)...]
            var exponentSign = ""
            if let first = digits.first, first == "-" || first == "+" {
                exponentSign = String(first)
                digits = digits.dropFirst()
            }
            guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return nil }
            exponent = "e" + exponentSign + digits
            rest = rest[..<e]
        }
        guard !rest.isEmpty, rest.allSatisfy({ $0.isASCIIDigit || $0 == "." || $0 == "," }) else { return nil }

        let dots = rest.filter { $0 == "." }.count
        let commas = rest.filter { $0 == "," }.count
        var decimal: Character?
        var grouping: Character?
        switch (dots, commas) {
        case (0, 0): break
        case (_, 0): if dots == 1 { decimal = "." } else { grouping = "." }
        case (0, _): if commas == 1 { decimal = "," } else { grouping = "," }
        default:
            guard let last = rest.last(where: { $0 == "." || $0 == "," }) else { return nil }
            decimal = last
            grouping = last == "." ? "," : "."
            guard (last == "." ? dots : commas) == 1 else { return nil }
        }

        var integer = rest
        var fraction: Substring = ""
        if let decimal, let cut = rest.firstIndex(of: decimal) {
            integer = rest[..<cut]
            fraction = rest[rest.index(after: cut)...]
        }
        guard !integer.isEmpty || !fraction.isEmpty, !fraction.contains(where: { !$0.isASCIIDigit }) else { return nil }
        if let grouping {
            let groups = integer.split(separator: grouping, omittingEmptySubsequences: false)
            guard let head = groups.first, (1...3).contains(head.count),
                  groups.dropFirst().allSatisfy({ $0.count == 3 })
            else { return nil }
            integer = Substring(groups.joined())
        }
        guard integer.allSatisfy(\.isASCIIDigit) else { return nil }
        let plain = sign + (integer.isEmpty ? "0" : String(integer)) + (fraction.isEmpty ? "" : "." + fraction) + exponent
        guard let value = Double(plain), value.isFinite else { return nil }
        return value
    }

    /// Integers within ±10^15 without a fraction (`5191`, not `5191.0`); others in Swift's
    /// shortest round-tripping form (`92.893`, `1e-05`). Negative zero is written `0`.
    public static func format(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

extension Character {
    /// 0-9 only; `isNumber` would also accept other scripts' digits and fractions.
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
