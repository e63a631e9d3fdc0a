import Foundation
import SmarketingCore
import SmarketingTestSupport
import Testing
@testable import SmarketingStore

@Suite("Re-scoring's pipeline")
struct BulkScoringPipelineTests {
    @Test("a batch scored in two halves at once gives the same score rows, promotions and handoff scores, in the same order, as scored whole")
    func scoredInHalves() async throws {
        let definition = CompiledLeadDefinition(testDefinition())
        let workspaceID = UUID()
        let histories = (0..<101).map { index in
            ContactHistory(id: UUID(), stage: index % 5 == 0 ? .customer : .lead,
                           profile: ScoringProfile(["job_title": index % 2 == 0 ? "Diretor Comercial" : "Analista"]),
                           events: (0..<(index % 4)).map {
                               ScoringEvent(id: "e\(index)-\($0)", type: "form_submitted", time: storeNow.addingTimeInterval(Double(-$0 * 3600)))
                           })
        }
        let whole = BulkScoring.scored(histories, workspaceID: workspaceID, definition: definition, now: storeNow)
        let halves = try await BulkScoring.scoredInHalves(histories, workspaceID: workspaceID, definition: definition, now: storeNow)
        // Every column but the new row's own id.
        #expect(halves.scores.count == 101)
        #expect(halves.scores.map { String(describing: $0.dropFirst()) } == whole.scores.map { String(describing: $0.dropFirst()) })
        #expect(!whole.promotions.isEmpty)
        #expect(halves.promotions.map(\.contactID) == whole.promotions.map(\.contactID))
        #expect(halves.promotions.map(\.cause) == whole.promotions.map(\.cause))
        #expect(Set(halves.promotionScores.keys) == Set(whole.promotions.map(\.contactID)))
        for (id, scores) in whole.promotionScores {
            let other = try #require(halves.promotionScores[id])
            #expect(other.definitionVersion == scores.definitionVersion && other.fit == scores.fit && other.engagement == scores.engagement)
            #expect(other.rulePoints == scores.rulePoints)
        }
    }
}
