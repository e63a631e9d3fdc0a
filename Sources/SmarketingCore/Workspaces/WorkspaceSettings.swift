import Foundation

/// The settings a workspace is created with and an admin may change later.
public struct WorkspaceSettings: Sendable, Equatable, Codable {
    public var name: String
    /// An IANA time zone identifier, e.g. `America/Sao_Paulo`; reports and business hours use it.
    public var timeZone: String
    /// ISO 4217 code of the currency deals and revenue are shown in.
    public var currency: String
    /// The language new users get until they choose their own.
    public var language: Language

    public init(name: String, timeZone: String, currency: String, language: Language) {
        self.name = name
        self.timeZone = timeZone
        self.currency = currency
        self.language = language
    }

    public static let nameMaximumLength = 80

    /// Currencies offered in forms; any ISO 4217 code the system knows is accepted.
    public static let suggestedCurrencies = ["BRL", "USD", "EUR", "GBP", "ARS", "CLP", "COP", "MXN", "PEN", "UYU", "CAD", "AUD", "JPY", "CHF"]

    /// Time zones offered first in forms; every IANA identifier is accepted.
    public static let suggestedTimeZones = [
        "America/Sao_Paulo", "America/Manaus", "America/Recife", "America/Fortaleza", "America/Belem",
        "America/Cuiaba", "America/Porto_Velho", "America/Rio_Branco", "America/Noronha",
        "America/Buenos_Aires", "America/Santiago", "America/Bogota", "America/Lima", "America/Mexico_City",
        "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
        "Europe/Lisbon", "Europe/London", "Europe/Madrid", "Europe/Paris", "Europe/Berlin",
        "Africa/Luanda", "Africa/Maputo", "Asia/Tokyo", "Australia/Sydney", "UTC",
    ]

    /// Checks every field of a submitted settings form and returns the normalised settings,
    /// or throws all the field errors at once.
    public static func check(
        name: String?, timeZone: String?, currency: String?, language: String?,
        fieldPrefix: String = ""
    ) throws(ValidationFailure) -> WorkspaceSettings {
        var checker = FieldChecker()
        let settings = check(name: name, timeZone: timeZone, currency: currency, language: language, fieldPrefix: fieldPrefix, into: &checker)
        try checker.throwIfAny()
        guard let settings else { throw ValidationFailure(checker.errors) }
        return settings
    }

    public static func check(
        name: String?, timeZone: String?, currency: String?, language: String?,
        fieldPrefix: String = "", into checker: inout FieldChecker
    ) -> WorkspaceSettings? {
        let checkedName = checker.text(fieldPrefix + "name", name, maximum: nameMaximumLength)
        var checkedZone: String?
        if let zone = checker.text("time_zone", timeZone, maximum: 64) {
            if TimeZone(identifier: zone) != nil { checkedZone = zone } else { checker.add("time_zone", .notInList) }
        }
        var checkedCurrency: String?
        if let code = checker.text("currency", currency, maximum: 3) {
            let upper = code.uppercased()
            if isKnownCurrency(upper) { checkedCurrency = upper } else { checker.add("currency", .notInList) }
        }
        var checkedLanguage: Language?
        if let tag = checker.text("language", language, maximum: 8) {
            if let found = Language(tag: tag) { checkedLanguage = found } else { checker.add("language", .notInList) }
        }
        guard let checkedName, let checkedZone, let checkedCurrency, let checkedLanguage else { return nil }
        return WorkspaceSettings(name: checkedName, timeZone: checkedZone, currency: checkedCurrency, language: checkedLanguage)
    }

    public static func isKnownCurrency(_ code: String) -> Bool {
        code.count == 3 && (suggestedCurrencies.contains(code) || Locale.commonISOCurrencyCodes.contains(code))
    }
}
