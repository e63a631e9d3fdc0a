/// The lead definition as the editor page writes it: one form field per value, named by the
/// value's path in the definition's JSON (`fit_rules[0].field`, `engagement_rules[1].cap.points`,
/// `mql.thresholds.fit`), so that a problem the check finds lands next to the input it names.
///
/// Rules are rows: a row whose main inputs are all blank is a spare row and is skipped, and a
/// row with `remove` ticked is dropped. Lists of texts (`values`, `options`) are typed with
/// commas or semicolons between them. A rule without an id gets one from its position.
public enum LeadDefinitionForm {
    /// Reads the submitted fields (a name may repeat, as `mql.grid.cells` does) into a definition
    /// with the given version. Values that are not numbers where numbers go are refused by name;
    /// everything else is left to ``LeadDefinition/problems(knownFields:)``.
    public static func parse(_ pairs: [(String, String)], version: Int) -> Result<LeadDefinition, ValidationFailure> {
        let (definition, errors) = read(pairs, version: version)
        return errors.isEmpty ? .success(definition) : .failure(ValidationFailure(errors))
    }

    /// Like ``parse(_:version:)``, but always gives the definition (a number that could not be
    /// read counts as 0) with the inputs that could not be read, so that the page can also show
    /// what the check finds in the rest at once.
    public static func read(_ pairs: [(String, String)], version: Int) -> (LeadDefinition, [FieldError]) {
        var fields: [String: String] = [:]
        var cells: [String] = []
        for (name, value) in pairs {
            if name == "mql.grid.cells" { cells.append(value) } else { fields[name] = value }
        }
        var reader = Reader(fields: fields)
        var definition = LeadDefinition(version: version, mql: .thresholds(fit: 0, engagement: 0))
        for index in reader.indices("fit_rules") {
            let path = "fit_rules[\(index)]"
            guard !reader.isRemoved(path), !reader.isBlank(path, ["field", "values", "min", "max", "points"]) else { continue }
            let condition = reader.fitCondition(path)
            definition.fitRules.append(FitRule(id: reader.id(path, prefix: "fit", index: index), field: reader.text(path + ".field"),
                                               condition: condition, points: reader.integer(path + ".points")))
        }
        for index in reader.indices("engagement_rules") {
            let path = "engagement_rules[\(index)]"
            guard !reader.isRemoved(path), !reader.isBlank(path, ["event_type", "points"]) else { continue }
            var cap: PointsCap?
            if !reader.text(path + ".cap.points").isEmpty {
                cap = PointsCap(points: reader.integer(path + ".cap.points"), per: CapPeriod(rawValue: reader.text(path + ".cap.per")) ?? .day)
            }
            definition.engagementRules.append(EngagementRule(
                id: reader.id(path, prefix: "engagement", index: index), eventType: reader.text(path + ".event_type"),
                conditions: reader.conditions(path), points: reader.integer(path + ".points"), cap: cap
            ))
        }
        for index in reader.indices("frequency_rules") {
            let path = "frequency_rules[\(index)]"
            guard !reader.isRemoved(path), !reader.isBlank(path, ["event_type", "count", "days", "points"]) else { continue }
            definition.frequencyRules.append(FrequencyRule(
                id: reader.id(path, prefix: "frequency", index: index), eventType: reader.text(path + ".event_type"),
                conditions: reader.conditions(path), count: reader.integer(path + ".count"), days: reader.integer(path + ".days"),
                points: reader.integer(path + ".points")
            ))
        }
        if !reader.text("half_life_days").isEmpty { definition.halfLifeDays = reader.number("half_life_days") }
        if reader.text("mql.mode") == "grid" {
            definition.mql = .grid(MQLGrid(
                fitGrades: FitGradeThresholds(a: reader.integer("mql.grid.fit_grades.a"), b: reader.integer("mql.grid.fit_grades.b"),
                                              c: reader.integer("mql.grid.fit_grades.c")),
                engagementLevels: EngagementLevelThresholds(level2: reader.number("mql.grid.engagement_levels.level_2") ?? 0,
                                                            level3: reader.number("mql.grid.engagement_levels.level_3") ?? 0,
                                                            level4: reader.number("mql.grid.engagement_levels.level_4") ?? 0),
                cells: Array(Set(cells.compactMap { MQLCell($0) })).sorted()
            ))
        } else {
            definition.mql = .thresholds(fit: reader.integer("mql.thresholds.fit"), engagement: reader.number("mql.thresholds.engagement") ?? 0)
        }
        for index in reader.indices("sql_criteria") {
            let path = "sql_criteria[\(index)]"
            guard !reader.isRemoved(path), !reader.isBlank(path, ["key", "label"]) else { continue }
            let type = CustomFieldType(rawValue: reader.text(path + ".type")) ?? .text
            definition.sqlCriteria.append(SQLCriterion(
                key: reader.text(path + ".key"), label: reader.text(path + ".label"), type: type,
                options: type.hasOptions ? reader.list(path + ".options") : [], required: reader.text(path + ".required") == "yes"
            ))
        }
        return (definition, reader.checker.errors)
    }

    /// The form's fields for a definition, the inverse of ``parse(_:version:)``; the grid's cells
    /// are ``cells(of:)``.
    public static func fields(of definition: LeadDefinition) -> [String: String] {
        var fields: [String: String] = [:]
        for (index, rule) in definition.fitRules.enumerated() {
            let path = "fit_rules[\(index)]"
            fields[path + ".id"] = rule.id
            fields[path + ".field"] = rule.field
            fields[path + ".op"] = rule.condition.operatorName
            fields[path + ".points"] = String(rule.points)
            switch rule.condition {
            case .equals(let value): fields[path + ".values"] = value
            case .oneOf(let values), .contains(let values): fields[path + ".values"] = values.joined(separator: ", ")
            case .range(let minimum, let maximum):
                fields[path + ".min"] = minimum.map(NumberText.format) ?? ""
                fields[path + ".max"] = maximum.map(NumberText.format) ?? ""
            case .isSet: break
            }
        }
        func conditions(_ path: String, _ conditions: [PropertyCondition]) {
            for (index, condition) in conditions.enumerated() {
                let base = path + ".conditions[\(index)]"
                fields[base + ".property"] = condition.property
                fields[base + ".op"] = condition.match.operatorName
                switch condition.match {
                case .equals(let value), .startsWith(let value): fields[base + ".values"] = value
                case .oneOf(let values), .contains(let values): fields[base + ".values"] = values.joined(separator: ", ")
                case .isSet: break
                }
            }
        }
        for (index, rule) in definition.engagementRules.enumerated() {
            let path = "engagement_rules[\(index)]"
            fields[path + ".id"] = rule.id
            fields[path + ".event_type"] = rule.eventType
            fields[path + ".points"] = String(rule.points)
            if let cap = rule.cap {
                fields[path + ".cap.points"] = String(cap.points)
                fields[path + ".cap.per"] = cap.per.rawValue
            }
            conditions(path, rule.conditions)
        }
        for (index, rule) in definition.frequencyRules.enumerated() {
            let path = "frequency_rules[\(index)]"
            fields[path + ".id"] = rule.id
            fields[path + ".event_type"] = rule.eventType
            fields[path + ".count"] = String(rule.count)
            fields[path + ".days"] = String(rule.days)
            fields[path + ".points"] = String(rule.points)
            conditions(path, rule.conditions)
        }
        fields["half_life_days"] = definition.halfLifeDays.map(NumberText.format) ?? ""
        switch definition.mql {
        case .thresholds(let fit, let engagement):
            fields["mql.mode"] = "thresholds"
            fields["mql.thresholds.fit"] = String(fit)
            fields["mql.thresholds.engagement"] = NumberText.format(engagement)
        case .grid(let grid):
            fields["mql.mode"] = "grid"
            fields["mql.grid.fit_grades.a"] = String(grid.fitGrades.a)
            fields["mql.grid.fit_grades.b"] = String(grid.fitGrades.b)
            fields["mql.grid.fit_grades.c"] = String(grid.fitGrades.c)
            fields["mql.grid.engagement_levels.level_2"] = NumberText.format(grid.engagementLevels.level2)
            fields["mql.grid.engagement_levels.level_3"] = NumberText.format(grid.engagementLevels.level3)
            fields["mql.grid.engagement_levels.level_4"] = NumberText.format(grid.engagementLevels.level4)
        }
        for (index, criterion) in definition.sqlCriteria.enumerated() {
            let path = "sql_criteria[\(index)]"
            fields[path + ".key"] = criterion.key
            fields[path + ".label"] = criterion.label
            fields[path + ".type"] = criterion.type.rawValue
            fields[path + ".options"] = criterion.options.joined(separator: ", ")
            fields[path + ".required"] = criterion.required ? "yes" : ""
        }
        return fields
    }

    /// The grid cells that count as MQL, as the form's checkboxes hold them.
    public static func cells(of definition: LeadDefinition) -> [String] {
        if case .grid(let grid) = definition.mql { return grid.cells.map(\.description) }
        return []
    }

    /// The form input a problem's path belongs to: list items and a single value share the
    /// `values` input, a grid's thresholds their first input.
    public static func inputName(of path: String) -> String {
        var name = path
        if let range = name.range(of: ".values[", options: .backwards), name.hasSuffix("]") {
            name = String(name[..<range.lowerBound]) + ".values"
        }
        if name.hasSuffix(".value") { name = String(name.dropLast(".value".count)) + ".values" }
        if let range = name.range(of: ".options["), name.hasSuffix("]") { name = String(name[..<range.lowerBound]) + ".options" }
        switch name {
        case "mql.grid.fit_grades": return "mql.grid.fit_grades.a"
        case "mql.grid.engagement_levels": return "mql.grid.engagement_levels.level_2"
        case "mql.grid": return "mql.grid.cells"
        default: return name
        }
    }

    private struct Reader {
        let fields: [String: String]
        var checker = FieldChecker()

        func text(_ name: String) -> String { (fields[name] ?? "").trimmingBlanks }

        func indices(_ list: String) -> [Int] {
            var found = Set<Int>()
            for name in fields.keys where name.hasPrefix(list + "[") {
                let rest = name.dropFirst(list.count + 1)
                if let close = rest.firstIndex(of: "]"), let index = Int(rest[..<close]), index >= 0, index < 1000 { found.insert(index) }
            }
            return found.sorted()
        }

        func isRemoved(_ path: String) -> Bool { text(path + ".remove") == "yes" }

        func isBlank(_ path: String, _ names: [String]) -> Bool { names.allSatisfy { text(path + "." + $0).isEmpty } }

        /// The row's id, or for a new rule the first `prefix_N` no row of the form uses.
        func id(_ path: String, prefix: String, index: Int) -> String {
            let given = text(path + ".id")
            guard given.isEmpty else { return given }
            let taken = Set(fields.filter { $0.key.hasSuffix(".id") }.map { $0.value.trimmingBlanks })
            var number = index + 1
            while taken.contains("\(prefix)_\(number)") { number += 1 }
            return "\(prefix)_\(number)"
        }

        mutating func integer(_ name: String) -> Int {
            let raw = text(name)
            if raw.isEmpty { return 0 }
            guard let number = NumberText.parse(raw), number.rounded() == number, abs(number) < 1e9 else {
                checker.add(name, .notANumber)
                return 0
            }
            return Int(number)
        }

        mutating func number(_ name: String) -> Double? {
            let raw = text(name)
            if raw.isEmpty { return nil }
            guard let number = NumberText.parse(raw) else {
                checker.add(name, .notANumber)
                return nil
            }
            return number
        }

        func list(_ name: String) -> [String] {
            text(name).split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "\n" }).map { String($0).trimmingBlanks }.filter { !$0.isEmpty }
        }

        mutating func fitCondition(_ path: String) -> FitCondition {
            switch text(path + ".op") {
            case "equals": return .equals(text(path + ".values"))
            case "one_of": return .oneOf(list(path + ".values"))
            case "range": return .range(min: number(path + ".min"), max: number(path + ".max"))
            case "is_set": return .isSet
            default: return .contains(list(path + ".values"))
            }
        }

        func conditions(_ path: String) -> [PropertyCondition] {
            indices(path + ".conditions").compactMap { index in
                let base = path + ".conditions[\(index)]"
                let property = text(base + ".property")
                guard !property.isEmpty else { return nil }
                let match: PropertyMatch = switch text(base + ".op") {
                case "equals": .equals(text(base + ".values"))
                case "one_of": .oneOf(list(base + ".values"))
                case "contains": .contains(list(base + ".values"))
                case "is_set": .isSet
                default: .startsWith(text(base + ".values"))
                }
                return PropertyCondition(property: property, match: match)
            }
        }
    }
}
