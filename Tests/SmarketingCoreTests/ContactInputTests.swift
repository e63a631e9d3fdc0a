import Foundation
import Testing
@testable import SmarketingCore

@Suite("Contact input")
struct ContactInputTests {
    static let segment = CustomFieldDefinition(id: UUID(), entity: .contact, key: "segment", label: "Segment", type: .choice,
                                               options: ["Retail", "Banking"])
    static let nps = CustomFieldDefinition(id: UUID(), entity: .contact, key: "nps", label: "NPS", type: .number)
    static let vip = CustomFieldDefinition(id: UUID(), entity: .contact, key: "vip", label: "VIP", type: .boolean)
    static let renewal = CustomFieldDefinition(id: UUID(), entity: .contact, key: "renewal", label: "Renewal", type: .date)
    static let tags = CustomFieldDefinition(id: UUID(), entity: .contact, key: "tags", label: "Tags", type: .multiChoice,
                                            options: ["events", "webinar", "ebook"])
    static let notes = CustomFieldDefinition(id: UUID(), entity: .contact, key: "notes", label: "Notes", type: .text)
    static let companySize = CustomFieldDefinition(id: UUID(), entity: .company, key: "tier", label: "Tier", type: .number)
    static let definitions = [segment, nps, vip, renewal, tags, notes, companySize]

    private func check(_ fields: [String: String]) -> Result<ContactInput, ValidationFailure> {
        ContactInput.check(fields, customFields: Self.definitions)
    }

    private func errors(_ fields: [String: String]) -> [FieldError] {
        if case .failure(let failure) = check(fields) { return failure.errors }
        return []
    }

    @Test("the canonical field names are the export header, in order")
    func builtInNames() {
        #expect(ContactFields.builtIn == [
            "first_name", "last_name", "email", "phone", "job_title", "seniority", "birth_date", "age", "country", "source",
            "campaign", "last_source", "last_campaign", "company", "company_domain", "owner_email", "lifecycle_stage",
        ])
        #expect(Set(ContactFields.builtIn).count == ContactFields.builtIn.count)
    }

    @Test("a full contact is checked, trimmed and normalised")
    func fullContact() throws {
        let input = try check([
            "first_name": " Ana ", "last_name": "Souza", "email": " Ana@Acme.COM ", "phone": "+55 (11) 98765-4321",
            "job_title": "CFO", "seniority": "C-level", "birth_date": "02/05/1980", "age": "45", "country": "Brasil",
            "source": "google", "campaign": "q1-launch", "last_source": "email", "last_campaign": "nurture",
            "company": "Acme", "company_domain": "https://www.Acme.com.br/about", "owner_email": "Rep@Acme.com",
            "lifecycle_stage": "Marketing Qualified Lead",
            "cf_segment": "retail", "cf_nps": "9,5", "cf_vip": "sim", "cf_renewal": "2026-12-01", "cf_tags": "webinar; events",
            "cf_notes": "likes coffee",
        ]).get()
        #expect(input == ContactInput(
            firstName: "Ana", lastName: "Souza", email: EmailAddress("ana@acme.com"), phone: "+55 (11) 98765-4321",
            jobTitle: "CFO", seniority: "C-level", birthDate: "1980-05-02", age: 45, country: "BR", source: "google",
            campaign: "q1-launch", lastSource: "email", lastCampaign: "nurture", companyName: "Acme", companyDomain: "acme.com.br",
            ownerEmail: EmailAddress("rep@acme.com"), stage: .mql,
            custom: ["segment": .choice("Retail"), "nps": .number(9.5), "vip": .boolean(true), "renewal": .date("2026-12-01"),
                     "tags": .multiChoice(["events", "webinar"]), "notes": .text("likes coffee")]
        ))
    }

    @Test("blank values are absent, and names are empty strings")
    func blanks() throws {
        let input = try check(["email": "a@b.co", "first_name": "  ", "phone": "", "cf_nps": " ", "lifecycle_stage": ""]).get()
        #expect(input.firstName == "")
        #expect(input.lastName == "")
        #expect(input.phone == nil)
        #expect(input.stage == nil)
        #expect(input.custom.isEmpty)
    }

    @Test("unknown names are ignored, custom ones of other records too")
    func unknownKeys() throws {
        let input = try check(["email": "a@b.co", "favourite_colour": "blue", "cf_unknown": "x", "cf_tier": "3", "id": "42"]).get()
        #expect(input == ContactInput(email: EmailAddress("a@b.co")))
    }

    @Test("a completely empty row is refused under email")
    func emptyRow() {
        #expect(errors([:]) == [FieldError("email", .required)])
        #expect(errors(["first_name": " ", "email": "", "cf_nps": "", "other": "x"]) == [FieldError("email", .required)])
    }

    @Test("an owner or a stage alone does not make a contact")
    func handlingOnly() {
        #expect(errors(["owner_email": "rep@acme.com", "lifecycle_stage": "lead"]) == [FieldError("email", .required)])
    }

    @Test("any one value makes a contact",
          arguments: [["first_name": "Ana"], ["last_name": "Souza"], ["email": "a@b.co"], ["phone": "123"], ["age": "30"],
                      ["company": "Acme"], ["country": "BR"], ["cf_segment": "Retail"], ["cf_vip": "no"], ["cf_nps": "0"]])
    func oneValue(fields: [String: String]) {
        #expect(errors(fields) == [])
    }

    @Test("a row whose only value is wrong reports that value, not emptiness")
    func onlyBadValue() {
        #expect(errors(["email": "not-an-email"]) == [FieldError("email", .invalid)])
    }

    @Test("text limits",
          arguments: [("first_name", 100), ("last_name", 100), ("job_title", 150), ("seniority", 100), ("source", 100),
                      ("campaign", 100), ("last_source", 100), ("last_campaign", 100), ("company", 200)])
    func textLimits(field: String, maximum: Int) throws {
        let longest = try check([field: String(repeating: "x", count: maximum)]).get()
        #expect(longest.fields()[field]?.count == maximum)
        #expect(errors([field: String(repeating: "x", count: maximum + 1), "email": "a@b.co"]) == [FieldError(field, .tooLong(maximum: maximum))])
    }

    @Test("phones hold digits, spaces and + - ( ) . only, at most 40",
          arguments: [("+55 11 98765-4321", true), ("(11) 3456.7890", true), ("11987654321", true), ("ext 12", false),
                      ("+55 11 9876x", false), ("()", false), ("+-", false), (String(repeating: "1", count: 40), true),
                      ("1/2", false)])
    func phones(raw: String, valid: Bool) {
        let result = errors(["phone": raw, "email": "a@b.co"])
        #expect(result == (valid ? [] : [FieldError("phone", .invalid)]))
    }

    @Test("a phone over 40 characters is too long")
    func phoneTooLong() {
        #expect(errors(["phone": String(repeating: "1", count: 41)]) == [FieldError("phone", .tooLong(maximum: 40))])
    }

    @Test("ages are whole years from 0 to 130",
          arguments: [("0", 0), ("30", 30), ("130", 130), (" 42 ", 42), ("42.0", 42), ("42,0", 42)] as [(String, Int?)])
    func ages(raw: String, age: Int?) throws {
        #expect(try check(["age": raw]).get().age == age)
    }

    @Test("other ages are invalid", arguments: ["-1", "131", "30.5", "thirty", "1e9", "3O"])
    func badAges(raw: String) {
        #expect(errors(["age": raw, "email": "a@b.co"]) == [FieldError("age", .invalid)])
    }

    @Test("birth dates are days between 1900 and 2100, stored as ISO",
          arguments: [("1980-05-02", "1980-05-02"), ("02/05/1980", "1980-05-02"), ("1900-01-01", "1900-01-01"), ("2100-12-31", "2100-12-31")])
    func birthDates(raw: String, iso: String) throws {
        #expect(try check(["birth_date": raw]).get().birthDate == iso)
    }

    @Test("other birth dates are invalid", arguments: ["1899-12-31", "2101-01-01", "1980-02-30", "May 2nd", "80-05-02"])
    func badBirthDates(raw: String) {
        #expect(errors(["birth_date": raw, "email": "a@b.co"]) == [FieldError("birth_date", .invalid)])
    }

    @Test("countries become ISO codes", arguments: [("br", "BR"), ("Brazil", "BR"), ("Estados Unidos", "US"), ("de", "DE")])
    func countries(raw: String, code: String) throws {
        #expect(try check(["country": raw]).get().country == code)
    }

    @Test("a country that is not one is invalid")
    func badCountry() {
        #expect(errors(["country": "Narnia", "email": "a@b.co"]) == [FieldError("country", .invalid)])
    }

    @Test("the company domain may be a web address", arguments: [("acme.com", "acme.com"), ("HTTPS://www.Acme.com/x", "acme.com")])
    func companyDomain(raw: String, domain: String) throws {
        #expect(try check(["company_domain": raw]).get().companyDomain == domain)
    }

    @Test("a company domain that is not a domain is invalid")
    func badCompanyDomain() {
        #expect(errors(["company_domain": "acme", "email": "a@b.co"]) == [FieldError("company_domain", .invalid)])
    }

    @Test("the owner is an email address")
    func owner() throws {
        #expect(try check(["owner_email": " Rep@Acme.com ", "first_name": "Ana"]).get().ownerEmail == EmailAddress("rep@acme.com"))
        #expect(errors(["owner_email": "Rep Acme", "first_name": "Ana"]) == [FieldError("owner_email", .invalid)])
    }

    @Test("stages are read by name, unknown ones are not in the list")
    func stages() throws {
        #expect(try check(["lifecycle_stage": "SQL", "first_name": "Ana"]).get().stage == .sql)
        #expect(try check(["lifecycle_stage": "Cliente", "first_name": "Ana"]).get().stage == .customer)
        #expect(errors(["lifecycle_stage": "Other", "first_name": "Ana"]) == [FieldError("lifecycle_stage", .notInList)])
    }

    @Test("custom values that do not fit are reported under cf_<key>")
    func badCustomValues() {
        #expect(errors(["email": "a@b.co", "cf_segment": "Health", "cf_nps": "nine", "cf_vip": "maybe", "cf_renewal": "2026-02-30",
                        "cf_tags": "events; podcast", "cf_notes": String(repeating: "n", count: 1001)]) == [
            FieldError("cf_segment", .notInList), FieldError("cf_nps", .notANumber), FieldError("cf_vip", .notYesOrNo),
            FieldError("cf_renewal", .notADate), FieldError("cf_tags", .notInList), FieldError("cf_notes", .tooLong(maximum: 1000)),
        ])
    }

    @Test("every bad field is reported at once, in field order")
    func everyError() {
        #expect(errors([
            "first_name": String(repeating: "a", count: 101), "email": "ana@", "phone": "call me", "birth_date": "never",
            "age": "200", "country": "Mars", "company_domain": "nope", "owner_email": "boss", "lifecycle_stage": "hot", "cf_nps": "x",
        ]) == [
            FieldError("first_name", .tooLong(maximum: 100)), FieldError("email", .invalid), FieldError("phone", .invalid),
            FieldError("birth_date", .invalid), FieldError("age", .invalid), FieldError("country", .invalid),
            FieldError("company_domain", .invalid), FieldError("owner_email", .invalid), FieldError("lifecycle_stage", .notInList),
            FieldError("cf_nps", .notANumber),
        ])
    }

    @Test("an email over 254 characters is too long")
    func emailTooLong() {
        let email = String(repeating: "a", count: 64) + "@" + String(repeating: "b", count: 186) + ".com"
        #expect(errors(["email": email]) == [FieldError("email", .tooLong(maximum: 254))])
    }

    @Test("fields use the canonical names, custom ones as cf_<key>, and leave absent values out")
    func fields() throws {
        let input = ContactInput(firstName: "Ana", email: EmailAddress("ana@acme.com"), age: 30, stage: .lead,
                                 custom: ["nps": .number(9), "tags": .multiChoice(["events", "webinar"])])
        #expect(input.fields() == ["first_name": "Ana", "email": "ana@acme.com", "age": "30", "lifecycle_stage": "lead",
                                   "cf_nps": "9", "cf_tags": "events; webinar"])
        #expect(Set(try check(["first_name": "x"]).get().fields().keys) == ["first_name"])
    }

    @Test("checking the fields of an input gives the input back")
    func roundTrip() throws {
        let inputs = [
            ContactInput(
                firstName: "Ana", lastName: "Souza", email: EmailAddress("ana@acme.com"), phone: "+55 11 98765-4321",
                jobTitle: "CFO", seniority: "C-level", birthDate: "1980-05-02", age: 45, country: "BR", source: "google",
                campaign: "q1", lastSource: "email", lastCampaign: "nurture", companyName: "Acme", companyDomain: "acme.com.br",
                ownerEmail: EmailAddress("rep@acme.com"), stage: .opportunity,
                custom: ["segment": .choice("Banking"), "nps": .number(7.25), "vip": .boolean(false), "renewal": .date("2027-01-31"),
                         "tags": .multiChoice(["webinar", "ebook"]), "notes": .text("a; b, c")]
            ),
            ContactInput(lastName: "Only"),
            ContactInput(custom: ["nps": .number(-1e20)]),
        ]
        for input in inputs {
            #expect(try check(input.fields()).get() == input)
        }
    }

    @Test("an input made from a stored contact keeps its values")
    func fromContact() throws {
        let contact = Contact(
            id: UUID(), workspaceID: UUID(), firstName: "Ana", lastName: "Souza", email: EmailAddress("ana@acme.com"),
            phone: "123", country: "BR", campaign: "q1", birthDate: "1980-05-02", age: 45, stage: .sql,
            custom: ["nps": .number(8)], createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0)
        )
        let input = ContactInput(contact: contact, companyName: "Acme", companyDomain: "acme.com", ownerEmail: EmailAddress("rep@acme.com"))
        #expect(input == ContactInput(firstName: "Ana", lastName: "Souza", email: EmailAddress("ana@acme.com"), phone: "123",
                                      birthDate: "1980-05-02", age: 45, country: "BR", campaign: "q1", companyName: "Acme",
                                      companyDomain: "acme.com", ownerEmail: EmailAddress("rep@acme.com"), stage: .sql,
                                      custom: ["nps": .number(8)]))
        #expect(try check(input.fields()).get() == input)
    }
}
