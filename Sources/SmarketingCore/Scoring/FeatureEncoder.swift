/// Turns profiles into the numbers a ``LogisticModel`` learns from, fitted on training profiles
/// only (so cross-validation never peeks at the held-out fold).
///
/// - A field is numeric when every value it has parses as a number; otherwise categorical.
///   Fields with a single value, and the excluded ones (the outcome, or a field such as the bank
///   data set's `duration` that is only known after the outcome), are left out.
/// - Numeric: one standardised column ((value - mean) / standard deviation) plus one indicator
///   column per bin of the observed values (bins of about equal size, at least
///   `minimumCategoryCount` rows each, cut between distinct values, so "999 = never contacted"
///   gets a bin of its own), plus an indicator for "no value" when some training rows lack one.
///   The bins let the model learn effects that are not straight lines and map onto range rules.
/// - Categorical: one indicator column per value seen at least `minimumCategoryCount` times (at
///   most `maximumCategories`, the most frequent), one for the rarer values grouped (and values
///   never seen in training), and one for "no value".
public struct FeatureEncoder: Sendable, Equatable, Codable {
    /// What to leave out and how finely to encode.
    public struct Options: Sendable, Equatable, Codable {
        public var excludedFields: Set<String>
        public var minimumCategoryCount: Int
        public var maximumCategories: Int
        /// Bins per numeric field, at most.
        public var numericBins: Int

        public init(excludedFields: Set<String> = [], minimumCategoryCount: Int = 30, maximumCategories: Int = 30, numericBins: Int = 60) {
            self.excludedFields = excludedFields
            self.minimumCategoryCount = minimumCategoryCount
            self.maximumCategories = maximumCategories
            self.numericBins = numericBins
        }
    }

    /// One profile field and its columns.
    public enum Field: Sendable, Equatable, Codable {
        case numeric(NumericField)
        case categorical(CategoricalField)

        public var name: String {
            switch self {
            case .numeric(let field): field.name
            case .categorical(let field): field.name
            }
        }

        /// The field's columns.
        public var columns: Range<Int> {
            switch self {
            case .numeric(let field): field.column..<(field.column + field.width)
            case .categorical(let field): field.column..<(field.column + field.width)
            }
        }
    }

    /// Columns: `column` (standardised value), then one per bin, then "no value" if `hasMissing`.
    public struct NumericField: Sendable, Equatable, Codable {
        public var name: String
        public var column: Int
        public var mean: Double
        public var deviation: Double
        /// Inclusive upper bounds of every bin but the last: bin i holds values above
        /// `cuts[i - 1]` up to `cuts[i]`.
        public var cuts: [Double]
        /// Per bin: the least and greatest training value, their mean, and the number of rows.
        public var binMinimums: [Double]
        public var binMaximums: [Double]
        public var binMeans: [Double]
        public var binCounts: [Int]
        public var hasMissing: Bool

        public var width: Int { 1 + (binCounts.count > 1 ? binCounts.count : 0) + (hasMissing ? 1 : 0) }

        /// The bin holding `value`.
        public func bin(of value: Double) -> Int {
            var index = 0
            while index < cuts.count, value > cuts[index] { index += 1 }
            return index
        }
    }

    /// Columns: one per category from `column`, then "other" (rare and unseen values), then
    /// "no value" if `hasMissing`.
    public struct CategoricalField: Sendable, Equatable, Codable {
        public var name: String
        public var column: Int
        /// Most frequent first.
        public var categories: [String]
        public var categoryCounts: [Int]
        /// The values grouped as "other" in training, most frequent first.
        public var rare: [String]
        public var rareCount: Int
        public var hasMissing: Bool

        public var width: Int { categories.count + 1 + (hasMissing ? 1 : 0) }
    }

    public let fields: [Field]
    /// Columns in all.
    public let width: Int

    /// Learns the encoding from `profiles` (the training rows).
    public init(fitting profiles: [ScoringProfile], options: Options = Options()) {
        var names = Set<String>()
        for profile in profiles { names.formUnion(profile.values.keys) }
        var fields: [Field] = []
        var column = 0
        for name in names.subtracting(options.excludedFields).sorted() {
            var numbers: [Double] = []
            var texts: [String: Int] = [:]
            var missing = 0
            var numeric = true
            for profile in profiles {
                guard let raw = profile[name]?.trimmingBlanks, !raw.isEmpty else {
                    missing += 1
                    continue
                }
                texts[raw, default: 0] += 1
                if numeric {
                    if let number = CompiledTextMatch.number(raw) { numbers.append(number) } else { numeric = false }
                }
            }
            guard texts.count > 1 else { continue }
            if numeric {
                let field = Self.numericField(name, numbers: numbers, missing: missing, column: column, options: options)
                column += field.width
                fields.append(.numeric(field))
            } else {
                let field = Self.categoricalField(name, counts: texts, missing: missing, column: column, options: options)
                column += field.width
                fields.append(.categorical(field))
            }
        }
        self.fields = fields
        self.width = column
    }

    /// The columns of `profile` that are not zero, as (column, value) pairs in column order.
    public func encode(_ profile: ScoringProfile) -> [(column: Int, value: Double)] {
        var row: [(column: Int, value: Double)] = []
        encode(profile, into: &row)
        return row
    }

    func encode(_ profile: ScoringProfile, into row: inout [(column: Int, value: Double)]) {
        row.removeAll(keepingCapacity: true)
        for field in fields {
            switch field {
            case .numeric(let numeric):
                let raw = profile[numeric.name]?.trimmingBlanks ?? ""
                guard !raw.isEmpty, let value = CompiledTextMatch.number(raw) else {
                    if numeric.hasMissing { row.append((numeric.column + numeric.width - 1, 1)) }
                    continue
                }
                let z = (value - numeric.mean) / numeric.deviation
                if z != 0 { row.append((numeric.column, z)) }
                if numeric.binCounts.count > 1 { row.append((numeric.column + 1 + numeric.bin(of: value), 1)) }
            case .categorical(let categorical):
                let raw = profile[categorical.name]?.trimmingBlanks ?? ""
                if raw.isEmpty {
                    if categorical.hasMissing { row.append((categorical.column + categorical.categories.count + 1, 1)) }
                } else if let index = categorical.categories.firstIndex(of: raw) {
                    row.append((categorical.column + index, 1))
                } else {
                    row.append((categorical.column + categorical.categories.count, 1))
                }
            }
        }
    }

    static func numericField(_ name: String, numbers: [Double], missing: Int, column: Int, options: Options) -> NumericField {
        let sorted = numbers.sorted()
        let count = Double(sorted.count)
        let mean = sorted.reduce(0, +) / count
        let variance = sorted.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count
        let deviation = variance > 0 ? variance.squareRoot() : 1

        var distinct: [(value: Double, count: Int)] = []
        for value in sorted {
            if let last = distinct.last, last.value == value {
                distinct[distinct.count - 1].count += 1
            } else {
                distinct.append((value, 1))
            }
        }
        let target = max(Double(options.minimumCategoryCount), count / Double(max(1, options.numericBins)))
        var cuts: [Double] = []
        var accumulated = 0
        var remaining = sorted.count
        for (index, entry) in distinct.enumerated() where index + 1 < distinct.count {
            accumulated += entry.count
            remaining -= entry.count
            let next = distinct[index + 1].count
            let bigEnough = Double(accumulated) >= target || (next >= Int(target) && accumulated >= options.minimumCategoryCount)
            if bigEnough, remaining >= options.minimumCategoryCount, cuts.count + 1 < options.numericBins {
                cuts.append(entry.value)
                accumulated = 0
            }
        }
        var minimums = [Double](repeating: .infinity, count: cuts.count + 1)
        var maximums = [Double](repeating: -.infinity, count: cuts.count + 1)
        var sums = [Double](repeating: 0, count: cuts.count + 1)
        var counts = [Int](repeating: 0, count: cuts.count + 1)
        var field = NumericField(
            name: name, column: column, mean: mean, deviation: deviation, cuts: cuts, binMinimums: [], binMaximums: [],
            binMeans: [], binCounts: [], hasMissing: missing > 0
        )
        for value in sorted {
            let bin = field.bin(of: value)
            minimums[bin] = min(minimums[bin], value)
            maximums[bin] = max(maximums[bin], value)
            sums[bin] += value
            counts[bin] += 1
        }
        field.binMinimums = minimums
        field.binMaximums = maximums
        field.binMeans = zip(sums, counts).map { $1 > 0 ? $0 / Double($1) : 0 }
        field.binCounts = counts
        return field
    }

    static func categoricalField(_ name: String, counts: [String: Int], missing: Int, column: Int, options: Options) -> CategoricalField {
        let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let kept = ranked.filter { $0.value >= options.minimumCategoryCount }.prefix(options.maximumCategories)
        let keptNames = Set(kept.map(\.key))
        let rare = ranked.filter { !keptNames.contains($0.key) }
        return CategoricalField(
            name: name, column: column, categories: kept.map(\.key), categoryCounts: kept.map(\.value),
            rare: rare.map(\.key), rareCount: rare.reduce(0) { $0 + $1.value }, hasMissing: missing > 0
        )
    }
}
