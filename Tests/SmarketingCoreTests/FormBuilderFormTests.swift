import Foundation
import Testing
@testable import SmarketingCore

@Suite("The form builder's inputs")
struct FormBuilderFormTests {
    let available = FormDefinition.availableFields(customFields: formCustomFields)

    func pairs(_ values: [String: String]) -> [(String, String)] {
        values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    @Test("the builder's inputs of a form read back to the same form")
    func roundTrip() throws {
        let form = demoForm()
        let values = FormBuilderForm.fields(of: form)
        #expect(values["fields.email.position"] == "1")
        #expect(values["fields.cf_segment.include"] == "yes")
        #expect(values["fields.company.required"] == nil)
        #expect(try FormBuilderForm.parse(pairs(values), availableFields: available).get() == form)
    }

    @Test("ticked fields are asked in the order of their numbers, unnumbered ones last in the order offered")
    func order() throws {
        let values: [String: String] = [
            "name": "Newsletter", "submit_label": "Subscribe", "after_submit": "message", "thank_you_message": "Welcome!",
            "fields.email.include": "yes", "fields.email.label": "Email", "fields.email.position": "3",
            "fields.last_name.include": "yes", "fields.last_name.label": "Surname", "fields.last_name.position": "1",
            "fields.first_name.include": "on", "fields.first_name.label": "Name",
            "fields.phone.include": "yes", "fields.phone.label": "Phone", "fields.phone.required": "yes",
            "fields.job_title.label": "Not ticked, not asked", "fields.job_title.position": "2",
        ]
        let form = try FormBuilderForm.parse(pairs(values), availableFields: available).get()
        #expect(form.fields.map(\.key) == ["last_name", "email", "first_name", "phone"])
        #expect(form.fields.map(\.required) == [false, true, false, true])
    }

    @Test("a position that is not a whole number is refused next to its input, with the check's problems at once")
    func badPosition() {
        let values: [String: String] = [
            "name": "", "submit_label": "Go", "thank_you_message": "Thanks",
            "fields.email.include": "yes", "fields.email.label": "Email", "fields.email.position": "first",
        ]
        guard case .failure(let failure) = FormBuilderForm.parse(pairs(values), availableFields: available) else {
            Issue.record("a bad position was accepted")
            return
        }
        #expect(failure.errors == [FieldError("fields.email.position", .notANumber), FieldError("name", .required)])
    }

    @Test("blank consent rows are spare rows, and new consents get the next free key without renaming the others")
    func consentRows() throws {
        let values: [String: String] = [
            "name": "Webinar", "submit_label": "Register", "after_submit": "redirect", "redirect_url": "https://acme.example/see-you",
            "fields.email.include": "yes", "fields.email.label": "Email",
            "consents[0].key": "consent_3", "consents[0].label": "Terms", "consents[0].required": "yes",
            "consents[1].key": "", "consents[1].label": " ",
            "consents[2].key": "", "consents[2].label": "Newsletter",
            "consents[3].key": "", "consents[3].label": "Partners",
        ]
        let form = try FormBuilderForm.parse(pairs(values), availableFields: available).get()
        #expect(form.consents == [FormConsent(key: "consent_3", label: "Terms", required: true),
                                  FormConsent(key: "consent_4", label: "Newsletter", required: false),
                                  FormConsent(key: "consent_5", label: "Partners", required: false)])
        #expect(form.afterSubmit == .redirect("https://acme.example/see-you"))
    }

    @Test("an after-submit choice other than a message or a redirect is refused")
    func afterSubmitChoice() {
        let values: [String: String] = [
            "name": "X", "submit_label": "Go", "after_submit": "popup", "thank_you_message": "Thanks",
            "fields.email.include": "yes", "fields.email.label": "Email",
        ]
        #expect(FormBuilderForm.parse(pairs(values), availableFields: available) == .failure(ValidationFailure("after_submit", .notInList)))
    }

    @Test("a builder that leaves email out is told email is required")
    func emailLeftOut() {
        let values: [String: String] = [
            "name": "X", "submit_label": "Go", "thank_you_message": "Thanks",
            "fields.first_name.include": "yes", "fields.first_name.label": "Name",
        ]
        #expect(FormBuilderForm.parse(pairs(values), availableFields: available) == .failure(ValidationFailure("fields.email", .required)))
    }
}
