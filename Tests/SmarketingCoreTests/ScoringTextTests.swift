import Testing
@testable import SmarketingCore

@Suite("Text as scoring rules compare it")
struct ScoringTextTests {
    @Test("case, accents and surrounding blanks do not matter", arguments: [
        ("  São Paulo ", "sao paulo"), ("DIRETOR", "diretor"), ("Açaí Ñandú", "acai nandu"), ("Ærø Straße", "aero strasse"),
        ("Łódź", "lodz"), ("Œuvre", "oeuvre"), ("İstanbul", "istanbul"),
    ])
    func folding(text: String, folded: String) {
        #expect(ScoringText.foldedString(text) == folded)
    }

    @Test("a letter followed by a combining accent folds like the precomposed letter")
    func combiningMarks() {
        #expect(ScoringText.foldedString("Jose\u{301}") == ScoringText.foldedString("José"))
        #expect(ScoringText.foldedString("Jose\u{301}") == "jose")
    }

    @Test("runs of blanks, tabs and line breaks read as one space")
    func blanks() {
        #expect(ScoringText.foldedString("Diretor\t de \n\n Vendas\u{A0}") == "diretor de vendas")
        #expect(ScoringText.foldedString("   ") == "")
    }

    @Test("letters of other scripts are lower-cased and symbols kept")
    func otherScripts() {
        #expect(ScoringText.foldedString("ΑΘΗΝΑ") == "αθηνα")
        #expect(ScoringText.foldedString("МОСКВА") == "москва")
        #expect(ScoringText.foldedString("× ÷ / ? 東京") == "× ÷ / ? 東京")
    }

    @Test("a folded text is never longer in UTF-8 than the original")
    func neverLonger() {
        for text in ["ß", "Æ", "İ", "Ⱥ", "ﬃ", "ǅ", "ẞ", "Ω", "K", "Å", "a\u{301}\u{302}", "🙂", ""] {
            #expect(ScoringText.folded(text).count <= text.utf8.count, "\(text)")
        }
    }

    @Test("a value equals a needle as a whole or as one of its multi-choice options")
    func wholeOrPart() {
        let needle = ScoringText.folded("team")
        for (value, expected) in [("Team", true), ("Enterprise; Team", true), ("Team ;Enterprise", true), ("Teams; Other", false), ("Steam", false)] {
            let matches = ScoringText.withFolded(value) { FoldedBytes.equalsWholeOrPart($0, needle) }
            #expect(matches == expected, "\(value)")
        }
    }

    @Test("contains and prefix compare folded bytes")
    func containsAndPrefix() {
        ScoringText.withFolded("/Pricing/Enterprise") { folded in
            #expect(FoldedBytes.hasPrefix(folded, ScoringText.folded("/pricing")))
            #expect(!FoldedBytes.hasPrefix(folded, ScoringText.folded("/enterprise")))
            #expect(FoldedBytes.contains(folded, ScoringText.folded("ENTER")))
            #expect(!FoldedBytes.contains(folded, ScoringText.folded("enterprises")))
        }
    }
}
