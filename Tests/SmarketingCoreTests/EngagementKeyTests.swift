import Foundation
import Testing
@testable import SmarketingCore

/// Lists filter on engagement as the pages show it, decayed to now; the store compares order keys
/// instead of decaying every score. The keys must say what the decayed values say.
@Suite("Decayed engagement compared through order keys")
struct EngagementKeyTests {
    static func atLeast(_ threshold: Double, value: Double, asOf: Date, now: Date, definition: CompiledLeadDefinition) -> Bool {
        definition.engagement(atLeast: threshold, at: now).holds(value: value, key: definition.engagementKey(value: value, asOf: asOf))
    }

    static func atMost(_ threshold: Double, value: Double, asOf: Date, now: Date, definition: CompiledLeadDefinition) -> Bool {
        definition.engagement(atMost: threshold, at: now).holds(value: value, key: definition.engagementKey(value: value, asOf: asOf))
    }

    @Test("a contact with 40 points a half-life ago has 20 now: at least 15 and not at least 25")
    func halfLife() {
        let definition = CompiledLeadDefinition(LeadDefinition(version: 1, halfLifeDays: 30, mql: .thresholds(fit: 1, engagement: 1)))
        let then = Date(timeIntervalSince1970: 1_780_000_000)
        let now = then.addingTimeInterval(30 * 86_400)
        #expect(abs(definition.decayed(40, from: then.timeIntervalSince1970, to: now.timeIntervalSince1970) - 20) < 1e-9)
        #expect(Self.atLeast(15, value: 40, asOf: then, now: now, definition: definition))
        #expect(!Self.atLeast(25, value: 40, asOf: then, now: now, definition: definition))
        #expect(Self.atMost(25, value: 40, asOf: then, now: now, definition: definition))
        #expect(Self.atLeast(-5, value: -40, asOf: then, now: now.addingTimeInterval(90 * 86_400), definition: definition), "-40 decays to -2.5 in four half-lives")
        #expect(definition.engagementKey(value: 0, asOf: then) == nil, "no points, no key")
    }

    @Test("for random engagement, times and thresholds, positive and negative, the keys agree with the decayed values")
    func agreesWithDecay() {
        var random = SeededRandom(seed: 2026)
        for round in 0..<2_000 {
            let halfLife: Double? = round % 5 == 0 ? nil : Double.random(in: 0.5...365, using: &random)
            let definition = CompiledLeadDefinition(LeadDefinition(version: 1, halfLifeDays: halfLife, mql: .thresholds(fit: 1, engagement: 1)))
            let asOf = Date(timeIntervalSince1970: Double.random(in: 1.6e9...1.9e9, using: &random))
            let now = asOf.addingTimeInterval(Double.random(in: 0...(400 * 86_400), using: &random))
            let value = Double(Int.random(in: -300...300, using: &random))
            let threshold = Double(Int.random(in: -300...300, using: &random)) + [0, 0.25, -0.5].randomElement(using: &random)!
            let decayed = definition.decayed(value, from: asOf.timeIntervalSince1970, to: now.timeIntervalSince1970)
            // Values a rounding error away from the threshold may go either way.
            guard abs(decayed - threshold) > 1e-6 else { continue }
            let context = "value \(value), threshold \(threshold), decayed \(decayed), half-life \(String(describing: halfLife))"
            #expect(Self.atLeast(threshold, value: value, asOf: asOf, now: now, definition: definition) == (decayed >= threshold), "\(context)")
            #expect(Self.atMost(threshold, value: value, asOf: asOf, now: now, definition: definition) == (decayed <= threshold), "\(context)")
        }
    }
}
