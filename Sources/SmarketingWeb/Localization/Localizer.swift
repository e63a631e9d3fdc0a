import Foundation
import SmarketingCore

/// Speaks the interface in one language: catalog strings, field errors, dates and numbers.
struct Localizer: Sendable {
    let language: Language

    init(_ language: Language) {
        self.language = language
    }

    var catalog: [L10nKey: String] {
        switch language {
        case .en: Catalogs.en
        case .ptBR: Catalogs.ptBR
        }
    }

    /// The string for a key, with `{0}`, `{1}`... replaced by the arguments in order.
    func callAsFunction(_ key: L10nKey, _ arguments: String...) -> String {
        var result = catalog[key] ?? Catalogs.en[key] ?? key.rawValue
        for (index, argument) in arguments.enumerated() {
            result = result.replacingOccurrences(of: "{\(index)}", with: argument)
        }
        return result
    }

    /// A sentence saying what is wrong with a field.
    func message(for error: FieldError) -> String {
        switch error.code {
        case .required: self(.errorRequired)
        case .tooShort(let minimum): self(.errorTooShort, String(minimum))
        case .tooLong(let maximum) where error.field == "file": self(.errorFileTooLarge, String(maximum))
        case .tooLong(let maximum): self(.errorTooLong, String(maximum))
        case .invalid: invalidMessage(field: error.field)
        case .notInList: self(.errorNotInList)
        case .alreadyTaken: self(.errorTaken)
        case .mismatch: self(.errorMismatch)
        case .lastAdmin: self(.errorLastAdmin)
        case .notANumber: self(.errorNotANumber)
        case .notADate: self(.errorNotADate)
        case .notYesOrNo: self(.errorNotYesOrNo)
        }
    }

    /// Why the lead definition check refused a value.
    func problem(_ reason: LeadDefinitionProblem.Reason) -> String {
        switch reason {
        case .required: self(.errorRequired)
        case .duplicate: self(.ldProblemDuplicate)
        case .unknownField: self(.ldProblemUnknownField)
        case .malformed: self(.ldProblemMalformed)
        case .neverMatches: self(.ldProblemNeverMatches)
        case .outOfRange(let minimum, let maximum): self(.ldProblemOutOfRange, NumberText.format(minimum), NumberText.format(maximum))
        case .tooMany(let maximum): self(.ldProblemTooMany, String(maximum))
        case .tooLong(let maximum): self(.errorTooLong, String(maximum))
        case .noPoints: self(.ldProblemNoPoints)
        case .notStrictlyOrdered: self(.ldProblemNotOrdered)
        case .notMonotone(let missing): self(.ldProblemNotMonotone, missing.map(\.description).joined(separator: ", "))
        case .unreachable(let maximum): self(.ldProblemUnreachable, String(maximum))
        }
    }

    /// What a field with a format expects, said instead of a bare "not valid".
    private func invalidMessage(field: String) -> String {
        switch field {
        case "email", "owner_email": self(.errorInvalidEmail)
        case "birth_date": self(.errorNotADate)
        case "age": self(.errorInvalidAge)
        case "country": self(.errorInvalidCountry)
        case "domain", "company_domain": self(.errorInvalidDomain)
        case "employee_count": self(.errorInvalidWholeNumber)
        case "phone": self(.errorInvalidPhone)
        case "occurred_at": self(.errorOccurredAt)
        case "amount": self(.errorInvalidAmount)
        case "due_at": self(.errorInvalidDateTime)
        case "duration_minutes": self(.errorInvalidDuration)
        default: self(.errorInvalid)
        }
    }

    /// "1 contact", "2 contacts": the singular key for exactly one, the plural one otherwise.
    func count(_ value: Int, one: L10nKey, other: L10nKey) -> String {
        value == 1 ? self(one, number(value)) : self(other, number(value))
    }

    func roleName(_ role: Role) -> String {
        switch role {
        case .admin: self(.roleAdmin)
        case .marketing: self(.roleMarketing)
        case .marketingManager: self(.roleMarketingManager)
        case .sales: self(.roleSales)
        case .salesManager: self(.roleSalesManager)
        }
    }

    func stageName(_ stage: LifecycleStage) -> String {
        switch stage {
        case .subscriber: self(.stageSubscriber)
        case .lead: self(.stageLead)
        case .mql: "MQL"
        case .sal: "SAL"
        case .sql: "SQL"
        case .opportunity: self(.stageOpportunity)
        case .customer: self(.stageCustomer)
        case .disqualified: self(.stageDisqualified)
        case .recycled: self(.stageRecycled)
        }
    }

    /// What an audit log action means, in words; unknown actions show their code.
    func auditAction(_ code: String) -> String {
        guard let action = AuditAction(rawValue: code) else { return code }
        return switch action {
        case .workspaceCreated: self(.auditWorkspaceCreated)
        case .workspaceUpdated: self(.auditWorkspaceUpdated)
        case .userCreated: self(.auditUserCreated)
        case .userUpdated: self(.auditUserUpdated)
        case .userDeactivated: self(.auditUserDeactivated)
        case .userReactivated: self(.auditUserReactivated)
        case .invitationCreated: self(.auditInvitationCreated)
        case .invitationRevoked: self(.auditInvitationRevoked)
        case .invitationAccepted: self(.auditInvitationAccepted)
        case .teamCreated: self(.auditTeamCreated)
        case .teamUpdated: self(.auditTeamUpdated)
        case .teamDeleted: self(.auditTeamDeleted)
        case .apiTokenCreated: self(.auditTokenCreated)
        case .apiTokenRevoked: self(.auditTokenRevoked)
        case .passwordChanged: self(.auditPasswordChanged)
        case .customFieldCreated, .customFieldUpdated, .customFieldDeleted: self(.customFields) + " · " + code
        case .contactOwnerChanged: self(.owner) + " · " + self(.changeUpdated)
        case .contactStageChanged: self(.stage) + " · " + self(.changeUpdated)
        case .contactDeleted: self(.contactDelete)
        case .contactsMerged: self(.changeMerged)
        case .companyDeleted: self(.companyDelete)
        case .routingRuleCreated: self(.auditRoutingRuleCreated)
        case .routingRuleUpdated: self(.auditRoutingRuleUpdated)
        case .routingRuleDeleted: self(.auditRoutingRuleDeleted)
        case .routingRulesReordered: self(.auditRoutingRulesReordered)
        case .routingRepUpdated: self(.auditRoutingRepUpdated)
        case .routingWeightsUpdated: self(.auditRoutingWeightsUpdated)
        case .routingFallbackChanged: self(.auditRoutingFallbackChanged)
        case .leadDefinitionDraftOpened: self(.auditLeadDefinitionDraftOpened)
        case .leadDefinitionDraftSaved: self(.auditLeadDefinitionDraftSaved)
        case .leadDefinitionApproved: self(.auditLeadDefinitionApproved)
        case .leadDefinitionActivated: self(.auditLeadDefinitionActivated)
        case .handoffAccepted: self(.auditHandoffAccepted)
        case .handoffRejected: self(.auditHandoffRejected)
        case .rejectionReasonsUpdated: self(.auditReasonsUpdated)
        case .webhookCreated: self(.auditWebhookCreated)
        case .webhookUpdated: self(.auditWebhookUpdated)
        case .webhookDeleted: self(.auditWebhookDeleted)
        case .activityLogged: self(.logActivity)
        case .activityUpdated: self(.activityUpdated)
        case .taskCreated: self(.timelineTaskCreated)
        case .taskUpdated: self(.timelineTaskUpdated)
        case .taskCompleted: self(.timelineTaskCompleted)
        case .taskReopened: self(.timelineTaskReopened)
        case .dealCreated: self(.timelineDealCreated)
        case .dealUpdated: self(.timelineDealUpdated)
        case .dealWon: self(.timelineDealWon)
        case .dealLost: self(.timelineDealLost)
        }
    }

    func languageName(_ language: Language) -> String {
        switch language {
        case .en: "English"
        case .ptBR: "Português (Brasil)"
        }
    }

    /// A date and time in a time zone, in the way this language writes them.
    func dateTime(_ date: Date, timeZone: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language == .ptBR ? "pt_BR" : "en_US")
        formatter.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")
        formatter.dateStyle = .medium
        formatter.timeStyle = .short
        return formatter.string(from: date)
    }

    func number(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: language == .ptBR ? "pt_BR" : "en_US")
        formatter.numberStyle = .decimal
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }
}
