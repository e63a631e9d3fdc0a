import Foundation
import Testing
@testable import SmarketingCore

@Suite("Contact list queries in the URL")
struct ContactQueryTests {
    let segment = CustomFieldDefinition(id: UUID(), entity: .contact, key: "segment", label: "Segment", type: .choice, options: ["Retail"])
    let budget = CustomFieldDefinition(id: UUID(), entity: .contact, key: "budget", label: "Budget", type: .number, options: [])

    @Test("a query survives the trip through its URL parameters")
    func roundTrip() throws {
        let query = ContactQuery(search: "ana silva", filters: [
            FieldFilter(field: "lifecycle_stage", operation: .oneOf, values: ["mql", "sal"]),
            FieldFilter(field: "cf_budget", operation: .between, values: ["100", "500"]),
            FieldFilter(field: "country", operation: .isSet, values: []),
        ], sort: .name)
        #expect(try ContactQuery.parse(query.items, customFields: [segment, budget]) == query)
    }

    @Test("stage parameters become one filter and owner none means unowned")
    func shorthands() throws {
        let query = try ContactQuery.parse([("stage", "mql"), ("stage", "sal"), ("owner", "none")], customFields: [])
        #expect(query.filters == [FieldFilter(field: "lifecycle_stage", operation: .oneOf, values: ["mql", "sal"]),
                                  FieldFilter(field: "owner_id", operation: .isNotSet, values: [])])
    }

    @Test("unreadable filters, sorts and owners are refused by name", arguments: [
        ("f", "nonsense:eq:1"), ("f", "cf_unknown:eq:x"), ("f", "age:between:10"), ("f", "age:gte:old"), ("f", "cf_budget:lte:lots"),
        ("f", "owner_id:eq:0"), ("f", "email:launch:x"), ("sort", "random"), ("owner", "0"),
    ])
    func refusals(name: String, value: String) {
        #expect(throws: ValidationFailure.self) { try ContactQuery.parse([(name, value)], customFields: [segment, budget]) }
    }

    @Test("a search longer than 200 characters is refused on q")
    func longSearch() {
        #expect(throws: ValidationFailure("q", .tooLong(maximum: 200))) {
            try ContactQuery.parse([("q", String(repeating: "a", count: 201))], customFields: [])
        }
    }
}
