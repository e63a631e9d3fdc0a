/// The k-fold cross-validated AUC of a ``LogisticModel``: how well a model trained on the other
/// folds ranks each held-out fold.
public struct CrossValidation: Sendable, Equatable {
    /// The AUC on each held-out fold.
    public var foldAUCs: [Double]

    /// The mean of the folds' AUCs.
    public var meanAUC: Double { foldAUCs.isEmpty ? 0 : foldAUCs.reduce(0, +) / Double(foldAUCs.count) }
}

extension LogisticModel {
    /// Splits the rows into `folds` stratified folds (each with the same share of conversions, as
    /// near as whole rows allow) after a shuffle seeded with `seed`, trains on all folds but one
    /// (encoder included) and measures the AUC on the one left out, for each fold in turn.
    public static func crossValidate(
        profiles: [ScoringProfile], outcomes: [Bool], folds: Int = 5, seed: UInt64, options: Options = Options()
    ) throws(TrainingError) -> CrossValidation {
        guard profiles.count == outcomes.count else { throw .countsDiffer(profiles: profiles.count, outcomes: outcomes.count) }
        let assignment = try foldAssignment(outcomes: outcomes, folds: folds, seed: seed)
        var aucs: [Double] = []
        for fold in 0..<folds {
            var trainingProfiles: [ScoringProfile] = []
            var trainingOutcomes: [Bool] = []
            var held: [Int] = []
            for index in profiles.indices {
                if assignment[index] == fold {
                    held.append(index)
                } else {
                    trainingProfiles.append(profiles[index])
                    trainingOutcomes.append(outcomes[index])
                }
            }
            let model = try train(profiles: trainingProfiles, outcomes: trainingOutcomes, options: options)
            let scored = held.map { (score: model.logOdds(profiles[$0]), converted: outcomes[$0]) }
            guard let auc = ScoreQuality.auc(scored) else { throw .tooFewExamples(folds: folds) }
            aucs.append(auc)
        }
        return CrossValidation(foldAUCs: aucs)
    }

    /// The fold of each row: conversions and non-conversions are each shuffled and dealt round
    /// the folds in turn, so every fold gets its share of both.
    static func foldAssignment(outcomes: [Bool], folds: Int, seed: UInt64) throws(TrainingError) -> [Int] {
        let positives = outcomes.indices.filter { outcomes[$0] }
        let negatives = outcomes.indices.filter { !outcomes[$0] }
        guard folds >= 2, positives.count >= folds, negatives.count >= folds else { throw .tooFewExamples(folds: folds) }
        var random = SeededRandom(seed: seed)
        var assignment = [Int](repeating: 0, count: outcomes.count)
        var dealt = 0
        for group in [positives, negatives] {
            for index in shuffled(group, using: &random) {
                assignment[index] = dealt % folds
                dealt += 1
            }
        }
        return assignment
    }

    /// Fisher-Yates with a draw that does not depend on the standard library's algorithms, so
    /// a seed gives the same folds with every Swift version.
    static func shuffled(_ items: [Int], using random: inout SeededRandom) -> [Int] {
        var items = items
        guard items.count > 1 else { return items }
        for index in stride(from: items.count - 1, to: 0, by: -1) {
            let other = Int(random.next().multipliedFullWidth(by: UInt64(index + 1)).high)
            items.swapAt(index, other)
        }
        return items
    }
}
