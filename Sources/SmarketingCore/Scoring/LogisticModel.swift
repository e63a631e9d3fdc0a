import Foundation

/// A predictive score learned from recorded outcomes: L2-regularised logistic regression over
/// profile fields (encoded by ``FeatureEncoder``), fitted by Newton's method (iteratively
/// reweighted least squares) with a Cholesky solve at each step and a halving line search.
///
/// Fields that carry too little information are dropped and the model refitted (see
/// ``Options/fieldSelection``): on a few thousand rows, noisy categorical fields (a weekday, an
/// education level) cost more in variance than they add. The choice is made on the training rows
/// only, so cross-validation measures it honestly.
///
/// Training is deterministic: the same rows and options give the same coefficients on every
/// run; cross-validation shuffles with a ``SeededRandom``. The model's purpose is to propose fit
/// rules a human accepts into a draft (``suggestedFitRules(pointsPerLogOdds:idPrefix:)``); the
/// lead definition stays the score the teams signed.
public struct LogisticModel: Sendable, Equatable, Codable {
    /// How to encode the profiles and fit the model. With the defaults and `duration` excluded,
    /// the bank marketing sample (`bank-additional.csv`, 4,119 rows) reaches a 5-fold
    /// cross-validated AUC of 0.785 (seed 42).
    public struct Options: Sendable, Equatable, Codable {
        public var encoding: FeatureEncoder.Options
        /// The penalty λ in `log-likelihood - λ/2 · |w|²` (the intercept is not penalised).
        public var l2: Double
        /// A field stays in the model only when replacing its contribution to each row by its
        /// average would cost at least this much training log-likelihood per column it uses (1
        /// would be Akaike's criterion); 0 keeps every field.
        public var fieldSelection: Double
        public var maximumIterations: Int
        /// Newton stops when no coefficient moves by more than this.
        public var tolerance: Double

        public init(
            encoding: FeatureEncoder.Options = FeatureEncoder.Options(), l2: Double = 15, fieldSelection: Double = 0.25,
            maximumIterations: Int = 50, tolerance: Double = 1e-7
        ) {
            self.encoding = encoding
            self.l2 = l2
            self.fieldSelection = fieldSelection
            self.maximumIterations = maximumIterations
            self.tolerance = tolerance
        }
    }

    /// Why a model could not be trained or validated.
    public enum TrainingError: Error, Sendable, Equatable {
        /// Profiles and outcomes must pair up one to one.
        case countsDiffer(profiles: Int, outcomes: Int)
        /// Learning needs both converted and not converted examples.
        case needsBothOutcomes
        /// Cross-validation needs 2 or more folds and at least one example of each outcome per fold.
        case tooFewExamples(folds: Int)
    }

    public let encoder: FeatureEncoder
    /// Log-odds of a profile with every column at zero.
    public let intercept: Double
    /// One per encoder column: log-odds added per unit of the column.
    public let coefficients: [Double]
    /// Newton steps taken.
    public let iterations: Int

    /// Fits a model to `profiles` and whether each converted.
    public static func train(profiles: [ScoringProfile], outcomes: [Bool], options: Options = Options()) throws(TrainingError) -> LogisticModel {
        guard profiles.count == outcomes.count else { throw .countsDiffer(profiles: profiles.count, outcomes: outcomes.count) }
        guard outcomes.contains(true), outcomes.contains(false) else { throw .needsBothOutcomes }
        var encoder = FeatureEncoder(fitting: profiles, options: options.encoding)
        var matrix = SparseRows(profiles: profiles, encoder: encoder)
        var (weights, iterations) = Self.newton(matrix, outcomes: outcomes, options: options)
        if options.fieldSelection > 0 {
            let weak = Self.weakFields(encoder, matrix, outcomes: outcomes, weights: weights, threshold: options.fieldSelection)
            if !weak.isEmpty {
                var encoding = options.encoding
                encoding.excludedFields.formUnion(weak)
                encoder = FeatureEncoder(fitting: profiles, options: encoding)
                matrix = SparseRows(profiles: profiles, encoder: encoder)
                (weights, iterations) = Self.newton(matrix, outcomes: outcomes, options: options)
            }
        }
        return LogisticModel(encoder: encoder, intercept: weights[encoder.width], coefficients: Array(weights[0..<encoder.width]), iterations: iterations)
    }

    /// The model's log-odds that `profile` converts.
    public func logOdds(_ profile: ScoringProfile) -> Double {
        var total = intercept
        for (column, value) in encoder.encode(profile) { total += coefficients[column] * value }
        return total
    }

    /// The model's probability that `profile` converts.
    public func probability(_ profile: ScoringProfile) -> Double {
        1 / (1 + exp(-logOdds(profile)))
    }

    /// The fields whose information is worth less than `threshold` log-likelihood units per
    /// column: replacing a field's contribution to each row by its average contribution costs
    /// less than that.
    static func weakFields(_ encoder: FeatureEncoder, _ rows: SparseRows, outcomes: [Bool], weights: [Double], threshold: Double) -> [String] {
        let intercept = rows.width
        var etas = [Double](repeating: 0, count: rows.count)
        for row in 0..<rows.count {
            var eta = weights[intercept]
            for entry in rows.range(of: row) { eta += weights[rows.columns[entry]] * rows.values[entry] }
            etas[row] = eta
        }
        let full = logLikelihood(etas, outcomes)
        var weak: [String] = []
        var contributions = [Double](repeating: 0, count: rows.count)
        for field in encoder.fields {
            let columns = field.columns
            var sum = 0.0
            for row in 0..<rows.count {
                var contribution = 0.0
                for entry in rows.range(of: row) where columns.contains(rows.columns[entry]) {
                    contribution += weights[rows.columns[entry]] * rows.values[entry]
                }
                contributions[row] = contribution
                sum += contribution
            }
            let mean = sum / Double(rows.count)
            let without = logLikelihood(zip(etas, contributions).map { $0 - $1 + mean }, outcomes)
            if full - without < threshold * Double(columns.count) { weak.append(field.name) }
        }
        return weak
    }

    static func logLikelihood(_ etas: [Double], _ outcomes: [Bool]) -> Double {
        var total = 0.0
        for (eta, outcome) in zip(etas, outcomes) {
            let signed = outcome ? eta : -eta
            total -= signed > 0 ? log1p(exp(-signed)) : -signed + log1p(exp(signed))
        }
        return total
    }

    // MARK: Newton's method

    static func newton(_ rows: SparseRows, outcomes: [Bool], options: Options) -> (weights: [Double], iterations: Int) {
        let dimension = rows.width + 1
        let intercept = rows.width
        var weights = [Double](repeating: 0, count: dimension)
        let rate = Double(outcomes.filter { $0 }.count) / Double(outcomes.count)
        weights[intercept] = log(rate / (1 - rate))
        var objective = Self.objective(rows, outcomes: outcomes, weights: weights, l2: options.l2)
        var hessian = [Double](repeating: 0, count: dimension * dimension)
        var gradient = [Double](repeating: 0, count: dimension)
        var iterations = 0
        while iterations < options.maximumIterations {
            iterations += 1
            Self.accumulate(rows, outcomes: outcomes, weights: weights, hessian: &hessian, gradient: &gradient)
            for column in 0..<rows.width {
                gradient[column] -= options.l2 * weights[column]
                hessian[column * dimension + column] += options.l2
            }
            hessian[intercept * dimension + intercept] += 1e-9
            // Lower triangle holds the sums (row >= column, intercept last); mirror it.
            for a in 0..<dimension {
                for b in 0..<a { hessian[b * dimension + a] = hessian[a * dimension + b] }
            }
            guard let step = Self.solve(hessian, gradient, dimension: dimension) else { break }
            var scale = 1.0
            var candidate = weights
            var improved = false
            for _ in 0..<20 {
                for index in 0..<dimension { candidate[index] = weights[index] + scale * step[index] }
                let value = Self.objective(rows, outcomes: outcomes, weights: candidate, l2: options.l2)
                if value >= objective - 1e-12 {
                    objective = value
                    improved = true
                    break
                }
                scale /= 2
            }
            guard improved else { break }
            let largest = step.reduce(0) { max($0, abs($1) * scale) }
            weights = candidate
            if largest < options.tolerance { break }
        }
        return (weights, iterations)
    }

    /// The log-likelihood's gradient, and the lower triangle of its negated Hessian (`XᵀWX`,
    /// intercept last), over all rows. Entries of a row are in column order (the encoder writes
    /// them so), so each entry pairs with the ones before it.
    static func accumulate(_ rows: SparseRows, outcomes: [Bool], weights: [Double], hessian: inout [Double], gradient: inout [Double]) {
        let dimension = rows.width + 1
        let intercept = rows.width
        hessian.withUnsafeMutableBufferPointer { h in
            gradient.withUnsafeMutableBufferPointer { g in
                rows.columns.withUnsafeBufferPointer { columns in
                    rows.values.withUnsafeBufferPointer { values in
                        weights.withUnsafeBufferPointer { w in
                            for index in 0..<h.count { h[index] = 0 }
                            for index in 0..<g.count { g[index] = 0 }
                            for row in 0..<rows.count {
                                let start = rows.starts[row]
                                let end = rows.starts[row + 1]
                                var eta = w[intercept]
                                for entry in start..<end { eta += w[columns[entry]] * values[entry] }
                                let p = 1 / (1 + exp(-eta))
                                let residual = (outcomes[row] ? 1 : 0) - p
                                let weight = max(p * (1 - p), 1e-12)
                                g[intercept] += residual
                                h[intercept * dimension + intercept] += weight
                                for entry in start..<end {
                                    let a = columns[entry]
                                    let xa = weight * values[entry]
                                    g[a] += residual * values[entry]
                                    h[intercept * dimension + a] += xa
                                    let rowStart = a * dimension
                                    for other in start...entry { h[rowStart + columns[other]] += xa * values[other] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Penalised log-likelihood, to be maximised.
    static func objective(_ rows: SparseRows, outcomes: [Bool], weights: [Double], l2: Double) -> Double {
        let intercept = rows.width
        var total = 0.0
        for row in 0..<rows.count {
            var eta = weights[intercept]
            for entry in rows.range(of: row) { eta += weights[rows.columns[entry]] * rows.values[entry] }
            // log σ(η) = -log(1 + e^-η), computed without overflow.
            let signed = outcomes[row] ? eta : -eta
            total -= signed > 0 ? log1p(exp(-signed)) : -signed + log1p(exp(signed))
        }
        var penalty = 0.0
        for column in 0..<rows.width { penalty += weights[column] * weights[column] }
        return total - l2 / 2 * penalty
    }

    /// Solves `matrix · x = vector` for a symmetric positive definite matrix (Cholesky).
    static func solve(_ matrix: [Double], _ vector: [Double], dimension n: Int) -> [Double]? {
        var lower = [Double](repeating: 0, count: n * n)
        let factored = lower.withUnsafeMutableBufferPointer { l in
            matrix.withUnsafeBufferPointer { m in
                for i in 0..<n {
                    for j in 0...i {
                        var sum = m[i * n + j]
                        for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                        if i == j {
                            guard sum > 0 else { return false }
                            l[i * n + i] = sum.squareRoot()
                        } else {
                            l[i * n + j] = sum / l[j * n + j]
                        }
                    }
                }
                return true
            }
        }
        guard factored else { return nil }
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var sum = vector[i]
            for k in 0..<i { sum -= lower[i * n + k] * y[k] }
            y[i] = sum / lower[i * n + i]
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = y[i]
            for k in (i + 1)..<n { sum -= lower[k * n + i] * x[k] }
            x[i] = sum / lower[i * n + i]
        }
        return x
    }
}

/// Encoded rows in compressed sparse form: row r's entries are `starts[r]..<starts[r + 1]`.
struct SparseRows {
    var starts: [Int] = [0]
    var columns: [Int] = []
    var values: [Double] = []
    let width: Int

    init(profiles: [ScoringProfile], encoder: FeatureEncoder) {
        width = encoder.width
        var row: [(column: Int, value: Double)] = []
        for profile in profiles {
            encoder.encode(profile, into: &row)
            for (column, value) in row {
                columns.append(column)
                values.append(value)
            }
            starts.append(columns.count)
        }
    }

    var count: Int { starts.count - 1 }

    func range(of row: Int) -> Range<Int> { starts[row]..<starts[row + 1] }
}
