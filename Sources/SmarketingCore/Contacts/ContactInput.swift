/// A contact as a form, the API or an import row submits it: checked and normalised, not yet
/// saved. Empty names are empty strings; other missing values are nil.
///
/// The same rules serve every door, so a contact refused on a page is refused by the API and
/// in a CSV file with the same field names (see ``ContactFields``).
public struct ContactInput: Sendable, Equatable {
    public var firstName: String
    public var lastName: String
    public var email: EmailAddress?
    public var phone: String?
    public var jobTitle: String?
    public var seniority: String?
    /// ISO day, `YYYY-MM-DD`.
    public var birthDate: String?
    /// Years.
    public var age: Int?
    /// ISO 3166-1 alpha-2, upper case.
    public var country: String?
    /// First-touch source and campaign.
    public var source: String?
    public var campaign: String?
    /// Last-touch source and campaign.
    public var lastSource: String?
    public var lastCampaign: String?
    public var companyName: String?
    /// Normalised by ``CompanyDomain``.
    public var companyDomain: String?
    /// The user who owns the contact, found by email when saved.
    public var ownerEmail: EmailAddress?
    public var stage: LifecycleStage?
    /// Custom field values by key.
    public var custom: [String: CustomFieldValue]

    public init(
        firstName: String = "", lastName: String = "", email: EmailAddress? = nil, phone: String? = nil,
        jobTitle: String? = nil, seniority: String? = nil, birthDate: String? = nil, age: Int? = nil, country: String? = nil,
        source: String? = nil, campaign: String? = nil, lastSource: String? = nil, lastCampaign: String? = nil,
        companyName: String? = nil, companyDomain: String? = nil, ownerEmail: EmailAddress? = nil,
        stage: LifecycleStage? = nil, custom: [String: CustomFieldValue] = [:]
    ) {
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.jobTitle = jobTitle
        self.seniority = seniority
        self.birthDate = birthDate
        self.age = age
        self.country = country
        self.source = source
        self.campaign = campaign
        self.lastSource = lastSource
        self.lastCampaign = lastCampaign
        self.companyName = companyName
        self.companyDomain = companyDomain
        self.ownerEmail = ownerEmail
        self.stage = stage
        self.custom = custom
    }

    /// The input that would save `contact` as it is, to fill an edit form or an export row.
    public init(contact: Contact, companyName: String?, companyDomain: String?, ownerEmail: EmailAddress?) {
        self.init(
            firstName: contact.firstName, lastName: contact.lastName, email: contact.email, phone: contact.phone,
            jobTitle: contact.jobTitle, seniority: contact.seniority, birthDate: contact.birthDate, age: contact.age,
            country: contact.country, source: contact.source, campaign: contact.campaign, lastSource: contact.lastSource,
            lastCampaign: contact.lastCampaign, companyName: companyName, companyDomain: companyDomain,
            ownerEmail: ownerEmail, stage: contact.stage, custom: contact.custom
        )
    }

    /// Checks submitted fields by their canonical names (custom ones as `cf_<key>`, for the
    /// workspace's contact fields in `customFields`) and reports every bad one at once. Values are
    /// trimmed; blank means absent; names not known are ignored.
    ///
    /// A row with no value at all, or only an owner or a stage, is refused with `email` `.required`:
    /// a contact needs something that says who it is, but not necessarily a name or an email
    /// (rows of the bank data set have only an age and custom values).
    public static func check(_ fields: [String: String], customFields: [CustomFieldDefinition]) -> Result<ContactInput, ValidationFailure> {
        check(fields, customFields: customFields, acceptingNewOptionsFor: [])
    }

    /// Like ``check(_:customFields:)``; the choice fields whose keys are in `growing` take
    /// values that are not yet options (see ``CustomFieldDefinition/parse(_:acceptingNewOptions:)``).
    static func check(
        _ fields: [String: String], customFields: [CustomFieldDefinition], acceptingNewOptionsFor growing: Set<String>
    ) -> Result<ContactInput, ValidationFailure> {
        var checker = FieldChecker()
        func value(_ name: String) -> String? {
            guard let raw = fields[name]?.trimmingBlanks, !raw.isEmpty else { return nil }
            return raw
        }
        func text(_ name: String, _ maximum: Int) -> String? {
            checker.text(name, fields[name], required: false, maximum: maximum)
        }

        var input = ContactInput()
        input.firstName = text("first_name", ContactFields.nameMaximumLength) ?? ""
        input.lastName = text("last_name", ContactFields.nameMaximumLength) ?? ""
        if let raw = value("email") { input.email = checker.email("email", raw) }
        if let phone = text("phone", ContactFields.phoneMaximumLength) {
            if phone.allSatisfy({ $0.isASCIIDigit || ContactFields.phoneSymbols.contains($0) }), phone.contains(where: \.isASCIIDigit) {
                input.phone = phone
            } else {
                checker.add("phone", .invalid)
            }
        }
        input.jobTitle = text("job_title", ContactFields.jobTitleMaximumLength)
        input.seniority = text("seniority", ContactFields.labelMaximumLength)
        if let raw = value("birth_date") {
            if let day = CalendarDay(parsing: raw), ContactFields.birthYears.contains(day.year) {
                input.birthDate = day.iso
            } else {
                checker.add("birth_date", .invalid)
            }
        }
        if let raw = value("age") {
            if let number = NumberText.parse(raw), number.rounded() == number,
               Double(ContactFields.ageRange.lowerBound)...Double(ContactFields.ageRange.upperBound) ~= number {
                input.age = Int(number)
            } else {
                checker.add("age", .invalid)
            }
        }
        if let raw = value("country") {
            if let code = CountryCode.normalise(raw) { input.country = code } else { checker.add("country", .invalid) }
        }
        input.source = text("source", ContactFields.labelMaximumLength)
        input.campaign = text("campaign", ContactFields.labelMaximumLength)
        input.lastSource = text("last_source", ContactFields.labelMaximumLength)
        input.lastCampaign = text("last_campaign", ContactFields.labelMaximumLength)
        input.companyName = text("company", ContactFields.companyNameMaximumLength)
        if let raw = value("company_domain") {
            if let domain = CompanyDomain.normalise(raw) { input.companyDomain = domain } else { checker.add("company_domain", .invalid) }
        }
        if let raw = value("owner_email") { input.ownerEmail = checker.email("owner_email", raw) }
        if let raw = value("lifecycle_stage") {
            if let stage = LifecycleStage(name: raw) { input.stage = stage } else { checker.add("lifecycle_stage", .notInList) }
        }

        let definitions = customFields.filter { $0.entity == .contact }
        for definition in definitions {
            guard let raw = fields[definition.fieldName] else { continue }
            switch definition.parse(raw, acceptingNewOptions: growing.contains(definition.key)) {
            case .success(let parsed): if let parsed { input.custom[definition.key] = parsed }
            case .failure(let code): checker.add(definition.fieldName, code)
            }
        }

        let hasValue = ContactFields.identifyingFields.contains { value($0) != nil } || definitions.contains { value($0.fieldName) != nil }
        if !hasValue { checker.add("email", .required) }
        if !checker.errors.isEmpty { return .failure(ValidationFailure(checker.errors)) }
        return .success(input)
    }

    /// The input's values by canonical name, custom ones as `cf_<key>` in their stored text;
    /// absent values are left out. ``check(_:customFields:)`` reads them back to the same input.
    public func fields() -> [String: String] {
        var fields: [String: String] = [:]
        let values: [(String, String?)] = [
            ("first_name", firstName), ("last_name", lastName), ("email", email?.value), ("phone", phone),
            ("job_title", jobTitle), ("seniority", seniority), ("birth_date", birthDate), ("age", age.map(String.init)),
            ("country", country), ("source", source), ("campaign", campaign), ("last_source", lastSource),
            ("last_campaign", lastCampaign), ("company", companyName), ("company_domain", companyDomain),
            ("owner_email", ownerEmail?.value), ("lifecycle_stage", stage?.rawValue),
        ]
        for (name, value) in values {
            if let value, !value.isEmpty { fields[name] = value }
        }
        for (key, value) in custom { fields[CustomFieldDefinition.fieldNamePrefix + key] = value.storageText }
        return fields
    }
}
