/// The workspace's shared definition of a lead, as marketing and sales signed it: how profile
/// and behaviour turn into a fit score and an engagement score, when the two make a contact an
/// MQL, and what sales must record to make it an SQL.
///
/// One definition is active per workspace at a time; each change is a new `version`, drafted,
/// approved by both teams and activated (see ``LeadDefinitionVersion``). Every ledger line
/// names the version that wrote it. Check a definition with ``check(knownFields:)`` before
/// saving it, and compile it (``CompiledLeadDefinition``) before scoring with it.
///
/// Points are whole numbers. Engagement decays with a half-life in days; fit does not decay.
public struct LeadDefinition: Sendable, Equatable, Hashable {
    /// 1, 2, 3... in the order versions were created in the workspace.
    public var version: Int
    public var fitRules: [FitRule]
    public var engagementRules: [EngagementRule]
    public var frequencyRules: [FrequencyRule]
    /// Days for engagement points to lose half their value; nil keeps them at full value.
    public var halfLifeDays: Double?
    public var mql: MQLRule
    public var sqlCriteria: [SQLCriterion]

    public init(
        version: Int, fitRules: [FitRule] = [], engagementRules: [EngagementRule] = [], frequencyRules: [FrequencyRule] = [],
        halfLifeDays: Double? = nil, mql: MQLRule, sqlCriteria: [SQLCriterion] = []
    ) {
        self.version = version
        self.fitRules = fitRules
        self.engagementRules = engagementRules
        self.frequencyRules = frequencyRules
        self.halfLifeDays = halfLifeDays
        self.mql = mql
        self.sqlCriteria = sqlCriteria
    }
}

extension LeadDefinition: Codable {
    enum CodingKeys: String, CodingKey {
        case version
        case fitRules = "fit_rules"
        case engagementRules = "engagement_rules"
        case frequencyRules = "frequency_rules"
        case halfLifeDays = "half_life_days"
        case mql
        case sqlCriteria = "sql_criteria"
    }

    /// Rule lists may be left out of the JSON (none); `version` and `mql` are required.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        fitRules = try container.decodeIfPresent([FitRule].self, forKey: .fitRules) ?? []
        engagementRules = try container.decodeIfPresent([EngagementRule].self, forKey: .engagementRules) ?? []
        frequencyRules = try container.decodeIfPresent([FrequencyRule].self, forKey: .frequencyRules) ?? []
        halfLifeDays = try container.decodeIfPresent(Double.self, forKey: .halfLifeDays)
        mql = try container.decode(MQLRule.self, forKey: .mql)
        sqlCriteria = try container.decodeIfPresent([SQLCriterion].self, forKey: .sqlCriteria) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(fitRules, forKey: .fitRules)
        try container.encode(engagementRules, forKey: .engagementRules)
        try container.encode(frequencyRules, forKey: .frequencyRules)
        try container.encodeIfPresent(halfLifeDays, forKey: .halfLifeDays)
        try container.encode(mql, forKey: .mql)
        try container.encode(sqlCriteria, forKey: .sqlCriteria)
    }
}

/// The bounds a lead definition must stay within: beyond them a value is a typing mistake or
/// would make scores meaningless.
public enum ScoringLimits {
    /// Points of one rule.
    public static let points = -1000...1000
    /// Rules of each kind (fit, engagement, frequency) and SQL criteria.
    public static let rulesPerKind = 200
    /// Texts in one `one_of` or `contains` list.
    public static let valuesPerList = 100
    /// Conditions of one engagement or frequency rule.
    public static let conditionsPerRule = 10
    /// Characters of one text to compare, of a rule id, of a property name and of an event type.
    public static let textMaximumLength = 200
    public static let idMaximumLength = 60
    /// Range bounds, in the field's unit.
    public static let rangeBound = -1e12...1e12
    /// Points a cap allows per period.
    public static let capPoints = 1...100_000
    /// Events a frequency rule counts.
    public static let frequencyCount = 2...1000
    /// Days of a frequency window.
    public static let frequencyDays = 1...365
    /// Days of the half-life; 0 is refused (it would erase engagement at once).
    public static let halfLifeDays = 0.0...3650.0
    /// Fit points of an MQL threshold or a grade threshold.
    public static let fitThreshold = -100_000...100_000
    /// Engagement points of an MQL threshold or a level threshold.
    public static let engagementThreshold = 0.0...1_000_000.0
}
