import Foundation

extension String {
    /// The text reduced to what matters when matching names people wrote by hand: lower case,
    /// accents dropped, letters and digits only. "País/Região", "pais regiao" and "PAIS_REGIAO"
    /// all give `paisregiao`.
    public var matchKey: String {
        let folded = folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil).lowercased()
        return String(String.UnicodeScalarView(folded.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }))
    }
}
