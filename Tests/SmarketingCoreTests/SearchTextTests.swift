import Testing
@testable import SmarketingCore

@Suite("Search words")
struct SearchTextTests {
    @Test("a record's names, email and company become plain lower-case words without accents")
    func document() {
        #expect(SearchText.document(["João", "Conceição", "joao.conceicao+news@Acme.com.br", "Ação Ltda."])
            == "joao conceicao joao conceicao news acme com br acao ltda")
        #expect(SearchText.document(["", nil, "  Ana  "]) == "ana")
        #expect(SearchText.document([]) == "")
    }

    @Test("a typed search is split the same way, repeats dropped, at most eight words")
    func query() {
        #expect(SearchText.queryWords("  Souza@ACME ") == ["souza", "acme"])
        #expect(SearchText.queryWords("ana ana ANA") == ["ana"])
        #expect(SearchText.queryWords("a b c d e f g h i j").count == SearchText.maximumQueryWords)
        #expect(SearchText.queryWords("\"%_*:&|!()") == [])
    }

    @Test("digits are words too, so a phone or a number in a name is found")
    func digits() {
        #expect(SearchText.document(["Loja 24h", "3M"]) == "loja 24h 3m")
    }

    @Test("a plain ASCII record gets the same words by the byte-wise path as by the general one")
    func asciiPath() {
        var random = SeededRandom(seed: 11)
        let alphabet = Array("abzAMZ0189 .@+-_,;:!?()'\"\t/#%&*=~`|[]{}<>^$")
        for _ in 0..<2000 {
            let text = String((0..<Int.random(in: 0...24, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            #expect(SearchText.asciiDocument(text) == SearchText.words(in: text).joined(separator: " "), "\(text)")
        }
        #expect(SearchText.asciiDocument("João") == nil)
    }
}
