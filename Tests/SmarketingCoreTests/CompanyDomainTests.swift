import Testing
@testable import SmarketingCore

@Suite("Company domains")
struct CompanyDomainTests {
    @Test("a web address is reduced to its bare, lower-case domain",
          arguments: [
              ("acme.com", "acme.com"),
              ("HTTPS://www.Acme.com.br/about", "acme.com.br"),
              ("http://acme.com", "acme.com"),
              ("https://acme.com/", "acme.com"),
              ("www.acme.com", "acme.com"),
              ("WWW.ACME.COM", "acme.com"),
              ("acme.com:8080", "acme.com"),
              ("https://www.acme.com:443/path/to?q=1#top", "acme.com"),
              ("acme.com?ref=newsletter", "acme.com"),
              ("acme.com#contact", "acme.com"),
              ("acme.com.", "acme.com"),
              ("acme.com..", "acme.com"),
              ("  Acme.COM  ", "acme.com"),
              ("\thttps://acme.com\n", "acme.com"),
              ("https://shop.acme.co.uk/cart", "shop.acme.co.uk"),
              ("my-company.com.br", "my-company.com.br"),
              ("123inc.io", "123inc.io"),
          ])
    func normalises(raw: String, expected: String) {
        #expect(CompanyDomain.normalise(raw) == expected)
    }

    @Test("only one leading www. is removed, and only as a whole label")
    func wwwAsALabel() {
        #expect(CompanyDomain.normalise("www.www.acme.com") == "www.acme.com")
        #expect(CompanyDomain.normalise("wwwacme.com") == "wwwacme.com")
        #expect(CompanyDomain.normalise("www2.acme.com") == "www2.acme.com")
    }

    @Test("what is not a domain is refused",
          arguments: [
              "",                       // empty
              "   ",                    // blanks only
              "acme",                   // single label
              "localhost",              // single label
              "https://acme/",          // single label behind a scheme
              "www.acme",               // single label once www. is gone
              "acme corp.com",          // space
              "acme .com",              // space
              "acme..com",              // empty label
              ".acme.com",              // empty first label
              "https://",               // nothing after the scheme
              "acme_corp.com",          // underscore
              "acme!.com",              // punctuation
              "/acme.com",              // path only
          ])
    func refuses(raw: String) {
        #expect(CompanyDomain.normalise(raw) == nil)
    }

    @Test("a label over 63 characters is refused")
    func labelLimit() {
        #expect(CompanyDomain.normalise(String(repeating: "a", count: 63) + ".com") != nil)
        #expect(CompanyDomain.normalise(String(repeating: "a", count: 64) + ".com") == nil)
    }

    @Test("a domain over 253 characters is refused")
    func lengthLimit() {
        let label = String(repeating: "a", count: 60)
        let longest = [label, label, label, label, String(repeating: "b", count: 9)].joined(separator: ".") // 253
        #expect(longest.count == 253)
        #expect(CompanyDomain.normalise(longest) == longest)
        #expect(CompanyDomain.normalise(longest + "b") == nil)
    }

    @Test("normalising a normalised domain changes nothing",
          arguments: ["HTTPS://www.Acme.com.br/about", "acme.com:8080", "Shop.Acme.co.uk.", "www.acme.com"])
    func idempotent(raw: String) throws {
        let once = try #require(CompanyDomain.normalise(raw))
        #expect(CompanyDomain.normalise(once) == once)
    }

    /// RFC 952/1123 host names: a label neither starts nor ends with a hyphen. EmailAddress
    /// already refuses such domains; a company domain should agree with the emails of its people.
    @Test("a label that starts or ends with a hyphen is refused, as it is in email domains",
          arguments: ["-acme.com", "acme-.com", "acme.-com.br"])
    func hyphenAtLabelEdge(raw: String) {
        #expect(CompanyDomain.normalise(raw) == nil)
    }
}
