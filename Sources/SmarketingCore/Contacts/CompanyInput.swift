/// A company as a form, the API or an import row submits it: checked and normalised, not yet
/// saved. Companies are deduplicated by their normalised domain.
public struct CompanyInput: Sendable, Equatable {
    public var name: String
    /// Normalised by ``CompanyDomain``.
    public var domain: String?
    public var employeeCount: Int?
    public var industry: String?
    public var revenueBand: String?
    /// ISO 3166-1 alpha-2, upper case.
    public var country: String?
    /// Custom field values by key.
    public var custom: [String: CustomFieldValue]

    public init(
        name: String, domain: String? = nil, employeeCount: Int? = nil, industry: String? = nil,
        revenueBand: String? = nil, country: String? = nil, custom: [String: CustomFieldValue] = [:]
    ) {
        self.name = name
        self.domain = domain
        self.employeeCount = employeeCount
        self.industry = industry
        self.revenueBand = revenueBand
        self.country = country
        self.custom = custom
    }

    /// The input that would save `company` as it is.
    public init(company: Company) {
        self.init(
            name: company.name, domain: company.domain, employeeCount: company.employeeCount, industry: company.industry,
            revenueBand: company.revenueBand, country: company.country, custom: company.custom
        )
    }

    /// Checks submitted fields by their canonical names (see ``CompanyFields``; custom ones as
    /// `cf_<key>` for the workspace's company fields in `customFields`) and reports every bad one
    /// at once. The name is required; the domain may be given as a web address.
    public static func check(_ fields: [String: String], customFields: [CustomFieldDefinition]) -> Result<CompanyInput, ValidationFailure> {
        var checker = FieldChecker()
        func value(_ name: String) -> String? {
            guard let raw = fields[name]?.trimmingBlanks, !raw.isEmpty else { return nil }
            return raw
        }
        var input = CompanyInput(name: checker.text("name", fields["name"], maximum: CompanyFields.nameMaximumLength) ?? "")
        if let raw = value("domain") {
            if let domain = CompanyDomain.normalise(raw) { input.domain = domain } else { checker.add("domain", .invalid) }
        }
        if let raw = value("employee_count") {
            if let number = NumberText.parse(raw), number.rounded() == number,
               Double(CompanyFields.employeeCountRange.lowerBound)...Double(CompanyFields.employeeCountRange.upperBound) ~= number {
                input.employeeCount = Int(number)
            } else {
                checker.add("employee_count", .invalid)
            }
        }
        input.industry = checker.text("industry", fields["industry"], required: false, maximum: CompanyFields.labelMaximumLength)
        input.revenueBand = checker.text("revenue_band", fields["revenue_band"], required: false, maximum: CompanyFields.labelMaximumLength)
        if let raw = value("country") {
            if let code = CountryCode.normalise(raw) { input.country = code } else { checker.add("country", .invalid) }
        }
        for definition in customFields where definition.entity == .company {
            guard let raw = fields[definition.fieldName] else { continue }
            switch definition.parse(raw) {
            case .success(let parsed): if let parsed { input.custom[definition.key] = parsed }
            case .failure(let code): checker.add(definition.fieldName, code)
            }
        }
        if !checker.errors.isEmpty { return .failure(ValidationFailure(checker.errors)) }
        return .success(input)
    }

    /// The input's values by canonical name, custom ones as `cf_<key>`; absent values left out.
    public func fields() -> [String: String] {
        var fields: [String: String] = [:]
        let values: [(String, String?)] = [
            ("name", name), ("domain", domain), ("employee_count", employeeCount.map(String.init)),
            ("industry", industry), ("revenue_band", revenueBand), ("country", country),
        ]
        for (name, value) in values {
            if let value, !value.isEmpty { fields[name] = value }
        }
        for (key, value) in custom { fields[CustomFieldDefinition.fieldNamePrefix + key] = value.storageText }
        return fields
    }
}
