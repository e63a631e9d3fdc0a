import Foundation

/// What ``CompiledLeadDefinition/fit(_:at:)`` finds for a profile.
public struct FitScore: Sendable, Equatable {
    public var points: Int
    /// One line per rule that holds.
    public var entries: [ScoreEntry]
}

/// A contact's score worked out from scratch (see ``CompiledLeadDefinition/rescore(profile:events:now:)``).
public struct ScoreResult: Sendable, Equatable {
    public var state: ScoreState
    /// Engagement and frequency lines in event order, then the fit lines (dated `now`).
    public var ledger: [ScoreEntry]
    public var fit: Int
    /// Engagement points decayed to `now`.
    public var engagement: Double
    /// `fit + engagement`.
    public var total: Double
    public var mql: MQLEvaluation
}

extension CompiledLeadDefinition {
    // MARK: Fit

    /// The fit rules that hold for `profile`, each as a ledger line dated `time`.
    public func fit(_ profile: ScoringProfile, at time: Date) -> FitScore {
        var points = 0
        var entries: [ScoreEntry] = []
        for rule in fitRules {
            let value = profile[rule.field]
            guard rule.match.matches(value) else { continue }
            points += rule.points
            entries.append(ScoreEntry(
                ruleID: rule.id, kind: .fit, points: rule.points, cause: .field(name: rule.field, value: value),
                time: time, definitionVersion: version
            ))
        }
        return FitScore(points: points, entries: entries)
    }

    /// Brings the fit part of `state` up to date with `profile` after a field changed (or when a
    /// contact is first scored), appending one ledger line per rule that started holding (its
    /// points) or stopped holding (the opposite points, with the field's new value). Rules that
    /// still hold write nothing, so the fit lines of a ledger always add up to the fit score.
    public func refit(_ state: inout ScoreState, profile: ScoringProfile, at time: Date, ledger: inout [ScoreEntry]) throws(ScoringError) {
        guard owns(state) else { throw .stateFromOtherDefinition(stateVersion: state.definitionVersion, definitionVersion: version) }
        for (index, rule) in fitRules.enumerated() {
            let value = profile[rule.field]
            let awarded = rule.match.matches(value) ? rule.points : 0
            let change = awarded - state.fitAwards[index]
            guard change != 0 else { continue }
            state.fitAwards[index] = awarded
            state.fit += change
            ledger.append(ScoreEntry(
                ruleID: rule.id, kind: .fit, points: change, cause: .field(name: rule.field, value: value),
                time: time, definitionVersion: version
            ))
        }
    }

    // MARK: Events

    /// Applies one event to `state`, appending a ledger line for each rule that gave points.
    ///
    /// Every engagement rule of the event's type whose conditions all hold fires, within its cap;
    /// every frequency rule of the type counts the event and fires when its statement becomes
    /// true (see ``FrequencyRule``). The engagement value is first decayed from the state's as-of
    /// time to the event's, then the points are added, and the as-of time becomes the event's.
    /// An event no rule matches leaves the state as it was.
    ///
    /// Events must come in time order: one earlier than the state's as-of time throws
    /// ``ScoringError/eventBeforeState(event:asOf:)`` and changes nothing (re-score the history
    /// with ``replay(_:)``, as identification does when it attaches a visitor's earlier events).
    /// Events at the same instant may come in any order; ``replay(_:)`` sorts them by id.
    public func apply(_ event: ScoringEvent, to state: inout ScoreState, ledger: inout [ScoreEntry]) throws(ScoringError) {
        guard owns(state) else { throw .stateFromOtherDefinition(stateVersion: state.definitionVersion, definitionVersion: version) }
        let time = event.time.timeIntervalSince1970
        guard time.isFinite else { throw .eventTimeNotFinite }
        if let asOf = state.asOfSeconds, time < asOf {
            throw .eventBeforeState(event: event.time, asOf: Date(timeIntervalSince1970: asOf))
        }
        guard let rules = rulesByType[event.type] else { return }
        var added = 0
        var matched = false
        for index in rules.engagement {
            let rule = engagementRules[index]
            guard rule.conditions.allMatch(event.properties) else { continue }
            matched = true
            var awarded = rule.points
            if let cap = rule.cap {
                let period = Self.period(of: time, per: cap.per)
                if state.caps[index].period != period { state.caps[index] = CapUsage(period: period, used: 0) }
                let allowed = min(abs(rule.points), max(0, cap.points - state.caps[index].used))
                state.caps[index].used += allowed
                awarded = rule.points < 0 ? -allowed : allowed
            }
            guard awarded != 0 else { continue }
            added += awarded
            ledger.append(ScoreEntry(
                ruleID: rule.id, kind: .engagement, points: awarded, cause: .event(id: event.id, type: event.type),
                time: event.time, definitionVersion: version, requestedPoints: awarded == rule.points ? nil : rule.points
            ))
        }
        for index in rules.frequency {
            let rule = frequencyRules[index]
            guard rule.conditions.allMatch(event.properties) else { continue }
            matched = true
            guard state.windows[index].record(time, count: rule.count, window: rule.window) else { continue }
            added += rule.points
            ledger.append(ScoreEntry(
                ruleID: rule.id, kind: .frequency, points: rule.points, cause: .event(id: event.id, type: event.type),
                time: event.time, definitionVersion: version
            ))
        }
        guard matched else { return }
        state.engagementValue = decayed(state.engagementValue, from: state.asOfSeconds, to: time) + Double(added)
        state.asOfSeconds = time
    }

    /// ``apply(_:to:ledger:)`` for callers that prefer values to `inout`.
    public func applying(_ event: ScoringEvent, to state: ScoreState) throws(ScoringError) -> (state: ScoreState, entries: [ScoreEntry]) {
        var next = state
        var entries: [ScoreEntry] = []
        try apply(event, to: &next, ledger: &entries)
        return (next, entries)
    }

    /// Scores a history from scratch, as if its events had arrived one by one in time order
    /// (ties by id, see ``ScoringEvent/historyOrder(_:_:)``): the same state and ledger as
    /// applying them so with ``apply(_:to:ledger:)``. Events with a time that is not finite are
    /// skipped. The state has no fit points: see ``rescore(profile:events:now:)``.
    public func replay(_ events: some Sequence<ScoringEvent>) -> (state: ScoreState, entries: [ScoreEntry]) {
        var state = newState()
        var entries: [ScoreEntry] = []
        var ordered = Array(events)
        // Histories come from the store already in this order: sorting is only checked.
        if zip(ordered, ordered.dropFirst()).contains(where: { ScoringEvent.historyOrder($1, $0) }) { ordered.sort(by: ScoringEvent.historyOrder) }
        for event in ordered {
            do {
                try apply(event, to: &state, ledger: &entries)
            } catch {
                continue
            }
        }
        return (state, entries)
    }

    /// A contact's whole score under this definition, from its profile and its event history:
    /// what bulk re-scoring writes after a definition becomes active.
    public func rescore(profile: ScoringProfile, events: some Sequence<ScoringEvent>, now: Date) -> ScoreResult {
        var (state, ledger) = replay(events)
        do {
            try refit(&state, profile: profile, at: now, ledger: &ledger)
        } catch {
            // A state from `newState()` is always this definition's.
        }
        let engagement = engagement(of: state, at: now)
        return ScoreResult(
            state: state, ledger: ledger, fit: state.fit, engagement: engagement, total: Double(state.fit) + engagement,
            mql: definition.mql.evaluate(fit: state.fit, engagement: engagement)
        )
    }

    // MARK: Reading scores

    /// Engagement points of `state` at `now`: the value at its as-of time decayed to `now`. A
    /// `now` before the as-of time reads the value at the as-of time (no growth backwards).
    public func engagement(of state: ScoreState, at now: Date) -> Double {
        decayed(state.engagementValue, from: state.asOfSeconds, to: now.timeIntervalSince1970)
    }

    /// Fit plus engagement at `now`.
    public func total(of state: ScoreState, at now: Date) -> Double {
        Double(state.fit) + engagement(of: state, at: now)
    }

    /// The MQL rule's answer for `state` at `now`.
    public func evaluate(_ state: ScoreState, at now: Date) -> MQLEvaluation {
        definition.mql.evaluate(fit: state.fit, engagement: engagement(of: state, at: now))
    }

    /// What a ledger adds up to at `now`: fit lines at face value, engagement and frequency
    /// lines each decayed from its own time to `now`. For the ledger of a state (every line its
    /// refits and events wrote) and any `now` at or after the state's as-of time, this equals
    /// ``total(of:at:)``.
    public func ledgerTotal(_ entries: some Sequence<ScoreEntry>, at now: Date) -> Double {
        let end = now.timeIntervalSince1970
        var total = 0.0
        for entry in entries {
            total += entry.decays
                ? decayed(Double(entry.points), from: entry.time.timeIntervalSince1970, to: end)
                : Double(entry.points)
        }
        return total
    }

    // MARK: Comparing decayed engagement in a query

    /// The order key of a stored engagement `value` (as of `asOf`): `ln |value| + rate x asOf`,
    /// nil for no points. Decay multiplies every engagement by the same factor per second, so at
    /// any moment `now` the magnitude of the decayed value is `exp(key - rate x now)`: comparing
    /// keys with ``engagementKeyBound(_:at:)`` compares decayed engagement without computing it
    /// for every contact (a database index can do it, and SQL needs no `exp`).
    public func engagementKey(value: Double, asOf: Date?) -> Double? {
        guard value != 0, value.isFinite else { return nil }
        return log(abs(value)) + decayPerSecond * (asOf?.timeIntervalSince1970 ?? 0)
    }

    /// The key an engagement of magnitude `|points|` has at `now`; nil for 0 points. A stored
    /// engagement of the same sign is at least `|points|` at `now` exactly when its key is at
    /// least this bound.
    public func engagementKeyBound(_ points: Double, at now: Date) -> Double? {
        guard points != 0, points.isFinite else { return nil }
        return log(abs(points)) + decayPerSecond * now.timeIntervalSince1970
    }

    /// What a stored engagement (its value for the sign, its key for the magnitude) must meet
    /// to be at least `points` once decayed to `now`.
    public func engagement(atLeast points: Double, at now: Date) -> DecayedEngagementCondition {
        guard let bound = engagementKeyBound(points, at: now) else { return .nonNegative }
        return points > 0 ? .positiveWithKeyAtLeast(bound) : .nonNegativeOrKeyAtMost(bound)
    }

    /// What a stored engagement must meet to be at most `points` once decayed to `now`.
    public func engagement(atMost points: Double, at now: Date) -> DecayedEngagementCondition {
        guard let bound = engagementKeyBound(points, at: now) else { return .nonPositive }
        return points > 0 ? .nonPositiveOrKeyAtMost(bound) : .negativeWithKeyAtLeast(bound)
    }

    /// `value x exp(-ln 2 / half-life x (to - from))`, unchanged when `to` is not after `from`.
    func decayed(_ value: Double, from: Double?, to: Double) -> Double {
        guard decayPerSecond > 0, let from, to > from, value != 0 else { return value }
        return value * exp(-decayPerSecond * (to - from))
    }

    /// The number of the UTC calendar day (days since 1970-01-01) or week (weeks since the Monday
    /// 1969-12-29, so weeks start on Mondays) holding `time`.
    static func period(of time: Double, per: CapPeriod) -> Int64 {
        let days = (time / secondsPerDay).rounded(.down)
        let number: Double
        switch per {
        case .day: number = days
        case .week: number = ((days + 3) / 7).rounded(.down)
        }
        guard number.isFinite, abs(number) < 1e15 else { return number < 0 ? Int64.min + 1 : Int64.max }
        return Int64(number)
    }
}

extension FrequencyWindow {
    /// Counts a matching event at `time` and says whether the rule fires: its statement ("`count`
    /// events within `window` seconds") has just become true. While it stays true, it does not
    /// fire again.
    mutating func record(_ time: Double, count: Int, window: Double) -> Bool {
        let wasTrue = holdsUntil.map { time < $0 } ?? false
        let needed = count - 1
        // The count-th most recent matching event, this one included.
        var oldest: Double?
        if needed <= 0 {
            oldest = time
        } else if filled >= needed {
            oldest = recent[next]
        }
        var fires = false
        if let oldest, time - oldest < window {
            fires = !wasTrue
            holdsUntil = oldest + window
        }
        if needed > 0 {
            recent[next] = time
            next = (next + 1) % recent.count
            filled = Swift.min(filled + 1, recent.count)
        }
        return fires
    }
}
