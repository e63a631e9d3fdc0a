import FluentKit
import Foundation
import SmarketingCore

/// Sales qualifications of one workspace: a rep answers the SQL criteria of the active lead
/// definition and the lead becomes SQL, with the answers kept, the stage change's cause naming
/// them, a line on the contact's timeline and an audit entry, all in one transaction.
public struct SQLQualifications: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// The criteria a rep answers now (the active definition's), with its version; no criteria
    /// and version 0 while no definition is active.
    public func criteria() async throws -> (version: Int, criteria: [SQLCriterion]) {
        guard let active = try await LeadDefinitions(db, workspaceID: workspaceID).active() else { return (0, []) }
        return (active.number, active.version.definition.sqlCriteria)
    }

    /// Qualifies the contact as SQL with these answers (by criterion key). Throws
    /// ``ValidationFailure`` naming each missing or malformed answer, or `lifecycle_stage` when
    /// the contact's stage does not allow it; nil when the contact is not in the workspace.
    public func qualify(_ contactID: UUID, answers given: [String: String], by actor: AuditActor, now: Date) async throws -> SQLQualification? {
        try await StoreTuning.writeTransaction(db) { tx in
            let scoped = SQLQualifications(tx, workspaceID: workspaceID)
            guard let contact = try await ContactRepository(tx, workspaceID: workspaceID).find(contactID) else { return nil }
            let (version, criteria) = try await scoped.criteria()
            let answers = try SQLQualification.answers(given, criteria: criteria, stage: contact.stage)
            let qualification = SQLQualification(contactID: contactID, definitionVersion: version, answers: answers, actor: actor, at: now)
            let row = SQLQualificationRow()
            row.id = TimeOrderedID.make(at: now)
            row.workspaceID = workspaceID
            row.contactID = contactID
            row.definitionVersion = version
            row.answers = String(decoding: try JSONEncoder().encode(answers), as: UTF8.self)
            row.actorUserID = actor.userID
            row.actorLabel = actor.name
            row.via = actor.channel.rawValue
            row.at = now
            try await row.create(on: tx)
            try await StageChanges(tx, workspaceID: workspaceID).move(contact, to: .sql, cause: qualification.cause, by: actor, now: now)
            return qualification
        }
    }

    /// The contact's qualifications, newest first.
    public func history(of contactID: UUID, limit: Int = 20) async throws -> [SQLQualification] {
        try await SQLQualificationRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == contactID)
            .sort(\.$at, .descending).sort(\.$id, .descending).limit(limit).all().map { row in
                SQLQualification(
                    contactID: row.contactID, definitionVersion: row.definitionVersion,
                    answers: (try? JSONDecoder().decode([SQLQualification.Answer].self, from: Data(row.answers.utf8))) ?? [],
                    actor: AuditActor(userID: row.actorUserID, name: row.actorLabel, channel: AuditActor.Channel(rawValue: row.via) ?? .system),
                    at: row.at)
            }
    }
}
