import Testing
@testable import SmarketingCore

@Suite("Guessing the type of a new column")
struct CustomFieldInferenceTests {
    private func infer(_ samples: [String]) -> (type: CustomFieldType, options: [String]) {
        CustomFieldDefinition.inferType(samples: samples)
    }

    @Test("a column of numbers is a number field",
          arguments: [["30", "39", "", "45"], ["-1.8", "1.1", "-0.1"], ["1,5", "2,25"], ["5099.1", "5191"], ["0", "0", "1"], ["0.5"]])
    func numbers(samples: [String]) {
        #expect(infer(samples) == (.number, []))
    }

    @Test("codes with a leading zero are not numbers", arguments: [["01310", "04567", "01310"], ["007", "12"], ["-01", "2"]])
    func leadingZeros(samples: [String]) {
        #expect(infer(samples).type != .number)
    }

    @Test("a column of days is a date field", arguments: [["2026-03-01", "01/04/2026", ""], ["2026/03/01"]])
    func dates(samples: [String]) {
        #expect(infer(samples) == (.date, []))
    }

    @Test("a column of clear yes and no words is a boolean field",
          arguments: [["yes", "no", "no"], ["TRUE", "false"], ["sim", "não", "Nao"], ["no", "no", "no"], ["yes"]])
    func booleans(samples: [String]) {
        #expect(infer(samples) == (.boolean, []))
    }

    @Test("ones and zeros are numbers, and single letters are not booleans")
    func ambiguousBooleans() {
        #expect(infer(["1", "0", "1"]).type == .number)
        #expect(infer(["y", "n", "y"]) == (.choice, ["y", "n"]))
        #expect(infer(["yes", "no", "unknown", "no"]) == (.choice, ["yes", "no", "unknown"]))
    }

    @Test("a few repeated values make a choice with the values in the order first seen")
    func choice() {
        #expect(infer(["married", "single", "", "married", "divorced"]) == (.choice, ["married", "single", "divorced"]))
        #expect(infer(["Retail", "retail", "Banking"]) == (.choice, ["Retail", "Banking"]))
    }

    @Test("twelve distinct values can be a choice, thirteen cannot")
    func choiceLimit() {
        let twelve = (1...12).map { "v\($0)" }
        #expect(infer(twelve + ["v1"]) == (.choice, twelve))
        let thirteen = (1...13).map { "v\($0)" }
        #expect(infer(thirteen + ["v1"]) == (.text, []))
    }

    @Test("values that never repeat are text")
    func distinctValues() {
        #expect(infer(["Ana", "Bia", "Caio"]) == (.text, []))
    }

    @Test("an option longer than an option may be keeps the column text")
    func longValues() {
        let long = String(repeating: "x", count: 101)
        #expect(infer([long, long, "a"]) == (.text, []))
    }

    @Test("a column without values is text", arguments: [[], [""], ["  ", "\t"]])
    func empty(samples: [String]) {
        #expect(infer(samples) == (.text, []))
    }

    @Test("mixed numbers and words are not numbers")
    func mixed() {
        #expect(infer(["1", "2", "two", "2"]) == (.choice, ["1", "2", "two"]))
        #expect(infer(["2026-03-01", "soon"]) == (.text, []))
    }
}
