import Foundation
import Testing
@testable import SmarketingCore

@Suite("Email addresses")
struct EmailAddressTests {
    /// An address of exactly `length` characters: a 64-character local part and a domain of
    /// labels no longer than 63 characters.
    static func address(ofLength length: Int) -> String {
        let local = String(repeating: "a", count: 64)
        let fixed = String(repeating: "b", count: 63) + "." + String(repeating: "c", count: 63) + "."
        let last = length - local.count - 1 - fixed.count - ".com".count
        return local + "@" + fixed + String(repeating: "d", count: last) + ".com"
    }

    // MARK: normalisation

    @Test("surrounding blanks are removed and the address is lower-cased",
          arguments: [
              ("  Ana.Silva@Example.COM  ", "ana.silva@example.com"),
              ("\tBRUNO@ACME.COM.BR\n", "bruno@acme.com.br"),
              ("Carla+News@Mail.Example.org", "carla+news@mail.example.org"),
              ("diego@acme.com", "diego@acme.com"),
          ])
    func normalises(raw: String, expected: String) throws {
        let email = try #require(EmailAddress(raw))
        #expect(email.value == expected)
        #expect(email.description == expected)
    }

    @Test("the same address in another case is the same address")
    func caseInsensitiveEquality() {
        #expect(EmailAddress("Ana@Acme.com") == EmailAddress("ana@ACME.COM"))
        #expect(Set([EmailAddress("Ana@Acme.com"), EmailAddress(" ana@acme.com ")]).count == 1)
    }

    @Test("dots in the local part are kept, so they make a different address")
    func dotsAreKept() throws {
        let dotted = try #require(EmailAddress("ana.silva@gmail.com"))
        let plain = try #require(EmailAddress("anasilva@gmail.com"))
        #expect(dotted.value == "ana.silva@gmail.com")
        #expect(dotted != plain)
    }

    @Test("plus tags are kept, so they make a different address")
    func plusTagsAreKept() throws {
        let tagged = try #require(EmailAddress("ana+newsletter@gmail.com"))
        let plain = try #require(EmailAddress("ana@gmail.com"))
        #expect(tagged.value == "ana+newsletter@gmail.com")
        #expect(tagged != plain)
    }

    @Test("the domain is the part after the @")
    func domain() throws {
        #expect(try #require(EmailAddress("ana@Mail.Acme.com.br")).domain == "mail.acme.com.br")
    }

    @Test("ordinary addresses are accepted",
          arguments: [
              "a@b.co", "first.last@example.com", "user+tag@sub.example.com.br", "o'neil@example.ie",
              "x@123.example.com", "ana-maria@my-company.com", "joão@empresa.com.br", "_dev@acme.io",
          ])
    func acceptsValid(raw: String) {
        #expect(EmailAddress(raw) != nil)
    }

    // MARK: rejection

    @Test("malformed addresses are refused",
          arguments: [
              "",                          // empty
              "   ",                       // blanks only
              "ana.example.com",           // no @
              "ana@@example.com",          // two @ in a row
              "ana@b@example.com",         // two @
              "@example.com",              // empty local part
              "ana@",                      // empty domain
              "ana..silva@example.com",    // consecutive dots in the local part
              ".ana@example.com",          // local part starts with a dot
              "ana.@example.com",          // local part ends with a dot
              "ana@example..com",          // consecutive dots in the domain
              "ana@.example.com",          // domain starts with a dot
              "ana@example.com.",          // domain ends with a dot
              "ana@localhost",             // domain without a dot
              "ana silva@example.com",     // space in the local part
              "ana@exam ple.com",          // space in the domain
              "ana@example.com ana@example.com", // two addresses
              "ana\t@example.com",         // tab inside
              "ana@-example.com",          // label starting with a hyphen
              "ana@example-.com",          // label ending with a hyphen
              "ana@exam_ple.com",          // underscore in the domain
              "a,b@example.com",           // comma
              "a;b@example.com",           // semicolon
              "<ana@example.com>",         // angle brackets
              "Ana Silva <ana@example.com>",
          ])
    func refusesMalformed(raw: String) {
        #expect(EmailAddress(raw) == nil)
    }

    @Test("an address of 254 characters is accepted, one of 255 is refused")
    func lengthLimit() throws {
        let longest = Self.address(ofLength: 254)
        let tooLong = Self.address(ofLength: 255)
        #expect(longest.count == 254)
        #expect(tooLong.count == 255)
        #expect(try #require(EmailAddress(longest)).value == longest)
        #expect(EmailAddress(tooLong) == nil)
        #expect(EmailAddress.maximumLength == 254)
    }

    @Test("blanks around an address do not count towards its length")
    func lengthIsMeasuredAfterTrimming() {
        #expect(EmailAddress("   " + Self.address(ofLength: 254) + "   ") != nil)
    }

    @Test("a local part over 64 characters is refused")
    func localPartLimit() {
        #expect(EmailAddress(String(repeating: "a", count: 64) + "@example.com") != nil)
        #expect(EmailAddress(String(repeating: "a", count: 65) + "@example.com") == nil)
    }

    @Test("a domain label over 63 characters is refused")
    func domainLabelLimit() {
        #expect(EmailAddress("ana@" + String(repeating: "b", count: 63) + ".com") != nil)
        #expect(EmailAddress("ana@" + String(repeating: "b", count: 64) + ".com") == nil)
    }

    // MARK: stored values and coding

    @Test("an address read back from storage is kept exactly as stored")
    func storedValueIsKept() {
        #expect(EmailAddress(stored: "Ana@Acme.com").value == "Ana@Acme.com")
    }

    @Test("an address survives a JSON round trip")
    func codableRoundTrip() throws {
        let email = try #require(EmailAddress("Ana+Tag@Acme.com"))
        let decoded = try JSONDecoder().decode(EmailAddress.self, from: JSONEncoder().encode(email))
        #expect(decoded == email)
    }

    // MARK: FieldChecker.email

    @Test("the email field check returns the normalised address without errors")
    func fieldCheckNormalises() {
        var checker = FieldChecker()
        let email = checker.email("email", "  Ana@Acme.COM ")
        #expect(email?.value == "ana@acme.com")
        #expect(checker.errors.isEmpty)
    }

    @Test("a missing email is required", arguments: [nil, "", "   "] as [String?])
    func fieldCheckRequires(value: String?) {
        var checker = FieldChecker()
        #expect(checker.email("email", value) == nil)
        #expect(checker.errors == [FieldError("email", .required)])
    }

    @Test("a malformed email is invalid", arguments: ["ana", "ana@localhost", "ana..b@acme.com", "a b@acme.com"])
    func fieldCheckRefusesMalformed(value: String) {
        var checker = FieldChecker()
        #expect(checker.email("email", value) == nil)
        #expect(checker.errors == [FieldError("email", .invalid)])
    }

    @Test("an email over 254 characters is too long, naming the maximum")
    func fieldCheckRefusesTooLong() {
        var checker = FieldChecker()
        #expect(checker.email("invite_email", Self.address(ofLength: 255)) == nil)
        #expect(checker.errors == [FieldError("invite_email", .tooLong(maximum: 254))])
    }
}
