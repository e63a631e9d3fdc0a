import Foundation
import Testing
@testable import SmarketingCore

/// A workspace with one custom contact field (a choice) and one company field.
let formCustomFields = [
    CustomFieldDefinition(id: UUID(), entity: .contact, key: "segment", label: "Segment", type: .choice, options: ["Retail", "Banking"]),
    CustomFieldDefinition(id: UUID(), entity: .contact, key: "interests", label: "Interests", type: .multiChoice, options: ["CRM", "Ads", "SEO"]),
    CustomFieldDefinition(id: UUID(), entity: .contact, key: "newsletter", label: "Newsletter", type: .boolean),
    CustomFieldDefinition(id: UUID(), entity: .company, key: "tier", label: "Tier", type: .text),
]

/// A demo request form: email, first name, a segment, one required consent.
func demoForm() -> FormDefinition {
    FormDefinition(
        name: "Demo request",
        fields: [
            FormField(key: "email", label: "Work email", required: true),
            FormField(key: "first_name", label: "First name", required: true),
            FormField(key: "company", label: "Company", required: false),
            FormField(key: "cf_segment", label: "Segment", required: false),
        ],
        consents: [FormConsent(key: "consent_1", label: "I agree to be contacted about my request.", required: true),
                   FormConsent(key: "consent_2", label: "Send me the monthly newsletter.", required: false)],
        submitLabel: "Request a demo",
        afterSubmit: .message("Thanks! We will be in touch.")
    )
}

@Suite("Form definitions")
struct FormDefinitionTests {
    let available = FormDefinition.availableFields(customFields: formCustomFields)

    func errors(_ definition: FormDefinition) -> [FieldError] {
        if case .failure(let failure) = FormDefinition.check(definition, availableFields: available) { return failure.errors }
        return []
    }

    @Test("a form may ask the contact's own fields and the workspace's custom contact fields, but never its owner, stage, source or company fields")
    func availableFields() {
        #expect(available.prefix(3) == ["email", "first_name", "last_name"])
        #expect(available.suffix(3) == ["cf_segment", "cf_interests", "cf_newsletter"])
        for handled in ["owner_email", "lifecycle_stage", "source", "campaign", "last_source", "last_campaign", "cf_tier"] {
            #expect(!available.contains(handled))
        }
    }

    @Test("a good form comes back trimmed, with its email always required")
    func acceptsAndNormalises() throws {
        var definition = demoForm()
        definition.name = "  Demo request "
        definition.fields[0] = FormField(key: "email", label: " Work email ", required: false)
        definition.submitLabel = " Send "
        definition.afterSubmit = .redirect(" https://acme.example/thanks?from=form ")
        let checked = try FormDefinition.check(definition, availableFields: available).get()
        #expect(checked.name == "Demo request")
        #expect(checked.fields[0] == FormField(key: "email", label: "Work email", required: true))
        #expect(checked.submitLabel == "Send")
        #expect(checked.afterSubmit == .redirect("https://acme.example/thanks?from=form"))
    }

    @Test("a form without a name, without email or with blank labels is refused field by field")
    func requiredParts() {
        var definition = demoForm()
        definition.name = "  "
        definition.fields.removeFirst()
        definition.fields[0].label = ""
        definition.consents[1].label = " "
        definition.submitLabel = ""
        definition.afterSubmit = .message("")
        #expect(errors(definition) == [
            FieldError("name", .required), FieldError("fields.first_name.label", .required), FieldError("fields.email", .required),
            FieldError("consents[1].label", .required), FieldError("submit_label", .required), FieldError("thank_you_message", .required),
        ])
    }

    @Test("a field asked twice, a field the workspace does not offer and a company field are refused by name")
    func unknownAndDuplicateFields() {
        var definition = demoForm()
        definition.fields += [FormField(key: "first_name", label: "Again", required: false),
                              FormField(key: "lifecycle_stage", label: "Stage", required: false),
                              FormField(key: "cf_tier", label: "Tier", required: false)]
        #expect(errors(definition) == [FieldError("fields.first_name", .alreadyTaken), FieldError("fields.lifecycle_stage", .notInList),
                                       FieldError("fields.cf_tier", .notInList)])
    }

    @Test("labels, names, messages and the number of fields and consents are bounded")
    func limits() {
        var definition = demoForm()
        definition.name = String(repeating: "n", count: FormDefinition.nameMaximumLength + 1)
        definition.fields[1].label = String(repeating: "l", count: FormDefinition.fieldLabelMaximumLength + 1)
        definition.consents[0].label = String(repeating: "c", count: FormDefinition.consentLabelMaximumLength + 1)
        definition.submitLabel = String(repeating: "s", count: FormDefinition.submitLabelMaximumLength + 1)
        definition.afterSubmit = .message(String(repeating: "m", count: FormDefinition.messageMaximumLength + 1))
        #expect(errors(definition) == [
            FieldError("name", .tooLong(maximum: 100)), FieldError("fields.first_name.label", .tooLong(maximum: 100)),
            FieldError("consents[0].label", .tooLong(maximum: 500)), FieldError("submit_label", .tooLong(maximum: 40)),
            FieldError("thank_you_message", .tooLong(maximum: 2000)),
        ])

        var many = demoForm()
        many.fields = (0..<26).map { FormField(key: "cf_f\($0)", label: "F\($0)", required: false) } + [FormField(key: "email", label: "Email", required: true)]
        let manyFields = (0..<26).map { CustomFieldDefinition(id: UUID(), entity: .contact, key: "f\($0)", label: "F\($0)", type: .text) }
        let failure = FormDefinition.check(many, availableFields: FormDefinition.availableFields(customFields: manyFields))
        #expect(failure == .failure(ValidationFailure("fields", .tooLong(maximum: 25))))

        var consents = demoForm()
        consents.consents = (1...6).map { FormConsent(key: "consent_\($0)", label: "C\($0)", required: false) }
        #expect(errors(consents) == [FieldError("consents", .tooLong(maximum: 5))])
    }

    @Test("a redirect goes only to an http or https address with a host",
          arguments: ["javascript:alert(1)", "ftp://acme.example/x", "/thanks", "acme.example/thanks", "https://", "https:acme.example",
                      "https://acme.example/a b", "data:text/html,hi"])
    func badRedirects(url: String) {
        var definition = demoForm()
        definition.afterSubmit = .redirect(url)
        #expect(errors(definition) == [FieldError("redirect_url", .invalid)])
    }

    @Test("a redirect to an http or https page is accepted", arguments: ["https://acme.example/thanks", "http://localhost:8080/ok?x=1#done", "HTTPS://Acme.example"])
    func goodRedirects(url: String) throws {
        var definition = demoForm()
        definition.afterSubmit = .redirect(url)
        #expect(try FormDefinition.check(definition, availableFields: available).get().afterSubmit == .redirect(url))
    }

    @Test("a blank redirect address is required, not invalid")
    func blankRedirect() {
        var definition = demoForm()
        definition.afterSubmit = .redirect(" ")
        #expect(errors(definition) == [FieldError("redirect_url", .required)])
    }

    @Test("consent keys must be consent_<number> and unique")
    func consentKeys() {
        var definition = demoForm()
        definition.consents[1].key = "consent_1"
        #expect(errors(definition) == [FieldError("consents[1].key", .invalid)])
        definition.consents[1].key = "agree"
        #expect(errors(definition) == [FieldError("consents[1].key", .invalid)])
        #expect(FormConsent.isWellFormedKey("consent_12"))
        #expect(!FormConsent.isWellFormedKey("consent_"))
        #expect(!FormConsent.isWellFormedKey("consent_1a"))
    }
}
