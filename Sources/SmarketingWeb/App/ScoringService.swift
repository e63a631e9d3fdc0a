import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// The lead definition's workflow as pages and the API both drive it: saving the draft,
/// approving, activating (which re-scores every contact in the background) and the background
/// reports (what-if, predictive suggestion).
enum ScoringService {
    /// The field names fit rules may use in this workspace.
    static func knownFields(_ db: any Database, workspaceID: UUID) async throws -> Set<String> {
        ScoringFields.known(customFields: try await CustomFieldRepository(db, workspaceID: workspaceID).list())
    }

    /// Activates the approved draft and starts re-scoring every contact under it.
    static func activate(_ req: Request, member: Member) async throws -> ScoringRun {
        let db = req.db
        let known = try await knownFields(db, workspaceID: member.workspaceID)
        let stored = try await LeadDefinitions(db, workspaceID: member.workspaceID).activate(knownFields: known, by: member.actor, now: req.now)
        let total = try await ContactRepository(db, workspaceID: member.workspaceID).count()
        let run = try await ScoringRuns(db, workspaceID: member.workspaceID).start(.activation, version: stored.number, total: total, now: req.now)
        launch(req.application, workspaceID: member.workspaceID, run: run, definition: CompiledLeadDefinition(stored.version.definition), old: nil)
        return run
    }

    /// Starts a what-if of the draft against the active definition.
    static func whatIf(_ req: Request, member: Member) async throws -> ScoringRun {
        let definitions = LeadDefinitions(req.db, workspaceID: member.workspaceID)
        guard let draft = try await definitions.draft() else { throw LeadDefinitions.Problem.noDraft }
        let active = try await definitions.active().map { CompiledLeadDefinition($0.version.definition) }
        let total = try await ContactRepository(req.db, workspaceID: member.workspaceID).count()
        let run = try await ScoringRuns(req.db, workspaceID: member.workspaceID).start(.whatIf, version: draft.number, total: total, now: req.now)
        launch(req.application, workspaceID: member.workspaceID, run: run, definition: CompiledLeadDefinition(draft.version.definition), old: active)
        return run
    }

    /// Starts training the predictive model on the recorded outcome.
    static func suggest(_ req: Request, member: Member) async throws -> ScoringRun {
        let outcomes = ScoringOutcomes(req.db, workspaceID: member.workspaceID)
        let choice = try await outcomes.choice()
        guard choice.field != nil else { throw ValidationFailure("outcome_field", .required) }
        let version = try await LeadDefinitions(req.db, workspaceID: member.workspaceID).draft()?.number ?? 0
        let runs = ScoringRuns(req.db, workspaceID: member.workspaceID)
        let run = try await runs.start(.suggestion, version: version, total: 0, now: req.now)
        let app = req.application
        let workspaceID = member.workspaceID
        Task {
            let runs = ScoringRuns(app.db, workspaceID: workspaceID)
            do {
                let sample = try await ScoringOutcomes(app.db, workspaceID: workspaceID).sample(choice, today: CalendarDay(utc: app.clock.now()))
                let suggestion = try ScoringOutcomes.suggest(from: sample, choice: choice)
                try await runs.finish(run.id, status: .completed, result: suggestion, message: nil, now: app.clock.now())
            } catch {
                app.logger.warning("model training stopped", metadata: ["error": .string(String(describing: error))])
                try? await runs.finish(run.id, status: .interrupted, result: Optional<ModelSuggestion>.none,
                                       message: String(describing: error), now: app.clock.now())
            }
        }
        return run
    }

    /// Runs a re-scoring or what-if in the background; the pages follow it from the database.
    static func launch(_ app: Application, workspaceID: UUID, run: ScoringRun, definition: CompiledLeadDefinition, old: CompiledLeadDefinition?) {
        let clock = app.clock
        Task {
            do {
                _ = try await StageMoveLog.ignoring {
                    try await BulkScoring(app.db, workspaceID: workspaceID).run(run, definition: definition, old: old, now: { clock.now() })
                }
            } catch {
                app.logger.error("scoring run stopped", metadata: ["run_id": .string(run.id.uuidString), "error": .string(String(describing: error))])
            }
        }
    }

    /// Resumes the re-scoring runs a stopped process left behind (what-if and training runs are
    /// only marked interrupted: they are cheap to start again).
    static func resumeInterrupted(_ app: Application) async throws {
        for (workspaceID, run) in try await ScoringRuns.interrupted(on: app.db) {
            let runs = ScoringRuns(app.db, workspaceID: workspaceID)
            guard run.kind == .activation,
                  let stored = try await LeadDefinitions(app.db, workspaceID: workspaceID).find(version: run.definitionVersion),
                  stored.status == .active
            else {
                try await runs.finish(run.id, status: .interrupted, result: Optional<ModelSuggestion>.none,
                                      message: "stopped with the server", now: app.clock.now())
                continue
            }
            app.logger.info("resuming re-scoring", metadata: ["run_id": .string(run.id.uuidString), "after": .stringConvertible(run.processed)])
            launch(app, workspaceID: workspaceID, run: run, definition: CompiledLeadDefinition(stored.version.definition), old: nil)
        }
    }

    /// Problem paths of a refused save, as field errors on the inputs they belong to.
    static func fieldErrors(_ problems: [LeadDefinitionProblem]) -> [FieldError] {
        problems.map { FieldError(LeadDefinitionForm.inputName(of: $0.path), $0.code) }
    }
}
