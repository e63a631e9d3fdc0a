import Foundation
import SmarketingCore
@testable import SmarketingWeb
import Testing

@Suite("Hand-written JSON of list responses")
struct JSONWriterTests {
    func parsed(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    @Test("a contact page reads exactly as the product's JSON encoder writes it, odd characters and all")
    func contactPageMatchesEncoder() throws {
        let times = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_780_000_000.789), Date(timeIntervalSince1970: 951_782_400)]
        var full = Contact(id: UUID(), workspaceID: UUID(), firstName: "Jo\"ão\\", lastName: "Souza\n\t\u{01}😀", email: EmailAddress("a@b.co"),
                           phone: "+55 11", jobTitle: "CTO / CEO", seniority: "C", country: "BR", source: "ads", campaign: "spring",
                           lastSource: "email", lastCampaign: "fall", birthDate: "1990-02-28", age: 36, companyID: UUID(), ownerID: UUID(),
                           stage: .mql, createdAt: times[1], updatedAt: times[2])
        full.custom = ["segment": .choice("Retail"), "nps": .number(9.5), "vip": .boolean(true)]
        let bare = Contact(id: UUID(), workspaceID: UUID(), firstName: "", lastName: "", email: nil, createdAt: times[0], updatedAt: times[0])
        var created = ContactDTO(full)
        created.outcome = "created"
        for page in [ContactPageDTO(data: [created, ContactDTO(bare)], nextCursor: "abc_-"), ContactPageDTO(data: [], nextCursor: nil)] {
            var writer = JSONWriter()
            writer.object { w in
                w.key("data")
                w.array(page.data) { w, contact in contact.write(to: &w) }
                w.field("next_cursor", page.nextCursor)
            }
            let expected = try parsed(Array(try APIJSON.encoder.encode(page)))
            #expect(try parsed(writer.bytes) == expected)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(decoding: try APIJSON.encoder.encode(page), as: UTF8.self))
        }
    }

    @Test("a company page reads exactly as the product's JSON encoder writes it")
    func companyPageMatchesEncoder() throws {
        var company = Company(id: UUID(), workspaceID: UUID(), name: "Ação \"Ltda\"", domain: "acao.com.br", employeeCount: 120,
                              industry: "Saúde", revenueBand: "1-10M", country: "BR", createdAt: Date(timeIntervalSince1970: 1_700_000_000),
                              updatedAt: Date(timeIntervalSince1970: 1_700_000_001))
        company.custom = ["tier": .choice("Gold")]
        let page = CompanyPageDTO(data: [CompanyDTO(company)], nextCursor: nil)
        var writer = JSONWriter()
        writer.object { w in
            w.key("data")
            w.array(page.data) { w, company in company.write(to: &w) }
            w.field("next_cursor", page.nextCursor)
        }
        #expect(String(decoding: writer.bytes, as: UTF8.self) == String(decoding: try APIJSON.encoder.encode(page), as: UTF8.self))
    }

    @Test("dates before 1970, on leap days and at the end of a century print as ISO 8601 does")
    func datesMatchFormatter() throws {
        let formatter = ISO8601DateFormatter()
        for seconds in [-86_400.0, -1, 0, 951_782_400, 951_868_799, 4_102_444_800, 1_709_164_800, 253_402_300_799] {
            let date = Date(timeIntervalSince1970: seconds)
            var writer = JSONWriter()
            writer.date(date)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == "\"" + formatter.string(from: date) + "\"", "\(seconds)")
        }
    }
}
