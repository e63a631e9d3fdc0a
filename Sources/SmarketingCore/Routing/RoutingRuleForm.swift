import Foundation

/// A routing rule as the rule editor writes it: `name`, `team_id`, and condition rows
/// `conditions[i].field`, `conditions[i].op` (`equals`, `one_of`, `contains`, `range`,
/// `is_set`), `conditions[i].value` (a list typed with commas or semicolons for `one_of` and
/// `contains`), `conditions[i].min` and `conditions[i].max` for `range`. A row without a field
/// and without values is a spare row and is skipped; a row with `remove` ticked is dropped.
public enum RoutingRuleForm {
    /// Reads the fields into a rule with the given id and position; bounds that are not numbers
    /// are refused by the input's name, and everything else is left to ``RoutingRule/problems(knownFields:teamIDs:prefix:)``.
    /// An unreadable `team_id` reads as a team that does not exist.
    public static func read(_ fields: [String: String], id: UUID, position: Int) -> (RoutingRule, [FieldError]) {
        var checker = FieldChecker()
        func text(_ name: String) -> String { (fields[name] ?? "").trimmingBlanks }
        func number(_ name: String) -> Double? {
            let raw = text(name)
            guard !raw.isEmpty else { return nil }
            guard let value = NumberText.parse(raw) else {
                checker.add(name, .notANumber)
                return nil
            }
            return value
        }
        func list(_ name: String) -> [String] {
            text(name).split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "\n" }).map { String($0).trimmingBlanks }.filter { !$0.isEmpty }
        }
        var conditions: [RoutingCondition] = []
        for index in conditionRows(fields) {
            let path = "conditions[\(index)]"
            let field = text(path + ".field")
            let condition: FitCondition = switch text(path + ".op") {
            case "one_of": .oneOf(list(path + ".value"))
            case "contains": .contains(list(path + ".value"))
            case "range": .range(min: number(path + ".min"), max: number(path + ".max"))
            case "is_set": .isSet
            default: .equals(text(path + ".value"))
            }
            conditions.append(RoutingCondition(field: field, condition: condition))
        }
        let teamID = UUID(uuidString: text("team_id")) ?? Self.noTeam
        let rule = RoutingRule(id: id, name: text("name"), position: position, conditions: conditions, teamID: teamID)
        return (rule, checker.errors)
    }

    /// Reads and checks the rule: the rule, or every error at once, each named by the input that
    /// shows it (see ``inputName(of:)``).
    public static func parse(_ fields: [String: String], id: UUID, position: Int, knownFields: Set<String>, teamIDs: Set<UUID>)
        -> Result<RoutingRule, ValidationFailure> {
        let (rule, readErrors) = read(fields, id: id, position: position)
        let rows = conditionRows(fields)
        var errors = readErrors
        for problem in rule.problems(knownFields: knownFields, teamIDs: teamIDs) {
            let field = renumbered(problem.field, rows: rows)
            let blankTeam = field == "team_id" && (fields["team_id"] ?? "").trimmingBlanks.isEmpty
            if blankTeam {
                errors.append(FieldError(field, .required))
            } else if !errors.contains(where: { inputName(of: $0.field) == inputName(of: field) }) { errors.append(FieldError(field, problem.code)) }
        }
        return errors.isEmpty ? .success(rule) : .failure(ValidationFailure(errors.map { FieldError(inputName(of: $0.field), $0.code) }))
    }

    /// The form's fields for a rule, the inverse of ``read(_:id:position:)``.
    public static func fields(of rule: RoutingRule) -> [String: String] {
        var fields = ["name": rule.name, "team_id": rule.teamID.uuidString.lowercased()]
        for (index, condition) in rule.conditions.enumerated() {
            let path = "conditions[\(index)]"
            fields[path + ".field"] = condition.field
            fields[path + ".op"] = condition.condition.operatorName
            switch condition.condition {
            case .equals(let value): fields[path + ".value"] = value
            case .oneOf(let values), .contains(let values): fields[path + ".value"] = values.joined(separator: ", ")
            case .range(let minimum, let maximum):
                fields[path + ".min"] = minimum.map(NumberText.format) ?? ""
                fields[path + ".max"] = maximum.map(NumberText.format) ?? ""
            case .isSet: break
            }
        }
        return fields
    }

    /// Stands for a team that could not be read: no workspace has it.
    static let noTeam = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// The input a problem's path belongs to: list items and whole lists share the `value` input.
    public static func inputName(of path: String) -> String {
        var name = path
        if let range = name.range(of: ".values[", options: .backwards), name.hasSuffix("]") {
            name = String(name[..<range.lowerBound]) + ".value"
        }
        if name.hasSuffix(".values") { name = String(name.dropLast(".values".count)) + ".value" }
        return name
    }

    /// The form rows that became conditions, in order: the rule's condition `i` was typed in row
    /// `rows[i]` (spare and removed rows leave gaps).
    static func conditionRows(_ fields: [String: String]) -> [Int] {
        func text(_ name: String) -> String { (fields[name] ?? "").trimmingBlanks }
        return RepAvailabilityForm.rowIndices("conditions", in: fields).filter { index in
            let path = "conditions[\(index)]"
            return text(path + ".remove") != "yes"
                && !(text(path + ".field").isEmpty && text(path + ".value").isEmpty && text(path + ".min").isEmpty && text(path + ".max").isEmpty)
        }
    }

    /// `conditions[i]...` of the rule as `conditions[row]...` of the form.
    static func renumbered(_ path: String, rows: [Int]) -> String {
        let prefix = "conditions["
        guard path.hasPrefix(prefix), let close = path.firstIndex(of: "]"),
              let index = Int(path[path.index(path.startIndex, offsetBy: prefix.count)..<close]), index < rows.count
        else { return path }
        return prefix + String(rows[index]) + String(path[close...])
    }
}
