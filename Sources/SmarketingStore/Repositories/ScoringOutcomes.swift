import FluentKit
import Foundation
import SmarketingCore
import SQLKit

/// The recorded outcome scores are judged against: a contact custom field (an imported column
/// such as `y`) and the values of it that mean "converted", plus the fields the predictive model
/// must not learn from (a column only known after the outcome, such as a call's duration).
public struct OutcomeChoice: Sendable, Equatable {
    /// The custom field's key (`y`), or nil while none is chosen.
    public var field: String?
    /// Compared ignoring case (`yes`).
    public var positiveValues: [String]
    /// Profile field names (`cf_duration`).
    public var excludedFields: [String]

    public init(field: String?, positiveValues: [String], excludedFields: [String]) {
        self.field = field
        self.positiveValues = positiveValues
        self.excludedFields = excludedFields
    }

    /// Whether a stored value is one of the positive ones: the same text ignoring case, or the
    /// same yes/no (a yes/no field stores `true`, the user may write `yes` or `sim`).
    public func converted(_ value: String) -> Bool {
        let answer = BooleanText.parse(value)
        return positiveValues.contains { positive in
            positive.trimmingBlanks.lowercased() == value.trimmingBlanks.lowercased()
                || (answer != nil && BooleanText.parse(positive) == answer)
        }
    }
}

/// A predictive model's proposal: how well it ranks contacts in cross-validation, and the fit
/// rules that carry its weights, for a person to accept into the draft.
public struct ModelSuggestion: Sendable, Equatable, Codable {
    public var rows: Int
    public var conversions: Int
    public var foldAUCs: [Double]
    public var meanAUC: Double
    public var rules: [FitRule]
}

/// Reads and samples recorded outcomes for score quality and the predictive model.
public struct ScoringOutcomes: Sendable {
    let db: any Database
    public let workspaceID: UUID

    /// At most this many contacts with an outcome are read for one report.
    public static let sampleLimit = 20_000

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    public func choice() async throws -> OutcomeChoice {
        guard let row = try await ScoringSettingsRow.query(on: db).filter(\.$workspaceID == workspaceID).first() else {
            return OutcomeChoice(field: nil, positiveValues: [], excludedFields: [])
        }
        return OutcomeChoice(field: row.outcomeField, positiveValues: Self.split(row.outcomeValues), excludedFields: Self.split(row.excludedFields))
    }

    public func save(_ choice: OutcomeChoice, now: Date) async throws {
        let row = try await ScoringSettingsRow.query(on: db).filter(\.$workspaceID == workspaceID).first() ?? ScoringSettingsRow()
        if row.id == nil {
            row.id = UUID()
            row.workspaceID = workspaceID
        }
        row.outcomeField = choice.field
        row.outcomeValues = choice.positiveValues.joined(separator: "\n")
        row.excludedFields = choice.excludedFields.joined(separator: "\n")
        row.updatedAt = now
        try await row.save(on: db)
    }

    /// Contacts that have a value in the outcome field, with everything the engine reads and
    /// whether they converted; at most ``sampleLimit``, in id order.
    public func sample(_ choice: OutcomeChoice, today: CalendarDay) async throws -> [(history: ContactHistory, converted: Bool)] {
        guard let key = choice.field,
              let field = try await CustomFieldRepository(db, workspaceID: workspaceID).list(.contact).first(where: { $0.key == key }),
              let sql = db as? any SQLDatabase
        else { return [] }
        let fields = try await CustomFieldRepository(db, workspaceID: workspaceID).list()
        let scoring = BulkScoring(db, workspaceID: workspaceID)
        var result: [(ContactHistory, Bool)] = []
        var after: UUID?
        while result.count < Self.sampleLimit {
            let select = sql.select().column("record_id").column("text_value").from(CustomFieldValueRow.schema)
                .where("workspace_id", .equal, SQLBind(workspaceID)).where("field_id", .equal, SQLBind(field.id))
                .orderBy("record_id").limit(min(1000, Self.sampleLimit - result.count))
            if let after { select.where("record_id", .greaterThan, SQLBind(after)) }
            let rows = try await select.all()
            guard !rows.isEmpty else { break }
            var outcomes: [UUID: Bool] = [:]
            for row in rows {
                outcomes[try row.decode(column: "record_id", as: UUID.self)] = choice.converted(try row.decode(column: "text_value", as: String.self))
            }
            after = try rows.last?.decode(column: "record_id", as: UUID.self)
            for history in try await scoring.histories(ids: Array(outcomes.keys), fields: fields, today: today) {
                if let converted = outcomes[history.id] { result.append((history, converted)) }
            }
        }
        return result.sorted { $0.0.id.uuidString < $1.0.id.uuidString }
    }

    /// Score quality of a definition over the sample: each contact scored from its profile and
    /// events at `now`.
    public static func quality(of definition: CompiledLeadDefinition, sample: [(history: ContactHistory, converted: Bool)], now: Date) -> ScoreQuality {
        ScoreQuality(sample.map { item in
            (score: definition.rescore(profile: item.history.profile, events: item.history.events, now: now).total, converted: item.converted)
        })
    }

    /// Trains the predictive model over the sample (the outcome field and the excluded ones left
    /// out) and turns it into suggested fit rules; 5-fold cross-validation says how well it ranks.
    public static func suggest(from sample: [(history: ContactHistory, converted: Bool)], choice: OutcomeChoice, seed: UInt64 = 42) throws -> ModelSuggestion {
        let profiles = sample.map(\.history.profile)
        let outcomes = sample.map(\.converted)
        var excluded = Set(choice.excludedFields)
        if let field = choice.field { excluded.insert(CustomFieldDefinition.fieldNamePrefix + field) }
        var options = LogisticModel.Options()
        options.encoding.excludedFields = excluded
        let validation = try LogisticModel.crossValidate(profiles: profiles, outcomes: outcomes, folds: 5, seed: seed, options: options)
        let model = try LogisticModel.train(profiles: profiles, outcomes: outcomes, options: options)
        return ModelSuggestion(rows: sample.count, conversions: outcomes.filter { $0 }.count, foldAUCs: validation.foldAUCs,
                               meanAUC: validation.meanAUC, rules: model.suggestedFitRules())
    }

    static func split(_ text: String) -> [String] {
        text.split(separator: "\n").map { String($0).trimmingBlanks }.filter { !$0.isEmpty }
    }
}
