import Testing
@testable import SmarketingCore

@Suite("Score quality against recorded outcomes")
struct ScoreQualityTests {
    private func pairs(_ scores: [Double], _ outcomes: [Bool]) -> [(score: Double, converted: Bool)] {
        zip(scores, outcomes).map { (score: $0, converted: $1) }
    }

    @Test("AUC is 1 for a perfect ranking, 0 for a reversed one and 0.5 when every score is equal")
    func extremes() {
        #expect(ScoreQuality.auc(pairs([1, 2, 3, 4], [false, false, true, true])) == 1)
        #expect(ScoreQuality.auc(pairs([4, 3, 2, 1], [false, false, true, true])) == 0)
        #expect(ScoreQuality.auc(pairs([7, 7, 7, 7], [false, true, false, true])) == 0.5)
    }

    @Test("AUC counts the pairs a converted contact wins, ties counting half, worked by hand")
    func handWorked() {
        // Converted: 0.9, 0.6, 0.4. Not converted: 0.8, 0.6, 0.3, 0.2.
        // Pairs won: 0.9 beats 4; 0.6 beats 2 and ties 1 (0.5); 0.4 beats 2. (4 + 2.5 + 2) / 12.
        let scores = [0.9, 0.8, 0.6, 0.6, 0.4, 0.3, 0.2]
        let outcomes = [true, false, true, false, true, false, false]
        let auc = ScoreQuality.auc(pairs(scores, outcomes))
        #expect(auc == 8.5 / 12)
    }

    @Test("AUC equals the share of winning pairs counted one by one, on random scores with many ties")
    func bruteForce() {
        var random = SeededRandom(seed: 5)
        for _ in 0..<50 {
            let count = Int.random(in: 2...60, using: &random)
            let data = (0..<count).map { _ in (score: Double(Int.random(in: 0...6, using: &random)), converted: Bool.random(using: &random)) }
            let positives = data.filter(\.converted)
            let negatives = data.filter { !$0.converted }
            guard !positives.isEmpty, !negatives.isEmpty else {
                #expect(ScoreQuality.auc(data) == nil)
                continue
            }
            var wins = 0.0
            for p in positives {
                for n in negatives { wins += p.score > n.score ? 1 : (p.score == n.score ? 0.5 : 0) }
            }
            let expected = wins / Double(positives.count * negatives.count)
            let auc = ScoreQuality.auc(data) ?? -1
            #expect(abs(auc - expected) < 1e-12)
        }
    }

    @Test("a known value: the scores 1 to 10 with conversions at 3, 7, 8 and 10 give 17/21")
    func knownValue() {
        let outcomes = [false, false, true, false, false, false, true, true, false, true]
        // Ranks of the converted: 3, 7, 8, 10, sum 28; U = 28 - 4·5/2 = 18 of 4·6 = 24.
        #expect(ScoreQuality.auc(pairs((1...10).map(Double.init), outcomes)) == 18.0 / 24.0)
    }

    @Test("AUC needs both outcomes and ignores scores that are not numbers")
    func undefined() {
        #expect(ScoreQuality.auc(pairs([1, 2], [true, true])) == nil)
        #expect(ScoreQuality.auc(pairs([], [])) == nil)
        #expect(ScoreQuality.auc(pairs([1, .nan, 2, .infinity], [false, true, true, false])) == 1)
    }

    @Test("lift by decile: the conversion rate of each tenth, best first, over the overall rate")
    func lift() throws {
        // 100 contacts scored 100 down to 1; the best 10 all convert, then 2 in the rest.
        let scores = (1...100).map { Double(101 - $0) }
        var outcomes = [Bool](repeating: false, count: 100)
        for index in 0..<10 { outcomes[index] = true }
        outcomes[55] = true
        outcomes[95] = true
        let quality = ScoreQuality(pairs(scores, outcomes))
        #expect(quality.count == 100)
        #expect(quality.conversions == 12)
        #expect(quality.conversionRateByDecile == [1, 0, 0, 0, 0, 0.1, 0, 0, 0, 0.1])
        let overall = 0.12
        #expect(quality.liftByDecile.count == 10)
        for (lift, rate) in zip(quality.liftByDecile, quality.conversionRateByDecile) { #expect(abs(lift - rate / overall) < 1e-12) }
        #expect(quality.topHalfShare == 10.0 / 12.0)
    }

    @Test("contacts with the same score across a decile cut share the tenths in proportion, whatever their order")
    func tiesAcrossCuts() {
        // 20 contacts: the best 4 score 9 (2 converted), the other 16 score 1 (4 converted).
        let scores = [Double](repeating: 9, count: 4) + [Double](repeating: 1, count: 16)
        let outcomes = [true, false, true, false] + [Bool](repeating: false, count: 12) + [true, true, true, true]
        let quality = ScoreQuality(pairs(scores, outcomes))
        // Tenths hold 2 contacts: the first two are the score-9 group (rate 0.5), the rest the score-1 group (rate 0.25).
        #expect(quality.conversionRateByDecile == [0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25])
        let shuffled = ScoreQuality(pairs(scores.reversed(), outcomes.reversed()))
        #expect(shuffled == quality)
        // Top half: the score-9 group (2 conversions) and 6 of the 16 others (6/16 of 4 conversions).
        #expect(abs((quality.topHalfShare ?? 0) - (2 + 1.5) / 6) < 1e-12)
    }

    @Test("deciles work when the count is not a multiple of ten")
    func unevenCount() {
        let scores = (1...7).map(Double.init)
        let outcomes = [false, false, false, false, false, true, true]
        let quality = ScoreQuality(pairs(scores, outcomes))
        #expect(quality.conversionRateByDecile.count == 10)
        let conversions = quality.conversionRateByDecile.reduce(0) { $0 + $1 * 0.7 }
        #expect(abs(conversions - 2) < 1e-12)
        #expect(quality.topHalfShare == 1)
    }

    @Test("without conversions there is no lift and no top-half share; without contacts, no rates")
    func empty() {
        let none = ScoreQuality(pairs([3, 2, 1], [false, false, false]))
        #expect(none.liftByDecile.isEmpty)
        #expect(none.topHalfShare == nil)
        #expect(none.conversionRateByDecile == [Double](repeating: 0, count: 10))
        let nothing = ScoreQuality(pairs([], []))
        #expect(nothing.conversionRateByDecile.isEmpty && nothing.auc == nil && nothing.count == 0)
    }
}
