import Foundation

/// A visitor's submission of a form, read against the form's definition: the contact it
/// describes, the consents ticked, the visitor's anonymous id and where they came from.
///
/// Only the fields the form asks are read: a submission cannot set an owner, a stage or a field
/// the form does not show, whatever it posts.
public struct FormSubmission: Sendable, Equatable {
    /// The contact as the form describes it, with its first and last touch set (see
    /// ``read(_:form:customFields:)``).
    public var contact: ContactInput
    /// The consents ticked, in the form's order.
    public var consents: [FormConsent]
    /// The visitor's anonymous id (t.js), which attaches their earlier visits to the contact.
    public var anonymousID: String?

    public init(contact: ContactInput, consents: [FormConsent], anonymousID: String?) {
        self.contact = contact
        self.consents = consents
        self.anonymousID = anonymousID
    }

    /// What a submission turned out to be.
    public enum Reading: Sendable, Equatable {
        case accepted(FormSubmission)
        /// The honeypot was filled: a robot. Answer as if it worked and keep nothing.
        case spam
        /// Every problem at once, each under the input name the visitor filled (`email`,
        /// `cf_segment`, `consent_1`).
        case refused(ValidationFailure)
    }

    /// The source a form gives a contact when the visitor's page names none.
    public static let formSource = "form"

    /// Reads submitted values (an input may repeat: a multi-choice field's checkboxes, joined
    /// with `;`) against the form:
    ///
    /// - the honeypot (``FormDefinition/honeypotField``) holding anything but blanks: `.spam`;
    /// - each required field left blank, or required consent not ticked: `.required` on its name;
    /// - the values go through ``ContactInput/check(_:customFields:)``, so an email, a phone or
    ///   a custom number is refused by the same rule as everywhere else;
    /// - the contact's first and last touch: `utm_source` and `utm_campaign` when the page sent
    ///   them (up to 100 characters), else source `form` and the form's name as campaign.
    ///   Whether the first touch is kept is the store's business (only a new contact takes it).
    /// - `smk_aid`: kept when it is 1...128 characters without blanks; otherwise ignored (a bad
    ///   anonymous id never refuses a person's submission).
    ///
    /// Fields of the form that the workspace no longer offers (a custom field deleted since)
    /// are skipped.
    public static func read(_ submitted: [String: [String]], form: FormDefinition, customFields: [CustomFieldDefinition]) -> Reading {
        func joined(_ name: String) -> String {
            (submitted[name] ?? []).map(\.trimmingBlanks).filter { !$0.isEmpty }.joined(separator: ";")
        }
        if !joined(FormDefinition.honeypotField).isEmpty { return .spam }

        let available = Set(FormDefinition.availableFields(customFields: customFields))
        var errors: [FieldError] = []
        var values: [String: String] = [:]
        for field in form.fields where available.contains(field.key) {
            let value = joined(field.key)
            if value.isEmpty {
                if field.required { errors.append(FieldError(field.key, .required)) }
            } else {
                values[field.key] = value
            }
        }
        var input = ContactInput()
        if values.isEmpty {
            // Nothing filled at all: the required errors above say what is missing.
            if errors.isEmpty { errors.append(FieldError("email", .required)) }
        } else {
            switch ContactInput.check(values, customFields: customFields) {
            case .success(let checked): input = checked
            case .failure(let failure):
                let named = Set(errors.map(\.field))
                errors += failure.errors.filter { !named.contains($0.field) }
            }
        }

        var consents: [FormConsent] = []
        for consent in form.consents {
            if joined(consent.key).isEmpty {
                if consent.required { errors.append(FieldError(consent.key, .required)) }
            } else {
                consents.append(consent)
            }
        }
        if !errors.isEmpty { return .refused(ValidationFailure(errors)) }

        let source = label(joined(FormDefinition.sourceField)) ?? formSource
        let campaign = label(joined(FormDefinition.campaignField)) ?? String(form.name.prefix(ContactFields.labelMaximumLength))
        input.source = source
        input.campaign = campaign
        input.lastSource = source
        input.lastCampaign = campaign
        return .accepted(FormSubmission(contact: input, consents: consents, anonymousID: anonymousID(joined(FormDefinition.anonymousIDField))))
    }

    /// A source or campaign name a page sent, if it is usable.
    private static func label(_ text: String) -> String? {
        guard !text.isEmpty, text.count <= ContactFields.labelMaximumLength,
              !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return nil }
        return text
    }

    private static func anonymousID(_ text: String) -> String? {
        guard !text.isEmpty, text.count <= EventSubmissionLimits.anonymousIDMaximumLength,
              !text.contains(where: { $0.isWhitespace || $0.isNewline || $0 == ";" }),
              !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return nil }
        return text
    }

    /// The properties of the `form_submitted` event a submission records: the form's id and
    /// name, the keys of the consents given (`consents`, comma-separated, empty for none) and
    /// each consent's text as the visitor read it (`consent.<key>`), so what was agreed to stays
    /// known after the label changes.
    public func eventProperties(formID: UUID, formName: String) -> [String: String] {
        var properties = ["form_id": formID.uuidString.lowercased(), "form": formName, "consents": consents.map(\.key).joined(separator: ",")]
        for consent in consents { properties["consent." + consent.key] = consent.label }
        return properties
    }
}
