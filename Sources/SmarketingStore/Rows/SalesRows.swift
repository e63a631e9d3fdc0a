import FluentKit
import Foundation
import SmarketingCore

final class ActivityRow: Model, @unchecked Sendable {
    static let schema = "activities"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @Field(key: "kind") var kind: String
    @OptionalField(key: "outcome") var outcome: String?
    @OptionalField(key: "notes") var notes: String?
    @OptionalField(key: "next_step") var nextStep: String?
    @Field(key: "occurred_at") var occurredAt: Date
    @OptionalField(key: "duration_minutes") var durationMinutes: Int?
    @OptionalField(key: "actor_user_id") var actorUserID: UUID?
    @Field(key: "actor_label") var actorLabel: String
    @Field(key: "via") var via: String
    @Field(key: "logged_at") var loggedAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    func fill(_ input: ActivityInput) {
        kind = input.kind.rawValue
        outcome = input.outcome?.rawValue
        notes = input.notes
        nextStep = input.nextStep
        occurredAt = input.occurredAt
        durationMinutes = input.durationMinutes
    }

    var value: Activity {
        Activity(id: id ?? UUID(), contactID: contactID, kind: ActivityKind(rawValue: kind) ?? .note, outcome: outcome.flatMap(ActivityOutcome.init(rawValue:)),
                 notes: notes, nextStep: nextStep, occurredAt: occurredAt, durationMinutes: durationMinutes,
                 actor: AuditActor(userID: actorUserID, name: actorLabel, channel: AuditActor.Channel(rawValue: via) ?? .system), loggedAt: loggedAt)
    }
}

final class SalesTaskRow: Model, @unchecked Sendable {
    static let schema = "sales_tasks"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @OptionalField(key: "contact_id") var contactID: UUID?
    @Field(key: "title") var title: String
    @OptionalField(key: "notes") var notes: String?
    @Field(key: "due_at") var dueAt: Date
    @OptionalField(key: "reminder_minutes") var reminderMinutes: Int?
    @OptionalField(key: "remind_at") var remindAt: Date?
    @OptionalField(key: "reminded_at") var remindedAt: Date?
    @Field(key: "assignee_id") var assigneeID: UUID
    @OptionalField(key: "completed_at") var completedAt: Date?
    @OptionalField(key: "completed_by_label") var completedByLabel: String?
    @OptionalField(key: "created_by_user_id") var createdByUserID: UUID?
    @Field(key: "created_by_label") var createdByLabel: String
    @Field(key: "via") var via: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var value: SalesTask {
        SalesTask(id: id ?? UUID(), contactID: contactID, title: title, notes: notes, dueAt: dueAt, reminder: TaskReminder(minutes: reminderMinutes),
                  assigneeID: assigneeID, completedAt: completedAt, completedBy: completedByLabel, remindedAt: remindedAt,
                  createdBy: AuditActor(userID: createdByUserID, name: createdByLabel, channel: AuditActor.Channel(rawValue: via) ?? .system),
                  createdAt: createdAt)
    }

    var auditFields: [String: String] {
        var fields = ["title": title, "due_at": ISO8601DateFormatter().string(from: dueAt), "assignee_id": assigneeID.uuidString.lowercased(),
                      "reminder": TaskReminder(minutes: reminderMinutes).rawValue, "done": completedAt == nil ? "false" : "true"]
        if let notes { fields["notes"] = notes }
        return fields
    }
}

final class DealRow: Model, @unchecked Sendable {
    static let schema = "deals"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @Field(key: "name") var name: String
    @Field(key: "amount_minor") var amountMinor: Int64
    @Field(key: "currency") var currency: String
    @Field(key: "stage") var stage: String
    @Field(key: "expected_close_date") var expectedCloseDate: String
    @OptionalField(key: "lost_reason") var lostReason: String?
    @OptionalField(key: "lost_note") var lostNote: String?
    @OptionalField(key: "owner_id") var ownerID: UUID?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "closed_by_user_id") var closedByUserID: UUID?
    @OptionalField(key: "closed_by_label") var closedByLabel: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    func fill(_ deal: Deal) {
        name = deal.name
        amountMinor = deal.amount.minorUnits
        currency = deal.amount.currency
        stage = deal.stage.rawValue
        expectedCloseDate = deal.expectedCloseDate.iso
        lostReason = deal.lostReason?.rawValue
        lostNote = deal.lostNote
        ownerID = deal.ownerID
        closedAt = deal.closedAt
        closedByUserID = deal.closedBy?.userID
        closedByLabel = deal.closedBy?.name
        createdAt = deal.createdAt
        updatedAt = deal.updatedAt
    }

    var value: Deal {
        Deal(id: id ?? UUID(), contactID: contactID, name: name, amount: Money(minorUnits: amountMinor, currency: currency),
             stage: DealStage(rawValue: stage) ?? .qualification,
             expectedCloseDate: CalendarDay(parsing: expectedCloseDate) ?? CalendarDay(utc: createdAt),
             lostReason: lostReason.flatMap(LostReason.init(rawValue:)), lostNote: lostNote, ownerID: ownerID, closedAt: closedAt,
             closedBy: closedByLabel.map { AuditActor(userID: closedByUserID, name: $0, channel: .page) },
             createdAt: createdAt, updatedAt: updatedAt)
    }
}

final class SalesChangeRow: Model, @unchecked Sendable {
    static let schema = "sales_changes"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @OptionalField(key: "contact_id") var contactID: UUID?
    @Field(key: "subject_type") var subjectType: String
    @Field(key: "subject_id") var subjectID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @OptionalField(key: "actor_user_id") var actorUserID: UUID?
    @Field(key: "actor_label") var actorLabel: String
    @Field(key: "via") var via: String
    @Field(key: "before") var before: String
    @Field(key: "after") var after: String
    @Field(key: "at") var at: Date

    init() {}
}
