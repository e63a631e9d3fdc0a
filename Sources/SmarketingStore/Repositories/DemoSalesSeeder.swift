import FluentKit
import Foundation
import SmarketingCore

extension DemoSeeder {
    /// Writes the demo's sales follow-up: activities, tasks and deals by each contact's owner,
    /// with the deals' history on the contacts' timelines. The contacts' stages already agree
    /// with the deals, so no stage moves are written.
    func seedSalesWork(_ demo: DemoWorkspace, workspaceID: UUID, contactIDs: [UUID], users: [User], now: Date, batchSize: Int) async throws {
        let work = demo.sales
        func owner(_ index: Int) -> User? { demo.contacts[index].ownerIndex.flatMap { $0 < users.count ? users[$0] : nil } }
        func actor(_ user: User) -> AuditActor { .user(user, via: .page) }

        var activityRows: [ActivityRow] = []
        for activity in work.activities {
            guard let user = owner(activity.contactIndex) else { continue }
            let at = Date(timeIntervalSince1970: ((now.timeIntervalSince1970 - activity.ago) * 1000).rounded() / 1000)
            let row = ActivityRow()
            row.id = TimeOrderedID.make(at: at)
            row.workspaceID = workspaceID
            row.contactID = contactIDs[activity.contactIndex]
            row.fill(ActivityInput(kind: activity.kind, outcome: activity.outcome, notes: activity.notes, nextStep: activity.nextStep,
                                   occurredAt: at, durationMinutes: activity.durationMinutes))
            row.actorUserID = user.id
            row.actorLabel = user.name
            row.via = AuditActor.Channel.page.rawValue
            row.loggedAt = at
            row.updatedAt = at
            activityRows.append(row)
        }
        var taskRows: [SalesTaskRow] = []
        for task in work.tasks {
            guard let user = owner(task.contactIndex) else { continue }
            // On the hour, in working hours of the workspace's zone.
            let dueDay = MomentText.day(of: now.addingTimeInterval(task.dueIn), timeZone: demo.settings.timeZone)
            let hour = 9 + Int(task.dueIn.magnitude) % 9
            let due = MomentText.parse(dueDay.iso + "T" + (hour < 10 ? "0" : "") + "\(hour):00", timeZone: demo.settings.timeZone)
                ?? now.addingTimeInterval(task.dueIn)
            let created = min(now, due).addingTimeInterval(-3 * 86_400)
            let row = SalesTaskRow()
            row.id = TimeOrderedID.make(at: created)
            row.workspaceID = workspaceID
            row.contactID = contactIDs[task.contactIndex]
            row.title = task.title
            row.dueAt = due
            row.reminderMinutes = task.reminder.minutes
            row.remindAt = task.reminder.remindAt(due)
            // Reminders of the past were sent; the queue sends the ones still to come.
            row.remindedAt = row.remindAt.flatMap { $0 <= now ? $0 : nil }
            row.assigneeID = user.id
            row.completedAt = task.done ? due : nil
            row.completedByLabel = task.done ? user.name : nil
            row.createdByUserID = user.id
            row.createdByLabel = user.name
            row.via = AuditActor.Channel.page.rawValue
            row.createdAt = created
            row.updatedAt = task.done ? due : created
            taskRows.append(row)
        }
        var dealRows: [DealRow] = []
        var changeRows: [SalesChangeRow] = []
        for demoDeal in work.deals {
            guard let user = owner(demoDeal.contactIndex) else { continue }
            let closeDay = MomentText.day(of: now.addingTimeInterval(Double(demoDeal.closeInDays) * 86_400), timeZone: demo.settings.timeZone)
            let closedAt = demoDeal.stage.isOpen ? nil : now.addingTimeInterval(Double(demoDeal.closeInDays) * 86_400)
            // A closed deal was opened before it closed; an open one some days ago.
            let opened = Date(timeIntervalSince1970: (((closedAt ?? now).timeIntervalSince1970 - demoDeal.age) * 1000).rounded() / 1000)
            let deal = Deal(id: TimeOrderedID.make(at: opened), contactID: contactIDs[demoDeal.contactIndex], name: demoDeal.name,
                            amount: Money(minorUnits: demoDeal.amountMinorUnits, currency: demo.settings.currency), stage: demoDeal.stage,
                            expectedCloseDate: closeDay, lostReason: demoDeal.lostReason, lostNote: nil, ownerID: user.id,
                            closedAt: closedAt, closedBy: closedAt == nil ? nil : actor(user), createdAt: opened, updatedAt: closedAt ?? opened)
            let row = DealRow()
            row.id = deal.id
            row.workspaceID = workspaceID
            row.contactID = deal.contactID
            row.fill(deal)
            dealRows.append(row)
            var openedFields = deal.auditFields
            openedFields["stage"] = DealStage.proposal.rawValue
            openedFields["lost_reason"] = nil
            changeRows.append(change(.created, deal, before: [:], after: deal.isOpen ? deal.auditFields : openedFields, user: user, at: opened, workspaceID: workspaceID))
            if let closedAt {
                changeRows.append(change(deal.stage == .won ? .won : .lost, deal, before: openedFields, after: deal.auditFields, user: user, at: closedAt,
                                         workspaceID: workspaceID))
            }
        }
        for chunk in activityRows.chunked(batchSize) { try await StoreTuning.writeTransaction(db) { tx in try await Array(chunk).create(on: tx) } }
        for chunk in taskRows.chunked(batchSize) { try await StoreTuning.writeTransaction(db) { tx in try await Array(chunk).create(on: tx) } }
        for chunk in dealRows.chunked(batchSize) { try await StoreTuning.writeTransaction(db) { tx in try await Array(chunk).create(on: tx) } }
        for chunk in changeRows.chunked(batchSize) { try await StoreTuning.writeTransaction(db) { tx in try await Array(chunk).create(on: tx) } }
    }

    private func change(_ kind: SalesChange.Kind, _ deal: Deal, before: [String: String], after: [String: String], user: User, at: Date,
                        workspaceID: UUID) -> SalesChangeRow {
        let change = AuditChange(before: before, after: after)
        let row = SalesChangeRow()
        row.id = TimeOrderedID.make(at: at)
        row.workspaceID = workspaceID
        row.contactID = deal.contactID
        row.subjectType = SalesChange.Subject.deal.rawValue
        row.subjectID = deal.id
        row.kind = kind.rawValue
        row.title = deal.name
        row.actorUserID = user.id
        row.actorLabel = user.name
        row.via = AuditActor.Channel.page.rawValue
        row.before = AuditLog.encode(change.before)
        row.after = AuditLog.encode(change.after)
        row.at = at
        return row
    }
}
