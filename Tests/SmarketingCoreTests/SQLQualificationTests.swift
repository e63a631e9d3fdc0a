import Foundation
import Testing
@testable import SmarketingCore

@Suite("Qualifying a lead as SQL with the lead definition's criteria")
struct SQLQualificationTests {
    let criteria = LeadDefinitionStarter.example().sqlCriteria
    let rep = AuditActor(userID: UUID(), name: "Rita Rep", channel: .page)

    @Test("every required answer given and valid gives the answers in the criteria's order, typed as text")
    func accepted() throws {
        let answers = try SQLQualification.answers(
            ["timing": "this quarter", "need": " Replace spreadsheets ", "authority": "Decision maker", "budget": "Approved"],
            criteria: criteria, stage: .sal)
        #expect(answers.map(\.key) == ["budget", "authority", "need", "timing"])
        #expect(answers.map(\.value) == ["Approved", "Decision maker", "Replace spreadsheets", "This quarter"])
        let qualification = SQLQualification(contactID: UUID(), definitionVersion: 3, answers: answers, actor: rep, at: Date(timeIntervalSince1970: 0))
        #expect(qualification.cause == "qualified by Rita Rep (Budget: Approved; Authority: Decision maker; Need: Replace spreadsheets; Timing: This quarter)")
    }

    @Test("missing answers, a choice not in the list and a stage past SQL are all refused at once, each by name")
    func refused() {
        #expect(throws: ValidationFailure([FieldError("lifecycle_stage", .notInList), FieldError("budget", .notInList),
                                           FieldError("need", .required), FieldError("timing", .required)])) {
            _ = try SQLQualification.answers(["budget": "Maybe", "authority": "User"], criteria: criteria, stage: .customer)
        }
    }

    @Test("leads in every open stage may be qualified; closed, disqualified and already qualified ones may not")
    func stages() {
        let answers = ["budget": "None", "authority": "User", "need": "x", "timing": "Later"]
        for stage in LifecycleStage.allCases {
            let allowed = (try? SQLQualification.answers(answers, criteria: criteria, stage: stage)) != nil
            #expect(allowed == [.subscriber, .lead, .mql, .sal, .recycled].contains(stage), "\(stage)")
        }
    }

    @Test("a definition without criteria lets a lead be qualified with no answers")
    func noCriteria() throws {
        #expect(try SQLQualification.answers([:], criteria: [], stage: .mql).isEmpty)
        let qualification = SQLQualification(contactID: UUID(), definitionVersion: 1, answers: [], actor: rep, at: Date(timeIntervalSince1970: 0))
        #expect(qualification.cause == "qualified by Rita Rep")
    }
}
