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
}
