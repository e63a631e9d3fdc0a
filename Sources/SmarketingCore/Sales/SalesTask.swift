import Foundation

/// Something a rep must do by a date: call back, send the proposal. Linked to the contact it is
/// about, assigned to one person, reminded ahead of its due time when asked.
public struct SalesTask: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var contactID: UUID?
    public var title: String
    public var notes: String?
    public var dueAt: Date
    public var reminder: TaskReminder
    public var assigneeID: UUID
    public var completedAt: Date?
    public var completedBy: String?
    public var remindedAt: Date?
    public var createdBy: AuditActor
    public var createdAt: Date

    public init(id: UUID, contactID: UUID?, title: String, notes: String?, dueAt: Date, reminder: TaskReminder, assigneeID: UUID,
                completedAt: Date?, completedBy: String?, remindedAt: Date?, createdBy: AuditActor, createdAt: Date) {
        self.id = id
        self.contactID = contactID
        self.title = title
        self.notes = notes
        self.dueAt = dueAt
        self.reminder = reminder
        self.assigneeID = assigneeID
        self.completedAt = completedAt
        self.completedBy = completedBy
        self.remindedAt = remindedAt
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    public var isDone: Bool { completedAt != nil }

    /// When the assignee is reminded, or nil without a reminder.
    public var remindAt: Date? { reminder.remindAt(dueAt) }

    /// Where an open task sits in its assignee's day.
    public enum Bucket: String, Sendable, CaseIterable {
        case overdue, today, upcoming
    }

    /// Overdue once its due time passed; today while due later on the current day of the time
    /// zone; upcoming after that.
    public static func bucket(dueAt: Date, now: Date, timeZone: String) -> Bucket {
        if dueAt < now { return .overdue }
        return MomentText.day(of: dueAt, timeZone: timeZone) == MomentText.day(of: now, timeZone: timeZone) ? .today : .upcoming
    }
}

/// How long before a task's due time its assignee hears of it.
public enum TaskReminder: String, Sendable, Codable, CaseIterable, Hashable {
    case none
    case atDue = "at_due"
    case fifteenMinutes = "15m"
    case oneHour = "1h"
    case oneDay = "1d"

    /// The offset in minutes, nil without a reminder.
    public var minutes: Int? {
        switch self {
        case .none: nil
        case .atDue: 0
        case .fifteenMinutes: 15
        case .oneHour: 60
        case .oneDay: 1440
        }
    }

    public init(minutes: Int?) {
        self = Self.allCases.first { $0.minutes == minutes } ?? .none
    }

    public func remindAt(_ dueAt: Date) -> Date? {
        minutes.map { dueAt.addingTimeInterval(-Double($0) * 60) }
    }
}

/// A checked task as a form or the API submitted it.
public struct TaskInput: Sendable, Equatable {
    public var title: String
    public var notes: String?
    public var dueAt: Date
    public var reminder: TaskReminder
    /// Nil leaves the choice to the caller (the creator, or the task's current assignee).
    public var assigneeID: UUID?

    public static let titleMaximumLength = 200
    public static let notesMaximumLength = 2000

    public init(title: String, notes: String?, dueAt: Date, reminder: TaskReminder, assigneeID: UUID?) {
        self.title = title
        self.notes = notes
        self.dueAt = dueAt
        self.reminder = reminder
        self.assigneeID = assigneeID
    }

    /// Checks `title`, `notes`, `due_at` (ISO 8601, a local date and time in `timeZone`, or a day
    /// meaning 9 am), `reminder` (none, at_due, 15m, 1h, 1d; empty is none) and `assignee_id`,
    /// reporting every problem at once.
    public static func check(_ fields: [String: String], timeZone: String) throws(ValidationFailure) -> TaskInput {
        var checker = FieldChecker()
        let title = checker.text("title", fields["title"], maximum: titleMaximumLength)
        let notes = checker.text("notes", fields["notes"], required: false, maximum: notesMaximumLength)
        var dueAt: Date?
        if let raw = checker.text("due_at", fields["due_at"], maximum: 40) {
            if let parsed = MomentText.parse(raw, timeZone: timeZone), parsed >= MomentText.earliest, parsed < MomentText.latest {
                dueAt = parsed
            } else {
                checker.add("due_at", .invalid)
            }
        }
        var reminder = TaskReminder.none
        if let raw = checker.text("reminder", fields["reminder"], required: false, maximum: 10) {
            if let found = TaskReminder(rawValue: raw.lowercased()) { reminder = found } else { checker.add("reminder", .notInList) }
        }
        var assignee: UUID?
        if let raw = checker.text("assignee_id", fields["assignee_id"], required: false, maximum: 40) {
            if let id = UUID(uuidString: raw) { assignee = id } else { checker.add("assignee_id", .notInList) }
        }
        try checker.throwIfAny()
        guard let title, let dueAt else { throw ValidationFailure("title", .required) }
        return TaskInput(title: title, notes: notes, dueAt: dueAt, reminder: reminder, assigneeID: assignee)
    }
}
