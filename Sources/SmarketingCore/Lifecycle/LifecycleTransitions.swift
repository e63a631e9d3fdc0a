/// The moves a contact may make between lifecycle stages, so that the funnel's history stays
/// readable: forward along the funnel (stages may be skipped), out of it by disqualifying, and
/// back only by recycling to nurture. Disqualifying and recycling need a reason.
///
///     subscriber → lead → MQL → SAL → SQL → opportunity → customer
///          any open stage ──→ disqualified (reason)
///     MQL … customer, disqualified ──→ recycled (reason) ──→ lead, MQL … (forward again)
public enum LifecycleTransitions {
    /// The funnel's stages in order; disqualified and recycled stand beside it.
    public static let funnel: [LifecycleStage] = [.subscriber, .lead, .mql, .sal, .sql, .opportunity, .customer]

    /// Stages whose moves need a reason.
    public static let needingReason: Set<LifecycleStage> = [.disqualified, .recycled]

    /// The longest reason kept, in characters.
    public static let reasonLimit = 500

    /// Where a contact in `stage` may go next, in the funnel's order then disqualified and recycled.
    public static func allowed(from stage: LifecycleStage) -> [LifecycleStage] {
        switch stage {
        case .customer:
            return [.recycled]
        case .disqualified:
            return [.recycled]
        case .recycled:
            return Array(funnel.dropFirst()) + [.disqualified]
        default:
            guard let position = funnel.firstIndex(of: stage) else { return [] }
            var next = Array(funnel[(position + 1)...])
            next.append(.disqualified)
            // Recycling sends back to nurture what marketing once handed over.
            if position >= funnel.firstIndex(of: .mql)! { next.append(.recycled) }
            return next
        }
    }

    public static func isAllowed(from: LifecycleStage, to: LifecycleStage) -> Bool {
        from == to || allowed(from: from).contains(to)
    }

    /// Checks a move and its reason, or throws every problem at once: `lifecycle_stage` when the
    /// move is not allowed (``LifecycleTransitionRefusal`` carries the allowed stages), `reason`
    /// when one is needed and missing, or too long. Returns the trimmed reason (nil if none).
    public static func check(from: LifecycleStage, to: LifecycleStage, reason: String?) throws(LifecycleTransitionRefusal) -> String? {
        var checker = FieldChecker()
        if !isAllowed(from: from, to: to) { checker.add("lifecycle_stage", .notInList) }
        let reason = checker.text("reason", reason, required: from != to && needingReason.contains(to), maximum: reasonLimit)
        guard checker.errors.isEmpty else {
            throw LifecycleTransitionRefusal(from: from, to: to, allowed: allowed(from: from), failure: ValidationFailure(checker.errors))
        }
        return reason
    }
}

/// A stage move that was refused: what was asked, what is allowed from where the contact is,
/// and the fields at fault.
public struct LifecycleTransitionRefusal: Error, Sendable, Equatable {
    public var from: LifecycleStage
    public var to: LifecycleStage
    public var allowed: [LifecycleStage]
    public var failure: ValidationFailure

    public init(from: LifecycleStage, to: LifecycleStage, allowed: [LifecycleStage], failure: ValidationFailure) {
        self.from = from
        self.to = to
        self.allowed = allowed
        self.failure = failure
    }
}
