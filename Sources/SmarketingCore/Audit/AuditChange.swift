import Foundation

/// What an audited change did: the values of the fields it touched, before and after.
/// Only fields whose value differs are kept, so the log shows the change and nothing else.
public struct AuditChange: Sendable, Equatable, Codable {
    public var before: [String: String]
    public var after: [String: String]

    public init(before: [String: String], after: [String: String]) {
        var changedBefore: [String: String] = [:]
        var changedAfter: [String: String] = [:]
        for key in Set(before.keys).union(after.keys) where before[key] != after[key] {
            changedBefore[key] = before[key]
            changedAfter[key] = after[key]
        }
        self.before = changedBefore
        self.after = changedAfter
    }

    public var isEmpty: Bool { before.isEmpty && after.isEmpty }

    /// Field names that changed, sorted.
    public var fields: [String] { Set(before.keys).union(after.keys).sorted() }
}

/// The kinds of change the audit log records.
public enum AuditAction: String, Sendable, Codable, CaseIterable {
    case workspaceCreated = "workspace.created"
    case workspaceUpdated = "workspace.updated"
    case userCreated = "user.created"
    case userUpdated = "user.updated"
    case userDeactivated = "user.deactivated"
    case userReactivated = "user.reactivated"
    case invitationCreated = "invitation.created"
    case invitationRevoked = "invitation.revoked"
    case invitationAccepted = "invitation.accepted"
    case teamCreated = "team.created"
    case teamUpdated = "team.updated"
    case teamDeleted = "team.deleted"
    case apiTokenCreated = "api_token.created"
    case apiTokenRevoked = "api_token.revoked"
    case passwordChanged = "user.password_changed"
    case customFieldCreated = "custom_field.created"
    case customFieldUpdated = "custom_field.updated"
    case customFieldDeleted = "custom_field.deleted"
    case contactOwnerChanged = "contact.owner_changed"
    case contactStageChanged = "contact.stage_changed"
    case contactDeleted = "contact.deleted"
    case contactsMerged = "contact.merged"
    case companyDeleted = "company.deleted"
    case routingRuleCreated = "routing.rule_created"
    case routingRuleUpdated = "routing.rule_updated"
    case routingRuleDeleted = "routing.rule_deleted"
    case routingRulesReordered = "routing.rules_reordered"
    case routingRepUpdated = "routing.rep_updated"
    case routingWeightsUpdated = "routing.weights_updated"
    case routingFallbackChanged = "routing.fallback_changed"
    case leadDefinitionDraftOpened = "lead_definition.draft_opened"
    case leadDefinitionDraftSaved = "lead_definition.draft_saved"
    case leadDefinitionApproved = "lead_definition.approved"
    case leadDefinitionActivated = "lead_definition.activated"
    case handoffAccepted = "handoff.accepted"
    case handoffRejected = "handoff.rejected"
    case rejectionReasonsUpdated = "rejection_reasons.updated"
    case webhookCreated = "webhook.created"
    case webhookUpdated = "webhook.updated"
    case webhookDeleted = "webhook.deleted"
    case activityLogged = "activity.logged"
    case activityUpdated = "activity.updated"
    case taskCreated = "task.created"
    case taskUpdated = "task.updated"
    case taskCompleted = "task.completed"
    case taskReopened = "task.reopened"
    case dealCreated = "deal.created"
    case dealUpdated = "deal.updated"
    case dealWon = "deal.won"
    case dealLost = "deal.lost"
}

/// Who made a change and through which door: a person on a page, a token on the API,
/// a command on the server, the product itself (rules, schedules), or a visitor submitting one
/// of the workspace's forms.
public struct AuditActor: Sendable, Equatable, Codable {
    public enum Channel: String, Sendable, Codable {
        case page, api, command, system, form
    }

    public var userID: UUID?
    public var name: String
    public var channel: Channel

    public init(userID: UUID?, name: String, channel: Channel) {
        self.userID = userID
        self.name = name
        self.channel = channel
    }

    public static func user(_ user: User, via channel: Channel) -> AuditActor {
        AuditActor(userID: user.id, name: user.name, channel: channel)
    }

    public static let system = AuditActor(userID: nil, name: "Smarketing", channel: .system)
}

/// One line of the audit log.
public struct AuditEntry: Sendable, Equatable, Codable, Identifiable {
    public var id: UUID
    public var actor: AuditActor
    public var action: String
    public var entityType: String
    public var entityID: UUID?
    public var change: AuditChange
    public var at: Date

    public init(id: UUID, actor: AuditActor, action: String, entityType: String, entityID: UUID?, change: AuditChange, at: Date) {
        self.id = id
        self.actor = actor
        self.action = action
        self.entityType = entityType
        self.entityID = entityID
        self.change = change
        self.at = at
    }
}
