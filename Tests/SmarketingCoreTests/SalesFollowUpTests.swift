import Foundation
import Testing
@testable import SmarketingCore

/// 2026-11-19 12:00:00 UTC, 09:00 in São Paulo.
private let now = Date(timeIntervalSince1970: 1_795_089_600)
private let zone = "America/Sao_Paulo"

@Suite("Activities a rep logs: kind, outcome from the kind's list, notes, next step, when")
struct ActivityInputTests {
    @Test("a call with an outcome, notes, a next step, a local time and a duration is read as typed")
    func call() throws {
        let input = try ActivityInput.check(["kind": "call", "outcome": "left_voicemail", "notes": " Asked about pricing ",
                                             "next_step": "Call back Friday", "occurred_at": "2026-11-19T08:30", "duration_minutes": "5"],
                                            now: now, timeZone: zone)
        #expect(input.kind == .call)
        #expect(input.outcome == .leftVoicemail)
        #expect(input.notes == "Asked about pricing")
        #expect(input.nextStep == "Call back Friday")
        #expect(input.occurredAt == now.addingTimeInterval(-30 * 60))
        #expect(input.durationMinutes == 5)
    }

    @Test("no time means now; meetings offer booked and held")
    func meeting() throws {
        let booked = try ActivityInput.check(["kind": "meeting", "outcome": "booked"], now: now, timeZone: zone)
        #expect(booked.occurredAt == now)
        #expect(ActivityKind.meeting.outcomes.contains(.held))
        #expect(ActivityKind.call.outcomes == [.connected, .leftVoicemail, .noAnswer, .wrongNumber])
    }

    @Test("an unknown kind, an outcome of another kind, a far-future time and a bad duration are all refused at once")
    func refusedTogether() {
        #expect(throws: ValidationFailure([FieldError("outcome", .notInList), FieldError("occurred_at", .invalid),
                                           FieldError("duration_minutes", .invalid)])) {
            _ = try ActivityInput.check(["kind": "call", "outcome": "booked", "occurred_at": "2027-01-01T10:00", "duration_minutes": "-3"],
                                        now: now, timeZone: zone)
        }
        #expect(throws: ValidationFailure([FieldError("kind", .notInList)])) {
            _ = try ActivityInput.check(["kind": "fax"], now: now, timeZone: zone)
        }
    }

    @Test("a call needs an outcome; a note needs its text and takes none")
    func requiredByKind() {
        #expect(throws: ValidationFailure([FieldError("outcome", .required)])) {
            _ = try ActivityInput.check(["kind": "call"], now: now, timeZone: zone)
        }
        #expect(throws: ValidationFailure([FieldError("outcome", .notInList), FieldError("notes", .required)])) {
            _ = try ActivityInput.check(["kind": "note", "outcome": "connected"], now: now, timeZone: zone)
        }
    }
}

@Suite("Tasks: due dates, reminders, and where they sit in a rep's day")
struct TaskInputTests {
    @Test("a task due at a local time with a one-hour reminder is reminded an hour before")
    func reminder() throws {
        let input = try TaskInput.check(["title": "Send the proposal", "due_at": "2026-11-20T15:00", "reminder": "1h"], timeZone: zone)
        #expect(input.dueAt == Date(timeIntervalSince1970: 1_795_197_600))
        #expect(input.reminder.remindAt(input.dueAt) == input.dueAt.addingTimeInterval(-3600))
        #expect(TaskReminder.none.remindAt(input.dueAt) == nil)
        #expect(TaskReminder(minutes: 1440) == .oneDay)
    }

    @Test("a day alone is due at 9 am local; ISO times with a zone are read exactly")
    func formats() throws {
        #expect(try TaskInput.check(["title": "x", "due_at": "2026-11-19"], timeZone: zone).dueAt == now)
        #expect(try TaskInput.check(["title": "x", "due_at": "2026-11-19T12:00:00Z"], timeZone: zone).dueAt == now)
        #expect(try TaskInput.check(["title": "x", "due_at": "2026-11-19T09:00:00.000-03:00"], timeZone: "UTC").dueAt == now)
    }

    @Test("a missing title, a date that does not exist, an unknown reminder and an assignee that is not an id are refused at once")
    func refused() {
        #expect(throws: ValidationFailure([FieldError("title", .required), FieldError("due_at", .invalid),
                                           FieldError("reminder", .notInList), FieldError("assignee_id", .notInList)])) {
            _ = try TaskInput.check(["title": " ", "due_at": "2026-02-30T10:00", "reminder": "2w", "assignee_id": "rita"], timeZone: zone)
        }
    }

    @Test("open tasks are overdue once due, today until the local day ends, upcoming after")
    func buckets() {
        #expect(SalesTask.bucket(dueAt: now.addingTimeInterval(-60), now: now, timeZone: zone) == .overdue)
        #expect(SalesTask.bucket(dueAt: now.addingTimeInterval(14 * 3600), now: now, timeZone: zone) == .today)
        #expect(SalesTask.bucket(dueAt: now.addingTimeInterval(15 * 3600 + 60), now: now, timeZone: zone) == .upcoming)
    }
}

@Suite("Money is exact: minor units of a currency, read as people type it")
struct MoneyTests {
    @Test("Brazilian, English and plain amounts read to the same minor units", arguments: [
        ("12.500,50", 1_250_050), ("12,500.50", 1_250_050), ("12500.5", 1_250_050), ("R$ 12.500,50", 1_250_050),
        ("1.500", 150_000), ("1500", 150_000), ("0,99", 99), ("1,234,567", 123_456_700),
    ] as [(String, Int64)])
    func reads(text: String, minor: Int64) {
        #expect(Money.parse(text, currency: "BRL") == Money(minorUnits: minor, currency: "BRL"))
    }

    @Test("negative numbers, too many decimals, bad groups and words are not amounts", arguments: ["-5", "1.234,567", "12,34,56", "abc", "1e5", "", "10.00.00,1"])
    func refuses(text: String) {
        #expect(Money.parse(text, currency: "BRL") == nil)
    }

    @Test("yen have no decimals and dinars three")
    func minorDigits() {
        #expect(Money.parse("1.500", currency: "JPY")?.minorUnits == 1500)
        #expect(Money.parse("15.5", currency: "JPY") == nil)
        #expect(Money.parse("1.500", currency: "KWD")?.minorUnits == 1500)
        #expect(Money(minorUnits: 1_250_050, currency: "BRL").plainText == "12500.50")
        #expect(Money(minorUnits: 7, currency: "BRL").plainText == "0.07")
        #expect(Money(minorUnits: 1500, currency: "JPY").plainText == "1500")
        #expect(Money(minorUnits: 1_250_050, currency: "BRL").decimal == Decimal(string: "12500.5"))
    }
}

@Suite("Deals: amount, currency, stage, close date; won or lost with a reason")
struct DealTests {
    let rep = AuditActor(userID: UUID(), name: "Rita", channel: .page)
    let manager = AuditActor(userID: UUID(), name: "Sérgio", channel: .page)

    func input(_ fields: [String: String]) throws -> DealInput {
        try DealInput.check(["name": "Acme renewal", "amount": "10.000,00", "expected_close_date": "2026-12-15"].merging(fields) { $1 },
                            defaultCurrency: "BRL")
    }

    @Test("a new deal takes the workspace's currency and starts in qualification")
    func defaults() throws {
        let deal = try input([:])
        #expect(deal.amount == Money(minorUnits: 1_000_000, currency: "BRL"))
        #expect(deal.stage == .qualification)
        #expect(deal.expectedCloseDate == CalendarDay(year: 2026, month: 12, day: 15))
    }

    @Test("every bad field is named at once: amount, currency, stage, expected_close_date")
    func refusedTogether() {
        #expect(throws: ValidationFailure([FieldError("name", .required), FieldError("currency", .notInList), FieldError("amount", .invalid),
                                           FieldError("stage", .notInList), FieldError("expected_close_date", .notADate)])) {
            _ = try DealInput.check(["name": "", "amount": "-1", "currency": "XYZ", "stage": "maybe", "expected_close_date": "31/02/2026"],
                                    defaultCurrency: "BRL")
        }
        #expect(throws: ValidationFailure([FieldError("amount", .required), FieldError("expected_close_date", .required)])) {
            _ = try DealInput.check(["name": "x"], defaultCurrency: "BRL")
        }
    }

    @Test("a lost deal needs a reason from the list; other stages drop it")
    func lostReason() throws {
        #expect(throws: ValidationFailure([FieldError("lost_reason", .required)])) { _ = try input(["stage": "lost"]) }
        #expect(throws: ValidationFailure([FieldError("lost_reason", .notInList)])) { _ = try input(["stage": "lost", "lost_reason": "bad vibes"]) }
        #expect(try input(["stage": "lost", "lost_reason": "competitor"]).lostReason == .competitor)
        #expect(try input(["stage": "proposal", "lost_reason": "competitor"]).lostReason == nil)
    }

    @Test("winning closes the deal with its time and actor; staying won keeps them; reopening clears them")
    func closing() throws {
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        let open = Deal.opened(try input([:]), id: UUID(), contactID: UUID(), ownerID: rep.userID, by: rep, now: t0)
        #expect(open.closedAt == nil)
        let won = open.applying(try input(["stage": "won"]), ownerID: rep.userID, by: rep, now: t0 + 100)
        #expect(won.closedAt == t0 + 100)
        #expect(won.closedBy == rep)
        let edited = won.applying(try input(["stage": "won", "name": "Acme renewal 2027"]), ownerID: rep.userID, by: manager, now: t0 + 200)
        #expect(edited.closedAt == t0 + 100)
        #expect(edited.closedBy == rep)
        let lost = edited.applying(try input(["stage": "lost", "lost_reason": "price"]), ownerID: rep.userID, by: manager, now: t0 + 300)
        #expect(lost.closedAt == t0 + 300)
        #expect(lost.lostReason == .price)
        let reopened = lost.applying(try input(["stage": "negotiation"]), ownerID: rep.userID, by: rep, now: t0 + 400)
        #expect(reopened.closedAt == nil && reopened.closedBy == nil && reopened.lostReason == nil)
    }

    @Test("an open deal makes its contact an opportunity, a won one a customer; a lost one moves nobody; nobody moves back")
    func lifecycle() {
        #expect(DealLifecycle.contactStage(after: .proposal, contact: .sql) == .opportunity)
        #expect(DealLifecycle.contactStage(after: .qualification, contact: .lead) == .opportunity)
        #expect(DealLifecycle.contactStage(after: .proposal, contact: .customer) == nil)
        #expect(DealLifecycle.contactStage(after: .won, contact: .opportunity) == .customer)
        #expect(DealLifecycle.contactStage(after: .won, contact: .customer) == nil)
        #expect(DealLifecycle.contactStage(after: .lost, contact: .opportunity) == nil)
    }
}

@Suite("Who sees which deals and tasks, and the pipeline's totals")
struct SalesScopeTests {
    func user(_ roles: Set<Role>) -> User {
        User(id: UUID(), workspaceID: UUID(), email: EmailAddress("x@acme.com")!, name: "X", roles: roles, language: nil, isActive: true,
             createdAt: Date(timeIntervalSince1970: 0))
    }

    @Test("a rep sees their own, a sales manager their team's, marketing and admins everyone's")
    func scopes() {
        let rep = user([.sales]), manager = user([.salesManager]), mate = UUID(), stranger = UUID()
        #expect(SalesScope.of(rep, teamMateIDs: [rep.id, mate]) == .owners([rep.id]))
        #expect(SalesScope.of(manager, teamMateIDs: [manager.id, mate]).includes(mate))
        #expect(!SalesScope.of(manager, teamMateIDs: [manager.id, mate]).includes(stranger))
        #expect(!SalesScope.of(rep, teamMateIDs: [rep.id]).includes(nil))
        #expect(SalesScope.of(user([.marketing]), teamMateIDs: []) == .everyone)
        #expect(SalesScope.of(user([.admin]), teamMateIDs: []) == .everyone)
    }

    @Test("totals are kept per stage and per currency, never mixed, and bars are shares of the largest open stage")
    func pipeline() {
        let summary = PipelineSummary([(.proposal, "BRL", 2, 300_000), (.proposal, "USD", 1, 5_000), (.negotiation, "BRL", 1, 600_000),
                                       (.won, "BRL", 3, 900_000)])
        #expect(summary.columns.map(\.stage) == DealStage.allCases)
        #expect(summary.columns[1].count == 3)
        #expect(summary.columns[1].totals == ["BRL": 300_000, "USD": 5_000])
        #expect(summary.currencies(first: "BRL") == ["BRL", "USD"])
        let bars = summary.openShares(in: "BRL")
        #expect(bars.map(\.stage) == [.qualification, .proposal, .negotiation])
        #expect(bars.map(\.share) == [0, 0.5, 1])
    }
}
