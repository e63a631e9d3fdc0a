import Foundation
import Testing
@testable import SmarketingCore

/// One `Accept-Language` header and the language the product should answer in.
struct Negotiation: Sendable, CustomTestStringConvertible {
    var header: String
    var expected: Language?

    init(_ header: String, _ expected: Language?) {
        self.header = header
        self.expected = expected
    }

    var testDescription: String { "\"\(header)\" -> \(expected?.rawValue ?? "nil")" }
}

@Suite("Languages")
struct LanguageTests {
    @Test("languages are stored under their BCP 47 tags")
    func rawValues() {
        #expect(Language.allCases.map(\.rawValue) == ["en", "pt-BR"])
        #expect(Language(rawValue: "pt-BR") == .ptBR)
        #expect(Language(rawValue: "en") == .en)
    }

    @Test("no header, an empty one or a blank one picks no language", arguments: [nil, "", "   ", ","] as [String?])
    func noHeader(header: String?) {
        #expect(Language.negotiate(acceptLanguage: header) == nil)
    }

    @Test("a single language maps to the one the product speaks",
          arguments: [
              Negotiation("pt-BR", .ptBR), Negotiation("pt", .ptBR), Negotiation("pt-PT", .ptBR),
              Negotiation("PT-br", .ptBR), Negotiation("en", .en), Negotiation("en-GB", .en),
              Negotiation("en-US", .en), Negotiation("EN-au", .en),
          ])
    func singleLanguage(case negotiation: Negotiation) {
        #expect(Language.negotiate(acceptLanguage: negotiation.header) == negotiation.expected)
    }

    @Test("only unsupported languages pick no language",
          arguments: ["fr", "fr-FR, de;q=0.8", "es-AR,es;q=0.9", "*", "zh-Hans-CN;q=0.5"])
    func unsupportedOnly(header: String) {
        #expect(Language.negotiate(acceptLanguage: header) == nil)
    }

    @Test("q-values decide, then the order of the header",
          arguments: [
              // The first supported language in the header wins.
              Negotiation("fr-FR,fr;q=0.9,pt;q=0.5", .ptBR),
              Negotiation("de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7,pt-BR;q=0.6", .en),
              Negotiation("en-GB,en;q=0.9,pt-BR;q=0.8", .en),
              Negotiation("pt-PT,pt;q=0.9,en;q=0.8", .ptBR),
              // A higher q-value later in the header beats an earlier, lower one.
              Negotiation("en;q=0.5, pt-BR;q=0.9", .ptBR),
              Negotiation("pt-BR;q=0.4, fr, en;q=0.6", .en),
              // A missing q-value means 1.
              Negotiation("en;q=0.9, pt-BR", .ptBR),
              // Equal q-values keep the header's order.
              Negotiation("pt-BR;q=0.8, en;q=0.8", .ptBR),
              Negotiation("en;q=0.8, pt-BR;q=0.8", .en),
              // Blanks around ranges and parameters are allowed.
              Negotiation("  pt-BR ; q=0.7 ,  en ; q=0.9 ", .en),
          ])
    func qValues(case negotiation: Negotiation) {
        #expect(Language.negotiate(acceptLanguage: negotiation.header) == negotiation.expected)
    }

    @Test("a language with q=0 is refused, not chosen",
          arguments: [
              Negotiation("pt;q=0, en;q=0.1", .en),
              Negotiation("pt-BR;q=0", nil),
              Negotiation("en;q=0.0, pt;q=0.000", nil),
              Negotiation("en;q=0, fr;q=0.9", nil),
          ])
    func zeroQuality(case negotiation: Negotiation) {
        #expect(Language.negotiate(acceptLanguage: negotiation.header) == negotiation.expected)
    }

    @Test("a q-value that is not a number does not win")
    func malformedQuality() {
        #expect(Language.negotiate(acceptLanguage: "en;q=abc, pt;q=0.1") == .ptBR)
    }

    /// RFC 9110, section 12.4.2: "Senders using weights SHOULD send 'q' (lowercase), but
    /// recipients SHOULD match weights case-insensitively."
    @Test("the q of a weight is matched case-insensitively, as RFC 9110 asks")
    func upperCaseQ() {
        #expect(Language.negotiate(acceptLanguage: "pt;Q=0, en") == .en)
        #expect(Language.negotiate(acceptLanguage: "pt;Q=0.2, en;q=0.5") == .en)
    }

    @Test("a language survives a JSON round trip under its tag")
    func codable() throws {
        let data = try JSONEncoder().encode([Language.ptBR, .en])
        #expect(String(decoding: data, as: UTF8.self) == #"["pt-BR","en"]"#)
        #expect(try JSONDecoder().decode([Language].self, from: data) == [.ptBR, .en])
    }
}
