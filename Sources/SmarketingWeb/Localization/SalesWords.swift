import Foundation
import SmarketingCore

/// The names of sales follow-up's values in the user's language, and money as people read it.
extension Localizer {
    func kindName(_ kind: ActivityKind) -> String {
        switch kind {
        case .call: self(.kindCall)
        case .email: self(.kindEmail)
        case .meeting: self(.kindMeeting)
        case .note: self(.kindNote)
        }
    }

    func outcomeName(_ outcome: ActivityOutcome) -> String {
        switch outcome {
        case .connected: self(.outcomeConnected)
        case .leftVoicemail: self(.outcomeLeftVoicemail)
        case .noAnswer: self(.outcomeNoAnswer)
        case .wrongNumber: self(.outcomeWrongNumber)
        case .sent: self(.outcomeSent)
        case .replied: self(.outcomeReplied)
        case .bounced: self(.outcomeBounced)
        case .booked: self(.outcomeBooked)
        case .held: self(.outcomeHeld)
        case .noShow: self(.outcomeNoShow)
        case .rescheduled: self(.outcomeRescheduled)
        case .canceled: self(.outcomeCanceled)
        }
    }

    func reminderName(_ reminder: TaskReminder) -> String {
        switch reminder {
        case .none: self(.reminderNone)
        case .atDue: self(.reminderAtDue)
        case .fifteenMinutes: self(.reminder15m)
        case .oneHour: self(.reminder1h)
        case .oneDay: self(.reminder1d)
        }
    }

    func dealStageName(_ stage: DealStage) -> String {
        switch stage {
        case .qualification: self(.dealStageQualification)
        case .proposal: self(.dealStageProposal)
        case .negotiation: self(.dealStageNegotiation)
        case .won: self(.dealStageWon)
        case .lost: self(.dealStageLost)
        }
    }

    func lostReasonName(_ reason: LostReason) -> String {
        switch reason {
        case .price: self(.lostPrice)
        case .competitor: self(.lostCompetitor)
        case .noBudget: self(.lostNoBudget)
        case .noDecision: self(.lostNoDecision)
        case .timing: self(.lostTiming)
        case .productFit: self(.lostProductFit)
        case .unresponsive: self(.lostUnresponsive)
        case .other: self(.lostOther)
        }
    }

    /// `R$ 12.500,50` or `R$12,500.50`: the currency's symbol and decimals, this language's separators.
    /// `cents: false` leaves the decimals out (chart labels).
    func money(_ money: Money, cents: Bool = true) -> String {
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: language == .ptBR ? "pt_BR" : "en_US")
        formatter.numberStyle = .currency
        formatter.currencyCode = money.currency
        let digits = cents ? Money.minorDigits(money.currency) : 0
        formatter.minimumFractionDigits = digits
        formatter.maximumFractionDigits = digits
        return formatter.string(from: NSDecimalNumber(decimal: money.decimal)) ?? "\(money.currency) \(money.plainText)"
    }

    /// A day of the calendar as this language writes it.
    func day(_ day: CalendarDay) -> String {
        guard language == .ptBR else { return day.iso }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(two(day.day))/\(two(day.month))/\(day.year)"
    }
}
