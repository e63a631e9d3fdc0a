import Foundation
import Testing
@testable import SmarketingCore

@Suite("Reading a form submission")
struct FormSubmissionTests {
    func read(_ values: [String: [String]], form: FormDefinition = demoForm()) -> FormSubmission.Reading {
        FormSubmission.read(values, form: form, customFields: formCustomFields)
    }

    func refused(_ reading: FormSubmission.Reading) -> [FieldError] {
        if case .refused(let failure) = reading { return failure.errors }
        return []
    }

    @Test("a good submission becomes a contact from the form, with the consents ticked and the visitor's anonymous id")
    func accepted() throws {
        let reading = read([
            "email": ["  Lia@Globex.COM "], "first_name": ["Lia"], "company": ["Globex"], "cf_segment": ["banking"],
            "consent_1": ["yes"], "website": [""], "smk_aid": ["v-123"],
        ])
        guard case .accepted(let submission) = reading else {
            Issue.record("refused: \(reading)")
            return
        }
        #expect(submission.contact.email?.value == "lia@globex.com")
        #expect(submission.contact.firstName == "Lia")
        #expect(submission.contact.companyName == "Globex")
        #expect(submission.contact.custom == ["segment": .choice("Banking")])
        #expect(submission.contact.source == "form")
        #expect(submission.contact.campaign == "Demo request")
        #expect(submission.contact.lastSource == "form")
        #expect(submission.contact.lastCampaign == "Demo request")
        #expect(submission.consents.map(\.key) == ["consent_1"])
        #expect(submission.anonymousID == "v-123")
    }

    @Test("a filled honeypot is spam whatever else the submission holds")
    func honeypot() {
        #expect(read(["email": ["bot@spam.example"], "consent_1": ["yes"], "website": ["http://spam.example"]]) == .spam)
        #expect(read(["website": ["x"]]) == .spam, "even an otherwise invalid one: a robot learns nothing from the answer")
    }

    @Test("required fields left blank and a required consent not ticked are each named")
    func requiredFields() {
        #expect(refused(read(["email": [" "], "first_name": [""]])) == [
            FieldError("email", .required), FieldError("first_name", .required), FieldError("consent_1", .required),
        ])
    }

    @Test("a malformed email and a value that is not an option are refused by the same rules as everywhere else")
    func badValues() {
        #expect(refused(read(["email": ["lia@"], "first_name": ["Lia"], "cf_segment": ["Farming"], "consent_1": ["yes"]])) == [
            FieldError("email", .invalid), FieldError("cf_segment", .notInList),
        ])
    }

    @Test("fields the form does not ask are ignored, so a submission cannot set an owner, a stage or a hidden field")
    func onlyAskedFields() throws {
        let reading = read(["email": ["lia@globex.com"], "first_name": ["Lia"], "consent_1": ["yes"],
                            "owner_email": ["boss@acme.com"], "lifecycle_stage": ["customer"], "job_title": ["CEO"], "cf_newsletter": ["yes"]])
        guard case .accepted(let submission) = reading else {
            Issue.record("refused: \(reading)")
            return
        }
        #expect(submission.contact.ownerEmail == nil)
        #expect(submission.contact.stage == nil)
        #expect(submission.contact.jobTitle == nil)
        #expect(submission.contact.custom.isEmpty)
    }

    @Test("a multi-choice field's ticked boxes make one value, and a yes/no checkbox reads as yes")
    func repeatedInputs() throws {
        var form = demoForm()
        form.fields += [FormField(key: "cf_interests", label: "Interests", required: true),
                        FormField(key: "cf_newsletter", label: "Newsletter", required: false)]
        let reading = read(["email": ["lia@globex.com"], "first_name": ["Lia"], "consent_1": ["yes"],
                            "cf_interests": ["SEO", "crm"], "cf_newsletter": ["yes"]], form: form)
        guard case .accepted(let submission) = reading else {
            Issue.record("refused: \(reading)")
            return
        }
        #expect(submission.contact.custom["interests"] == .multiChoice(["CRM", "SEO"]))
        #expect(submission.contact.custom["newsletter"] == .boolean(true))
    }

    @Test("the page's utm_source and utm_campaign name the contact's source; unusable ones fall back to the form")
    func sourceFromThePage() throws {
        let base: [String: [String]] = ["email": ["lia@globex.com"], "first_name": ["Lia"], "consent_1": ["yes"]]
        guard case .accepted(let tagged) = read(base.merging(["utm_source": ["linkedin"], "utm_campaign": ["q4-launch"]]) { $1 }) else {
            Issue.record("refused")
            return
        }
        #expect([tagged.contact.source, tagged.contact.campaign, tagged.contact.lastSource, tagged.contact.lastCampaign]
            == ["linkedin", "q4-launch", "linkedin", "q4-launch"])
        guard case .accepted(let long) = read(base.merging(["utm_source": [String(repeating: "x", count: 101)]]) { $1 }) else {
            Issue.record("refused")
            return
        }
        #expect(long.contact.source == "form")
    }

    @Test("an anonymous id that is too long or holds blanks is ignored without refusing the person", arguments: [
        String(repeating: "a", count: 129), "two words", "tab\tid",
    ])
    func badAnonymousID(id: String) {
        guard case .accepted(let submission) = read(["email": ["lia@globex.com"], "first_name": ["Lia"], "consent_1": ["yes"], "smk_aid": [id]]) else {
            Issue.record("refused")
            return
        }
        #expect(submission.anonymousID == nil)
    }

    @Test("a field of the form that the workspace no longer offers is skipped, even when it was required")
    func deletedCustomField() {
        var form = demoForm()
        form.fields.append(FormField(key: "cf_gone", label: "Gone", required: true))
        if case .accepted = read(["email": ["lia@globex.com"], "first_name": ["Lia"], "consent_1": ["yes"]], form: form) {} else {
            Issue.record("a deleted field refused the submission")
        }
    }

    @Test("the event a submission records names the form and keeps the text of each consent given")
    func eventProperties() throws {
        guard case .accepted(let submission) = read(["email": ["lia@globex.com"], "first_name": ["Lia"], "consent_1": ["yes"], "consent_2": ["yes"]]) else {
            Issue.record("refused")
            return
        }
        let id = UUID(uuidString: "0198C3A1-0000-7000-8000-000000000001")!
        #expect(submission.eventProperties(formID: id, formName: "Demo request") == [
            "form_id": "0198c3a1-0000-7000-8000-000000000001", "form": "Demo request", "consents": "consent_1,consent_2",
            "consent.consent_1": "I agree to be contacted about my request.", "consent.consent_2": "Send me the monthly newsletter.",
        ])
    }
}
