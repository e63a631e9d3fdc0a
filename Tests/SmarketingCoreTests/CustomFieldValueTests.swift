import Foundation
import Testing
@testable import SmarketingCore

@Suite("Custom field values")
struct CustomFieldValueTests {
    private func field(_ type: CustomFieldType, options: [String] = []) -> CustomFieldDefinition {
        CustomFieldDefinition(id: UUID(), entity: .contact, key: "f", label: "F", type: type, options: options)
    }

    private let segments = ["Retail", "Banking", "Public sector", "Rio de Janeiro, RJ"]

    @Test("a blank value is no value, whatever the type", arguments: CustomFieldType.allCases)
    func blank(type: CustomFieldType) {
        for raw in ["", "   ", "\t\n"] {
            #expect(field(type, options: ["a"]).parse(raw) == .success(nil))
        }
    }

    @Test("text is kept trimmed up to 1000 characters")
    func text() {
        #expect(field(.text).parse("  hello world ") == .success(.text("hello world")))
        #expect(field(.text).parse(String(repeating: "t", count: 1000)) == .success(.text(String(repeating: "t", count: 1000))))
        #expect(field(.text).parse(String(repeating: "t", count: 1001)) == .failure(.tooLong(maximum: 1000)))
    }

    @Test("numbers are read in English and Brazilian forms",
          arguments: [("1234.5", 1234.5), ("-3", -3), ("1.234,56", 1234.56), ("1,5", 1.5), ("1,234.56", 1234.56), ("0", 0)])
    func numbers(raw: String, expected: Double) {
        #expect(field(.number).parse(raw) == .success(.number(expected)))
    }

    @Test("a number that is not a number is invalid", arguments: ["12abc", "NaN", "inf", "-infinity", "1e999", "R$ 5", "1 000"])
    func notNumbers(raw: String) {
        #expect(field(.number).parse(raw) == .failure(.notANumber))
    }

    @Test("dates are read in three forms and returned as ISO",
          arguments: [("2026-03-01", "2026-03-01"), ("01/03/2026", "2026-03-01"), ("2026/03/01", "2026-03-01"), ("29/02/2024", "2024-02-29")])
    func dates(raw: String, iso: String) {
        #expect(field(.date).parse(raw) == .success(.date(iso)))
    }

    @Test("a day that does not exist is invalid", arguments: ["2026-02-30", "31/04/2026", "2026-13-01", "yesterday", "2026-03-01T00:00"])
    func badDates(raw: String) {
        #expect(field(.date).parse(raw) == .failure(.notADate))
    }

    @Test("yes and no are read in English and Portuguese, ignoring case",
          arguments: [("true", true), ("FALSE", false), ("Yes", true), ("no", false), ("SIM", true), ("não", false), ("NÃO", false),
                      ("nao", false), ("1", true), ("0", false), ("y", true), ("N", false), ("s", true), (" yes ", true)])
    func booleans(raw: String, expected: Bool) {
        #expect(field(.boolean).parse(raw) == .success(.boolean(expected)))
        #expect(BooleanText.parse(raw) == expected)
    }

    @Test("anything else is not a yes or no", arguments: ["maybe", "2", "-1", "talvez", "yess", "t", "f", "verdadeiro"])
    func notBooleans(raw: String) {
        #expect(field(.boolean).parse(raw) == .failure(.notYesOrNo))
    }

    @Test("a choice matches an option ignoring case and blanks, and comes back as defined",
          arguments: [("retail", "Retail"), ("  BANKING ", "Banking"), ("public SECTOR", "Public sector"), ("Retail", "Retail")])
    func choice(raw: String, option: String) {
        #expect(field(.choice, options: segments).parse(raw) == .success(.choice(option)))
    }

    @Test("a choice that is not in the list is refused", arguments: ["Retai", "Health", "Retail; Banking"])
    func choiceNotInList(raw: String) {
        #expect(field(.choice, options: segments).parse(raw) == .failure(.notInList))
    }

    @Test("multi-choice values are split, matched, deduplicated and put in the definition's order",
          arguments: [
              ("banking; retail", ["Retail", "Banking"]),
              ("Banking|Retail", ["Retail", "Banking"]),
              ("banking, retail", ["Retail", "Banking"]),
              ("retail;RETAIL; retail", ["Retail"]),
              ("Public sector;", ["Public sector"]),
              ("Rio de Janeiro, RJ", ["Rio de Janeiro, RJ"]),
              ("Rio de Janeiro, RJ; retail", ["Retail", "Rio de Janeiro, RJ"]),
              ("banking | public sector ; retail", ["Retail", "Banking", "Public sector"]),
          ])
    func multiChoice(raw: String, expected: [String]) {
        #expect(field(.multiChoice, options: segments).parse(raw) == .success(.multiChoice(expected)))
    }

    @Test("a multi-choice with one unknown option is refused", arguments: ["retail; health", "retail, health", "health"])
    func multiChoiceNotInList(raw: String) {
        #expect(field(.multiChoice, options: segments).parse(raw) == .failure(.notInList))
    }

    @Test("a multi-choice of separators only is no value", arguments: [";", " ; | ", ",,"])
    func multiChoiceSeparatorsOnly(raw: String) {
        #expect(field(.multiChoice, options: segments).parse(raw) == .success(nil))
    }

    @Test("a choice field an import creates takes values that are not options yet")
    func newOptions() {
        let growing = field(.choice, options: ["may", "jun"])
        #expect(growing.parse(" dec ", acceptingNewOptions: true) == .success(.choice("dec")))
        #expect(growing.parse("MAY", acceptingNewOptions: true) == .success(.choice("may")))
        #expect(growing.parse(String(repeating: "x", count: 101), acceptingNewOptions: true) == .failure(.tooLong(maximum: 100)))
        let many = field(.multiChoice, options: ["a", "b"])
        #expect(many.parse("c; B; C; d", acceptingNewOptions: true) == .success(.multiChoice(["b", "c", "d"])))
        #expect(many.parse("a;" + String(repeating: "x", count: 101), acceptingNewOptions: true) == .failure(.tooLong(maximum: 100)))
    }

    @Test("stored text: integers without .0, dot decimals, ISO dates, options joined by '; ', true/false",
          arguments: [
              (CustomFieldValue.number(5191), "5191"), (.number(-1.8), "-1.8"), (.number(92.893), "92.893"), (.number(0), "0"),
              (.text("hello; world"), "hello; world"), (.date("2026-03-01"), "2026-03-01"), (.choice("Retail"), "Retail"),
              (.multiChoice(["Retail", "Banking"]), "Retail; Banking"), (.multiChoice([]), ""), (.boolean(true), "true"),
              (.boolean(false), "false"),
          ])
    func storageText(value: CustomFieldValue, text: String) {
        #expect(value.storageText == text)
    }

    @Test("a value's stored text reads back to the same value",
          arguments: [
              (CustomFieldType.number, CustomFieldValue.number(1234.5)), (.number, .number(-0.25)), (.number, .number(1e20)),
              (.number, .number(1.234)), (.date, .date("2024-02-29")), (.boolean, .boolean(false)), (.boolean, .boolean(true)),
              (.choice, .choice("Public sector")), (.multiChoice, .multiChoice(["Retail", "Rio de Janeiro, RJ"])),
              (.multiChoice, .multiChoice(["Rio de Janeiro, RJ"])), (.text, .text("a, b; c")),
          ])
    func roundTrip(type: CustomFieldType, value: CustomFieldValue) {
        #expect(field(type, options: segments).parse(value.storageText) == .success(value))
    }

    @Test("values encode and decode as JSON")
    func codable() throws {
        let values: [CustomFieldValue] = [.text("a"), .number(1.5), .date("2026-03-01"), .choice("x"), .multiChoice(["x", "y"]), .boolean(true)]
        let decoded = try JSONDecoder().decode([CustomFieldValue].self, from: JSONEncoder().encode(values))
        #expect(decoded == values)
    }
}
