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
        let run = try await ScoringRuns(app.db, workspaceID: workspaceID).start(.activation, version: active.number, total: total, now: app.clock.now())
        var scoring = BulkScoring(app.db, workspaceID: workspaceID)
        if let batch = signature.batch { scoring.batchSize = max(1, min(batch, 10_000)) }
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
        console.print("Done: \(finished.processed) contacts in \(String(format: "%.1f", seconds)) s, "
            + "\(Int(Double(finished.processed) / seconds)) contacts/s, \(Int(Double(events) / seconds)) events/s.")
    }
}
