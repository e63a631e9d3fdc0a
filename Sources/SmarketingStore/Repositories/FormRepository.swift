import FluentKit
import Foundation
import SmarketingCore
import SQLKit

final class FormRow: Model, @unchecked Sendable {
    static let schema = "forms"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "name") var name: String
    /// Core's `[FormField]` as JSON.
    @Field(key: "fields") var fields: String
    /// Core's `[FormConsent]` as JSON.
    @Field(key: "consents") var consents: String
    @Field(key: "submit_label") var submitLabel: String
    /// `message` or `redirect`.
    @Field(key: "after_submit") var afterSubmit: String
    @OptionalField(key: "thank_you_message") var thankYouMessage: String?
    @OptionalField(key: "redirect_url") var redirectURL: String?
    @Field(key: "submissions") var submissions: Int
    @OptionalField(key: "last_submitted_at") var lastSubmittedAt: Date?
    @Field(key: "archived") var archived: Bool
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    func apply(_ definition: FormDefinition) {
        name = definition.name
        fields = Self.encode(definition.fields)
        consents = Self.encode(definition.consents)
        submitLabel = definition.submitLabel
        afterSubmit = definition.afterSubmit.kind
        switch definition.afterSubmit {
        case .message(let message):
            thankYouMessage = message
            redirectURL = nil
        case .redirect(let url):
            thankYouMessage = nil
            redirectURL = url
        }
    }

    var value: FormRecord {
        let after: FormAfterSubmit = afterSubmit == "redirect" ? .redirect(redirectURL ?? "") : .message(thankYouMessage ?? "")
        let definition = FormDefinition(
            name: name, fields: Self.decode([FormField].self, fields), consents: Self.decode([FormConsent].self, consents),
            submitLabel: submitLabel, afterSubmit: after
        )
        return FormRecord(id: id ?? UUID(), definition: definition, archived: archived, submissions: submissions,
                          lastSubmittedAt: lastSubmittedAt, createdAt: createdAt, updatedAt: updatedAt)
    }

    private static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    private static func decode<T: Decodable & ExpressibleByArrayLiteral>(_ type: T.Type, _ text: String) -> T {
        (try? JSONDecoder().decode(type, from: Data(text.utf8))) ?? []
    }
}

/// The forms of one workspace: built on a page, shown to visitors on a hosted page or pasted
/// on a site, and archived rather than deleted (their events keep naming them).
public struct FormRepository: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// The workspace's forms, the active ones first, each group newest first.
    public func list() async throws -> [FormRecord] {
        try await FormRow.query(on: db).filter(\.$workspaceID == workspaceID)
            .sort(\.$archived).sort(\.$createdAt, .descending).sort(\.$id, .descending).all().map(\.value)
    }

    public func find(_ id: UUID) async throws -> FormRecord? {
        try await row(id, on: db)?.value
    }

    /// Saves a new form; the definition must have passed ``FormDefinition/check(_:availableFields:)``.
    public func create(_ definition: FormDefinition, now: Date) async throws -> FormRecord {
        let row = FormRow()
        row.id = TimeOrderedID.make(at: now)
        row.workspaceID = workspaceID
        row.apply(definition)
        row.submissions = 0
        row.archived = false
        row.createdAt = now
        row.updatedAt = now
        try await row.create(on: db)
        return row.value
    }

    /// Replaces a form's definition (its id, and so its hosted address and snippet, stay);
    /// nil when the workspace has no such form.
    public func update(_ id: UUID, _ definition: FormDefinition, now: Date) async throws -> FormRecord? {
        try await db.transaction { tx in
            guard let row = try await row(id, on: tx) else { return nil }
            row.apply(definition)
            row.updatedAt = now
            try await row.update(on: tx)
            return row.value
        }
    }

    /// Archives a form (its hosted page and snippet stop taking submissions) or brings it back.
    public func setArchived(_ id: UUID, _ archived: Bool, now: Date) async throws -> FormRecord? {
        try await db.transaction { tx in
            guard let row = try await row(id, on: tx) else { return nil }
            if row.archived != archived {
                row.archived = archived
                row.updatedAt = now
                try await row.update(on: tx)
            }
            return row.value
        }
    }

    /// Saves what an accepted submission says about its contact, in one transaction: the
    /// contact with that email is updated with the values given (blank ones keep what is stored)
    /// or created, through ``ContactWriter`` like every other door (timeline, company, score);
    /// the first touch (source and campaign) is written only when the contact has none yet; and
    /// the form's submission count moves. Nil when the form is not in the workspace or archived.
    public func recordSubmission(
        to formID: UUID, _ submission: FormSubmission, definitions: [CustomFieldDefinition], now: Date
    ) async throws -> (contactID: UUID, outcome: ContactWriter.Outcome)? {
        do {
            return try await saveSubmission(to: formID, submission, definitions: definitions, now: now)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two first submissions with one new email at the same moment: the other one created
            // the contact (emails are unique per workspace), so this one now updates it.
            return try await saveSubmission(to: formID, submission, definitions: definitions, now: now)
        }
    }

    private func saveSubmission(
        to formID: UUID, _ submission: FormSubmission, definitions: [CustomFieldDefinition], now: Date
    ) async throws -> (contactID: UUID, outcome: ContactWriter.Outcome)? {
        try await db.transaction { tx in
            guard let form = try await row(formID, on: tx), !form.archived else { return nil }
            var input = submission.contact
            if let email = input.email, let existing = try await ContactRepository(tx, workspaceID: workspaceID).find(email: email),
               !(existing.source ?? "").isEmpty {
                input.source = nil
                input.campaign = nil
            }
            let actor = AuditActor(userID: nil, name: "Form: " + form.name, channel: .form)
            guard let (contact, outcome) = try await ContactWriter(tx, workspaceID: workspaceID)
                .save(input, id: nil, mode: .merge, definitions: definitions, by: actor, now: now, on: tx)
            else { return nil }
            // One statement, so simultaneous submissions never lose a count.
            if let sql = tx as? any SQLDatabase {
                try await sql.update(FormRow.schema)
                    .set(SQLColumn("submissions"), to: SQLBinaryExpression(SQLColumn("submissions"), .add, SQLLiteral.numeric("1")))
                    .set(SQLColumn("last_submitted_at"), to: SQLBind(now))
                    .where("id", .equal, SQLBind(formID)).where("workspace_id", .equal, SQLBind(workspaceID))
                    .run()
            }
            return (contact.id, outcome)
        }
    }

    private func row(_ id: UUID, on db: any Database) async throws -> FormRow? {
        try await FormRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first()
    }
}

extension Directory {
    /// A form as its public page finds it, before the workspace is known: by id, only while it
    /// takes submissions (an archived form is as unknown as a missing one).
    public func activeForm(_ id: UUID) async throws -> (form: FormRecord, workspaceID: UUID)? {
        guard let row = try await FormRow.query(on: db).filter(\.$id == id).filter(\.$archived == false).first() else { return nil }
        return (row.value, row.workspaceID)
    }
}
