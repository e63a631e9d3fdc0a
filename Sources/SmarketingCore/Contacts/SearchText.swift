import Foundation

/// The words a list search matches, in one form for what is stored and what is typed: lower
/// case, accents removed, every character that is not a letter or a digit a word break. So
/// "João" is found by "joao", "ana.souza@acme.com.br" by "souza" and "acme", and both database
/// engines see the same plain words.
///
/// A search matches a record when each of its words starts one of the record's words
/// ("sou" finds "Souza"), as the search boxes of CRMs do.
public enum SearchText {
    /// The most words of a query that are looked up; the rest are ignored.
    public static let maximumQueryWords = 8

    /// The stored form of a record's searchable texts (names, email, company), words joined by
    /// single spaces.
    public static func document(_ parts: [String?]) -> String {
        let text = parts.compactMap { $0 }.joined(separator: " ")
        return asciiDocument(text) ?? words(in: text).joined(separator: " ")
    }

    /// The document of a text that is all ASCII (most names and every email), made byte by
    /// byte: folding is then only lower-casing, and the letters and digits are `a-z`, `0-9`.
    /// Nil when the text has any other character.
    static func asciiDocument(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count)
            var inWord = false
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                let lower = byte >= 65 && byte <= 90 ? byte + 32 : byte
                if (lower >= 97 && lower <= 122) || (lower >= 48 && lower <= 57) {
                    if !inWord, !output.isEmpty { output.append(32) }
                    output.append(lower)
                    inWord = true
                } else {
                    inWord = false
                }
            }
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// The words of a typed search, at most ``maximumQueryWords``, without repeats.
    public static func queryWords(_ query: String) -> [String] {
        var seen = Set<String>()
        return Array(words(in: query).filter { seen.insert($0).inserted }.prefix(maximumQueryWords))
    }

    static func words(in text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil).lowercased()
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in folded.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.append(scalar)
            } else if !current.isEmpty {
                words.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { words.append(String(current)) }
        return words
    }
}
