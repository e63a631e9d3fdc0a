import Testing
@testable import SmarketingCore

@Suite("Password policy")
struct PasswordPolicyTests {
    private func check(_ password: String?) -> (accepted: String?, errors: [FieldError]) {
        var checker = FieldChecker()
        let accepted = PasswordPolicy.check("password", password, into: &checker)
        return (accepted, checker.errors)
    }

    @Test("the limits are 10 characters and 72 bytes, the most bcrypt reads")
    func limits() {
        #expect(PasswordPolicy.minimumLength == 10)
        #expect(PasswordPolicy.maximumBytes == 72)
    }

    @Test("a missing password is required", arguments: [nil, ""] as [String?])
    func required(password: String?) {
        let result = check(password)
        #expect(result.accepted == nil)
        #expect(result.errors == [FieldError("password", .required)])
    }

    @Test("a password of 9 characters is too short, naming the minimum of 10",
          arguments: ["123456789", "abcdefghi", "ééééééééé"])
    func tooShort(password: String) {
        let result = check(password)
        #expect(result.accepted == nil)
        #expect(result.errors == [FieldError("password", .tooShort(minimum: 10))])
    }

    @Test("a password of exactly 10 characters is accepted as typed")
    func minimumAccepted() {
        let result = check("0123456789")
        #expect(result.accepted == "0123456789")
        #expect(result.errors.isEmpty)
    }

    @Test("the minimum counts characters, so 10 two-byte characters are enough")
    func minimumCountsCharacters() {
        let password = String(repeating: "ç", count: 10)
        let result = check(password)
        #expect(result.accepted == password)
        #expect(result.errors.isEmpty)
    }

    @Test("a password is kept exactly as typed, surrounding spaces included")
    func notTrimmed() {
        #expect(check("  correct horse  ").accepted == "  correct horse  ")
    }

    @Test("72 bytes of ASCII are accepted, 73 are too long, naming the limit of 72")
    func asciiByteLimit() {
        let longest = String(repeating: "a", count: 72)
        #expect(check(longest).accepted == longest)
        let tooLong = check(String(repeating: "a", count: 73))
        #expect(tooLong.accepted == nil)
        #expect(tooLong.errors == [FieldError("password", .tooLong(maximum: 72))])
    }

    @Test("multibyte characters count by their UTF-8 bytes against the maximum",
          arguments: [
              // (character, count, UTF-8 bytes in all, accepted)
              ("ç", 36, 72, true), ("ç", 37, 74, false),
              ("€", 24, 72, true), ("€", 25, 75, false),
              ("🔑", 18, 72, true), ("🔑", 19, 76, false),
          ])
    func multibyteByteLimit(character: String, count: Int, bytes: Int, accepted: Bool) {
        let password = String(repeating: character, count: count)
        #expect(password.utf8.count == bytes)
        let result = check(password)
        if accepted {
            #expect(result.accepted == password)
            #expect(result.errors.isEmpty)
        } else {
            #expect(result.accepted == nil)
            #expect(result.errors == [FieldError("password", .tooLong(maximum: 72))])
        }
    }

    @Test("66 characters of Portuguese with accents are refused, because they make 82 bytes")
    func accentedSentenceTooLong() {
        let password = "ação-canção-pão-órgão-mãe-irmã-coração-limão-melão-feijão-sertão-à"
        #expect(password.count == 66)
        #expect(password.utf8.count == 82)
        #expect(check(password).errors == [FieldError("password", .tooLong(maximum: 72))])
    }

    @Test("the check records its error under the given field name, after earlier errors")
    func fieldName() {
        var checker = FieldChecker()
        checker.add("email", .invalid)
        #expect(PasswordPolicy.check("new_password", "short", into: &checker) == nil)
        #expect(checker.errors == [FieldError("email", .invalid), FieldError("new_password", .tooShort(minimum: 10))])
    }
}
