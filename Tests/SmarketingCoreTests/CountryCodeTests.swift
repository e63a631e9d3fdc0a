import Testing
@testable import SmarketingCore

@Suite("Country codes")
struct CountryCodeTests {
    @Test("codes are read ignoring case and blanks", arguments: [("br", "BR"), (" US ", "US"), ("Pt", "PT"), ("jp", "JP"), ("UY", "UY")])
    func codes(raw: String, code: String) {
        #expect(CountryCode.normalise(raw) == code)
    }

    @Test("common names in English and Portuguese give the code",
          arguments: [
              ("Brasil", "BR"), ("Brazil", "BR"), ("BRASIL", "BR"), ("United States", "US"), ("Estados Unidos", "US"), ("USA", "US"),
              ("EUA", "US"), ("Portugal", "PT"), ("Argentina", "AR"), ("México", "MX"), ("Mexico", "MX"), ("Chile", "CL"),
              ("Colômbia", "CO"), ("Colombia", "CO"), ("Peru", "PE"), ("Spain", "ES"), ("Espanha", "ES"), ("España", "ES"),
              ("France", "FR"), ("França", "FR"), ("Germany", "DE"), ("Alemanha", "DE"), ("United Kingdom", "GB"), ("UK", "GB"),
              ("Reino Unido", "GB"), ("Inglaterra", "GB"), ("  brasil ", "BR"), ("estados-unidos", "US"),
          ])
    func names(raw: String, code: String) {
        #expect(CountryCode.normalise(raw) == code)
    }

    @Test("other names known to the system are read too", arguments: [("Japan", "JP"), ("Uruguai", "UY"), ("Italia", "IT")])
    func localisedNames(raw: String, code: String) {
        #expect(CountryCode.normalise(raw) == code)
    }

    @Test("anything else is not a country", arguments: ["", "  ", "XX", "ZZ", "EU", "Atlantis", "B", "BRA1", "São Paulo"])
    func unknown(raw: String) {
        #expect(CountryCode.normalise(raw) == nil)
    }

    @Test("every known code is two upper-case letters")
    func codeShape() {
        #expect(CountryCode.codes.count > 200)
        #expect(CountryCode.codes.allSatisfy { $0.count == 2 && $0 == $0.uppercased() })
        for code in ["BR", "US", "PT", "AR", "MX", "CL", "CO", "PE", "ES", "FR", "DE", "GB"] { #expect(CountryCode.codes.contains(code)) }
    }
}
