import Foundation

/// Countries as ISO 3166-1 alpha-2 codes (`BR`, `US`), the form contacts and companies keep.
///
/// Exports often hold country names instead (Mautic writes "Brazil", a Brazilian spreadsheet
/// "Brasil"), so names are read too: a fixed list for the countries our users sell to most,
/// in English, Portuguese and Spanish, then the names Foundation knows in those languages.
public enum CountryCode {
    /// The code for a code or a name, ignoring case, accents, blanks and punctuation; nil for
    /// anything else.
    public static func normalise(_ raw: String) -> String? {
        let trimmed = raw.trimmingBlanks
        guard !trimmed.isEmpty else { return nil }
        let upper = trimmed.uppercased()
        if upper.count == 2, codes.contains(upper) { return upper }
        let key = trimmed.matchKey
        return commonNames[key] ?? localisedNames[key]
    }

    /// Every assigned two-letter region code, less the groupings that are not countries.
    public static let codes: Set<String> = {
        let notCountries: Set<String> = ["EU", "EZ", "UN", "QO", "ZZ"]
        let known = Locale.Region.isoRegions.map(\.identifier).filter { code in
            code.count == 2 && code.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) } && !notCountries.contains(code)
        }
        return Set(known).union(commonNames.values)
    }()

    /// Names written by hand often enough to be worth knowing without the locale data.
    static let commonNames: [String: String] = {
        let names: [String: [String]] = [
            "BR": ["Brazil", "Brasil", "República Federativa do Brasil"],
            "US": ["United States", "United States of America", "USA", "U.S.A.", "US", "Estados Unidos",
                   "Estados Unidos da América", "EUA", "E.U.A."],
            "PT": ["Portugal"],
            "AR": ["Argentina"],
            "MX": ["Mexico", "México"],
            "CL": ["Chile"],
            "CO": ["Colombia", "Colômbia"],
            "PE": ["Peru", "Perú"],
            "ES": ["Spain", "Espanha", "España"],
            "FR": ["France", "França", "Francia"],
            "DE": ["Germany", "Alemanha", "Alemania", "Deutschland"],
            "GB": ["United Kingdom", "UK", "U.K.", "Great Britain", "Britain", "England", "Reino Unido",
                   "Grã-Bretanha", "Inglaterra"],
        ]
        var byName: [String: String] = [:]
        for (code, list) in names {
            for name in list { byName[name.matchKey] = code }
        }
        return byName
    }()

    /// Country names in English, Portuguese and Spanish from the system's locale data.
    static let localisedNames: [String: String] = {
        var byName: [String: String] = [:]
        let locales = ["en", "pt-BR", "pt-PT", "es"].map(Locale.init(identifier:))
        for code in codes.sorted() {
            for locale in locales {
                if let name = locale.localizedString(forRegionCode: code), byName[name.matchKey] == nil {
                    byName[name.matchKey] = code
                }
            }
        }
        return byName
    }()
}
