import Foundation

/// One input of a form: the contact field it fills (`email`, `first_name`, `cf_segment`), the
/// label visitors read, and whether it must be filled.
public struct FormField: Sendable, Equatable, Hashable, Codable {
    /// A contact field name as ``ContactFields`` and custom fields (`cf_<key>`) spell it; it is
    /// also the input's name on the hosted form and in the embed snippet.
    public var key: String
    public var label: String
    public var required: Bool

    public init(key: String, label: String, required: Bool) {
        self.key = key
        self.label = label
        self.required = required
    }
}

/// A consent checkbox ("I agree to receive emails from Acme"). Its `key` (`consent_1`...) is
/// its input's name and stays the same when the label or the order changes, so a snippet
/// already pasted on a site keeps working.
public struct FormConsent: Sendable, Equatable, Hashable, Codable {
    public var key: String
    public var label: String
    public var required: Bool

    public init(key: String, label: String, required: Bool) {
        self.key = key
        self.label = label
        self.required = required
    }

    public static let keyPrefix = "consent_"

    /// `consent_<number>`.
    public static func isWellFormedKey(_ key: String) -> Bool {
        guard key.hasPrefix(keyPrefix) else { return false }
        let number = key.dropFirst(keyPrefix.count)
        return !number.isEmpty && number.count <= 4 && number.allSatisfy(\.isASCIIDigit)
    }
}

/// What a visitor sees after a successful submission.
public enum FormAfterSubmit: Sendable, Equatable, Hashable, Codable {
    /// A thank-you message shown on the hosted page.
    case message(String)
    /// A page of the customer's site (http or https) the visitor is sent to.
    case redirect(String)

    /// The names the builder and the store use for the two kinds.
    public var kind: String {
        switch self {
        case .message: "message"
        case .redirect: "redirect"
        }
    }
}

/// A form a marketer builds: which contact fields it asks in which order, its consent
/// checkboxes, the submit button's label and what happens after a submission.
public struct FormDefinition: Sendable, Equatable, Hashable, Codable {
    public var name: String
    public var fields: [FormField]
    public var consents: [FormConsent]
    public var submitLabel: String
    public var afterSubmit: FormAfterSubmit

    public init(name: String, fields: [FormField], consents: [FormConsent] = [], submitLabel: String, afterSubmit: FormAfterSubmit) {
        self.name = name
        self.fields = fields
        self.consents = consents
        self.submitLabel = submitLabel
        self.afterSubmit = afterSubmit
    }

    // MARK: Limits

    public static let nameMaximumLength = 100
    public static let maximumFields = 25
    public static let fieldLabelMaximumLength = 100
    public static let maximumConsents = 5
    public static let consentLabelMaximumLength = 500
    public static let submitLabelMaximumLength = 40
    public static let messageMaximumLength = 2000
    public static let redirectURLMaximumLength = 2000

    /// The contact's own fields a form may ask, in the order a builder offers them. Fields that
    /// say how the contact is handled (owner, stage) or where it came from (source, campaign) are
    /// not the visitor's to set: the form sets the source itself.
    public static let standardFields: [String] = [
        "email", "first_name", "last_name", "phone", "job_title", "seniority", "company", "company_domain", "country",
        "birth_date", "age",
    ]

    /// The field names a form of a workspace may ask: the standard ones, then the workspace's
    /// custom contact fields as `cf_<key>` in their order.
    public static func availableFields(customFields: [CustomFieldDefinition]) -> [String] {
        standardFields + customFields.filter { $0.entity == .contact }.map(\.fieldName)
    }

    /// The name of the hidden input a person leaves empty and a spam robot fills in.
    public static let honeypotField = "website"
    /// The hidden input t.js fills with the visitor's anonymous id, when the page has it.
    public static let anonymousIDField = "smk_aid"
    /// Optional hidden inputs that name where the visitor came from (first and last touch).
    public static let sourceField = "utm_source"
    public static let campaignField = "utm_campaign"

    // MARK: Checking

    /// Checks a definition and returns it normalised (texts trimmed, email required), or every
    /// problem at once, each under the name of the builder input that holds it:
    ///
    /// - `name`: 1...100 characters.
    /// - `fields`: 1...25 fields, email among them (`fields.email` `.required` when it is not).
    /// - `fields.<key>`: a field the workspace offers (`.notInList`), asked once (`.alreadyTaken`).
    /// - `fields.<key>.label`: 1...100 characters.
    /// - `consents`: at most 5; `consents[i].label` 1...500 characters; keys `consent_<n>`, unique.
    /// - `submit_label`: 1...40 characters.
    /// - `thank_you_message`: 1...2000 characters, or `redirect_url`: an `http`/`https` address
    ///   with a host, up to 2000 characters.
    public static func check(_ definition: FormDefinition, availableFields: [String]) -> Result<FormDefinition, ValidationFailure> {
        var checker = FieldChecker()
        var checked = definition
        checked.name = checker.text("name", definition.name, maximum: nameMaximumLength) ?? definition.name.trimmingBlanks

        let available = Set(availableFields)
        var seen = Set<String>()
        checked.fields = []
        for field in definition.fields {
            let key = field.key.trimmingBlanks
            if seen.contains(key) {
                checker.add("fields.\(key)", .alreadyTaken)
                continue
            }
            seen.insert(key)
            if !available.contains(key) { checker.add("fields.\(key)", .notInList) }
            let label = checker.text("fields.\(key).label", field.label, maximum: fieldLabelMaximumLength) ?? field.label.trimmingBlanks
            checked.fields.append(FormField(key: key, label: label, required: key == "email" ? true : field.required))
        }
        if checked.fields.count > maximumFields { checker.add("fields", .tooLong(maximum: maximumFields)) }
        if !seen.contains("email") { checker.add("fields.email", .required) }

        if definition.consents.count > maximumConsents { checker.add("consents", .tooLong(maximum: maximumConsents)) }
        var consentKeys = Set<String>()
        checked.consents = definition.consents.enumerated().map { index, consent in
            let path = "consents[\(index)]"
            if !FormConsent.isWellFormedKey(consent.key) || consentKeys.contains(consent.key) { checker.add(path + ".key", .invalid) }
            consentKeys.insert(consent.key)
            let label = checker.text(path + ".label", consent.label, maximum: consentLabelMaximumLength) ?? consent.label.trimmingBlanks
            return FormConsent(key: consent.key, label: label, required: consent.required)
        }

        checked.submitLabel = checker.text("submit_label", definition.submitLabel, maximum: submitLabelMaximumLength)
            ?? definition.submitLabel.trimmingBlanks
        switch definition.afterSubmit {
        case .message(let message):
            checked.afterSubmit = .message(checker.text("thank_you_message", message, maximum: messageMaximumLength) ?? message.trimmingBlanks)
        case .redirect(let raw):
            if let text = checker.text("redirect_url", raw, maximum: redirectURLMaximumLength) {
                if isWebAddress(text) { checked.afterSubmit = .redirect(text) } else { checker.add("redirect_url", .invalid) }
            }
        }
        return checker.errors.isEmpty ? .success(checked) : .failure(ValidationFailure(checker.errors))
    }

    /// An absolute `http` or `https` address with a host and no blanks: the only places a
    /// visitor may be sent after a submission.
    public static func isWebAddress(_ text: String) -> Bool {
        guard !text.contains(where: { $0.isWhitespace || $0.isNewline }),
              !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
              let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty,
              text.lowercased().hasPrefix(scheme + "://")
        else { return false }
        return true
    }

    /// The field the form asks for `key`, if any.
    public func field(_ key: String) -> FormField? {
        fields.first { $0.key == key }
    }
}

/// A saved form of a workspace.
public struct FormRecord: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var definition: FormDefinition
    public var archived: Bool
    /// Submissions accepted (spam and refused ones are not counted).
    public var submissions: Int
    public var lastSubmittedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, definition: FormDefinition, archived: Bool = false, submissions: Int = 0, lastSubmittedAt: Date? = nil,
                createdAt: Date, updatedAt: Date) {
        self.id = id
        self.definition = definition
        self.archived = archived
        self.submissions = submissions
        self.lastSubmittedAt = lastSubmittedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
