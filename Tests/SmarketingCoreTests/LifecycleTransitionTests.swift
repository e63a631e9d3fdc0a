import SmarketingCore
import XCTest

final class LifecycleTransitionTests: XCTestCase {
    func testALeadMovesForwardAlongTheFunnelAndMaySkipStages() throws {
        XCTAssertTrue(LifecycleTransitions.isAllowed(from: .lead, to: .mql))
        XCTAssertTrue(LifecycleTransitions.isAllowed(from: .lead, to: .customer))
        XCTAssertTrue(LifecycleTransitions.isAllowed(from: .mql, to: .sal))
        XCTAssertTrue(LifecycleTransitions.isAllowed(from: .sql, to: .opportunity))
        XCTAssertNil(try LifecycleTransitions.check(from: .mql, to: .sal, reason: nil))
    }

    func testAStageNeverMovesBackwardExceptByRecycling() {
        XCTAssertFalse(LifecycleTransitions.isAllowed(from: .sql, to: .lead))
        XCTAssertFalse(LifecycleTransitions.isAllowed(from: .customer, to: .opportunity))
        XCTAssertTrue(LifecycleTransitions.isAllowed(from: .sql, to: .recycled))
        XCTAssertTrue(LifecycleTransitions.isAllowed(from: .recycled, to: .mql))
    }

    func testARefusedMoveNamesTheFieldAndListsTheAllowedStages() {
        XCTAssertThrowsError(try LifecycleTransitions.check(from: .sql, to: .lead, reason: nil)) { error in
            guard let refusal = error as? LifecycleTransitionRefusal else { return XCTFail("\(error)") }
            XCTAssertEqual(refusal.failure.errors, [FieldError("lifecycle_stage", .notInList)])
            XCTAssertEqual(refusal.allowed, [.opportunity, .customer, .disqualified, .recycled])
        }
    }

    func testDisqualifyingAndRecyclingNeedAReason() throws {
        XCTAssertThrowsError(try LifecycleTransitions.check(from: .mql, to: .disqualified, reason: "  ")) { error in
            XCTAssertEqual((error as? LifecycleTransitionRefusal)?.failure.errors, [FieldError("reason", .required)])
        }
        XCTAssertThrowsError(try LifecycleTransitions.check(from: .sal, to: .recycled, reason: nil))
        XCTAssertEqual(try LifecycleTransitions.check(from: .sal, to: .recycled, reason: " too early "), "too early")
        XCTAssertThrowsError(try LifecycleTransitions.check(from: .mql, to: .disqualified, reason: String(repeating: "x", count: 501)))
    }

    func testADisqualifiedContactComesBackOnlyThroughRecycling() {
        XCTAssertEqual(LifecycleTransitions.allowed(from: .disqualified), [.recycled])
        XCTAssertFalse(LifecycleTransitions.isAllowed(from: .disqualified, to: .mql))
        XCTAssertTrue(LifecycleTransitions.allowed(from: .recycled).contains(.disqualified))
    }

    func testOnlyWhatMarketingHandedOverCanBeRecycled() {
        XCTAssertFalse(LifecycleTransitions.isAllowed(from: .lead, to: .recycled))
        XCTAssertFalse(LifecycleTransitions.isAllowed(from: .subscriber, to: .recycled))
        XCTAssertTrue(LifecycleTransitions.isAllowed(from: .mql, to: .recycled))
        XCTAssertTrue(LifecycleTransitions.isAllowed(from: .customer, to: .recycled))
    }

    func testStayingInTheSameStageIsNoMove() throws {
        for stage in LifecycleStage.allCases {
            XCTAssertNil(try LifecycleTransitions.check(from: stage, to: stage, reason: nil))
        }
    }
}

final class HandoffDecisionTests: XCTestCase {
    let reasons = RejectionReason.starters(portuguese: false) + [RejectionReason(key: "old", label: "Old", active: false)]

    func testAcceptingMakesTheLeadASAL() throws {
        let decision = try HandoffDecision.parse(decision: "accept", reason: nil, then: nil, note: nil, reasons: reasons)
        XCTAssertEqual(decision, .accept)
        XCTAssertEqual(decision.stage, .sal)
    }

    func testRejectingNeedsAnAgreedReasonAndRecyclesByDefault() throws {
        XCTAssertEqual(try HandoffDecision.parse(decision: "reject", reason: "no_budget", then: nil, note: " call in Q3 ", reasons: reasons),
                       .reject(reasonKey: "no_budget", note: "call in Q3", then: .recycled))
        XCTAssertEqual(try HandoffDecision.parse(decision: "reject", reason: "duplicate", then: "disqualified", note: nil, reasons: reasons).stage,
                       .disqualified)
    }

    func testARejectionWithoutReasonOrWithAnUnknownOneNamesEveryField() {
        XCTAssertThrowsError(try HandoffDecision.parse(decision: "reject", reason: "", then: "sql", note: nil, reasons: reasons)) { error in
            XCTAssertEqual((error as? ValidationFailure)?.errors, [FieldError("reason", .required), FieldError("then", .notInList)])
        }
        XCTAssertThrowsError(try HandoffDecision.parse(decision: "reject", reason: "old", then: nil, note: nil, reasons: reasons)) { error in
            XCTAssertEqual((error as? ValidationFailure)?.errors, [FieldError("reason", .notInList)])
        }
        XCTAssertThrowsError(try HandoffDecision.parse(decision: "maybe", reason: nil, then: nil, note: nil, reasons: reasons)) { error in
            XCTAssertEqual((error as? ValidationFailure)?.errors, [FieldError("decision", .notInList)])
        }
    }

    func testTheReasonListKeepsKeysAddsNewOnesAndRefusesDroppingAUsedReason() throws {
        let list = try RejectionReason.checkList([(key: "no_budget", label: "No budget at all", active: true),
                                                  (key: nil, label: "Sem orçamento aprovado", active: true),
                                                  (key: nil, label: "", active: true)], used: ["no_budget"])
        XCTAssertEqual(list.map(\.key), ["no_budget", "sem_orcamento_aprovado"])
        XCTAssertThrowsError(try RejectionReason.checkList([(key: nil, label: "Other", active: true)], used: ["no_budget"])) { error in
            XCTAssertEqual((error as? ValidationFailure)?.errors, [FieldError("reasons", .invalid)])
        }
        XCTAssertThrowsError(try RejectionReason.checkList([(key: nil, label: "A", active: true), (key: nil, label: "a", active: true)], used: [])) { error in
            XCTAssertEqual((error as? ValidationFailure)?.errors, [FieldError("reasons[1].label", .alreadyTaken)])
        }
        XCTAssertThrowsError(try RejectionReason.checkList([(key: "x", label: "X", active: false)], used: [])) { error in
            XCTAssertEqual((error as? ValidationFailure)?.errors, [FieldError("reasons", .required)])
        }
    }
}

final class RetryPolicyTests: XCTestCase {
    func testDelaysDoubleFromTheBaseUpToTheCap() {
        let policy = RetryPolicy(base: 30, cap: 600, maxAttempts: 10, jitter: 0)
        XCTAssertEqual((1...7).map { policy.delay(afterAttempts: $0, unit: 0.5) }, [30, 60, 120, 240, 480, 600, 600])
    }

    func testJitterSpreadsTheDelayWithinItsShare() {
        let policy = RetryPolicy(base: 100, cap: 10_000, maxAttempts: 5, jitter: 0.2)
        XCTAssertEqual(policy.delay(afterAttempts: 1, unit: 0), 80, accuracy: 0.001)
        XCTAssertEqual(policy.delay(afterAttempts: 1, unit: 1), 120, accuracy: 0.001)
    }

    func testAJobIsGivenUpAfterItsLastAttempt() {
        let policy = RetryPolicy(base: 1, cap: 10, maxAttempts: 3)
        let now = Date(timeIntervalSince1970: 0)
        XCTAssertNotNil(policy.nextAttempt(afterAttempts: 2, now: now, unit: 0.5))
        XCTAssertNil(policy.nextAttempt(afterAttempts: 3, now: now, unit: 0.5))
    }

    func testHugeAttemptCountsNeverOverflow() {
        XCTAssertEqual(RetryPolicy.delivery.delay(afterAttempts: 10_000, unit: 0.5), 6 * 3600)
    }
}
