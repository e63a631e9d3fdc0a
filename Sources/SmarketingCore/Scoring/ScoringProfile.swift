/// What the fit rules read about a contact: a flat snapshot of the contact's fields and its
/// company's, by field name, each value in its stored text form.
///
/// Names are those of ``ScoringFields``: the contact's own fields (`job_title`, `age`,
/// `email_domain`...), its custom fields as `cf_<key>`, and the company's fields prefixed with
/// `company.` (`company.employee_count`, `company.cf_<key>`). Numbers use `.` as the decimal
/// separator; multi-choice values are their options joined by `"; "`. A missing or blank value
/// means the field is not set. The store builds the snapshot once per contact; the engine never
/// reads a database.
public struct ScoringProfile: Sendable, Equatable, Hashable, Codable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    public subscript(field: String) -> String? {
        get { values[field] }
        set { values[field] = newValue }
    }

    /// The snapshot of a saved contact and its company. `today` (UTC) turns a birth date into an
    /// age when the contact has no age of its own.
    public init(contact: Contact, company: Company?, today: CalendarDay? = nil) {
        var values: [String: String] = [:]
        values.reserveCapacity(16)
        func put(_ name: String, _ value: String?) {
            if let value, !value.isBlank { values[name] = value }
        }
        put("first_name", contact.firstName)
        put("last_name", contact.lastName)
        put("email", contact.email?.value)
        put("email_domain", contact.email?.domain)
        put("phone", contact.phone)
        put("job_title", contact.jobTitle)
        put("seniority", contact.seniority)
        put("birth_date", contact.birthDate)
        put("age", (contact.age ?? Self.age(birthDate: contact.birthDate, today: today)).map(String.init))
        put("country", contact.country)
        put("source", contact.source)
        put("campaign", contact.campaign)
        put("last_source", contact.lastSource)
        put("last_campaign", contact.lastCampaign)
        for (key, value) in contact.custom { put(CustomFieldDefinition.fieldNamePrefix + key, value.storageText) }
        if let company {
            let prefix = ScoringFields.companyPrefix
            put(prefix + "name", company.name)
            put(prefix + "domain", company.domain)
            put(prefix + "employee_count", company.employeeCount.map(String.init))
            put(prefix + "industry", company.industry)
            put(prefix + "revenue_band", company.revenueBand)
            put(prefix + "country", company.country)
            for (key, value) in company.custom { put(prefix + CustomFieldDefinition.fieldNamePrefix + key, value.storageText) }
        }
        self.values = values
    }

    /// The snapshot of a checked contact input (a form, an API call or an import row) and its
    /// company, before either is saved.
    public init(contact: ContactInput, company: CompanyInput?, today: CalendarDay? = nil) {
        var values = contact.fields()
        for name in ["company", "company_domain", "owner_email", "lifecycle_stage"] { values[name] = nil }
        if let email = contact.email { values["email_domain"] = email.domain }
        if values["age"] == nil, let age = Self.age(birthDate: contact.birthDate, today: today) { values["age"] = String(age) }
        if let company {
            for (name, value) in company.fields() { values[ScoringFields.companyPrefix + name] = value }
        } else {
            if let name = contact.companyName { values[ScoringFields.companyPrefix + "name"] = name }
            if let domain = contact.companyDomain { values[ScoringFields.companyPrefix + "domain"] = domain }
        }
        self.values = values
    }

    /// Whole years from `birthDate` (ISO day) to `today`, or nil when either is unknown or the
    /// birth date is later than today.
    public static func age(birthDate: String?, today: CalendarDay?) -> Int? {
        guard let birthDate, let today, let born = CalendarDay(parsing: birthDate), born <= today else { return nil }
        var years = today.year - born.year
        if (today.month, today.day) < (born.month, born.day) { years -= 1 }
        return years
    }
}

/// The field names a fit rule may read, as a ``ScoringProfile`` holds them.
public enum ScoringFields {
    /// The contact's own fields that say who a contact is, plus `email_domain` (the part of the
    /// email after `@`, for competitor or free-mail rules).
    public static let contact: [String] = [
        "first_name", "last_name", "email", "email_domain", "phone", "job_title", "seniority", "birth_date", "age",
        "country", "source", "campaign", "last_source", "last_campaign",
    ]

    /// Company fields are read as `company.<name>`.
    public static let companyPrefix = "company."

    /// `company.name`, `company.domain`, `company.employee_count`, ...
    public static let company: [String] = CompanyFields.builtIn.map { companyPrefix + $0 }

    /// Every name a fit rule may use in a workspace with these custom fields: the built-in ones,
    /// `cf_<key>` for contact custom fields and `company.cf_<key>` for company ones.
    public static func known(customFields: [CustomFieldDefinition]) -> Set<String> {
        var names = Set(contact + company)
        for field in customFields {
            switch field.entity {
            case .contact: names.insert(field.fieldName)
            case .company: names.insert(companyPrefix + field.fieldName)
            }
        }
        return names
    }
}
