import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// Reminders of sales tasks: once a minute every instance schedules a `task.reminders` tick
/// with the minute as its unique key, so the tick runs once however many instances serve the
/// workspace; the tick writes each due reminder as an email to the task's assignee (outbox and
/// `mail.send` job) and marks the task reminded, in one transaction per task, so a reminder is
/// written once.
enum TaskReminders {
    static let tickJob = "task.reminders"

    static func register(_ app: Application) {
        app.jobs.register(tickJob, policy: .internalWork) { job, context in
            try await remind(context)
        }
        app.jobs.schedule(tickJob, every: 60)
    }

    static func remind(_ context: JobRunner.JobContext) async throws {
        let now = context.now
        let due = try await SalesTasks.dueReminders(before: now, limit: 500, on: context.db)
        for reminder in due {
            try await StoreTuning.writeTransaction(context.db) { tx in
                // Marked first: a task another tick already reminded of is skipped.
                guard try await SalesTasks.markReminded([reminder.task.id], at: now, on: tx) == 1,
                      let assignee = try await UserRepository(tx, workspaceID: reminder.workspaceID).find(reminder.task.assigneeID), assignee.isActive,
                      let workspace = try await WorkspaceRepository(tx, workspaceID: reminder.workspaceID).get() else { return }
                let contact = try await reminder.task.contactID.asyncFlatMap { try await ContactRepository(tx, workspaceID: reminder.workspaceID).find($0) }
                try await enqueueMail(reminder.task, contact: contact, assignee: assignee, workspace: workspace, app: context.app, now: now, on: tx)
            }
        }
        if !due.isEmpty { context.app.jobs.wake() }
    }

    static func enqueueMail(_ task: SalesTask, contact: Contact?, assignee: User, workspace: Workspace, app: Application, now: Date,
                            on tx: any Database) async throws {
        let l = Localizer(assignee.language ?? workspace.settings.language)
        let base = app.config.publicURL ?? "http://127.0.0.1:8080"
        let settings = app.config.mail
        let due = l.dateTime(task.dueAt, timeZone: workspace.settings.timeZone)
        let about = contact.map { $0.fullName.isEmpty ? ($0.email?.value ?? "") : $0.fullName }
        let link = base + (contact.map { SiteURL.contact($0.id).path } ?? SiteURL.tasks.path)
        let text = [l(.mailHandoffGreeting, assignee.name), "", l(.mailReminderBody, task.title, due) + (about.map { " · " + $0 } ?? ""),
                    task.notes ?? "", "", link, "", l(.mailHandoffFooter, workspace.settings.name)].joined(separator: "\n")
        let id = Outbox.newID(at: now)
        let message = try MailMessage(
            from: settings.from, to: [MailAddress(assignee.email, name: assignee.name)], subject: l(.mailReminderSubject, task.title, due), text: text,
            headers: [MailHeader("List-Unsubscribe", "<mailto:\(settings.from.email.value)?subject=unsubscribe>"),
                      MailHeader("X-Smarketing-Kind", MailKind.notification.rawValue)],
            id: id, date: now
        )
        _ = try await Outbox(tx, workspaceID: workspace.id).enqueue(message, kind: .notification, contactID: contact?.id, now: now, on: tx)
        try await JobQueue.enqueue([HandoffMail.sendJob(id, workspaceID: workspace.id, now: now)], now: now, on: tx)
    }
}
