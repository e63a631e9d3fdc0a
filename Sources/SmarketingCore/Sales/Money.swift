import Foundation

/// An amount of money: whole minor units (cents, centavos) of an ISO 4217 currency. Never a
/// floating-point number, so sums and comparisons are exact.
public struct Money: Sendable, Equatable, Hashable, Codable {
    public var minorUnits: Int64
    public var currency: String

    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// The largest amount a deal may carry: a trillion in the currency's major units.
    public static let maximumMajorUnits: Int64 = 1_000_000_000_000

    /// Digits after the decimal separator in a currency (2 for most, 0 for yen and pesos
    /// chilenos, 3 for dinars).
    public static func minorDigits(_ currency: String) -> Int {
        switch currency {
        case "JPY", "CLP", "KRW", "VND", "ISK", "PYG", "UGX", "XAF", "XOF", "RWF", "KMF", "GNF", "DJF", "VUV", "XPF", "BIF": 0
        case "BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD": 3
        default: 2
        }
    }

    /// Reads an amount as people type it: `12500`, `12500.5`, `12.500,50` (Brazilian), `12,500.50`
    /// (English), with blanks and a leading currency symbol ignored. When a text holds both a dot
    /// and a comma the last one is the decimal separator; a lone separator followed by exactly
    /// three digits groups thousands (`1.500` is fifteen hundred), otherwise it is the decimal
    /// one. Nil for negative amounts, more decimals than the currency has, or anything else.
    public static func parse(_ text: String, currency: String) -> Money? {
        var body = text.filter { !$0.isWhitespace }
        for symbol in ["R$", "US$", "$", "€", "£", "¥", currency] where body.hasPrefix(symbol) { body.removeFirst(symbol.count) }
        guard !body.isEmpty, body.count <= 30, body.allSatisfy({ $0.isASCIIDigit || $0 == "." || $0 == "," }),
              body.first?.isASCIIDigit == true, body.last?.isASCIIDigit == true else { return nil }
        let digits = minorDigits(currency)
        let lastDot = body.lastIndex(of: "."), lastComma = body.lastIndex(of: ",")
        var decimal: Character?
        switch (lastDot, lastComma) {
        case (nil, nil): decimal = nil
        case (let dot?, let comma?): decimal = dot > comma ? "." : ","
        case (let dot?, nil):
            decimal = body.filter { $0 == "." }.count == 1 && body.distance(from: dot, to: body.endIndex) - 1 != 3 ? "." : nil
        case (nil, let comma?):
            decimal = body.filter { $0 == "," }.count == 1 && body.distance(from: comma, to: body.endIndex) - 1 != 3 ? "," : nil
        }
        if digits == 3, decimal == nil, body.filter({ $0 == "." || $0 == "," }).count == 1 {
            decimal = body.first { $0 == "." || $0 == "," }
        }
        let whole: Substring, fraction: Substring
        if let decimal, let index = body.lastIndex(of: decimal) {
            whole = body[..<index]
            fraction = body[body.index(after: index)...]
        } else {
            whole = Substring(body)
            fraction = ""
        }
        guard fraction.count <= digits, fraction.allSatisfy(\.isASCIIDigit) else { return nil }
        // Thousands groups, when present, have three digits each.
        let grouping: Character? = decimal == "," ? "." : decimal == "." ? "," : whole.first { $0 == "." || $0 == "," }
        let groups = whole.split(separator: grouping ?? " ", omittingEmptySubsequences: false)
        guard groups.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) && !$0.isEmpty }),
              groups.count == 1 || (groups.dropFirst().allSatisfy { $0.count == 3 } && groups[0].count <= 3) else { return nil }
        let wholeDigits = groups.joined()
        guard wholeDigits.count <= 13, let major = Int64(wholeDigits), major <= maximumMajorUnits else { return nil }
        let paddedFraction = fraction + String(repeating: "0", count: digits - fraction.count)
        let minor = Int64(paddedFraction.isEmpty ? "0" : paddedFraction) ?? 0
        let (scaled, overflow) = major.multipliedReportingOverflow(by: scale(digits))
        guard !overflow else { return nil }
        return Money(minorUnits: scaled + minor, currency: currency)
    }

    static func scale(_ digits: Int) -> Int64 {
        (0..<digits).reduce(Int64(1)) { value, _ in value * 10 }
    }

    /// The amount with a dot as decimal separator and no grouping (`12500.50`), as forms keep it.
    public var plainText: String {
        let digits = Self.minorDigits(currency)
        guard digits > 0 else { return String(minorUnits) }
        let scale = Self.scale(digits)
        let fraction = String(minorUnits % scale)
        return "\(minorUnits / scale)." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// The amount in major units, exact.
    public var decimal: Decimal {
        Decimal(minorUnits) / Decimal(Self.scale(Self.minorDigits(currency)))
    }
}
