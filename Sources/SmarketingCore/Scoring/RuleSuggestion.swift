extension LogisticModel {
    /// Fit rules that score profiles as this model ranks them (ids `<idPrefix>.<field>.<n>`), for a human to review and accept
    /// into a draft. Points are `round(pointsPerLogOdds x effect)`, where an effect is in log-odds
    /// against the field's most common value (which gets no rule): with the default 10, a value
    /// that multiplies the odds of converting by e ≈ 2.7 is worth 10 points.
    ///
    /// - Categorical field: the values with the same points become one `one_of` rule (the
    ///   values grouped as "other" in training are listed by name). A field's most common value is
    ///   the reference: adding the same number to every value of a field changes no ranking, so
    ///   the reference costs nothing and saves a rule.
    /// - Numeric field: each bin's effect (its indicator's coefficient plus the standardised
    ///   coefficient at the bin's mean value) against the most populated bin; neighbouring bins
    ///   with the same points become one `range` rule from the least to the greatest training value
    ///   they hold (the first open below, the last open above). A value between two bins' training
    ///   values (possible for fractional fields) matches neither rule.
    /// - Rules worth 0 points are left out; points are kept within ``ScoringLimits/points``.
    ///   "No value" effects are not proposed (a rule cannot test for an absent field), nor is the
    ///   intercept, which shifts every score equally.
    public func suggestedFitRules(pointsPerLogOdds scale: Double = 10, idPrefix: String = "suggested") -> [FitRule] {
        var rules: [FitRule] = []
        func points(_ effect: Double) -> Int {
            let rounded = (effect * scale).rounded()
            guard rounded.isFinite else { return 0 }
            return Int(max(Double(ScoringLimits.points.lowerBound), min(Double(ScoringLimits.points.upperBound), rounded)))
        }
        for (fieldIndex, field) in encoder.fields.enumerated() {
            var made = 0
            func add(_ condition: FitCondition, _ value: Int, _ name: String) {
                made += 1
                var id = "\(idPrefix).\(name).\(made)"
                if id.count > ScoringLimits.idMaximumLength { id = "\(idPrefix).\(fieldIndex + 1).\(made)" }
                rules.append(FitRule(id: id, field: name, condition: condition, points: value))
            }
            switch field {
            case .categorical(let categorical):
                guard !categorical.categories.isEmpty else { continue }
                let reference = coefficients[categorical.column]
                var groups: [(points: Int, values: [String])] = []
                func place(_ values: [String], _ coefficient: Double) {
                    let value = points(coefficient - reference)
                    guard value != 0, !values.isEmpty else { return }
                    if let index = groups.firstIndex(where: { $0.points == value }) {
                        groups[index].values += values
                    } else {
                        groups.append((value, values))
                    }
                }
                for (index, category) in categorical.categories.enumerated() {
                    place([category], coefficients[categorical.column + index])
                }
                place(categorical.rare, coefficients[categorical.column + categorical.categories.count])
                for group in groups.sorted(by: { $0.points > $1.points }) {
                    add(group.values.count == 1 ? .equals(group.values[0]) : .oneOf(group.values), group.points, categorical.name)
                }
            case .numeric(let numeric):
                let bins = numeric.binCounts.count
                guard bins > 1 else { continue }
                let effects = (0..<bins).map { bin in
                    coefficients[numeric.column + 1 + bin]
                        + coefficients[numeric.column] * (numeric.binMeans[bin] - numeric.mean) / numeric.deviation
                }
                let reference = numeric.binCounts.indices.max { numeric.binCounts[$0] < numeric.binCounts[$1] } ?? 0
                let binPoints = effects.map { points($0 - effects[reference]) }
                var start = 0
                while start < bins {
                    var end = start
                    while end + 1 < bins, binPoints[end + 1] == binPoints[start] { end += 1 }
                    if binPoints[start] != 0 {
                        let minimum: Double? = start == 0 ? nil : numeric.binMinimums[start]
                        let maximum: Double? = end == bins - 1 ? nil : numeric.binMaximums[end]
                        add(.range(min: minimum, max: maximum), binPoints[start], numeric.name)
                    }
                    start = end + 1
                }
            }
        }
        return rules
    }
}
