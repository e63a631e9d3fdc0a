import Foundation
import Testing
@testable import SmarketingCore

@Suite("Import row mapping")
struct ImportRowMapperTests {
    static let segment = CustomFieldDefinition(id: UUID(), entity: .contact, key: "segment", label: "Segment", type: .choice,
                                               options: ["Retail", "Banking"])
    static let nps = CustomFieldDefinition(id: UUID(), entity: .contact, key: "nps", label: "NPS", type: .number)

    static let mapping = ColumnMapping(targets: [
        .field("email"), .field("first_name"), .ignore, .custom("segment"), .custom("nps"),
        .newCustom(key: "month", label: "Month", type: .choice, options: ["may", "jun"]),
        .newCustom(key: "y", label: "y", type: .boolean, options: []),
    ])

    private var mapper: ImportRowMapper { ImportRowMapper(mapping: Self.mapping, definitions: [Self.segment, Self.nps]) }

    private func errors(_ result: Result<ContactInput, ValidationFailure>) -> [FieldError] {
        if case .failure(let failure) = result { return failure.errors }
        return []
    }

    @Test("a row becomes a checked contact, ignored columns left out")
    func mapsRow() throws {
        let input = try mapper.map(["Ana@Acme.com", " Ana ", "whatever", "retail", "1.234,5", "MAY", "yes"]).get()
        #expect(input == ContactInput(firstName: "Ana", email: EmailAddress("ana@acme.com"),
                                      custom: ["segment": .choice("Retail"), "nps": .number(1234.5), "month": .choice("may"), "y": .boolean(true)]))
    }

    @Test("missing cells are blank and extra cells are ignored")
    func rowLength() throws {
        #expect(try mapper.map(["ana@acme.com"]).get() == ContactInput(email: EmailAddress("ana@acme.com")))
        #expect(try mapper.map(["ana@acme.com", "Ana", "", "", "", "", "no", "extra", "cells"]).get()
            == ContactInput(firstName: "Ana", email: EmailAddress("ana@acme.com"), custom: ["y": .boolean(false)]))
    }

    @Test("a row is refused with every reason, named as the fields are")
    func refusesRow() {
        #expect(errors(mapper.map(["not-an-email", "Ana", "", "Health", "12abc", "", "maybe"])) == [
            FieldError("email", .invalid), FieldError("cf_segment", .notInList), FieldError("cf_nps", .notANumber), FieldError("cf_y", .notYesOrNo),
        ])
    }

    @Test("the column of a refused field can be found to show it")
    func errorColumns() {
        #expect(Self.mapping.column(of: "cf_nps") == 4)
        #expect(Self.mapping.column(of: "email") == 0)
    }

    @Test("a row of blank cells is blank, to be skipped rather than refused", arguments: [[], [""], ["", "  ", "\t"], [" "]] as [[String]])
    func blankRows(values: [String]) {
        #expect(ImportRowMapper.isBlank(values))
        #expect(errors(mapper.map(values)) == [FieldError("email", .required)])
    }

    @Test("a row with one value is not blank")
    func notBlank() {
        #expect(!ImportRowMapper.isBlank(["", "x"]))
    }

    @Test("a choice field the import creates takes values its sample did not show")
    func growingChoice() throws {
        #expect(try mapper.map(["a@b.co", "", "", "", "", "dec", ""]).get().custom["month"] == .choice("dec"))
    }

    @Test("an existing choice field refuses values not in its list")
    func existingChoiceStrict() {
        #expect(errors(mapper.map(["a@b.co", "", "", "Health"])) == [FieldError("cf_segment", .notInList)])
    }

    @Test("the fields a mapping creates are read with their target's type until the store gives them an id")
    func newFieldDefinitions() {
        #expect(mapper.definitions.map(\.key) == ["segment", "nps", "month", "y"])
        #expect(mapper.definitions.first { $0.key == "y" }?.type == .boolean)
        #expect(mapper.growingKeys == ["month"])
    }

    @Test("definitions given for new fields are used as given, and company fields are left out")
    func givenDefinitions() {
        let created = CustomFieldDefinition(id: UUID(), entity: .contact, key: "month", label: "Month", type: .choice, options: ["may", "jun", "jul"])
        let company = CustomFieldDefinition(id: UUID(), entity: .company, key: "tier", label: "Tier", type: .text)
        let mapper = ImportRowMapper(mapping: Self.mapping, definitions: [Self.segment, Self.nps, created, company])
        #expect(mapper.definitions == [Self.segment, Self.nps, created, CustomFieldDefinition(
            id: ImportRowMapper.placeholderID, entity: .contact, key: "y", label: "y", type: .boolean, options: [])])
        #expect(mapper.growingKeys == ["month"])
    }

    // MARK: validate

    private func validationErrors(_ mapping: ColumnMapping) -> [FieldError] {
        do {
            try mapper.validate(mapping: mapping)
            return []
        } catch {
            return error.errors
        }
    }

    @Test("a sound mapping passes")
    func soundMapping() {
        #expect(validationErrors(Self.mapping) == [])
    }

    @Test("two columns into one field are refused",
          arguments: [
              [ColumnTarget.field("email"), .field("email")],
              [.custom("segment"), .custom("segment")],
              [.newCustom(key: "plan", label: "Plan", type: .text, options: []), .newCustom(key: "plan", label: "Plan 2", type: .text, options: [])],
              [.custom("nps"), .newCustom(key: "nps", label: "NPS", type: .number, options: [])],
          ])
    func duplicates(targets: [ColumnTarget]) {
        #expect(validationErrors(ColumnMapping(targets: targets)) == [FieldError("mapping", .alreadyTaken)])
        #expect(mapper.columnProblems(in: ColumnMapping(targets: targets)) == [1: .alreadyTaken])
    }

    @Test("unknown fields and custom keys are not in the list",
          arguments: [ColumnTarget.field("favourite_colour"), .field("cf_segment"), .custom("plan"), .field("id")])
    func unknownTargets(target: ColumnTarget) {
        #expect(validationErrors(ColumnMapping(targets: [.field("email"), target])) == [FieldError("mapping", .notInList)])
    }

    @Test("a new field that would not pass its own check is invalid",
          arguments: [
              ColumnTarget.newCustom(key: "Bad Key", label: "x", type: .text, options: []),
              .newCustom(key: "email", label: "Email", type: .text, options: []),
              .newCustom(key: "plan", label: "", type: .text, options: []),
              .newCustom(key: "plan", label: "Plan", type: .choice, options: []),
              .newCustom(key: "segment", label: "Segment", type: .text, options: []),
          ])
    func invalidNewFields(target: ColumnTarget) {
        #expect(validationErrors(ColumnMapping(targets: [.field("email"), target])) == [FieldError("mapping", .invalid)])
    }

    @Test("a new field already created with the same type is fine")
    func alreadyCreated() {
        let created = CustomFieldDefinition(id: UUID(), entity: .contact, key: "month", label: "Month", type: .choice, options: ["may"])
        let mapper = ImportRowMapper(mapping: Self.mapping, definitions: [Self.segment, Self.nps, created])
        #expect(throws: Never.self) { try mapper.validate(mapping: Self.mapping) }
    }

    @Test("a mapping that imports nothing is refused", arguments: [[], [ColumnTarget.ignore, .ignore]] as [[ColumnTarget]])
    func nothingMapped(targets: [ColumnTarget]) {
        #expect(validationErrors(ColumnMapping(targets: targets)) == [FieldError("mapping", .required)])
    }

    @Test("every problem is reported, one per column, in column order")
    func everyProblem() {
        let mapping = ColumnMapping(targets: [.field("email"), .field("nope"), .field("email"), .custom("ghost"), .ignore])
        #expect(validationErrors(mapping) == [FieldError("mapping", .notInList), FieldError("mapping", .alreadyTaken),
                                              FieldError("mapping", .notInList)])
        #expect(mapper.columnProblems(in: mapping) == [1: .notInList, 2: .alreadyTaken, 3: .notInList])
    }
}
