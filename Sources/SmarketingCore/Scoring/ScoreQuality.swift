/// How well scores rank contacts by a recorded outcome (a won deal, an imported outcome
/// column): the numbers the lead definition page shows for the active version and a draft.
///
/// - AUC: the chance that a converted contact scores above one that did not, ties counting
///   half (the Mann-Whitney U statistic over n(converted) x n(not converted), with average
///   ranks for tied scores). 0.5 is chance, 1 a perfect ranking.
/// - Deciles: contacts sorted by score, best first, cut into ten tenths of equal size. Contacts
///   with the same score straddling a cut are shared between the tenths in proportion (a score
///   cannot tell them apart, so neither does the report), which makes the figures independent
///   of the order of the input. Lift of a tenth: its conversion rate over the overall rate.
/// - Top-half share: the fraction of all conversions found in the better-scored half.
///
/// Scores that are not finite numbers are left out.
public struct ScoreQuality: Sendable, Equatable {
    public var count: Int
    public var conversions: Int
    /// Nil unless there are both converted and not converted contacts.
    public var auc: Double?
    /// Ten rates, best-scored tenth first; empty without contacts.
    public var conversionRateByDecile: [Double]
    /// Ten lifts, best-scored tenth first; empty without conversions.
    public var liftByDecile: [Double]
    /// Nil without conversions.
    public var topHalfShare: Double?

    public init(_ outcomes: some Sequence<(score: Double, converted: Bool)>) {
        let sorted = outcomes.filter { $0.score.isFinite }.sorted { $0.score < $1.score }
        count = sorted.count
        conversions = sorted.reduce(0) { $0 + ($1.converted ? 1 : 0) }
        auc = Self.auc(sortedAscending: sorted, positives: conversions)
        guard count > 0 else {
            conversionRateByDecile = []
            liftByDecile = []
            topHalfShare = nil
            return
        }
        let decileConversions = Self.conversionsByDecile(sortedAscending: sorted)
        let perDecile = Double(count) / 10
        conversionRateByDecile = decileConversions.map { $0 / perDecile }
        if conversions > 0 {
            let overall = Double(conversions) / Double(count)
            liftByDecile = conversionRateByDecile.map { $0 / overall }
            topHalfShare = decileConversions.prefix(5).reduce(0, +) / Double(conversions)
        } else {
            liftByDecile = []
            topHalfShare = nil
        }
    }

    /// The AUC of scores against outcomes (see the type's description), nil without both kinds.
    public static func auc(_ outcomes: some Sequence<(score: Double, converted: Bool)>) -> Double? {
        let sorted = outcomes.filter { $0.score.isFinite }.sorted { $0.score < $1.score }
        return auc(sortedAscending: sorted, positives: sorted.reduce(0) { $0 + ($1.converted ? 1 : 0) })
    }

    static func auc(sortedAscending sorted: [(score: Double, converted: Bool)], positives: Int) -> Double? {
        let negatives = sorted.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        var rankSum = 0.0
        var start = 0
        while start < sorted.count {
            var end = start
            var groupPositives = 0
            while end < sorted.count, sorted[end].score == sorted[start].score {
                if sorted[end].converted { groupPositives += 1 }
                end += 1
            }
            // Ranks start + 1 ... end, averaged over the tie.
            let averageRank = Double(start + 1 + end) / 2
            rankSum += averageRank * Double(groupPositives)
            start = end
        }
        let u = rankSum - Double(positives) * Double(positives + 1) / 2
        return u / (Double(positives) * Double(negatives))
    }

    /// Conversions in each tenth, best scores first, ties shared in proportion.
    static func conversionsByDecile(sortedAscending sorted: [(score: Double, converted: Bool)]) -> [Double] {
        var deciles = [Double](repeating: 0, count: 10)
        let total = Double(sorted.count)
        var position = 0.0
        var end = sorted.count
        while end > 0 {
            var start = end - 1
            while start > 0, sorted[start - 1].score == sorted[end - 1].score { start -= 1 }
            let size = Double(end - start)
            let groupConversions = Double(sorted[start..<end].reduce(0) { $0 + ($1.converted ? 1 : 0) })
            let groupEnd = position + size
            if groupConversions > 0 {
                var decile = min(9, Int(position * 10 / total))
                while decile < 10 {
                    let low = Double(decile) * total / 10
                    let high = Double(decile + 1) * total / 10
                    let overlap = min(high, groupEnd) - max(low, position)
                    if overlap > 0 { deciles[decile] += groupConversions * overlap / size }
                    if high >= groupEnd { break }
                    decile += 1
                }
            }
            position = groupEnd
            end = start
        }
        return deciles
    }
}
