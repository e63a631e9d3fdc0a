import Foundation
import Testing
@testable import SmarketingCore

@Suite("Suggested column mappings")
struct ColumnSuggestionTests {
    static let segment = CustomFieldDefinition(id: UUID(), entity: .contact, key: "segment", label: "Market segment", type: .choice,
                                               options: ["Retail", "Banking"])
    static let tier = CustomFieldDefinition(id: UUID(), entity: .company, key: "tier", label: "Tier", type: .text)

    private func suggest(_ headers: [String], _ samples: [[String]] = [], existing: [CustomFieldDefinition] = [])
        -> (preset: ImportPreset, mapping: ColumnMapping) {
        ColumnMapping.suggest(headers: headers, existing: existing, samples: samples)
    }

    @Test("our own export header maps every column to its field")
    func ownExport() {
        let suggestion = suggest(ContactFields.builtIn)
        #expect(suggestion.preset == .smarketing)
        #expect(suggestion.mapping.targets == ContactFields.builtIn.map { ColumnTarget.field($0) })
    }

    @Test("our own cf_ columns map to existing custom fields, or create them under the same key")
    func ownCustomColumns() {
        let suggestion = suggest(["email", "cf_segment", "cf_plan"], [["a@b.co", "Retail", "Pro"], ["c@d.co", "Banking", "Pro"]],
                                 existing: [Self.segment])
        #expect(suggestion.preset == .smarketing)
        #expect(suggestion.mapping.targets == [
            .field("email"), .custom("segment"), .newCustom(key: "plan", label: "cf_plan", type: .choice, options: ["Pro"]),
        ])
    }

    @Test("HubSpot's contact export is recognised")
    func hubspot() {
        let headers = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "Job Title",
                       "Company Name", "Website URL", "Country/Region", "Lifecycle Stage", "Contact owner", "Original Source",
                       "Latest Source", "Create Date"]
        let rows = [
            ["101", "Ana", "Souza", "ana@acme.com", "+55 11 3333-4444", "+55 11 98888-7777", "CFO", "Acme", "https://acme.com",
             "Brazil", "Marketing Qualified Lead", "rep@ourco.com", "Organic Search", "Email Marketing", "2024-05-01 10:22"],
            ["102", "Bia", "Lima", "bia@globex.com", "", "", "CTO", "Globex", "globex.com", "United States", "Lead",
             "rep@ourco.com", "Paid Search", "Direct Traffic", "2024-05-02 11:00"],
        ]
        let suggestion = suggest(headers, rows)
        #expect(suggestion.preset == .hubspot)
        #expect(suggestion.mapping.targets == [
            .ignore, .field("first_name"), .field("last_name"), .field("email"), .field("phone"),
            .newCustom(key: "mobile_phone_number", label: "Mobile Phone Number", type: .text, options: []),
            .field("job_title"), .field("company"), .field("company_domain"), .field("country"), .field("lifecycle_stage"),
            .field("owner_email"), .field("source"), .field("last_source"),
            .newCustom(key: "create_date", label: "Create Date", type: .text, options: []),
        ])
    }

    @Test("HubSpot's Portuguese headers are recognised")
    func hubspotPortuguese() {
        let suggestion = suggest(["ID do registro", "Nome", "Sobrenome", "E-mail", "Número de telefone", "Cargo", "Nome da empresa",
                                  "País/Região", "Estágio do ciclo de vida"])
        #expect(suggestion.preset == .hubspot)
        #expect(suggestion.mapping.targets == [
            .ignore, .field("first_name"), .field("last_name"), .field("email"), .field("phone"), .field("job_title"),
            .field("company"), .field("country"), .field("lifecycle_stage"),
        ])
    }

    @Test("the preferred header takes a field whatever the column order")
    func preference() {
        let suggestion = suggest(["Mobile Phone Number", "Email", "Phone Number"])
        #expect(suggestion.mapping.targets == [
            .newCustom(key: "mobile_phone_number", label: "Mobile Phone Number", type: .text, options: []),
            .field("email"), .field("phone"),
        ])
    }

    @Test("Mautic's contact export is recognised")
    func mautic() {
        let headers = ["id", "firstname", "lastname", "email", "phone", "mobile", "position", "company", "country", "stage", "owner", "points"]
        let rows = [
            ["1", "Ana", "Souza", "ana@acme.com", "1133334444", "11988887777", "CFO", "Acme", "Brazil", "Customer", "rep@ourco.com", "15"],
            ["2", "Bia", "Lima", "bia@globex.com", "", "", "CTO", "Globex", "Portugal", "MQL", "", "40"],
        ]
        let suggestion = suggest(headers, rows)
        #expect(suggestion.preset == .mautic)
        #expect(suggestion.mapping.targets == [
            .ignore, .field("first_name"), .field("last_name"), .field("email"), .field("phone"),
            .newCustom(key: "mobile", label: "mobile", type: .number, options: []),
            .field("job_title"), .field("company"), .field("country"), .field("lifecycle_stage"), .field("owner_email"),
            .newCustom(key: "points", label: "points", type: .number, options: []),
        ])
    }

    @Test("headers are matched ignoring case, blanks and accents",
          arguments: [("FIRST NAME", "first_name"), ("  first_name ", "first_name"), ("e-mail", "email"), ("Pais/Regiao", "country"),
                      ("job-title", "job_title"), ("Lifecycle_Stage", "lifecycle_stage"), ("COMPANY DOMAIN", "company_domain")])
    func looseHeaders(header: String, field: String) {
        #expect(suggest([header]).mapping.targets == [.field(field)])
    }

    @Test("a header equal to an existing custom field's key or label maps to it",
          arguments: ["segment", "Segment", "Market segment", "market_segment", "MARKET SEGMENT", "cf_segment"])
    func existingCustom(header: String) {
        #expect(suggest([header], existing: [Self.segment, Self.tier]).mapping.targets == [.custom("segment")])
    }

    @Test("a company custom field is not a contact column")
    func companyCustomIgnored() {
        #expect(suggest(["tier"], [["Gold"]], existing: [Self.tier]).mapping.targets == [
            .newCustom(key: "tier_2", label: "tier", type: .text, options: []),
        ])
    }

    @Test("one existing custom field takes one column; the second becomes a new field")
    func existingCustomOnce() {
        #expect(suggest(["segment", "Segment"], existing: [Self.segment]).mapping.targets == [
            .custom("segment"), .newCustom(key: "segment_2", label: "Segment", type: .text, options: []),
        ])
    }

    @Test("a built-in header whose cells show something else becomes a custom field")
    func cellsOverrideHeaders() {
        let suggestion = suggest(["email", "campaign", "Contact owner", "age", "country"],
                                 [["a@b.co", "2", "Ana Souza", "25-34", "São Paulo"], ["c@d.co", "14", "Rui Lima", "35-44", "Lisboa"]])
        #expect(suggestion.mapping.targets == [
            .field("email"),
            .newCustom(key: "campaign_2", label: "campaign", type: .number, options: []),
            .newCustom(key: "contact_owner", label: "Contact owner", type: .text, options: []),
            .newCustom(key: "age_2", label: "age", type: .text, options: []),
            .newCustom(key: "country_2", label: "country", type: .text, options: []),
        ])
    }

    @Test("an email column keeps its field even when its cells are bad: they are reported per row")
    func emailAlwaysMapped() {
        #expect(suggest(["Email"], [["not an email"], ["neither"]]).mapping.targets == [.field("email")])
    }

    @Test("one good cell is enough for a checked field")
    func oneGoodCell() {
        #expect(suggest(["country"], [["Narnia"], ["BR"]]).mapping.targets == [.field("country")])
    }

    @Test("unknown columns become new custom fields typed from their cells")
    func newFields() {
        let rows = [["Retail", "9", "2026-01-31", "yes", "likes coffee"], ["Banking", "7,5", "01/02/2026", "no", "tea"],
                    ["Retail", "", "", "", ""]]
        #expect(suggest(["Segmento", "NPS", "Renovação", "VIP?", "Notas"], rows).mapping.targets == [
            .newCustom(key: "segmento", label: "Segmento", type: .choice, options: ["Retail", "Banking"]),
            .newCustom(key: "nps", label: "NPS", type: .number, options: []),
            .newCustom(key: "renovacao", label: "Renovação", type: .date, options: []),
            .newCustom(key: "vip", label: "VIP?", type: .boolean, options: []),
            .newCustom(key: "notas", label: "Notas", type: .text, options: []),
        ])
    }

    @Test("new keys avoid built-in names, existing keys and each other")
    func uniqueKeys() {
        let existing = [CustomFieldDefinition(id: UUID(), entity: .company, key: "plan", label: "Subscription", type: .text),
                        CustomFieldDefinition(id: UUID(), entity: .contact, key: "plan_2", label: "Other plan", type: .text)]
        let mapping = suggest(["Plan!", "plan?", "Email", "email"], existing: existing).mapping
        #expect(mapping.targets == [
            .newCustom(key: "plan_3", label: "Plan!", type: .text, options: []),
            .newCustom(key: "plan_4", label: "plan?", type: .text, options: []),
            .field("email"),
            .newCustom(key: "email_2", label: "email", type: .text, options: []),
        ])
    }

    @Test("a long header gives a key of at most 40 characters and a label of at most 60")
    func longHeader() throws {
        let header = String(repeating: "Very long header ", count: 6)
        guard case .newCustom(let key, let label, _, _) = try #require(suggest([header]).mapping.targets.first) else {
            Issue.record("expected a new field")
            return
        }
        #expect(key.count <= 40)
        #expect(label.count <= 60)
        #expect(throws: Never.self) { try CustomFieldDefinition.check(key: key, label: label, type: "text", options: [], entity: "contact") }
    }

    @Test("a column without header is named by its position, or ignored when it is empty too")
    func blankHeaders() {
        #expect(suggest(["email", "", " "], [["a@b.co", "x", ""], ["c@d.co", "y", " "]]).mapping.targets == [
            .field("email"), .newCustom(key: "column_2", label: "Column 2", type: .text, options: []), .ignore,
        ])
    }

    @Test("short sample rows read as blank cells")
    func shortRows() {
        #expect(suggest(["email", "plan"], [["a@b.co"], ["c@d.co", "Pro"], ["e@f.co", "Pro"]]).mapping.targets == [
            .field("email"), .newCustom(key: "plan", label: "plan", type: .choice, options: ["Pro"]),
        ])
    }

    @Test("a file no preset knows is read as ours", arguments: [[], ["foo", "bar"]] as [[String]])
    func defaultPreset(headers: [String]) {
        #expect(suggest(headers).preset == .smarketing)
    }

    @Test("every suggested new field passes the definition check")
    func newFieldsAreValid() {
        let headers = ["emp.var.rate", "Dia da Semana", "3rd party", "", "名前", "campaign", "email", "email", String(repeating: "x", count: 90)]
        let mapping = suggest(headers, [headers.map { _ in "v" }, headers.map { _ in "v" }]).mapping
        for field in mapping.newFields {
            #expect(throws: Never.self) {
                try CustomFieldDefinition.check(key: field.key, label: field.label, type: field.type.rawValue, options: field.options,
                                                entity: "contact")
            }
        }
        #expect(Set(mapping.newFields.map(\.key)).count == mapping.newFields.count)
    }

    @Test("a mapping encodes and decodes as JSON")
    func codable() throws {
        let mapping = ColumnMapping(targets: [.field("email"), .custom("segment"),
                                              .newCustom(key: "job", label: "job", type: .choice, options: ["a", "b"]), .ignore])
        #expect(try JSONDecoder().decode(ColumnMapping.self, from: JSONEncoder().encode(mapping)) == mapping)
    }

    @Test("a mapping lists the fields it creates and the column of each field")
    func helpers() {
        let mapping = ColumnMapping(targets: [.field("email"), .ignore, .newCustom(key: "job", label: "Job", type: .text, options: []),
                                              .custom("segment")])
        #expect(mapping.newFields.map(\.key) == ["job"])
        #expect(mapping.column(of: "email") == 0)
        #expect(mapping.column(of: "cf_job") == 2)
        #expect(mapping.column(of: "cf_segment") == 3)
        #expect(mapping.column(of: "phone") == nil)
        #expect(ColumnTarget.ignore.fieldName == nil)
    }
}
