import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// The `handoff.notify` job, queued in the transaction that made a contact an MQL: tells the
/// workspace's webhooks (`lead.mql`, and `lead.assigned` when the lead has an owner) in one
/// transaction with the job's completion, so each event is written exactly once; and the rep's
/// email, written to the outbox in the same transaction. The rep's
/// page hears of the lead on the live channel as soon as that transaction commits.
enum HandoffNotifier {
    static func register(_ app: Application) {
        app.jobs.register(Handoffs.notifyJob, policy: .internalWork, inTransaction: { job, context, tx in
            try await notify(job, context, on: tx)
        })
    }

    /// Writes the notification of the job's handoff in `tx`, the transaction that completes the
    /// job (many notifications share one: see ``JobRunner/register(_:policy:inTransaction:)``).
    static func notify(_ job: QueuedJob, _ context: JobRunner.JobContext, on tx: any Database) async throws {
        guard let workspaceID = job.workspaceID, let handoffID = Handoffs.handoffID(inPayload: job.payload) else {
            throw JobRunner.JobFailure.permanent("no handoff in the job's payload")
        }
        let now = context.now
        let handoffs = Handoffs(tx, workspaceID: workspaceID)
        // A contact deleted since takes its handoff with it: nothing to tell.
        guard let handoff = try await handoffs.find(handoffID),
              let contact = try await ContactRepository(tx, workspaceID: workspaceID).find(handoff.contactID) else { return }
        let events = WebhookEvents(tx, workspaceID: workspaceID)
        let data = WebhookEvents.handoffData(handoff, contact: contact)
        try await events.emit(.leadMQL, data: data, now: now)
        if let ownerID = handoff.ownerID {
            try await events.emit(.leadAssigned, data: data, now: now)
            if let owner = try await UserRepository(tx, workspaceID: workspaceID).find(ownerID), owner.isActive,
               let workspace = try await WorkspaceRepository(tx, workspaceID: workspaceID).get() {
                try await HandoffMail.enqueue(handoff, contact: contact, owner: owner, workspace: workspace, app: context.app, now: now, on: tx)
            }
        }
    }
}
