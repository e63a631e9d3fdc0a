import Testing
@testable import SmarketingCore

@Suite("Lifecycle stage names")
struct LifecycleStageNamesTests {
    @Test("every stored name is read ignoring case", arguments: LifecycleStage.allCases)
    func storedNames(stage: LifecycleStage) {
        #expect(LifecycleStage(name: stage.rawValue) == stage)
        #expect(LifecycleStage(name: stage.rawValue.uppercased()) == stage)
        #expect(LifecycleStage(name: " \(stage.rawValue) ") == stage)
    }

    @Test("stages as HubSpot, Mautic and people write them",
          arguments: [
              ("Marketing Qualified Lead", LifecycleStage.mql), ("MQL", .mql), ("marketingqualifiedlead", .mql),
              ("Lead qualificado para marketing", .mql), ("Sales Qualified Lead", .sql), ("SQL", .sql),
              ("salesqualifiedlead", .sql), ("Lead qualificado para vendas", .sql), ("Sales Accepted Lead", .sal),
              ("Customer", .customer), ("Cliente", .customer), ("Evangelist", .customer), ("Subscriber", .subscriber),
              ("Assinante", .subscriber), ("Opportunity", .opportunity), ("Oportunidade", .opportunity), ("Lead", .lead),
              ("Desqualificado", .disqualified), ("Reciclado", .recycled), ("sales-qualified lead", .sql),
          ])
    func writtenNames(name: String, stage: LifecycleStage) {
        #expect(LifecycleStage(name: name) == stage)
    }

    @Test("a name that is no stage is not guessed", arguments: ["", "Other", "Outro", "hot", "qualified", "MQLs"])
    func unknown(name: String) {
        #expect(LifecycleStage(name: name) == nil)
    }
}
