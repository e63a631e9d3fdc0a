import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// The `handoff.notify` job, queued in the transaction that made a contact an MQL: tells the
/// workspace's webhooks (`lead.mql`, and `lead.assigned` when the lead has an owner) in one
/// transaction with the job's completion, so each event is written exactly once; and the rep's
/// email, written to the outbox in the same transaction. Notifications claimed together (a
/// model change hands off thousands of leads at once) send each rep one email listing their
/// leads instead of one email per lead; webhooks still get one event per lead. The rep's
/// page hears of the lead on the live channel as soon as that transaction commits.
enum HandoffNotifier {
    static func register(_ app: Application) {
        app.jobs.register(Handoffs.notifyJob, policy: .internalWork, inTransaction: { jobs, context, tx in
            try await notify(jobs, context, on: tx)
        })
    }

    /// Writes the notifications of the jobs' handoffs in `tx`, the transaction that completes
    /// the jobs (see ``JobRunner/register(_:policy:inTransaction:)``).
    static func notify(_ jobs: [QueuedJob], _ context: JobRunner.JobContext, on tx: any Database) async throws {
        let now = context.now
        // Each owner's leads, by workspace, in the order they qualified.
        var leads: [UUID: [UUID: [(Handoff, Contact)]]] = [:]
        for job in jobs {
            guard let workspaceID = job.workspaceID, let handoffID = Handoffs.handoffID(inPayload: job.payload) else {
                throw JobRunner.JobFailure.permanent("no handoff in the job's payload")
            }
            // A contact deleted since takes its handoff with it: nothing to tell.
            guard let handoff = try await Handoffs(tx, workspaceID: workspaceID).find(handoffID),
                  let contact = try await ContactRepository(tx, workspaceID: workspaceID).find(handoff.contactID) else { continue }
            let events = WebhookEvents(tx, workspaceID: workspaceID)
            let data = WebhookEvents.handoffData(handoff, contact: contact)
            try await events.emit(.leadMQL, data: data, now: now)
            if let ownerID = handoff.ownerID {
                try await events.emit(.leadAssigned, data: data, now: now)
                leads[workspaceID, default: [:]][ownerID, default: []].append((handoff, contact))
            }
        }
        for (workspaceID, owners) in leads {
            guard let workspace = try await WorkspaceRepository(tx, workspaceID: workspaceID).get() else { continue }
            for (ownerID, handed) in owners {
                guard let owner = try await UserRepository(tx, workspaceID: workspaceID).find(ownerID), owner.isActive else { continue }
                try await HandoffMail.enqueue(handed, owner: owner, workspace: workspace, app: context.app, now: now, on: tx)
            }
        }
    }
}
