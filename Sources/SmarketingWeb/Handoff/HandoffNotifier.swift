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
        app.jobs.register(Handoffs.notifyJob, policy: .internalWork) { job, context in
            try await notify(job, context)
        }
    }

    static func notify(_ job: QueuedJob, _ context: JobRunner.JobContext) async throws {
        guard let workspaceID = job.workspaceID, let handoffID = Handoffs.handoffID(inPayload: job.payload) else {
            throw JobRunner.JobFailure.permanent("no handoff in the job's payload")
        }
        let now = context.now
        let worker = context.worker
        try await StoreTuning.writeTransaction(context.db) { tx in
            let handoffs = Handoffs(tx, workspaceID: workspaceID)
            // A contact deleted since takes its handoff with it: nothing to tell.
            if let handoff = try await handoffs.find(handoffID),
               let contact = try await ContactRepository(tx, workspaceID: workspaceID).find(handoff.contactID) {
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
            try await JobQueue.complete(job.id, worker: worker, now: now, on: tx)
        }
        // The deliveries just queued go out at once.
        context.app.jobs.wake()
    }
}
