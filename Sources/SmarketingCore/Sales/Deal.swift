import Foundation

/// Where a deal stands. The open stages come first, in the order deals move through them; won
/// and lost close the deal.
public enum DealStage: String, Sendable, Codable, CaseIterable, Hashable {
    case qualification, proposal, negotiation, won, lost

    public var isOpen: Bool { self != .won && self != .lost }
    public static let open: [DealStage] = allCases.filter(\.isOpen)
}

/// Why a deal was lost, from the list both teams report on.
public enum LostReason: String, Sendable, Codable, CaseIterable, Hashable {
    case price
    case competitor
    case noBudget = "no_budget"
    case noDecision = "no_decision"
    case timing
    case productFit = "product_fit"
    case unresponsive
    case other
}

/// An opportunity: what a contact may buy, for how much, by when, and how it ended.
public struct Deal: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var contactID: UUID
    public var name: String
    public var amount: Money
    public var stage: DealStage
    public var expectedCloseDate: CalendarDay
    public var lostReason: LostReason?
    public var lostNote: String?
    public var ownerID: UUID?
    /// When it was won or lost, and by whom; nil while open.
    public var closedAt: Date?
    public var closedBy: AuditActor?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, contactID: UUID, name: String, amount: Money, stage: DealStage, expectedCloseDate: CalendarDay,
                lostReason: LostReason?, lostNote: String?, ownerID: UUID?, closedAt: Date?, closedBy: AuditActor?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.contactID = contactID
        self.name = name
        self.amount = amount
        self.stage = stage
        self.expectedCloseDate = expectedCloseDate
        self.lostReason = lostReason
        self.lostNote = lostNote
        self.ownerID = ownerID
        self.closedAt = closedAt
        self.closedBy = closedBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var isOpen: Bool { stage.isOpen }

    /// A new deal from checked input, closed at once when it starts won or lost.
    public static func opened(_ input: DealInput, id: UUID, contactID: UUID, ownerID: UUID?, by actor: AuditActor, now: Date) -> Deal {
        let closing = DealInput.closing(from: nil, to: input.stage, closedAt: nil, closedBy: nil, by: actor, now: now)
        return Deal(id: id, contactID: contactID, name: input.name, amount: input.amount, stage: input.stage,
                    expectedCloseDate: input.expectedCloseDate, lostReason: input.stage == .lost ? input.lostReason : nil,
                    lostNote: input.stage == .lost ? input.lostNote : nil, ownerID: ownerID,
                    closedAt: closing.at, closedBy: closing.by, createdAt: now, updatedAt: now)
    }

    /// The deal after an edit: moving to won or lost closes it now (time and actor), reopening
    /// clears the close, staying closed keeps the first close; a lost reason only on a lost deal.
    public func applying(_ input: DealInput, ownerID: UUID?, by actor: AuditActor, now: Date) -> Deal {
        var next = self
        next.name = input.name
        next.amount = input.amount
        next.stage = input.stage
        next.expectedCloseDate = input.expectedCloseDate
        next.lostReason = input.stage == .lost ? input.lostReason : nil
        next.lostNote = input.stage == .lost ? input.lostNote : nil
        next.ownerID = ownerID
        let closing = DealInput.closing(from: stage, to: input.stage, closedAt: closedAt, closedBy: closedBy, by: actor, now: now)
        next.closedAt = closing.at
        next.closedBy = closing.by
        next.updatedAt = now
        return next
    }

    /// The fields an audit entry and the deal's history show, as text.
    public var auditFields: [String: String] {
        var fields = ["name": name, "amount": amount.plainText, "currency": amount.currency, "stage": stage.rawValue,
                      "expected_close_date": expectedCloseDate.iso]
        if let lostReason { fields["lost_reason"] = lostReason.rawValue }
        if let lostNote { fields["lost_note"] = lostNote }
        if let ownerID { fields["owner_id"] = ownerID.uuidString.lowercased() }
        return fields
    }
}

/// A checked deal as a form or the API submitted it.
public struct DealInput: Sendable, Equatable {
    public var name: String
    public var amount: Money
    public var stage: DealStage
    public var expectedCloseDate: CalendarDay
    public var lostReason: LostReason?
    public var lostNote: String?
    /// Nil leaves the owner to the caller (the contact's owner, or the deal's current one).
    public var ownerID: UUID?

    public static let nameMaximumLength = 120
    public static let lostNoteMaximumLength = 500

    public init(name: String, amount: Money, stage: DealStage, expectedCloseDate: CalendarDay, lostReason: LostReason?, lostNote: String?, ownerID: UUID?) {
        self.name = name
        self.amount = amount
        self.stage = stage
        self.expectedCloseDate = expectedCloseDate
        self.lostReason = lostReason
        self.lostNote = lostNote
        self.ownerID = ownerID
    }

    /// Checks `name`, `amount`, `currency` (empty is the workspace's `defaultCurrency`), `stage`
    /// (empty is qualification), `expected_close_date`, `lost_reason` (required when lost),
    /// `lost_note` and `owner_id`, reporting every problem at once.
    public static func check(_ fields: [String: String], defaultCurrency: String) throws(ValidationFailure) -> DealInput {
        var checker = FieldChecker()
        let name = checker.text("name", fields["name"], maximum: nameMaximumLength)
        var currency = defaultCurrency
        if let raw = checker.text("currency", fields["currency"], required: false, maximum: 3) {
            if WorkspaceSettings.isKnownCurrency(raw.uppercased()) { currency = raw.uppercased() } else { checker.add("currency", .notInList) }
        }
        var amount: Money?
        if let raw = checker.text("amount", fields["amount"], maximum: 40) {
            amount = Money.parse(raw, currency: currency)
            if amount == nil { checker.add("amount", .invalid) }
        }
        var stage = DealStage.qualification
        if let raw = checker.text("stage", fields["stage"], required: false, maximum: 20) {
            if let found = DealStage(rawValue: raw.lowercased()) { stage = found } else { checker.add("stage", .notInList) }
        }
        var closeDate: CalendarDay?
        if let raw = checker.text("expected_close_date", fields["expected_close_date"], maximum: 10) {
            if let day = CalendarDay(parsing: raw), (2000...2100).contains(day.year) { closeDate = day } else { checker.add("expected_close_date", .notADate) }
        }
        var reason: LostReason?
        let rawReason = (fields["lost_reason"] ?? "").trimmingBlanks.lowercased()
        if stage == .lost {
            if rawReason.isEmpty { checker.add("lost_reason", .required) }
            else if let found = LostReason(rawValue: rawReason) { reason = found }
            else { checker.add("lost_reason", .notInList) }
        }
        let note = checker.text("lost_note", fields["lost_note"], required: false, maximum: lostNoteMaximumLength)
        var owner: UUID?
        if let raw = checker.text("owner_id", fields["owner_id"], required: false, maximum: 40) {
            if let id = UUID(uuidString: raw) { owner = id } else { checker.add("owner_id", .notInList) }
        }
        try checker.throwIfAny()
        guard let name, let amount, let closeDate else { throw ValidationFailure("name", .required) }
        return DealInput(name: name, amount: amount, stage: stage, expectedCloseDate: closeDate, lostReason: reason,
                         lostNote: stage == .lost ? note : nil, ownerID: owner)
    }

    /// When and by whom a deal moving from `old` to `new` counts as closed.
    static func closing(from old: DealStage?, to new: DealStage, closedAt: Date?, closedBy: AuditActor?, by actor: AuditActor, now: Date)
        -> (at: Date?, by: AuditActor?) {
        guard !new.isOpen else { return (nil, nil) }
        if old == new, let closedAt { return (closedAt, closedBy) }
        return (now, actor)
    }
}

/// Where a deal puts its contact in the funnel: an open deal makes the contact an opportunity
/// (unless already one, or a customer), a won deal a customer; a lost deal moves nobody (the
/// lead may have other deals, or be recycled by a person). The one place the product decides
/// this, so the lifecycle's rules can take it over.
public enum DealLifecycle {
    public static func contactStage(after deal: DealStage, contact: LifecycleStage) -> LifecycleStage? {
        switch deal {
        case .won: contact == .customer ? nil : .customer
        case .lost: nil
        case .qualification, .proposal, .negotiation: [.opportunity, .customer].contains(contact) ? nil : .opportunity
        }
    }

    /// The cause the stage change records. It names no amount or deal name: the contact's
    /// timeline is read by people who may not see the deal itself.
    public static func cause(_ deal: Deal) -> String {
        switch deal.stage {
        case .won: "deal won"
        case .lost: "deal lost"
        default: "deal opened"
        }
    }
}
