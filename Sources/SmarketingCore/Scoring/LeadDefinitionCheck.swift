/// One thing wrong with a lead definition: where (a path into its JSON, such as
/// `fit_rules[2].field` or `mql.grid.cells`) and why.
///
/// The reason is finer than a ``FieldError`` code, so the lead definition page can say "this
/// range can never match" or "B3 is an MQL, so A3 must be one too"; ``code`` gives the field
/// error the API and forms share.
public struct LeadDefinitionProblem: Sendable, Equatable, Hashable {
    public var path: String
    public var reason: Reason

    public init(_ path: String, _ reason: Reason) {
        self.path = path
        self.reason = reason
    }

    /// Why a path was refused.
    public enum Reason: Sendable, Equatable, Hashable {
        /// A blank id, field, event type, property, label or key.
        case required
        /// A rule id or criterion key used twice.
        case duplicate
        /// A field that is neither built in nor one of the workspace's custom fields.
        case unknownField
        /// An event type or key not written as a lower-case name, or a control character.
        case malformed
        /// A rule that no value can meet: an empty list, a blank text, a range whose minimum is
        /// above its maximum, a range with neither bound.
        case neverMatches
        case outOfRange(minimum: Double, maximum: Double)
        case tooMany(maximum: Int)
        /// Characters.
        case tooLong(maximum: Int)
        /// A rule worth 0 points changes nothing.
        case noPoints
        /// Grade or level thresholds that do not go strictly down (A > B > C) or up (2 < 3 < 4).
        case notStrictlyOrdered
        /// MQL cells that leave out a better cell: the cells listed must be added.
        case notMonotone(missing: [MQLCell])
        /// A threshold above the most points the rules can give (`maximum`).
        case unreachable(maximum: Int)
    }

    /// The field error for forms and the API.
    public var code: FieldError.Code {
        switch reason {
        case .required: .required
        case .duplicate: .alreadyTaken
        case .unknownField: .notInList
        case .tooLong(let maximum): .tooLong(maximum: maximum)
        case .malformed, .neverMatches, .outOfRange, .tooMany, .noPoints, .notStrictlyOrdered, .notMonotone, .unreachable: .invalid
        }
    }

    public var fieldError: FieldError { FieldError(path, code) }
}

extension LeadDefinition {
    /// Refuses a definition with any problem (see ``problems(knownFields:)``), naming each
    /// offending path in the failure's field errors.
    public func check(knownFields: Set<String>) throws(ValidationFailure) {
        let found = problems(knownFields: knownFields)
        if !found.isEmpty { throw ValidationFailure(found.map(\.fieldError)) }
    }

    /// Like ``check(knownFields:)`` with the fields of a workspace that has these custom fields.
    public func check(customFields: [CustomFieldDefinition]) throws(ValidationFailure) {
        try check(knownFields: ScoringFields.known(customFields: customFields))
    }

    /// Everything wrong with the definition, in the order of its JSON. `knownFields` are the
    /// names fit rules may use (``ScoringFields/known(customFields:)``).
    public func problems(knownFields: Set<String>) -> [LeadDefinitionProblem] {
        var audit = DefinitionAudit()
        audit.check(self, knownFields: knownFields)
        return audit.problems
    }

    /// The most fit points a contact can get: every rule with positive points at once.
    public var maximumFit: Int {
        fitRules.reduce(0) { $0 + max(0, $1.points) }
    }

    /// True when some engagement or frequency rule adds points.
    var canEarnEngagement: Bool {
        engagementRules.contains { $0.points > 0 } || frequencyRules.contains { $0.points > 0 }
    }
}

private struct DefinitionAudit {
    var problems: [LeadDefinitionProblem] = []
    var ids: Set<String> = []

    mutating func add(_ path: String, _ reason: LeadDefinitionProblem.Reason) {
        problems.append(LeadDefinitionProblem(path, reason))
    }

    mutating func check(_ definition: LeadDefinition, knownFields: Set<String>) {
        if definition.version < 1 { add("version", .outOfRange(minimum: 1, maximum: Double(Int32.max))) }
        count("fit_rules", definition.fitRules.count)
        for (index, rule) in definition.fitRules.enumerated() {
            let path = "fit_rules[\(index)]"
            id(path, rule.id)
            let field = rule.field.trimmingBlanks
            if field.isEmpty {
                add(path + ".field", .required)
            } else if !knownFields.contains(field) {
                add(path + ".field", .unknownField)
            }
            fitCondition(path, rule.condition)
            points(path + ".points", rule.points)
        }
        count("engagement_rules", definition.engagementRules.count)
        for (index, rule) in definition.engagementRules.enumerated() {
            let path = "engagement_rules[\(index)]"
            id(path, rule.id)
            eventType(path, rule.eventType)
            conditions(path, rule.conditions)
            points(path + ".points", rule.points)
            if let cap = rule.cap, !ScoringLimits.capPoints.contains(cap.points) {
                add(path + ".cap.points", .outOfRange(minimum: Double(ScoringLimits.capPoints.lowerBound),
                                                      maximum: Double(ScoringLimits.capPoints.upperBound)))
            }
        }
        count("frequency_rules", definition.frequencyRules.count)
        for (index, rule) in definition.frequencyRules.enumerated() {
            let path = "frequency_rules[\(index)]"
            id(path, rule.id)
            eventType(path, rule.eventType)
            conditions(path, rule.conditions)
            if !ScoringLimits.frequencyCount.contains(rule.count) {
                add(path + ".count", .outOfRange(minimum: Double(ScoringLimits.frequencyCount.lowerBound),
                                                 maximum: Double(ScoringLimits.frequencyCount.upperBound)))
            }
            if !ScoringLimits.frequencyDays.contains(rule.days) {
                add(path + ".days", .outOfRange(minimum: Double(ScoringLimits.frequencyDays.lowerBound),
                                                maximum: Double(ScoringLimits.frequencyDays.upperBound)))
            }
            points(path + ".points", rule.points)
        }
        if let halfLife = definition.halfLifeDays,
           !(halfLife.isFinite && halfLife > 0 && ScoringLimits.halfLifeDays.contains(halfLife)) {
            add("half_life_days", .outOfRange(minimum: 0, maximum: ScoringLimits.halfLifeDays.upperBound))
        }
        mql(definition)
        sqlCriteria(definition.sqlCriteria)
    }

    mutating func count(_ path: String, _ count: Int) {
        if count > ScoringLimits.rulesPerKind { add(path, .tooMany(maximum: ScoringLimits.rulesPerKind)) }
    }

    mutating func id(_ path: String, _ id: String) {
        let trimmed = id.trimmingBlanks
        if trimmed.isEmpty {
            add(path + ".id", .required)
        } else if trimmed.count > ScoringLimits.idMaximumLength {
            add(path + ".id", .tooLong(maximum: ScoringLimits.idMaximumLength))
        } else if trimmed != id || hasControlCharacters(id) {
            add(path + ".id", .malformed)
        } else if !ids.insert(id).inserted {
            add(path + ".id", .duplicate)
        }
    }

    mutating func points(_ path: String, _ points: Int) {
        if points == 0 {
            add(path, .noPoints)
        } else if !ScoringLimits.points.contains(points) {
            add(path, .outOfRange(minimum: Double(ScoringLimits.points.lowerBound), maximum: Double(ScoringLimits.points.upperBound)))
        }
    }

    mutating func eventType(_ path: String, _ type: String) {
        if type.trimmingBlanks.isEmpty {
            add(path + ".event_type", .required)
        } else if type.count > ScoringLimits.idMaximumLength {
            add(path + ".event_type", .tooLong(maximum: ScoringLimits.idMaximumLength))
        } else if !ScoringEvent.isWellFormedType(type) {
            add(path + ".event_type", .malformed)
        }
    }

    mutating func text(_ path: String, _ text: String) {
        if text.trimmingBlanks.isEmpty {
            add(path, .neverMatches)
        } else if text.count > ScoringLimits.textMaximumLength {
            add(path, .tooLong(maximum: ScoringLimits.textMaximumLength))
        } else if hasControlCharacters(text) {
            add(path, .malformed)
        }
    }

    mutating func list(_ path: String, _ values: [String]) {
        if values.isEmpty {
            add(path, .neverMatches)
            return
        }
        if values.count > ScoringLimits.valuesPerList { add(path, .tooMany(maximum: ScoringLimits.valuesPerList)) }
        for (index, value) in values.enumerated() { text(path + "[\(index)]", value) }
    }

    mutating func fitCondition(_ path: String, _ condition: FitCondition) {
        switch condition {
        case .equals(let value): text(path + ".value", value)
        case .oneOf(let values), .contains(let values): list(path + ".values", values)
        case .range(let minimum, let maximum):
            if minimum == nil, maximum == nil { add(path + ".min", .neverMatches) }
            var bounded = true
            for (name, bound) in [("min", minimum), ("max", maximum)] {
                if let bound, !(bound.isFinite && ScoringLimits.rangeBound.contains(bound)) {
                    add(path + "." + name, .outOfRange(minimum: ScoringLimits.rangeBound.lowerBound, maximum: ScoringLimits.rangeBound.upperBound))
                    bounded = false
                }
            }
            if bounded, let minimum, let maximum, minimum > maximum { add(path + ".min", .neverMatches) }
        case .isSet: break
        }
    }

    mutating func conditions(_ path: String, _ conditions: [PropertyCondition]) {
        if conditions.count > ScoringLimits.conditionsPerRule {
            add(path + ".conditions", .tooMany(maximum: ScoringLimits.conditionsPerRule))
        }
        for (index, condition) in conditions.enumerated() {
            let conditionPath = path + ".conditions[\(index)]"
            let property = condition.property
            if property.trimmingBlanks.isEmpty {
                add(conditionPath + ".property", .required)
            } else if property.count > ScoringLimits.idMaximumLength {
                add(conditionPath + ".property", .tooLong(maximum: ScoringLimits.idMaximumLength))
            } else if hasControlCharacters(property) || property.trimmingBlanks != property {
                add(conditionPath + ".property", .malformed)
            }
            switch condition.match {
            case .equals(let value), .startsWith(let value): text(conditionPath + ".value", value)
            case .oneOf(let values), .contains(let values): list(conditionPath + ".values", values)
            case .isSet: break
            }
        }
    }

    mutating func mql(_ definition: LeadDefinition) {
        let fitRange = ScoringLimits.fitThreshold
        let engagementRange = ScoringLimits.engagementThreshold
        let fitOutOfRange = LeadDefinitionProblem.Reason.outOfRange(minimum: Double(fitRange.lowerBound), maximum: Double(fitRange.upperBound))
        let engagementOutOfRange = LeadDefinitionProblem.Reason.outOfRange(minimum: engagementRange.lowerBound, maximum: engagementRange.upperBound)
        func inRange(_ value: Double) -> Bool { value.isFinite && engagementRange.contains(value) }
        let maximumFit = definition.maximumFit
        switch definition.mql {
        case .thresholds(let fit, let engagement):
            if !fitRange.contains(fit) {
                add("mql.thresholds.fit", fitOutOfRange)
            } else if fit > maximumFit {
                add("mql.thresholds.fit", .unreachable(maximum: maximumFit))
            }
            if !inRange(engagement) {
                add("mql.thresholds.engagement", engagementOutOfRange)
            } else if engagement > 0, !definition.canEarnEngagement {
                add("mql.thresholds.engagement", .unreachable(maximum: 0))
            }
        case .grid(let grid):
            let grades = grid.fitGrades
            var gradesInRange = true
            for (name, value) in [("a", grades.a), ("b", grades.b), ("c", grades.c)] where !fitRange.contains(value) {
                add("mql.grid.fit_grades." + name, fitOutOfRange)
                gradesInRange = false
            }
            if gradesInRange, !(grades.a > grades.b && grades.b > grades.c) { add("mql.grid.fit_grades", .notStrictlyOrdered) }
            let levels = grid.engagementLevels
            var levelsInRange = true
            for (name, value) in [("level_2", levels.level2), ("level_3", levels.level3), ("level_4", levels.level4)] where !inRange(value) {
                add("mql.grid.engagement_levels." + name, engagementOutOfRange)
                levelsInRange = false
            }
            if levelsInRange, !(levels.level2 < levels.level3 && levels.level3 < levels.level4) {
                add("mql.grid.engagement_levels", .notStrictlyOrdered)
            }
            let cells = Set(grid.cells)
            if cells.isEmpty {
                add("mql.grid.cells", .neverMatches)
                return
            }
            let missing = MQLCell.all.filter { candidate in
                !cells.contains(candidate) && cells.contains { candidate != $0 && $0.isDominated(by: candidate) }
            }
            if !missing.isEmpty { add("mql.grid.cells", .notMonotone(missing: missing)) }
            guard gradesInRange, levelsInRange else { return }
            // The easiest cell to reach needs the least fit of any MQL cell's grade.
            let leastFit = cells.map { cell -> Int in
                switch cell.grade {
                case .a: grades.a
                case .b: grades.b
                case .c: grades.c
                case .d: Int.min
                }
            }.min() ?? Int.min
            if leastFit > maximumFit {
                add("mql.grid", .unreachable(maximum: maximumFit))
            } else if !definition.canEarnEngagement, cells.allSatisfy({ $0.level > .one }) {
                add("mql.grid", .unreachable(maximum: 0))
            }
        }
    }

    mutating func sqlCriteria(_ criteria: [SQLCriterion]) {
        count("sql_criteria", criteria.count)
        var keys: Set<String> = []
        for (index, criterion) in criteria.enumerated() {
            let path = "sql_criteria[\(index)]"
            if criterion.key.isEmpty {
                add(path + ".key", .required)
            } else if criterion.key.count > CustomFieldDefinition.keyMaximumLength {
                add(path + ".key", .tooLong(maximum: CustomFieldDefinition.keyMaximumLength))
            } else if !CustomFieldDefinition.isWellFormedKey(criterion.key) {
                add(path + ".key", .malformed)
            } else if !keys.insert(criterion.key).inserted {
                add(path + ".key", .duplicate)
            }
            let label = criterion.label.trimmingBlanks
            if label.isEmpty {
                add(path + ".label", .required)
            } else if label.count > CustomFieldDefinition.labelMaximumLength {
                add(path + ".label", .tooLong(maximum: CustomFieldDefinition.labelMaximumLength))
            }
            guard criterion.type.hasOptions else { continue }
            let options = criterion.options.map(\.trimmingBlanks)
            if options.isEmpty || options.contains(where: \.isEmpty) {
                add(path + ".options", .required)
            } else if options.count > CustomFieldDefinition.maximumOptions {
                add(path + ".options", .tooMany(maximum: CustomFieldDefinition.maximumOptions))
            } else if options.contains(where: { $0.count > CustomFieldDefinition.optionMaximumLength }) {
                add(path + ".options", .tooLong(maximum: CustomFieldDefinition.optionMaximumLength))
            } else if Set(options.map { ScoringText.foldedString($0) }).count != options.count {
                add(path + ".options", .duplicate)
            } else if criterion.type == .multiChoice, options.contains(where: { $0.contains(";") || $0.contains("|") }) {
                add(path + ".options", .malformed)
            }
        }
    }

    func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
