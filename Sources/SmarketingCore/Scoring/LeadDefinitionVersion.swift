import Foundation

/// Where a version of the lead definition is in its life: a draft collects one approval from
/// each team, then becomes the active definition, then is retired when another takes its place.
public enum LeadDefinitionStatus: String, Sendable, Codable, CaseIterable {
    case draft
    case approvedByMarketing = "approved_by_marketing"
    case approvedBySales = "approved_by_sales"
    /// Approved by both teams and ready to activate.
    case approved
    case active
    case retired
}

/// One team's sign-off on the exact content of a draft.
public struct LeadDefinitionApproval: Sendable, Equatable, Hashable, Codable {
    public var userID: UUID
    /// The team the approver signed for: marketing or sales.
    public var side: Role.Side
    /// The ``LeadDefinitionVersion/digest`` of the content the approver reviewed.
    public var digest: String
    public var time: Date

    public init(userID: UUID, side: Role.Side, digest: String, time: Date) {
        self.userID = userID
        self.side = side
        self.digest = digest
        self.time = time
    }
}

/// A version of the workspace's lead definition with its approvals: the rules of the shared
/// language both teams sign.
///
/// A draft becomes active only after a marketing manager and a sales manager (two different
/// people) have each approved its exact content. Approvals name the content by its SHA-256
/// ``digest`` (of the definition's JSON with sorted keys), so an approval given to what someone
/// reviewed cannot be carried over to something else: editing the draft to different content
/// clears its approvals, and an approval of a digest other than the current one is refused.
/// The store keeps every version, approval and activation in the audit log.
public struct LeadDefinitionVersion: Sendable, Equatable, Codable {
    public private(set) var definition: LeadDefinition
    /// SHA-256 of the definition's canonical JSON, in hexadecimal.
    public private(set) var digest: String
    /// Edits to the draft that changed its content, starting at 0.
    public private(set) var revision: Int
    public private(set) var approvals: [LeadDefinitionApproval]
    public private(set) var activatedAt: Date?
    public private(set) var retiredAt: Date?

    /// A new draft.
    public init(draft definition: LeadDefinition) {
        self.definition = definition
        self.digest = Self.digest(of: definition)
        self.revision = 0
        self.approvals = []
        self.activatedAt = nil
        self.retiredAt = nil
    }

    /// The version number (the definition's `version`).
    public var number: Int { definition.version }

    public var status: LeadDefinitionStatus {
        if retiredAt != nil { return .retired }
        if activatedAt != nil { return .active }
        switch (approval(for: .marketing) != nil, approval(for: .sales) != nil) {
        case (true, true): return .approved
        case (true, false): return .approvedByMarketing
        case (false, true): return .approvedBySales
        case (false, false): return .draft
        }
    }

    /// True while the version can still be edited and approved.
    public var isDraft: Bool { activatedAt == nil && retiredAt == nil }

    /// The current approval for one side, if it is for the current content.
    public func approval(for side: Role.Side) -> LeadDefinitionApproval? {
        approvals.first { $0.side == side && $0.digest == digest }
    }

    /// Why a request on a version was refused.
    public enum Refusal: Error, Sendable, Equatable {
        /// Only drafts are edited and approved; only approved drafts are activated.
        case notADraft(LeadDefinitionStatus)
        /// The user does not hold the manager role of that side (marketing manager, sales manager).
        case notAnApprover(side: Role.Side)
        /// The side has already approved this content.
        case alreadyApproved(side: Role.Side)
        /// The user already approved for the other side: the two approvals must come from two people.
        case sameApproverForBothSides
        /// The content changed since the approver reviewed it.
        case reviewedOtherContent(current: String)
        /// A side has not approved the current content.
        case missingApproval(side: Role.Side)
        /// Only the active version can be retired.
        case notActive(LeadDefinitionStatus)
    }

    /// Replaces the draft's content. The version number stays the draft's. When the content
    /// changes, the revision goes up and the approvals are cleared: they were for the old content.
    public mutating func edit(_ newDefinition: LeadDefinition) throws(Refusal) {
        guard isDraft else { throw .notADraft(status) }
        var edited = newDefinition
        edited.version = definition.version
        let newDigest = Self.digest(of: edited)
        guard newDigest != digest else {
            definition = edited
            return
        }
        definition = edited
        digest = newDigest
        revision += 1
        approvals = []
    }

    /// Records `userID`'s approval for `side`, of the content whose digest they reviewed.
    ///
    /// Refused when the version is not a draft, when the user's roles do not include the side's
    /// manager role, when `reviewedDigest` is not the current content, when the side has
    /// already approved, or when the same person already approved for the other side.
    public mutating func approve(by userID: UUID, roles: Set<Role>, for side: Role.Side, reviewedDigest: String, at time: Date) throws(Refusal) {
        guard isDraft else { throw .notADraft(status) }
        let managerRole: Role? = switch side {
        case .marketing: .marketingManager
        case .sales: .salesManager
        case .administration: nil
        }
        guard let managerRole, roles.contains(managerRole), AccessPolicy.allows([managerRole], .approveLeadDefinition) else {
            throw .notAnApprover(side: side)
        }
        guard reviewedDigest == digest else { throw .reviewedOtherContent(current: digest) }
        guard approval(for: side) == nil else { throw .alreadyApproved(side: side) }
        if approvals.contains(where: { $0.userID == userID && $0.digest == digest }) { throw .sameApproverForBothSides }
        approvals.append(LeadDefinitionApproval(userID: userID, side: side, digest: digest, time: time))
    }

    /// Everything that stops the version from becoming active; empty when it may.
    public var activationRefusals: [Refusal] {
        guard isDraft else { return [.notADraft(status)] }
        var refusals: [Refusal] = []
        if approval(for: .marketing) == nil { refusals.append(.missingApproval(side: .marketing)) }
        if approval(for: .sales) == nil { refusals.append(.missingApproval(side: .sales)) }
        return refusals
    }

    /// True when a marketing manager and a sales manager have approved this exact content.
    public var mayActivate: Bool { activationRefusals.isEmpty }

    /// Makes the approved draft the active definition. The store retires the version it
    /// replaces (``retire(at:)``) in the same transaction.
    public mutating func activate(at time: Date) throws(Refusal) {
        if let refusal = activationRefusals.first { throw refusal }
        activatedAt = time
    }

    /// Retires the active version when another takes its place.
    public mutating func retire(at time: Date) throws(Refusal) {
        guard status == .active else { throw .notActive(status) }
        retiredAt = time
    }

    /// SHA-256 of the definition's JSON with sorted keys, in hexadecimal: equal definitions have
    /// equal digests, and any change of content changes it.
    public static func digest(of definition: LeadDefinition) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(definition) {
            return ContentDigest.sha256Hex(data)
        }
        // Only a number JSON cannot write (infinity, NaN) gets here; such a definition fails its check.
        return ContentDigest.sha256Hex(String(describing: definition).utf8)
    }

    enum CodingKeys: String, CodingKey {
        case definition, digest, revision, approvals
        case activatedAt = "activated_at"
        case retiredAt = "retired_at"
    }
}
