import Foundation
import Testing
@testable import SmarketingCore

@Suite("Drafts, approvals and activation of the lead definition")
struct LeadDefinitionVersionTests {
    private let marketer = UUID()
    private let seller = UUID()
    private let both = UUID()
    private let time = ScoringSamples.at(days: 1)

    private func approved() throws -> LeadDefinitionVersion {
        var version = LeadDefinitionVersion(draft: ScoringSamples.definition)
        try version.approve(by: marketer, roles: [.marketingManager], for: .marketing, reviewedDigest: version.digest, at: time)
        try version.approve(by: seller, roles: [.salesManager], for: .sales, reviewedDigest: version.digest, at: time)
        return version
    }

    @Test("a draft needs one marketing manager's and one sales manager's approval before it may become active")
    func bothApprovals() throws {
        var version = LeadDefinitionVersion(draft: ScoringSamples.definition)
        #expect(version.status == .draft)
        #expect(version.activationRefusals == [.missingApproval(side: .marketing), .missingApproval(side: .sales)])
        try version.approve(by: marketer, roles: [.marketingManager], for: .marketing, reviewedDigest: version.digest, at: time)
        #expect(version.status == .approvedByMarketing)
        #expect(!version.mayActivate)
        #expect(throws: LeadDefinitionVersion.Refusal.missingApproval(side: .sales)) { try version.activate(at: time) }
        try version.approve(by: seller, roles: [.salesManager, .sales], for: .sales, reviewedDigest: version.digest, at: time)
        #expect(version.status == .approved)
        #expect(version.mayActivate)
        try version.activate(at: time)
        #expect(version.status == .active)
        #expect(version.activatedAt == time)
    }

    @Test("sales may approve first")
    func salesFirst() throws {
        var version = LeadDefinitionVersion(draft: ScoringSamples.definition)
        try version.approve(by: seller, roles: [.salesManager], for: .sales, reviewedDigest: version.digest, at: time)
        #expect(version.status == .approvedBySales)
    }

    static let notApprovers: [(Set<Role>, Role.Side)] = [
        ([.marketing], .marketing), ([.admin], .marketing), ([.sales], .sales), ([.salesManager], .marketing),
        ([.marketingManager], .sales), ([.admin, .marketingManager], .administration),
    ]

    @Test("only the side's manager may approve for it", arguments: notApprovers)
    func approvers(roles: Set<Role>, side: Role.Side) {
        var version = LeadDefinitionVersion(draft: ScoringSamples.definition)
        #expect(throws: LeadDefinitionVersion.Refusal.notAnApprover(side: side)) {
            try version.approve(by: marketer, roles: roles, for: side, reviewedDigest: version.digest, at: time)
        }
        #expect(version.approvals.isEmpty)
    }

    @Test("one person holding both manager roles cannot approve for both sides")
    func onePersonTwoSides() throws {
        var version = LeadDefinitionVersion(draft: ScoringSamples.definition)
        try version.approve(by: both, roles: [.marketingManager, .salesManager], for: .marketing, reviewedDigest: version.digest, at: time)
        #expect(throws: LeadDefinitionVersion.Refusal.sameApproverForBothSides) {
            try version.approve(by: both, roles: [.marketingManager, .salesManager], for: .sales, reviewedDigest: version.digest, at: time)
        }
        #expect(throws: LeadDefinitionVersion.Refusal.alreadyApproved(side: .marketing)) {
            try version.approve(by: marketer, roles: [.marketingManager], for: .marketing, reviewedDigest: version.digest, at: time)
        }
    }

    @Test("an approval of content other than the current one is refused")
    func staleReview() {
        var version = LeadDefinitionVersion(draft: ScoringSamples.definition)
        let current = version.digest
        #expect(throws: LeadDefinitionVersion.Refusal.reviewedOtherContent(current: current)) {
            try version.approve(by: marketer, roles: [.marketingManager], for: .marketing, reviewedDigest: "0000", at: time)
        }
    }

    @Test("editing a draft to different content clears its approvals; an edit that changes nothing keeps them")
    func editClearsApprovals() throws {
        var version = try approved()
        let digest = version.digest
        var same = ScoringSamples.definition
        same.version = 99
        try version.edit(same)
        #expect(version.digest == digest)
        #expect(version.status == .approved)
        #expect(version.number == 3)

        var changed = ScoringSamples.definition
        changed.fitRules[0].points = 25
        try version.edit(changed)
        #expect(version.digest != digest)
        #expect(version.revision == 1)
        #expect(version.approvals.isEmpty)
        #expect(version.status == .draft)
        #expect(version.definition.fitRules[0].points == 25)
        #expect(throws: LeadDefinitionVersion.Refusal.reviewedOtherContent(current: version.digest)) {
            try version.approve(by: marketer, roles: [.marketingManager], for: .marketing, reviewedDigest: digest, at: time)
        }
    }

    @Test("an active version is neither edited nor approved again, and is retired when replaced")
    func activeAndRetired() throws {
        var version = try approved()
        try version.activate(at: time)
        #expect(throws: LeadDefinitionVersion.Refusal.notADraft(.active)) { try version.edit(ScoringSamples.definition) }
        #expect(throws: LeadDefinitionVersion.Refusal.notADraft(.active)) {
            try version.approve(by: marketer, roles: [.marketingManager], for: .marketing, reviewedDigest: version.digest, at: time)
        }
        #expect(version.activationRefusals == [.notADraft(.active)])
        try version.retire(at: ScoringSamples.at(days: 2))
        #expect(version.status == .retired)
        #expect(throws: LeadDefinitionVersion.Refusal.notActive(.retired)) { try version.retire(at: time) }
        var draft = LeadDefinitionVersion(draft: ScoringSamples.definition)
        #expect(throws: LeadDefinitionVersion.Refusal.notActive(.draft)) { try draft.retire(at: time) }
    }

    @Test("the digest names the content: equal definitions share it, any change alters it, cell order does not")
    func digest() {
        let base = LeadDefinitionVersion.digest(of: ScoringSamples.definition)
        #expect(base.count == 64)
        #expect(base == LeadDefinitionVersion.digest(of: ScoringSamples.definition))
        var changed = ScoringSamples.definition
        changed.engagementRules[0].cap = PointsCap(points: 31, per: .day)
        #expect(LeadDefinitionVersion.digest(of: changed) != base)
        var gridA = ScoringSamples.definition
        gridA.mql = .grid(ScoringSamples.grid)
        var gridB = gridA
        var reordered = ScoringSamples.grid
        reordered.cells.reverse()
        gridB.mql = .grid(reordered)
        #expect(LeadDefinitionVersion.digest(of: gridA) == LeadDefinitionVersion.digest(of: gridB))
    }

    @Test("a version with its approvals survives a round trip through JSON")
    func storedVersion() throws {
        let version = try approved()
        let again = try JSONDecoder().decode(LeadDefinitionVersion.self, from: try JSONEncoder().encode(version))
        #expect(again == version)
        #expect(again.status == .approved)
    }
}
