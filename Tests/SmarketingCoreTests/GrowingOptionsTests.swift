import Foundation
import Testing
@testable import SmarketingCore

@Suite("Options of new choice fields")
struct GrowingOptionsTests {
    static let mapping = ColumnMapping(targets: [
        .newCustom(key: "month", label: "Month", type: .choice, options: ["may", "jun"]),
        .newCustom(key: "tags", label: "Tags", type: .multiChoice, options: ["a"]),
        .newCustom(key: "age_band", label: "Age band", type: .text, options: []),
        .custom("segment"),
    ])

    private func definition(_ key: String, _ type: CustomFieldType, _ options: [String]) -> CustomFieldDefinition {
        CustomFieldDefinition(id: UUID(), entity: .contact, key: key, label: key, type: type, options: options)
    }

    @Test("it starts from the options of the mapping's new choice fields")
    func start() {
        #expect(GrowingOptions(mapping: Self.mapping).options == ["month": ["may", "jun"], "tags": ["a"]])
    }

    @Test("values not seen before are added once, in the order they come, ignoring case")
    func grows() {
        var growing = GrowingOptions(mapping: Self.mapping)
        growing.record(ContactInput(custom: ["month": .choice("dec"), "tags": .multiChoice(["a", "c", "b"])]))
        growing.record(ContactInput(custom: ["month": .choice("MAY"), "tags": .multiChoice(["C"])]))
        growing.record(ContactInput(custom: ["month": .choice("mar"), "segment": .choice("Retail")]))
        growing.record(ContactInput(firstName: "no custom values"))
        #expect(growing.options == ["month": ["may", "jun", "dec", "mar"], "tags": ["a", "c", "b"]])
    }

    @Test("a grown definition has all the options recorded")
    func grown() {
        var growing = GrowingOptions(mapping: Self.mapping)
        growing.record(ContactInput(custom: ["month": .choice("dec")]))
        let month = definition("month", .choice, ["may", "jun"])
        #expect(growing.grown(month).options == ["may", "jun", "dec"])
        #expect(growing.grown(month).type == .choice)
        #expect(growing.grown(month).id == month.id)
    }

    @Test("fields the import does not create are left as they are")
    func untouched() {
        let growing = GrowingOptions(mapping: Self.mapping)
        let segment = definition("segment", .choice, ["Retail"])
        let band = definition("age_band", .text, [])
        #expect(growing.grown(segment) == segment)
        #expect(growing.grown(band) == band)
    }

    @Test("a new choice field with more options than allowed becomes text")
    func tooManyOptions() {
        var growing = GrowingOptions(mapping: Self.mapping)
        for number in 1...199 { growing.record(ContactInput(custom: ["month": .choice("m\(number)")])) }
        #expect(growing.grown(definition("month", .choice, [])).type == .text)
        #expect(growing.grown(definition("month", .choice, [])).options == [])

        var fewer = GrowingOptions(mapping: Self.mapping)
        for number in 1...198 { fewer.record(ContactInput(custom: ["month": .choice("m\(number)")])) }
        #expect(fewer.grown(definition("month", .choice, [])).options.count == 200)
    }
}
