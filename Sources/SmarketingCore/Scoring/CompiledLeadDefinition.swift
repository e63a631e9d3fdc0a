import Foundation

/// A lead definition prepared for scoring: texts to compare folded once (see ``ScoringText``),
/// rules indexed by event type, the decay rate worked out. Build one per definition version and
/// share it; it is immutable and `Sendable`.
///
/// The engine functions (``fit(_:at:)``, ``refit(_:profile:at:ledger:)``,
/// ``apply(_:to:ledger:)``, ``replay(_:)``, ``rescore(profile:events:now:)``) are pure: they
/// read a state and an input and give the new state and the ledger lines that explain the
/// change. Applying an event does one dictionary lookup for its type, compares only the rules of
/// that type, folds each compared property on the stack and makes no heap allocation besides the
/// ledger lines it appends.
public struct CompiledLeadDefinition: Sendable {
    public let definition: LeadDefinition
    let fitRules: [CompiledFitRule]
    let engagementRules: [CompiledEngagementRule]
    let frequencyRules: [CompiledFrequencyRule]
    let rulesByType: [String: EventRules]
    /// ln 2 / half-life, per second; 0 when engagement does not decay.
    public let decayPerSecond: Double

    /// Compiles any definition. One that fails ``LeadDefinition/check(knownFields:)`` still
    /// compiles: a rule that can never match (an empty list, a blank text, a range without
    /// bounds or with its minimum above its maximum) simply never fires.
    public init(_ definition: LeadDefinition) {
        self.definition = definition
        fitRules = definition.fitRules.map(CompiledFitRule.init)
        engagementRules = definition.engagementRules.map(CompiledEngagementRule.init)
        frequencyRules = definition.frequencyRules.map(CompiledFrequencyRule.init)
        var byType: [String: EventRules] = [:]
        for (index, rule) in engagementRules.enumerated() { byType[rule.eventType, default: EventRules()].engagement.append(index) }
        for (index, rule) in frequencyRules.enumerated() { byType[rule.eventType, default: EventRules()].frequency.append(index) }
        rulesByType = byType
        if let days = definition.halfLifeDays, days.isFinite, days > 0 {
            decayPerSecond = log(2) / (days * Self.secondsPerDay)
        } else {
            decayPerSecond = 0
        }
    }

    public var version: Int { definition.version }

    static let secondsPerDay: Double = 86_400

    /// Whether a fit rule reads a company field (`company.employee_count`): only then does a
    /// change to a company move its contacts' scores.
    public var readsCompanyFields: Bool {
        definition.fitRules.contains { $0.field.hasPrefix(ScoringFields.companyPrefix) }
    }

    /// A state with no points, for a contact scored for the first time under this definition.
    public func newState() -> ScoreState {
        ScoreState(
            definitionVersion: version, fitRules: fitRules.count, engagementRules: engagementRules.count,
            frequencyCounts: frequencyRules.map(\.count)
        )
    }

    /// True when `state` was made by this definition (same version, same number of rules).
    public func owns(_ state: ScoreState) -> Bool {
        state.definitionVersion == version && state.fitAwards.count == fitRules.count
            && state.caps.count == engagementRules.count && state.windows.count == frequencyRules.count
            && zip(state.windows, frequencyRules).allSatisfy { window, rule in
                window.recent.count == max(1, rule.count - 1) && (0..<window.recent.count).contains(window.next)
                    && (0...window.recent.count).contains(window.filled)
            }
    }
}

struct EventRules: Sendable {
    var engagement: [Int] = []
    var frequency: [Int] = []
}

/// A text test with its needles folded.
enum CompiledTextMatch: Sendable {
    case equals([UInt8])
    case oneOf([[UInt8]])
    case startsWith([UInt8])
    case contains([[UInt8]])
    case range(Double, Double)
    case isSet
    case never

    static func needles(_ values: [String]) -> [[UInt8]] {
        values.map(ScoringText.folded).filter { !$0.isEmpty }
    }

    static func list(_ values: [String], _ make: ([[UInt8]]) -> CompiledTextMatch) -> CompiledTextMatch {
        let folded = needles(values)
        return folded.isEmpty ? .never : make(folded)
    }

    static func single(_ value: String, _ make: ([UInt8]) -> CompiledTextMatch) -> CompiledTextMatch {
        let folded = ScoringText.folded(value)
        return folded.isEmpty ? .never : make(folded)
    }

    init(_ condition: FitCondition) {
        switch condition {
        case .equals(let value): self = Self.single(value, CompiledTextMatch.equals)
        case .oneOf(let values): self = Self.list(values, CompiledTextMatch.oneOf)
        case .contains(let values): self = Self.list(values, CompiledTextMatch.contains)
        case .range(let minimum, let maximum):
            let lower = minimum ?? -.infinity
            let upper = maximum ?? .infinity
            self = (minimum == nil && maximum == nil) || lower.isNaN || upper.isNaN || lower > upper ? .never : .range(lower, upper)
        case .isSet: self = .isSet
        }
    }

    init(_ match: PropertyMatch) {
        switch match {
        case .equals(let value): self = Self.single(value, CompiledTextMatch.equals)
        case .oneOf(let values): self = Self.list(values, CompiledTextMatch.oneOf)
        case .startsWith(let value): self = Self.single(value, CompiledTextMatch.startsWith)
        case .contains(let values): self = Self.list(values, CompiledTextMatch.contains)
        case .isSet: self = .isSet
        }
    }

    /// Whether `value` (absent: nil) meets the test.
    func matches(_ value: String?) -> Bool {
        guard let value else { return false }
        switch self {
        case .never:
            return false
        case .range(let lower, let upper):
            guard let number = Self.number(value) else { return false }
            return lower <= number && number <= upper
        default:
            return ScoringText.withFolded(value) { folded in
                switch self {
                case .equals(let needle): FoldedBytes.equalsWholeOrPart(folded, needle)
                case .oneOf(let needles): needles.contains { FoldedBytes.equalsWholeOrPart(folded, $0) }
                case .startsWith(let needle): FoldedBytes.hasPrefix(folded, needle)
                case .contains(let needles): needles.contains { FoldedBytes.contains(folded, $0) }
                case .isSet: !folded.isEmpty
                case .range, .never: false
                }
            }
        }
    }

    /// A stored number (`1234.5`), or one as people type it (see ``NumberText``).
    static func number(_ text: String) -> Double? {
        if let number = Double(text), number.isFinite { return number }
        return NumberText.parse(text)
    }
}

struct CompiledFitRule: Sendable {
    let id: String
    let field: String
    let match: CompiledTextMatch
    let points: Int

    init(_ rule: FitRule) {
        id = rule.id
        field = rule.field.trimmingBlanks
        match = CompiledTextMatch(rule.condition)
        points = rule.points
    }
}

struct CompiledCondition: Sendable {
    let property: String
    let match: CompiledTextMatch

    init(_ condition: PropertyCondition) {
        property = condition.property
        match = CompiledTextMatch(condition.match)
    }
}

extension [CompiledCondition] {
    func allMatch(_ properties: [String: String]) -> Bool {
        for condition in self where !condition.match.matches(properties[condition.property]) { return false }
        return true
    }
}

struct CompiledEngagementRule: Sendable {
    let id: String
    let eventType: String
    let conditions: [CompiledCondition]
    let points: Int
    let cap: PointsCap?

    init(_ rule: EngagementRule) {
        id = rule.id
        eventType = rule.eventType.trimmingBlanks.lowercased()
        conditions = rule.conditions.map(CompiledCondition.init)
        points = rule.points
        cap = rule.cap
    }
}

struct CompiledFrequencyRule: Sendable {
    let id: String
    let eventType: String
    let conditions: [CompiledCondition]
    let count: Int
    /// The window's length in seconds.
    let window: Double
    let points: Int

    init(_ rule: FrequencyRule) {
        id = rule.id
        eventType = rule.eventType.trimmingBlanks.lowercased()
        conditions = rule.conditions.map(CompiledCondition.init)
        count = rule.count
        window = Double(rule.days) * CompiledLeadDefinition.secondsPerDay
        points = rule.points
    }
}
