import Foundation

/// The MQL rule's answer for a pair of scores.
public struct MQLEvaluation: Sendable, Equatable, Hashable {
    public var isMQL: Bool
    /// The fit grade and engagement level, for a grid rule; nil for a thresholds rule.
    public var cell: MQLCell?

    public init(isMQL: Bool, cell: MQLCell? = nil) {
        self.isMQL = isMQL
        self.cell = cell
    }

    public var grade: FitGrade? { cell?.grade }
    public var level: EngagementLevel? { cell?.level }
}

extension MQLRule {
    /// Whether fit points `fit` and engagement points `engagement` (decayed to the moment of
    /// the decision) make an MQL, and for a grid, in which cell they fall.
    public func evaluate(fit: Int, engagement: Double) -> MQLEvaluation {
        switch self {
        case .thresholds(let fitThreshold, let engagementThreshold):
            return MQLEvaluation(isMQL: fit >= fitThreshold && engagement >= engagementThreshold)
        case .grid(let grid):
            let cell = MQLCell(grid.grade(fit: fit), grid.level(engagement: engagement))
            return MQLEvaluation(isMQL: grid.cells.contains(cell), cell: cell)
        }
    }

    public func isMQL(fit: Int, engagement: Double) -> Bool {
        evaluate(fit: fit, engagement: engagement).isMQL
    }
}

/// What scoring asks of a contact's lifecycle stage.
public enum StageDecision: Sendable, Equatable {
    /// Move the contact to MQL, recording `cause` with the stage change.
    case becomeMQL(cause: MQLCause)
    /// Leave the stage as it is.
    case unchanged
}

/// Why a contact became an MQL: the version, the scores and the part of the rule they met.
public struct MQLCause: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var definitionVersion: Int
    public var fit: Int
    public var engagement: Double
    public var rule: MQLRule
    /// The grid cell the scores fell in, for a grid rule.
    public var cell: MQLCell?

    /// A sentence for the stage history and the audit log (in English; pages word it from the
    /// fields): "fit 45 >= 40 and engagement 31.2 >= 30 under lead definition v3".
    public var description: String {
        let scores: String
        switch rule {
        case .thresholds(let fitThreshold, let engagementThreshold):
            scores = "fit \(fit) >= \(fitThreshold) and engagement \(Self.text(engagement)) >= \(Self.text(engagementThreshold))"
        case .grid:
            scores = "cell \(cell?.description ?? "?") (fit \(fit), engagement \(Self.text(engagement)))"
        }
        return scores + " under lead definition v\(definitionVersion)"
    }

    /// One decimal, no trailing `.0`.
    static func text(_ value: Double) -> String {
        NumberText.format((value * 10).rounded() / 10)
    }
}

extension CompiledLeadDefinition {
    /// The stages scoring may move to MQL on its own: a contact marketing is still nurturing.
    public static let stagesPromotedAutomatically: Set<LifecycleStage> = [.subscriber, .lead, .recycled]

    /// Whether a contact at `stage` with these scores should become an MQL now.
    ///
    /// Only subscribers, leads and recycled contacts are promoted automatically. Scoring never
    /// moves a contact back: an MQL whose score falls stays an MQL (sales rejects or recycles it
    /// with a reason), and later stages (SAL, SQL, opportunity, customer) and disqualified
    /// contacts are never changed by scores.
    public func stageDecision(for stage: LifecycleStage, fit: Int, engagement: Double) -> StageDecision {
        guard Self.stagesPromotedAutomatically.contains(stage) else { return .unchanged }
        let evaluation = definition.mql.evaluate(fit: fit, engagement: engagement)
        guard evaluation.isMQL else { return .unchanged }
        return .becomeMQL(cause: MQLCause(
            definitionVersion: version, fit: fit, engagement: engagement, rule: definition.mql, cell: evaluation.cell
        ))
    }

    /// ``stageDecision(for:fit:engagement:)`` for a state read at `now`.
    public func stageDecision(for stage: LifecycleStage, state: ScoreState, at now: Date) -> StageDecision {
        stageDecision(for: stage, fit: state.fit, engagement: engagement(of: state, at: now))
    }

    /// Whether these scores make an MQL under this definition.
    public func isMQL(fit: Int, engagement: Double) -> Bool {
        definition.mql.isMQL(fit: fit, engagement: engagement)
    }
}
