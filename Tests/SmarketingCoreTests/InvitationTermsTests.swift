import Foundation
import Testing
@testable import SmarketingCore

@Suite("Invitation terms")
struct InvitationTermsTests {
    private let sentAt = Date(timeIntervalSince1970: 1_700_000_000)
    private let week: TimeInterval = 7 * 24 * 3600

    @Test("an invitation link lives for seven days")
    func lifetime() {
        #expect(InvitationTerms.lifetime == 604_800)
    }

    @Test("a newly issued invitation expires seven days after it was sent and is neither accepted nor revoked")
    func issued() {
        let terms = InvitationTerms.issued(at: sentAt)
        #expect(terms.createdAt == sentAt)
        #expect(terms.expiresAt == sentAt.addingTimeInterval(week))
        #expect(terms.acceptedAt == nil)
        #expect(terms.revokedAt == nil)
    }

    @Test("an unused invitation is pending until it expires, and expired from exactly its expiry on",
          arguments: [
              (0, .pending), (3_600, .pending), (604_799, .pending), (604_799.999, .pending),
              (604_800, .expired), (604_801, .expired), (31_536_000, .expired),
          ] as [(TimeInterval, InvitationTerms.State)])
    func pendingThenExpired(secondsAfterSending: TimeInterval, state: InvitationTerms.State) {
        let terms = InvitationTerms.issued(at: sentAt)
        #expect(terms.state(at: sentAt.addingTimeInterval(secondsAfterSending)) == state)
    }

    @Test("expiry is read from expiresAt, not from the creation time")
    func expiryComesFromExpiresAt() {
        let terms = InvitationTerms(createdAt: sentAt, expiresAt: sentAt.addingTimeInterval(60))
        #expect(terms.state(at: sentAt.addingTimeInterval(59)) == .pending)
        #expect(terms.state(at: sentAt.addingTimeInterval(60)) == .expired)
    }

    @Test("an accepted invitation stays accepted after its expiry date passes")
    func acceptedWinsOverExpired() {
        var terms = InvitationTerms.issued(at: sentAt)
        terms.acceptedAt = sentAt.addingTimeInterval(3_600)
        #expect(terms.state(at: sentAt.addingTimeInterval(7_200)) == .accepted)
        #expect(terms.state(at: terms.expiresAt) == .accepted)
        #expect(terms.state(at: terms.expiresAt.addingTimeInterval(30 * 86_400)) == .accepted)
    }

    @Test("a revoked invitation reads as revoked, before and after its expiry")
    func revoked() {
        var terms = InvitationTerms.issued(at: sentAt)
        terms.revokedAt = sentAt.addingTimeInterval(60)
        #expect(terms.state(at: sentAt.addingTimeInterval(120)) == .revoked)
        #expect(terms.state(at: terms.expiresAt) == .revoked)
        #expect(terms.state(at: terms.expiresAt.addingTimeInterval(86_400)) == .revoked)
    }

    @Test("acceptance is final: an invitation with both an acceptance and a revocation reads as accepted")
    func acceptedWinsOverRevoked() {
        let terms = InvitationTerms(
            createdAt: sentAt, expiresAt: sentAt.addingTimeInterval(week),
            acceptedAt: sentAt.addingTimeInterval(60), revokedAt: sentAt.addingTimeInterval(120)
        )
        #expect(terms.state(at: sentAt.addingTimeInterval(180)) == .accepted)
    }

    @Test("states are stored under stable names")
    func stateNames() {
        #expect(InvitationTerms.State.pending.rawValue == "pending")
        #expect(InvitationTerms.State.accepted.rawValue == "accepted")
        #expect(InvitationTerms.State.expired.rawValue == "expired")
        #expect(InvitationTerms.State.revoked.rawValue == "revoked")
    }

    @Test("terms survive a JSON round trip")
    func codable() throws {
        var terms = InvitationTerms.issued(at: sentAt)
        terms.acceptedAt = sentAt.addingTimeInterval(10)
        let decoded = try JSONDecoder().decode(InvitationTerms.self, from: JSONEncoder().encode(terms))
        #expect(decoded == terms)
    }
}
