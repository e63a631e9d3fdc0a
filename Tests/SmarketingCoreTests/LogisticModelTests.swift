import Foundation
import Testing
@testable import SmarketingCore

@Suite("Predictive scoring with a logistic model")
struct LogisticModelTests {
    /// Profiles where `plan` and `seats` drive conversion and `noise` does not.
    private static func synthetic(count: Int, seed: UInt64) -> (profiles: [ScoringProfile], outcomes: [Bool]) {
        var random = SeededRandom(seed: seed)
        var profiles: [ScoringProfile] = []
        var outcomes: [Bool] = []
        for _ in 0..<count {
            let plan = ["Enterprise", "Team", "Free"].randomElement(using: &random) ?? "Free"
            let seats = Int.random(in: 1...200, using: &random)
            let noise = ["red", "green", "blue"].randomElement(using: &random) ?? "red"
            let logOdds = -2.0 + (plan == "Enterprise" ? 2.0 : plan == "Team" ? 0.8 : 0) + Double(seats) / 50
            let converted = Double.random(in: 0..<1, using: &random) < 1 / (1 + exp(-logOdds))
            profiles.append(ScoringProfile(["cf_plan": plan, "cf_seats": String(seats), "cf_noise": noise, "cf_outcome": converted ? "yes" : "no"]))
            outcomes.append(converted)
        }
        return (profiles, outcomes)
    }

    private static let options = LogisticModel.Options(encoding: FeatureEncoder.Options(excludedFields: ["cf_outcome"], minimumCategoryCount: 10, numericBins: 5))

    @Test("the model learns the direction and order of effects and ranks well above chance")
    func learnsEffects() throws {
        let data = Self.synthetic(count: 2000, seed: 1)
        let model = try LogisticModel.train(profiles: data.profiles, outcomes: data.outcomes, options: Self.options)
        let enterprise = model.logOdds(ScoringProfile(["cf_plan": "Enterprise", "cf_seats": "100", "cf_noise": "red"]))
        let team = model.logOdds(ScoringProfile(["cf_plan": "Team", "cf_seats": "100", "cf_noise": "red"]))
        let free = model.logOdds(ScoringProfile(["cf_plan": "Free", "cf_seats": "100", "cf_noise": "red"]))
        #expect(enterprise > team && team > free)
        let many = model.logOdds(ScoringProfile(["cf_plan": "Free", "cf_seats": "190", "cf_noise": "red"]))
        let few = model.logOdds(ScoringProfile(["cf_plan": "Free", "cf_seats": "5", "cf_noise": "red"]))
        #expect(many > few + 1.5)
        #expect(model.encoder.fields.map(\.name) == ["cf_plan", "cf_seats"])
        let probability = model.probability(ScoringProfile(["cf_plan": "Enterprise", "cf_seats": "150"]))
        #expect(probability > 0.5 && probability < 1)
        let quality = ScoreQuality(zip(data.profiles, data.outcomes).map { (score: model.logOdds($0), converted: $1) })
        #expect((quality.auc ?? 0) > 0.75)
    }

    @Test("training is deterministic: the same rows give the same coefficients")
    func deterministic() throws {
        let data = Self.synthetic(count: 500, seed: 2)
        let first = try LogisticModel.train(profiles: data.profiles, outcomes: data.outcomes, options: Self.options)
        let second = try LogisticModel.train(profiles: data.profiles, outcomes: data.outcomes, options: Self.options)
        #expect(first == second)
        let cv1 = try LogisticModel.crossValidate(profiles: data.profiles, outcomes: data.outcomes, seed: 9, options: Self.options)
        let cv2 = try LogisticModel.crossValidate(profiles: data.profiles, outcomes: data.outcomes, seed: 9, options: Self.options)
        #expect(cv1 == cv2)
        #expect(cv1.foldAUCs.count == 5)
        #expect(cv1.meanAUC > 0.7)
    }

    @Test("a stronger penalty pulls the coefficients towards zero")
    func regularisation() throws {
        let data = Self.synthetic(count: 800, seed: 3)
        var strong = Self.options
        strong.l2 = 500
        strong.fieldSelection = 0
        var weak = Self.options
        weak.l2 = 0.01
        weak.fieldSelection = 0
        let heavy = try LogisticModel.train(profiles: data.profiles, outcomes: data.outcomes, options: strong)
        let light = try LogisticModel.train(profiles: data.profiles, outcomes: data.outcomes, options: weak)
        let size = { (model: LogisticModel) in model.coefficients.reduce(0) { $0 + $1 * $1 } }
        #expect(size(heavy) < size(light) / 4)
    }

    @Test("folds are stratified: each holds its share of conversions, and a seed always deals the same folds")
    func folds() throws {
        let outcomes = (0..<103).map { $0 % 10 == 0 }
        let assignment = try LogisticModel.foldAssignment(outcomes: outcomes, folds: 5, seed: 11)
        for fold in 0..<5 {
            let members = assignment.indices.filter { assignment[$0] == fold }
            #expect((20...21).contains(members.count))
            #expect((2...3).contains(members.filter { outcomes[$0] }.count))
        }
        #expect(try LogisticModel.foldAssignment(outcomes: outcomes, folds: 5, seed: 11) == assignment)
        #expect(try LogisticModel.foldAssignment(outcomes: outcomes, folds: 5, seed: 12) != assignment)
    }

    @Test("training refuses rows that do not pair up, one outcome only, or too few examples for the folds")
    func refusals() {
        let data = Self.synthetic(count: 30, seed: 4)
        #expect(throws: LogisticModel.TrainingError.countsDiffer(profiles: 30, outcomes: 29)) {
            try LogisticModel.train(profiles: data.profiles, outcomes: Array(data.outcomes.dropLast()))
        }
        #expect(throws: LogisticModel.TrainingError.needsBothOutcomes) {
            try LogisticModel.train(profiles: data.profiles, outcomes: Array(repeating: true, count: 30))
        }
        let few = [true, true, false, false, false, false]
        #expect(throws: LogisticModel.TrainingError.tooFewExamples(folds: 5)) {
            try LogisticModel.crossValidate(profiles: Array(data.profiles.prefix(6)), outcomes: few, seed: 1)
        }
    }

    @Test("numeric fields get bins of observed values and categorical ones group their rare values")
    func encoding() {
        var profiles = (0..<100).map { ScoringProfile(["cf_n": String($0 % 10), "cf_c": $0 < 95 ? ($0 % 2 == 0 ? "a" : "b") : "rare\($0)"]) }
        profiles.append(ScoringProfile(["cf_c": "a"]))
        let encoder = FeatureEncoder(fitting: profiles, options: FeatureEncoder.Options(minimumCategoryCount: 10, numericBins: 4))
        guard case .categorical(let categorical) = encoder.fields[0], case .numeric(let numeric) = encoder.fields[1] else {
            Issue.record("unexpected fields \(encoder.fields.map(\.name))")
            return
        }
        #expect(categorical.categories == ["a", "b"])
        #expect(categorical.rare.count == 5)
        #expect(categorical.width == 3)
        #expect(numeric.cuts == [2, 5, 8])
        #expect(numeric.binCounts == [30, 30, 30, 10])
        #expect(numeric.binMinimums == [0, 3, 6, 9])
        #expect(numeric.binMaximums == [2, 5, 8, 9])
        #expect(numeric.hasMissing)
        #expect(numeric.width == 1 + 4 + 1)
        #expect(encoder.width == 3 + 6)
        let row = encoder.encode(ScoringProfile(["cf_c": "unseen", "cf_n": "4"]))
        #expect(row.map(\.column) == [2, 3, 5])
        #expect(encoder.encode(ScoringProfile()).map(\.column) == [8])
    }

    @Test("suggested rules turn the model's effects into one-of and range rules a draft accepts")
    func suggestions() throws {
        let data = Self.synthetic(count: 3000, seed: 6)
        let model = try LogisticModel.train(profiles: data.profiles, outcomes: data.outcomes, options: Self.options)
        let rules = model.suggestedFitRules(pointsPerLogOdds: 10)
        let plans = rules.filter { $0.field == "cf_plan" }
        // Enterprise and Team beat the most common plan in the sample by about 2 and 0.8 log-odds.
        #expect(plans.count >= 1)
        #expect(rules.allSatisfy { $0.points != 0 && $0.id.hasPrefix("suggested.") })
        let seats = rules.filter { $0.field == "cf_seats" }
        #expect(seats.allSatisfy { if case .range = $0.condition { true } else { false } })
        #expect(!seats.isEmpty)
        let draft = LeadDefinition(version: 2, fitRules: rules, mql: .thresholds(fit: 0, engagement: 0))
        let known = ScoringFields.known(customFields: ["plan", "seats"].map {
            CustomFieldDefinition(id: UUID(), entity: .contact, key: $0, label: $0, type: .text)
        })
        #expect(draft.problems(knownFields: known) == [])
        let compiled = CompiledLeadDefinition(draft)
        let ruleScores = zip(data.profiles, data.outcomes).map { (score: Double(compiled.fit($0, at: ScoringSamples.start).points), converted: $1) }
        let modelScores = zip(data.profiles, data.outcomes).map { (score: model.logOdds($0), converted: $1) }
        #expect(abs((ScoreQuality.auc(ruleScores) ?? 0) - (ScoreQuality.auc(modelScores) ?? 1)) < 0.01)
    }

    @Test("on the bank marketing data without duration, 5-fold cross-validated AUC reaches 0.78")
    func bankMarketing() throws {
        let (profiles, outcomes, fields) = try Self.bankProfiles()
        #expect(profiles.count == 4119)
        #expect(outcomes.filter { $0 }.count == 451)
        let options = LogisticModel.Options(encoding: FeatureEncoder.Options(excludedFields: ["cf_duration", "cf_y"]))
        let validation = try LogisticModel.crossValidate(profiles: profiles, outcomes: outcomes, folds: 5, seed: 42, options: options)
        #expect(validation.meanAUC >= 0.78, "5-fold AUC \(validation.meanAUC), folds \(validation.foldAUCs)")

        let model = try LogisticModel.train(profiles: profiles, outcomes: outcomes, options: options)
        #expect(!model.encoder.fields.contains { $0.name == "cf_duration" || $0.name == "cf_y" })
        let rules = model.suggestedFitRules()
        let draft = LeadDefinition(version: 2, fitRules: rules, mql: .thresholds(fit: 0, engagement: 0))
        #expect(draft.problems(knownFields: ScoringFields.known(customFields: fields)) == [])
        let compiled = CompiledLeadDefinition(draft)
        let quality = ScoreQuality(zip(profiles, outcomes).map { (score: Double(compiled.fit($0, at: ScoringSamples.start).points), converted: $1) })
        #expect((quality.auc ?? 0) >= 0.8)
        #expect((quality.topHalfShare ?? 0) >= 0.79)
    }

    /// The bank file imported as the product imports it: `age` as the contact's age, every other
    /// column a custom field (`cf_job`, `cf_y`, ...), the outcome read from `cf_y`.
    static func bankProfiles() throws -> (profiles: [ScoringProfile], outcomes: [Bool], fields: [CustomFieldDefinition]) {
        let file = try BankImportTests.prepare()
        let (_, mapping) = ColumnMapping.suggest(headers: file.headers, existing: [], samples: Array(file.rows.prefix(200)))
        let fields = mapping.newFields.map {
            CustomFieldDefinition(id: UUID(), entity: .contact, key: $0.key, label: $0.label, type: $0.type, options: $0.options)
        }
        let mapper = ImportRowMapper(mapping: mapping, definitions: fields)
        var profiles: [ScoringProfile] = []
        var outcomes: [Bool] = []
        for row in file.rows {
            let input = try mapper.map(row).get()
            profiles.append(ScoringProfile(contact: input, company: nil))
            outcomes.append(input.custom["y"] == .boolean(true))
        }
        return (profiles, outcomes, fields)
    }
}
