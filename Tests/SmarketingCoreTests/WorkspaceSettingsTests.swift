import Testing
@testable import SmarketingCore

@Suite("Workspace settings")
struct WorkspaceSettingsTests {
    /// Runs the throwing check and returns the failure it threw, or nil when it accepted.
    private func refusal(
        name: String? = "Acme", timeZone: String? = "America/Sao_Paulo", currency: String? = "BRL",
        language: String? = "pt-BR", fieldPrefix: String = ""
    ) -> ValidationFailure? {
        do {
            _ = try WorkspaceSettings.check(
                name: name, timeZone: timeZone, currency: currency, language: language, fieldPrefix: fieldPrefix
            )
            return nil
        } catch {
            return error
        }
    }

    @Test("valid settings are accepted with the name trimmed")
    func acceptsValidSettings() throws {
        let settings = try WorkspaceSettings.check(
            name: "  Acme Software  ", timeZone: "America/Sao_Paulo", currency: "BRL", language: "pt-BR"
        )
        #expect(settings == WorkspaceSettings(name: "Acme Software", timeZone: "America/Sao_Paulo", currency: "BRL", language: .ptBR))
    }

    @Test("time zone, currency and language are trimmed too")
    func trimsEveryField() throws {
        let settings = try WorkspaceSettings.check(name: "Acme", timeZone: " Europe/Lisbon ", currency: " EUR ", language: " en ")
        #expect(settings == WorkspaceSettings(name: "Acme", timeZone: "Europe/Lisbon", currency: "EUR", language: .en))
    }

    @Test("a lower-case currency code is accepted and upper-cased", arguments: [("brl", "BRL"), ("usd", "USD"), ("Eur", "EUR")])
    func currencyIsUpperCased(submitted: String, stored: String) throws {
        let settings = try WorkspaceSettings.check(name: "Acme", timeZone: "UTC", currency: submitted, language: "en")
        #expect(settings.currency == stored)
    }

    @Test("every bad field is reported at once, in form order")
    func collectsEveryBadField() throws {
        let failure = try #require(refusal(name: "   ", timeZone: "Mars/Olympus", currency: "ZZZ", language: "fr"))
        #expect(failure.errors == [
            FieldError("name", .required),
            FieldError("time_zone", .notInList),
            FieldError("currency", .notInList),
            FieldError("language", .notInList),
        ])
    }

    @Test("every missing field is reported as required")
    func everyFieldRequired() throws {
        let failure = try #require(refusal(name: nil, timeZone: nil, currency: "", language: " "))
        #expect(failure.errors == [
            FieldError("name", .required),
            FieldError("time_zone", .required),
            FieldError("currency", .required),
            FieldError("language", .required),
        ])
    }

    @Test("an unknown time zone is not in the list",
          arguments: ["Mars/Olympus", "America/Atlantis", "Sao Paulo", "Nowhere"])
    func unknownTimeZone(zone: String) throws {
        let failure = try #require(refusal(timeZone: zone))
        #expect(failure.errors == [FieldError("time_zone", .notInList)])
    }

    @Test("a three-letter code that is not an ISO currency is not in the list", arguments: ["ZZZ", "ABC", "XYZ", "R$$", "12€"])
    func unknownCurrency(code: String) throws {
        let failure = try #require(refusal(currency: code))
        #expect(failure.errors == [FieldError("currency", .notInList)])
    }

    @Test("a currency longer than three characters is too long, naming the maximum of 3", arguments: ["EURO", "Reais"])
    func currencyTooLong(code: String) throws {
        let failure = try #require(refusal(currency: code))
        #expect(failure.errors == [FieldError("currency", .tooLong(maximum: 3))])
    }

    @Test("a language the product does not speak is not in the list", arguments: ["fr", "pt", "es-AR", "english"])
    func unknownLanguage(tag: String) throws {
        let failure = try #require(refusal(language: tag))
        #expect(failure.errors == [FieldError("language", .notInList)])
    }

    @Test("each language the product speaks is accepted by its tag", arguments: Language.allCases)
    func knownLanguage(language: Language) throws {
        let settings = try WorkspaceSettings.check(name: "Acme", timeZone: "UTC", currency: "BRL", language: language.rawValue)
        #expect(settings.language == language)
    }

    @Test("a name over 80 characters is too long, naming the maximum")
    func nameTooLong() throws {
        #expect(try WorkspaceSettings.check(
            name: String(repeating: "n", count: 80), timeZone: "UTC", currency: "BRL", language: "en"
        ).name.count == 80)
        let failure = try #require(refusal(name: String(repeating: "n", count: 81)))
        #expect(failure.errors == [FieldError("name", .tooLong(maximum: WorkspaceSettings.nameMaximumLength))])
        #expect(WorkspaceSettings.nameMaximumLength == 80)
    }

    @Test("the field prefix is applied to the name field only")
    func fieldPrefixAppliesToNameOnly() throws {
        let failure = try #require(refusal(name: nil, timeZone: "Nowhere/Land", currency: "ZZZ", language: "xx", fieldPrefix: "workspace_"))
        #expect(failure.errors.map(\.field) == ["workspace_name", "time_zone", "currency", "language"])
        #expect(failure.first(for: "workspace_name")?.code == .required)
        #expect(failure.first(for: "name") == nil)

        let missing = try #require(refusal(name: nil, timeZone: nil, currency: nil, language: nil, fieldPrefix: "workspace_"))
        #expect(missing.errors == [
            FieldError("workspace_name", .required),
            FieldError("time_zone", .required),
            FieldError("currency", .required),
            FieldError("language", .required),
        ])
    }

    @Test("the collecting check adds to a shared checker and returns nil when a field is bad")
    func collectingCheck() {
        var checker = FieldChecker()
        checker.add("admin_email", .invalid)
        let settings = WorkspaceSettings.check(
            name: "Acme", timeZone: "UTC", currency: "ZZZ", language: "en", fieldPrefix: "workspace_", into: &checker
        )
        #expect(settings == nil)
        #expect(checker.errors == [FieldError("admin_email", .invalid), FieldError("currency", .notInList)])
    }

    @Test("the collecting check returns the settings and adds nothing when every field is good")
    func collectingCheckAccepts() {
        var checker = FieldChecker()
        let settings = WorkspaceSettings.check(
            name: "Acme", timeZone: "Europe/London", currency: "gbp", language: "en", into: &checker
        )
        #expect(settings == WorkspaceSettings(name: "Acme", timeZone: "Europe/London", currency: "GBP", language: .en))
        #expect(checker.errors.isEmpty)
    }

    @Test("every suggested time zone is accepted", arguments: WorkspaceSettings.suggestedTimeZones)
    func suggestedTimeZonesAreValid(zone: String) throws {
        let settings = try WorkspaceSettings.check(name: "Acme", timeZone: zone, currency: "BRL", language: "pt-BR")
        #expect(settings.timeZone == zone)
    }

    @Test("every suggested currency is a known currency", arguments: WorkspaceSettings.suggestedCurrencies)
    func suggestedCurrenciesAreKnown(code: String) {
        #expect(WorkspaceSettings.isKnownCurrency(code))
    }

    @Test("known currencies are three upper-case ISO letters",
          arguments: [("BRL", true), ("NOK", true), ("INR", true), ("brl", false), ("BR", false), ("BRLL", false), ("ZZZ", false), ("", false)])
    func isKnownCurrency(code: String, known: Bool) {
        #expect(WorkspaceSettings.isKnownCurrency(code) == known)
    }
}
