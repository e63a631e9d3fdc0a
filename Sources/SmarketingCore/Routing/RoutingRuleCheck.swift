import Foundation

extension RoutingRule {
    /// Everything wrong with the rule, each error naming its field under `prefix` (`name`,
    /// `team_id`, `conditions[0].field`, `conditions[0].value`, `conditions[1].values[2]`,
    /// `conditions[2].min`): a blank or too long name, a team that is not one of `teamIDs`, a
    /// field the workspace does not have (`knownFields`, see ``ScoringFields/known(customFields:)``)
    /// or a condition no value can meet.
    public func problems(knownFields: Set<String>, teamIDs: Set<UUID>, prefix: String = "") -> [FieldError] {
        var checker = FieldChecker()
        check(knownFields: knownFields, teamIDs: teamIDs, prefix: prefix, into: &checker)
        return checker.errors
    }

    public func check(knownFields: Set<String>, teamIDs: Set<UUID>, prefix: String = "") throws(ValidationFailure) {
        let found = problems(knownFields: knownFields, teamIDs: teamIDs, prefix: prefix)
        if !found.isEmpty { throw ValidationFailure(found) }
    }

    func check(knownFields: Set<String>, teamIDs: Set<UUID>, prefix: String, into checker: inout FieldChecker) {
        _ = checker.text(prefix + "name", name, maximum: Self.nameMaximumLength)
        if !teamIDs.contains(teamID) { checker.add(prefix + "team_id", .notInList) }
        if conditions.count > Self.maximumConditions { checker.add(prefix + "conditions", .tooLong(maximum: Self.maximumConditions)) }
        for (index, condition) in conditions.enumerated() {
            let path = prefix + "conditions[\(index)]"
            let field = condition.field.trimmingBlanks
            if field.isEmpty {
                checker.add(path + ".field", .required)
            } else if !knownFields.contains(field) {
                checker.add(path + ".field", .notInList)
            }
            Self.check(condition.condition, path: path, into: &checker)
        }
    }

    static func check(_ condition: FitCondition, path: String, into checker: inout FieldChecker) {
        func text(_ name: String, _ value: String) {
            if value.trimmingBlanks.isEmpty {
                checker.add(name, .required)
            } else if value.count > ScoringLimits.textMaximumLength {
                checker.add(name, .tooLong(maximum: ScoringLimits.textMaximumLength))
            } else if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                checker.add(name, .invalid)
            }
        }
        switch condition {
        case .equals(let value):
            text(path + ".value", value)
        case .oneOf(let values), .contains(let values):
            if values.isEmpty {
                checker.add(path + ".values", .required)
            } else if values.count > ScoringLimits.valuesPerList {
                checker.add(path + ".values", .tooLong(maximum: ScoringLimits.valuesPerList))
            } else {
                for (index, value) in values.enumerated() { text(path + ".values[\(index)]", value) }
            }
        case .range(let minimum, let maximum):
            if minimum == nil, maximum == nil { checker.add(path + ".min", .required) }
            var bounded = true
            for (name, bound) in [("min", minimum), ("max", maximum)] {
                if let bound, !(bound.isFinite && ScoringLimits.rangeBound.contains(bound)) {
                    checker.add(path + "." + name, .invalid)
                    bounded = false
                }
            }
            if bounded, let minimum, let maximum, minimum > maximum { checker.add(path + ".max", .invalid) }
        case .isSet:
            break
        }
    }
}

extension RoutingRules {
    /// Checks a whole list of rules (the API's `PUT`): each rule's problems under `rules[i].`,
    /// names used twice (ignoring case and accents) on the later rule's `name`, and more than
    /// ``RoutingRule/maximumRules`` rules on `rules`.
    public static func problems(_ rules: [RoutingRule], knownFields: Set<String>, teamIDs: Set<UUID>) -> [FieldError] {
        var checker = FieldChecker()
        if rules.count > RoutingRule.maximumRules { checker.add("rules", .tooLong(maximum: RoutingRule.maximumRules)) }
        var names = Set<String>()
        for (index, rule) in rules.enumerated() {
            let prefix = "rules[\(index)]."
            rule.check(knownFields: knownFields, teamIDs: teamIDs, prefix: prefix, into: &checker)
            let folded = ScoringText.foldedString(rule.name)
            if !folded.isEmpty, !names.insert(folded).inserted, checker.errors.allSatisfy({ $0.field != prefix + "name" }) {
                checker.add(prefix + "name", .alreadyTaken)
            }
        }
        return checker.errors
    }
}
