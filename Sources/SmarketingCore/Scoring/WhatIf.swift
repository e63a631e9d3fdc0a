import Foundation

/// A contact's fit and engagement points at one moment.
public struct ScoreSnapshot: Sendable, Equatable, Hashable, Codable {
    public var fit: Int
    /// Decayed to the moment of the snapshot.
    public var engagement: Double

    public init(fit: Int, engagement: Double) {
        self.fit = fit
        self.engagement = engagement
    }

    public var total: Double { Double(fit) + engagement }
}

/// A contact as the what-if sees it: where it is in the funnel and its scores under the active
/// definition (`before`) and under the draft (`after`).
public struct WhatIfContact: Sendable, Equatable {
    public var id: UUID
    public var stage: LifecycleStage
    public var before: ScoreSnapshot
    public var after: ScoreSnapshot

    public init(id: UUID, stage: LifecycleStage, before: ScoreSnapshot, after: ScoreSnapshot) {
        self.id = id
        self.stage = stage
        self.before = before
        self.after = after
    }
}

/// A contact's profile and event history, to score under both definitions.
public struct ContactHistory: Sendable, Equatable {
    public var id: UUID
    public var stage: LifecycleStage
    public var profile: ScoringProfile
    public var events: [ScoringEvent]

    public init(id: UUID, stage: LifecycleStage, profile: ScoringProfile, events: [ScoringEvent]) {
        self.id = id
        self.stage = stage
        self.profile = profile
        self.events = events
    }
}

/// A contact whose MQL standing the draft would change.
public struct WhatIfChange: Sendable, Equatable, Codable {
    /// What activating the draft would change for the contact.
    public enum Effect: String, Sendable, Codable {
        /// Would be promoted to MQL when the draft becomes active.
        case entersMQL = "enters_mql"
        /// An MQL that would no longer qualify (it stays an MQL: scoring never demotes).
        case leavesMQL = "leaves_mql"
    }

    public var contactID: UUID
    public var stage: LifecycleStage
    public var before: ScoreSnapshot
    public var after: ScoreSnapshot
    public var effect: Effect
}

/// What activating a draft would do, before anyone activates it.
public struct WhatIfReport: Sendable, Equatable, Codable {
    /// Contacts compared.
    public var contacts: Int
    /// Contacts the draft would promote to MQL: at a stage scoring promotes (subscriber, lead,
    /// recycled), qualifying under the draft and not under the active definition.
    public var entering: Int
    /// MQLs (stage `mql`) that qualify under the active definition and would not under the draft.
    public var leaving: Int
    /// Total scores (fit + engagement) under the active definition and under the draft.
    public var before: ScoreHistogram
    public var after: ScoreHistogram
    /// The changed contacts with the largest change of total score first, at most the limit
    /// asked for; `entering + leaving` says how many there are in all.
    public var changes: [WhatIfChange]
}

/// Compares two definitions over a workspace's contacts, one contact at a time, so the store can
/// stream millions of them through it.
public struct WhatIf: Sendable {
    public let old: CompiledLeadDefinition
    public let new: CompiledLeadDefinition
    /// The most changes the report lists.
    public let limit: Int
    public private(set) var report: WhatIfReport

    public init(old: CompiledLeadDefinition, new: CompiledLeadDefinition, limit: Int = 100) {
        self.old = old
        self.new = new
        self.limit = max(0, limit)
        self.report = WhatIfReport(contacts: 0, entering: 0, leaving: 0, before: ScoreHistogram(), after: ScoreHistogram(), changes: [])
    }

    /// Adds a contact whose scores under both definitions are known.
    public mutating func add(_ contact: WhatIfContact) {
        report.contacts += 1
        report.before.add(contact.before.total)
        report.after.add(contact.after.total)
        let wasMQL = old.isMQL(fit: contact.before.fit, engagement: contact.before.engagement)
        let willBeMQL = new.isMQL(fit: contact.after.fit, engagement: contact.after.engagement)
        let effect: WhatIfChange.Effect
        if willBeMQL, !wasMQL, CompiledLeadDefinition.stagesPromotedAutomatically.contains(contact.stage) {
            effect = .entersMQL
            report.entering += 1
        } else if wasMQL, !willBeMQL, contact.stage == .mql {
            effect = .leavesMQL
            report.leaving += 1
        } else {
            return
        }
        keep(WhatIfChange(contactID: contact.id, stage: contact.stage, before: contact.before, after: contact.after, effect: effect))
    }

    /// Scores a contact's history under both definitions at `now`, then adds it.
    public mutating func add(_ history: ContactHistory, now: Date) {
        let before = old.rescore(profile: history.profile, events: history.events, now: now)
        let after = new.rescore(profile: history.profile, events: history.events, now: now)
        add(WhatIfContact(
            id: history.id, stage: history.stage,
            before: ScoreSnapshot(fit: before.fit, engagement: before.engagement),
            after: ScoreSnapshot(fit: after.fit, engagement: after.engagement)
        ))
    }

    /// The whole comparison in one call.
    public static func compare(
        old: CompiledLeadDefinition, new: CompiledLeadDefinition, contacts: some Sequence<WhatIfContact>, limit: Int = 100
    ) -> WhatIfReport {
        var whatIf = WhatIf(old: old, new: new, limit: limit)
        for contact in contacts { whatIf.add(contact) }
        return whatIf.report
    }

    /// The whole comparison from profiles and histories, scored at `now`.
    public static func compare(
        old: CompiledLeadDefinition, new: CompiledLeadDefinition, histories: some Sequence<ContactHistory>, now: Date, limit: Int = 100
    ) -> WhatIfReport {
        var whatIf = WhatIf(old: old, new: new, limit: limit)
        for history in histories { whatIf.add(history, now: now) }
        return whatIf.report
    }

    /// Keeps the `limit` largest changes; among equal changes, the first added.
    private mutating func keep(_ change: WhatIfChange) {
        guard limit > 0 else { return }
        let size = Self.size(of: change)
        if report.changes.count == limit, let last = report.changes.last, Self.size(of: last) >= size { return }
        var index = report.changes.count
        while index > 0, Self.size(of: report.changes[index - 1]) < size { index -= 1 }
        report.changes.insert(change, at: index)
        if report.changes.count > limit { report.changes.removeLast() }
    }

    private static func size(of change: WhatIfChange) -> Double {
        abs(change.after.total - change.before.total)
    }
}
