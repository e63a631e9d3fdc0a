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
        words(in: parts.compactMap { $0 }.joined(separator: " ")).joined(separator: " ")
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
