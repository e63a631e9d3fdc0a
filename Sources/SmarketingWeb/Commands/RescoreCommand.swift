import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// `smarketing rescore --as admin@company.com`: re-scores every contact of the user's workspace
/// under the active lead definition, in resumable batches, with a progress line; what an
/// activation does in the background, run in the foreground (after a bulk load of events, say).
/// Running it twice gives the same scores.
struct RescoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "as", help: "Email of a user of the workspace to re-score")
        var user: String?

        @Option(name: "batch", help: "Contacts per batch (default 1000)")
        var batch: Int?

        @Option(name: "limit", help: "Stop after about this many contacts; the run resumes with --resume")
        var limit: Int?

        @Option(name: "resume", help: "Id of a stopped re-scoring run to continue")
        var resume: String?
    }

    var help: String { "Re-scores every contact of a workspace under its active lead definition." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let console = context.console
        guard let raw = signature.user, let email = EmailAddress(raw), let (user, _) = try await Directory(app.db).userForLogin(email: email) else {
            console.error("Name a user of the workspace with --as EMAIL.")
            throw ValidationFailure("as", .notInList)
        }
        let workspaceID = user.workspaceID
        guard let active = try await LeadDefinitions(app.db, workspaceID: workspaceID).active() else {
            console.error("The workspace has no active lead definition: approve and activate one first.")
            throw ValidationFailure("as", .notInList)
        }
        let total = try await ContactRepository(app.db, workspaceID: workspaceID).count()
        let events = try await EventLog(app.db, workspaceID: workspaceID).count()
        let runs = ScoringRuns(app.db, workspaceID: workspaceID)
        let run: ScoringRun
        if let raw = signature.resume {
            guard let id = UUID(uuidString: raw), let found = try await runs.find(id), found.kind == .activation, found.status != .completed,
                  found.definitionVersion == active.number else {
                console.error("No stopped re-scoring run \(raw) under the active lead definition in this workspace.")
                throw ValidationFailure("resume", .notInList)
            }
            run = found
            console.print("Resuming after \(found.processed) contacts.")
        } else {
            run = try await runs.start(.activation, version: active.number, total: total, now: app.clock.now())
        }
        var scoring = BulkScoring(app.db, workspaceID: workspaceID)
        if let batch = signature.batch { scoring.batchSize = max(1, min(batch, 10_000)) }
        if let limit = signature.limit { scoring.contactLimit = max(1, limit) }
        console.print("Re-scoring \(total) contacts and \(events) events under lead definition v\(active.number) (run \(run.id.uuidString.lowercased())).")
        let started = Date()
        let clock = app.clock
        let batch = scoring.batchSize
        let finished = try await scoring.run(run, definition: CompiledLeadDefinition(active.version.definition), old: nil, now: { clock.now() }) { progress in
            if progress.processed % 50_000 < batch || progress.processed == progress.total {
                let seconds = max(0.001, Date().timeIntervalSince(started))
                console.print("  \(progress.processed)/\(progress.total) contacts  \(Int(Double(progress.processed) / seconds)) contacts/s")
            }
        }
        let seconds = max(0.001, Date().timeIntervalSince(started))
        if finished.status != .completed {
            console.print("Stopped after \(finished.processed) of \(finished.total) contacts: continue with --resume \(finished.id.uuidString.lowercased()).")
            return
        }
        console.print("Done: \(finished.processed) contacts in \(String(format: "%.1f", seconds)) s, "
            + "\(Int(Double(finished.processed) / seconds)) contacts/s, \(Int(Double(events) / seconds)) events/s.")
    }
}
