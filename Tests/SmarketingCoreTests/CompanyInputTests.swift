import Foundation
import Testing
@testable import SmarketingCore

@Suite("Company input")
struct CompanyInputTests {
    static let tier = CustomFieldDefinition(id: UUID(), entity: .company, key: "tier", label: "Tier", type: .choice, options: ["Gold", "Silver"])
    static let contactOnly = CustomFieldDefinition(id: UUID(), entity: .contact, key: "nps", label: "NPS", type: .number)

    private func check(_ fields: [String: String]) -> Result<CompanyInput, ValidationFailure> {
        CompanyInput.check(fields, customFields: [Self.tier, Self.contactOnly])
    }

    private func errors(_ fields: [String: String]) -> [FieldError] {
        if case .failure(let failure) = check(fields) { return failure.errors }
        return []
    }

    @Test("the canonical company field names")
    func names() {
        #expect(CompanyFields.builtIn == ["name", "domain", "employee_count", "industry", "revenue_band", "country"])
    }

    @Test("a full company is checked and normalised")
    func fullCompany() throws {
        let input = try check([
            "name": " Acme ", "domain": "https://www.Acme.com.br/", "employee_count": "1.200.000", "industry": "Retail",
            "revenue_band": "10M-50M", "country": "Brasil", "cf_tier": "gold", "cf_nps": "10", "other": "x",
        ]).get()
        #expect(input == CompanyInput(name: "Acme", domain: "acme.com.br", employeeCount: 1_200_000, industry: "Retail",
                                      revenueBand: "10M-50M", country: "BR", custom: ["tier": .choice("Gold")]))
    }

    @Test("the name is required, and at most 200 characters")
    func name() throws {
        #expect(errors(["domain": "acme.com"]) == [FieldError("name", .required)])
        #expect(errors(["name": "  "]) == [FieldError("name", .required)])
        #expect(errors(["name": String(repeating: "n", count: 201)]) == [FieldError("name", .tooLong(maximum: 200))])
        #expect(try check(["name": String(repeating: "n", count: 200)]).get().name.count == 200)
    }

    @Test("employee counts are whole numbers from 0 to ten million",
          arguments: [("0", 0), ("50", 50), ("1,200", nil), ("10000000", 10_000_000), ("1.200.000", 1_200_000)] as [(String, Int?)])
    func employeeCounts(raw: String, count: Int?) {
        switch check(["name": "Acme", "employee_count": raw]) {
        case .success(let input): #expect(input.employeeCount == count)
        case .failure(let failure): #expect(count == nil && failure.errors == [FieldError("employee_count", .invalid)])
        }
    }

    @Test("other employee counts are invalid", arguments: ["-1", "10000001", "12.5", "many"])
    func badEmployeeCounts(raw: String) {
        #expect(errors(["name": "Acme", "employee_count": raw]) == [FieldError("employee_count", .invalid)])
    }

    @Test("every bad field is reported at once")
    func everyError() {
        #expect(errors(["domain": "not a domain", "employee_count": "x", "industry": String(repeating: "i", count: 101),
                        "revenue_band": String(repeating: "r", count: 101), "country": "Mars", "cf_tier": "Bronze"]) == [
            FieldError("name", .required), FieldError("domain", .invalid), FieldError("employee_count", .invalid),
            FieldError("industry", .tooLong(maximum: 100)), FieldError("revenue_band", .tooLong(maximum: 100)),
            FieldError("country", .invalid), FieldError("cf_tier", .notInList),
        ])
    }

    @Test("checking the fields of a company input gives it back")
    func roundTrip() throws {
        let inputs = [
            CompanyInput(name: "Acme", domain: "acme.com", employeeCount: 1200, industry: "Retail", revenueBand: "1M-10M",
                         country: "PT", custom: ["tier": .choice("Silver")]),
            CompanyInput(name: "Solo"),
        ]
        for input in inputs {
            #expect(try check(input.fields()).get() == input)
        }
        #expect(inputs[1].fields() == ["name": "Solo"])
    }

    @Test("an input made from a stored company keeps its values")
    func fromCompany() {
        let company = Company(id: UUID(), workspaceID: UUID(), name: "Acme", domain: "acme.com", employeeCount: 10, industry: "Retail",
                              revenueBand: nil, country: "BR", custom: ["tier": .choice("Gold")],
                              createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
        #expect(CompanyInput(company: company) == CompanyInput(name: "Acme", domain: "acme.com", employeeCount: 10, industry: "Retail",
                                                               country: "BR", custom: ["tier": .choice("Gold")]))
    }
}
