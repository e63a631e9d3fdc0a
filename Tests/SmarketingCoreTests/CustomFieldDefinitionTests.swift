import Foundation
import Testing
@testable import SmarketingCore

@Suite("Custom field definitions")
struct CustomFieldDefinitionTests {
    private func check(
        key: String? = "segment", label: String? = "Segment", type: String? = "text", options: [String] = [], entity: String? = "contact"
    ) -> Result<(key: String, label: String, type: CustomFieldType, options: [String], entity: CustomFieldEntity), ValidationFailure> {
        Result { () throws(ValidationFailure) in try CustomFieldDefinition.check(key: key, label: label, type: type, options: options, entity: entity) }
    }

    private func errors(_ result: Result<(key: String, label: String, type: CustomFieldType, options: [String], entity: CustomFieldEntity), ValidationFailure>) -> [FieldError] {
        if case .failure(let failure) = result { return failure.errors }
        return []
    }

    @Test("type names are stored as written in the API")
    func typeNames() {
        #expect(CustomFieldType.allCases.map(\.rawValue) == ["text", "number", "date", "choice", "multi_choice", "boolean"])
        #expect(CustomFieldEntity.allCases.map(\.rawValue) == ["contact", "company"])
        #expect(CustomFieldType.allCases.filter(\.hasOptions) == [.choice, .multiChoice])
    }

    @Test("a good definition comes back trimmed and typed")
    func accepts() throws {
        let checked = try check(key: " segment ", label: "  Market segment ", type: "choice", options: [" Retail ", "Banking", ""]).get()
        #expect(checked.key == "segment")
        #expect(checked.label == "Market segment")
        #expect(checked.type == .choice)
        #expect(checked.options == ["Retail", "Banking"])
        #expect(checked.entity == .contact)
    }

    @Test("type and entity are read ignoring case", arguments: ["MULTI_CHOICE", "multi_choice", " Multi_Choice "])
    func typeIgnoresCase(type: String) throws {
        let checked = try check(type: type, options: ["a"], entity: "Company").get()
        #expect(checked.type == .multiChoice)
        #expect(checked.entity == .company)
    }

    @Test("options are dropped for types without options", arguments: ["text", "number", "date", "boolean"])
    func optionsIgnored(type: String) throws {
        #expect(try check(type: type, options: ["a", "b", "a"]).get().options == [])
    }

    @Test("keys must be a lower-case letter then letters, digits or underscores",
          arguments: ["Segment", "1segment", "_segment", "seg-ment", "seg ment", "segmént", "seg.ment", "cf:x"])
    func badKeys(key: String) {
        #expect(errors(check(key: key)) == [FieldError("key", .invalid)])
    }

    @Test("good keys are accepted", arguments: ["a", "segment", "nps_2024", "x1_y2", String(repeating: "k", count: 40)])
    func goodKeys(key: String) throws {
        #expect(try check(key: key).get().key == key)
    }

    @Test("a key over 40 characters is too long")
    func keyTooLong() {
        #expect(errors(check(key: String(repeating: "k", count: 41))) == [FieldError("key", .tooLong(maximum: 40))])
    }

    @Test("a contact key may not be the name of a built-in contact field", arguments: ContactFields.builtIn)
    func builtInContactKeys(key: String) {
        #expect(errors(check(key: key)) == [FieldError("key", .alreadyTaken)])
    }

    @Test("a company key may not be the name of a built-in company field", arguments: CompanyFields.builtIn)
    func builtInCompanyKeys(key: String) {
        #expect(errors(check(key: key, entity: "company")) == [FieldError("key", .alreadyTaken)])
    }

    @Test("each entity reserves only its own names")
    func reservedPerEntity() throws {
        #expect(try check(key: "name", entity: "contact").get().key == "name")
        #expect(try check(key: "first_name", entity: "company").get().key == "first_name")
    }

    @Test("with an unknown entity, every built-in name is reserved")
    func reservedWithoutEntity() {
        #expect(errors(check(key: "domain", entity: "deal")) == [FieldError("entity", .notInList), FieldError("key", .alreadyTaken)])
    }

    @Test("labels are 1 to 60 characters after trimming")
    func labels() throws {
        #expect(errors(check(label: "   ")) == [FieldError("label", .required)])
        #expect(errors(check(label: nil)) == [FieldError("label", .required)])
        #expect(errors(check(label: String(repeating: "l", count: 61))) == [FieldError("label", .tooLong(maximum: 60))])
        #expect(try check(label: " " + String(repeating: "l", count: 60) + " ").get().label.count == 60)
    }

    @Test("choice fields need options", arguments: ["choice", "multi_choice"])
    func optionsRequired(type: String) {
        #expect(errors(check(type: type, options: [])) == [FieldError("options", .required)])
        #expect(errors(check(type: type, options: ["", "  "])) == [FieldError("options", .required)])
    }

    @Test("at most 200 options, each at most 100 characters")
    func optionLimits() throws {
        let two00 = (1...200).map { "option \($0)" }
        #expect(try check(type: "choice", options: two00).get().options.count == 200)
        #expect(errors(check(type: "choice", options: two00 + ["one more"])) == [FieldError("options", .tooLong(maximum: 200))])
        #expect(try check(type: "choice", options: [String(repeating: "o", count: 100)]).get().options.count == 1)
        #expect(errors(check(type: "choice", options: ["ok", String(repeating: "o", count: 101), String(repeating: "p", count: 101)]))
            == [FieldError("options", .tooLong(maximum: 100))])
    }

    @Test("options must be unique ignoring case", arguments: [["Retail", "retail"], ["A", "B", " a "], ["Não", "NÃO"]])
    func duplicateOptions(options: [String]) {
        #expect(errors(check(type: "choice", options: options)) == [FieldError("options", .alreadyTaken)])
    }

    @Test("a multi-choice option may not hold the separators of a cell", arguments: ["a;b", "a|b"])
    func multiChoiceSeparators(option: String) throws {
        #expect(errors(check(type: "multi_choice", options: ["ok", option])) == [FieldError("options", .invalid)])
        #expect(try check(type: "choice", options: ["ok", option]).get().options == ["ok", option])
    }

    @Test("every bad field is reported at once")
    func everyError() {
        #expect(errors(check(key: "", label: "", type: "colour", options: [], entity: "")) == [
            FieldError("entity", .required), FieldError("type", .notInList), FieldError("key", .required), FieldError("label", .required),
        ])
        #expect(errors(check(key: "Bad", label: nil, type: nil, options: [], entity: "deal")) == [
            FieldError("entity", .notInList), FieldError("type", .required), FieldError("key", .invalid), FieldError("label", .required),
        ])
        #expect(errors(check(key: "email", label: "E", type: "choice", options: ["a", "A"], entity: "contact")) == [
            FieldError("key", .alreadyTaken), FieldError("options", .alreadyTaken),
        ])
    }

    @Test("a custom field is named cf_<key> in forms, the API and CSV")
    func fieldName() {
        let field = CustomFieldDefinition(id: UUID(), entity: .contact, key: "segment", label: "Segment", type: .text)
        #expect(field.fieldName == "cf_segment")
        #expect(field.options == [])
    }

    @Test("a key is suggested from a CSV header",
          arguments: [
              ("emp.var.rate", "emp_var_rate"), ("Dia da Semana", "dia_da_semana"), ("age", "age"), ("nr.employed", "nr_employed"),
              ("País/Região", "pais_regiao"), ("  Job   Title ", "job_title"), ("3rd party", "f_3rd_party"), ("2024", "f_2024"),
              ("Ação!", "acao"), ("__x__", "x"), ("", "field"), ("???", "field"), ("名前", "field"), ("NPS (0-10)", "nps_0_10"),
              ("day_of_week", "day_of_week"), ("Ｗｉｄｅ", "wide"),
          ])
    func suggestedKeys(header: String, key: String) {
        #expect(CustomFieldDefinition.suggestedKey(fromHeader: header) == key)
    }

    @Test("a suggested key is at most 40 characters and does not end with an underscore")
    func suggestedKeyLength() {
        let key = CustomFieldDefinition.suggestedKey(fromHeader: String(repeating: "a", count: 39) + " b c d")
        #expect(key == String(repeating: "a", count: 39))
        let long = CustomFieldDefinition.suggestedKey(fromHeader: "9" + String(repeating: "x", count: 60))
        #expect(long.count == 40)
        #expect(long.hasPrefix("f_9"))
    }

    @Test("every suggested key passes the key check",
          arguments: ["emp.var.rate", "Dia da Semana", "3rd party", "", "名前", String(repeating: "Ab.", count: 30)])
    func suggestedKeysAreValid(header: String) {
        #expect(CustomFieldDefinition.isWellFormedKey(CustomFieldDefinition.suggestedKey(fromHeader: header)))
    }
}
