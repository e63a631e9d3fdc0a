import Testing
@testable import SmarketingCore

@Suite("Field checks")
struct FieldCheckerTests {
    // MARK: text

    @Test("text is returned trimmed of surrounding blanks",
          arguments: [("  Acme  ", "Acme"), ("\tAcme Software\n", "Acme Software"), ("Acme", "Acme"), ("\r\n a \r\n", "a")])
    func textTrims(value: String, expected: String) {
        var checker = FieldChecker()
        #expect(checker.text("name", value, maximum: 80) == expected)
        #expect(checker.errors.isEmpty)
    }

    @Test("blanks inside the text are kept")
    func textKeepsInnerBlanks() {
        var checker = FieldChecker()
        #expect(checker.text("name", "  Acme   Software  ", maximum: 80) == "Acme   Software")
    }

    @Test("a missing required text is refused as required", arguments: [nil, "", "   ", "\t\n", "\u{00A0}"] as [String?])
    func textRequired(value: String?) {
        var checker = FieldChecker()
        #expect(checker.text("name", value, maximum: 80) == nil)
        #expect(checker.errors == [FieldError("name", .required)])
    }

    @Test("a missing optional text gives nil and no error", arguments: [nil, "", "   "] as [String?])
    func textOptional(value: String?) {
        var checker = FieldChecker()
        #expect(checker.text("nickname", value, required: false, maximum: 80) == nil)
        #expect(checker.errors.isEmpty)
    }

    @Test("a present optional text is still checked for length")
    func optionalTextStillChecked() {
        var checker = FieldChecker()
        #expect(checker.text("nickname", "abcdef", required: false, maximum: 5) == nil)
        #expect(checker.errors == [FieldError("nickname", .tooLong(maximum: 5))])
    }

    @Test("text longer than the maximum is refused, naming the maximum")
    func textTooLong() {
        var checker = FieldChecker()
        #expect(checker.text("name", "abcdef", maximum: 5) == nil)
        #expect(checker.errors == [FieldError("name", .tooLong(maximum: 5))])
    }

    @Test("text of exactly the maximum length is accepted, measured after trimming")
    func textAtMaximum() {
        var checker = FieldChecker()
        #expect(checker.text("name", "abcde", maximum: 5) == "abcde")
        #expect(checker.text("name", "   abcde   ", maximum: 5) == "abcde")
        #expect(checker.errors.isEmpty)
    }

    @Test("length counts characters, not bytes")
    func textCountsCharacters() {
        var checker = FieldChecker()
        #expect(checker.text("name", "ação", maximum: 4) == "ação")
        #expect(checker.text("name", "👍🏽🇧🇷", maximum: 2) == "👍🏽🇧🇷")
        #expect(checker.errors.isEmpty)
    }

    @Test("text shorter than the minimum is refused, naming the minimum")
    func textTooShort() {
        var checker = FieldChecker()
        #expect(checker.text("code", "ab", minimum: 3, maximum: 10) == nil)
        #expect(checker.errors == [FieldError("code", .tooShort(minimum: 3))])
    }

    @Test("text of exactly the minimum length is accepted, measured after trimming")
    func textAtMinimum() {
        var checker = FieldChecker()
        #expect(checker.text("code", " abc ", minimum: 3, maximum: 10) == "abc")
        #expect(checker.errors.isEmpty)
    }

    // MARK: collecting errors

    @Test("errors of several fields are collected in the order they were found")
    func collectsEveryError() {
        var checker = FieldChecker()
        _ = checker.text("name", nil, maximum: 10)
        _ = checker.text("title", "far too long a title", maximum: 10)
        _ = checker.text("ok", "fine", maximum: 10)
        checker.add("team", .notInList)
        #expect(checker.errors == [
            FieldError("name", .required),
            FieldError("title", .tooLong(maximum: 10)),
            FieldError("team", .notInList),
        ])
    }

    @Test("a checker without errors does not throw")
    func throwIfAnyWithoutErrors() {
        var checker = FieldChecker()
        _ = checker.text("name", "Acme", maximum: 10)
        #expect(throws: Never.self) { try checker.throwIfAny() }
    }

    @Test("a checker with errors throws them all together")
    func throwIfAnyWithErrors() {
        var checker = FieldChecker()
        checker.add("email", .alreadyTaken)
        checker.add("password", .tooShort(minimum: 10))
        do {
            try checker.throwIfAny()
            Issue.record("expected a validation failure")
        } catch {
            #expect(error.errors == [FieldError("email", .alreadyTaken), FieldError("password", .tooShort(minimum: 10))])
        }
    }

    // MARK: ValidationFailure

    @Test("a validation failure finds the first error of a field, or nil for a field without one")
    func firstErrorForField() {
        let failure = ValidationFailure([
            FieldError("name", .required), FieldError("email", .invalid), FieldError("email", .alreadyTaken),
        ])
        #expect(failure.first(for: "email") == FieldError("email", .invalid))
        #expect(failure.first(for: "name")?.code == .required)
        #expect(failure.first(for: "phone") == nil)
    }

    @Test("a validation failure for one field holds just that error")
    func singleFieldFailure() {
        #expect(ValidationFailure("roles", .lastAdmin).errors == [FieldError("roles", .lastAdmin)])
    }

    @Test("error codes with different limits are different codes")
    func codesCompareTheirLimits() {
        #expect(FieldError.Code.tooLong(maximum: 5) != .tooLong(maximum: 6))
        #expect(FieldError.Code.tooShort(minimum: 5) != .tooLong(maximum: 5))
    }

    // MARK: trimmingBlanks

    @Test("trimming removes spaces, tabs and line breaks around text only",
          arguments: [
              (" a ", "a"), ("\t\ta\t", "a"), ("\n\ra b\r\n", "a b"), ("\u{00A0}a\u{2003}", "a"),
              ("", ""), ("   ", ""), ("a", "a"), ("a \n b", "a \n b"),
          ])
    func trimmingBlanks(text: String, expected: String) {
        #expect(text.trimmingBlanks == expected)
        #expect(text.isBlank == expected.isEmpty, "blank exactly when trimming leaves nothing")
    }

    @Test("a text buffer writes whole numbers and decimals exactly as String does, and text as its UTF-8",
          arguments: [0, 7, -7, 10, 1_234_567, Int.max, Int.min])
    func textBufferNumbers(number: Int) {
        var buffer = TextBuffer(capacity: 0)
        buffer.append(number)
        buffer.append(ascii: "|")
        buffer.append(Double(number) / 3)
        buffer.append("|ação")
        buffer.append(byte: 0x21)
        #expect(buffer.text == String(number) + "|" + (Double(number) / 3).description + "|ação!")
    }
}

@Suite("Control characters in text fields")
struct ControlCharacterTests {
    @Test("a text holding a NUL or another control character is refused as invalid", arguments: ["a\u{0}b", "x\u{8}y", "\u{16}name"])
    func refused(value: String) {
        var checker = FieldChecker()
        #expect(checker.text("name", value, maximum: 100) == nil)
        #expect(checker.errors == [FieldError("name", .invalid)])
    }

    @Test("tabs and line breaks stay allowed inside a text")
    func allowed() {
        var checker = FieldChecker()
        #expect(checker.text("note", "line one\nline\ttwo", maximum: 100) == "line one\nline\ttwo")
    }
}
