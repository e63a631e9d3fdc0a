import FluentKit
import Foundation
import SQLKit
import SmarketingCore

/// Creates, updates and deletes companies of one workspace with the rules every door shares
/// (form, API): one company per normalised domain, every change on the company's timeline, and
/// the contacts' search kept in step with the company's name.
public struct CompanyWriter: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// Saves a company. Without an id, a company with the same domain is updated instead of
    /// duplicated (the outcome says so); with an id, a domain that belongs to another company is
    /// refused on `domain`. Returns nil when the id names no company of the workspace.
    public func save(
        _ input: CompanyInput, id: UUID? = nil, mode: ContactWriter.Mode, definitions: [CustomFieldDefinition], by actor: AuditActor, now: Date
    ) async throws -> (Company, ContactWriter.Outcome)? {
        try await StoreTuning.writeTransaction(db) { tx in
            var row: CompanyRow?
            if let id {
                guard let found = try await find(id, on: tx) else { return nil }
                row = found
                if let domain = input.domain, domain != found.domain, try await find(domain: domain, on: tx) != nil {
                    throw ValidationFailure("domain", .alreadyTaken)
                }
            } else if let domain = input.domain {
                row = try await find(domain: domain, on: tx)
            }
            let outcome: ContactWriter.Outcome = row == nil ? .created : .updated
            // A create that finds the company by domain fills in what it brings and keeps the rest.
            let mode: ContactWriter.Mode = id == nil && row != nil ? .merge : mode
            let company = row ?? CompanyRow()
            let values = CustomFieldRepository(tx, workspaceID: workspaceID)
            var before: [String: String] = [:]
            let oldName = row?.name
            if let existing = row {
                let id = try existing.requireID()
                before = Self.fields(of: existing, custom: try await values.values(of: [id], definitions: definitions)[id] ?? [:])
            } else {
                company.id = TimeOrderedID.make(at: now)
                company.workspaceID = workspaceID
                company.createdAt = now
            }
            apply(input, to: company, mode: mode)
            company.updatedAt = now
            try await company.save(on: tx)
            let companyID = try company.requireID()

            let clearing: Set<String> = mode == .replace ? Set(definitions.map(\.key)).subtracting(input.custom.keys) : []
            try await values.write(input.custom, clearing: clearing, recordID: companyID, definitions: definitions, on: tx)
            let custom = try await values.values(of: [companyID], definitions: definitions)[companyID] ?? [:]
            let change = AuditChange(before: before, after: Self.fields(of: company, custom: custom))
            if outcome == .created || !change.isEmpty {
                try await RecordChanges(tx, workspaceID: workspaceID)
                    .record(outcome == .created ? .created : .updated, type: "company", id: companyID, change: change, by: actor, at: now)
            }
            if let oldName, oldName != company.name { try await refreshContactSearch(of: companyID, name: company.name, on: tx) }
            if outcome == .updated, !change.isEmpty {
                let contacts = try await ContactRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$companyID == companyID).all()
                try await rescore(contacts.map { try $0.requireID() }, by: actor, now: now, on: tx)
            }
            var value = company.value
            value.custom = custom
            return (value, outcome)
        }
    }

    /// Deletes companies of this workspace; their contacts stay, without a company. Returns how
    /// many went.
    public func delete(_ ids: [UUID], by actor: AuditActor, now: Date) async throws -> Int {
        try await StoreTuning.writeTransaction(db) { tx in
            let rows = try await CompanyRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id ~~ ids).all()
            var orphaned: [UUID] = []
            for row in rows {
                let id = try row.requireID()
                let contacts = try await ContactRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$companyID == id).all()
                orphaned += try contacts.map { try $0.requireID() }
                for contact in contacts {
                    contact.companyID = nil
                    contact.searchText = ContactWriter.searchText(contact, companyName: nil)
                    contact.updatedAt = now
                    try await contact.update(on: tx)
                    try await RecordChanges(tx, workspaceID: workspaceID).record(
                        .updated, type: "contact", id: try contact.requireID(),
                        change: AuditChange(before: ["company": row.name], after: [:]), by: actor, at: now
                    )
                }
                try await CustomFieldValueRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$recordID == id).delete()
                try await row.delete(on: tx)
                try await AuditLog(tx, workspaceID: workspaceID).record(
                    .companyDeleted, by: actor, entityType: "company", entityID: id,
                    change: AuditChange(before: ["name": row.name, "domain": row.domain ?? ""], after: [:]), at: now
                )
            }
            try await rescore(orphaned, by: actor, now: now, on: tx)
            return rows.count
        }
    }

    private func find(_ id: UUID, on tx: any Database) async throws -> CompanyRow? {
        try await CompanyRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first()
    }

    private func find(domain: String, on tx: any Database) async throws -> CompanyRow? {
        try await CompanyRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$domain == domain).first()
    }

    private func apply(_ input: CompanyInput, to row: CompanyRow, mode: ContactWriter.Mode) {
        func pick<T>(_ new: T?, _ old: T?) -> T? { mode == .replace ? new : (new ?? old) }
        row.name = mode == .replace || !input.name.isEmpty ? input.name : row.name
        row.domain = pick(input.domain, row.domain)
        row.employeeCount = pick(input.employeeCount, row.employeeCount)
        row.industry = pick(input.industry.flatMap { $0.isEmpty ? nil : $0 }, row.industry)
        row.revenueBand = pick(input.revenueBand.flatMap { $0.isEmpty ? nil : $0 }, row.revenueBand)
        row.country = pick(input.country, row.country)
        row.refreshSearchKeys()
    }

    /// Fit rules may read the company's fields: its contacts' scores follow a change at once, in
    /// the same transaction (a contact may become an MQL). Nothing to do when no rule reads them.
    private func rescore(_ contactIDs: [UUID], by actor: AuditActor, now: Date, on tx: any Database) async throws {
        guard !contactIDs.isEmpty else { return }
        let keeper = ScoreKeeper(tx, workspaceID: workspaceID)
        guard let definition = try await keeper.activeDefinition(), definition.readsCompanyFields else { return }
        for id in contactIDs { try await keeper.refresh(contactID: id, definition: definition, by: actor, now: now) }
    }

    /// A contact's search covers its company's name: after a rename, its contacts follow.
    private func refreshContactSearch(of companyID: UUID, name: String, on tx: any Database) async throws {
        let contacts = try await ContactRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$companyID == companyID).all()
        for contact in contacts {
            contact.searchText = ContactWriter.searchText(contact, companyName: name)
            try await contact.update(on: tx)
        }
    }

    /// The fields of a company as its timeline shows them (canonical names, custom as `cf_<key>`).
    static func fields(of row: CompanyRow, custom: [String: CustomFieldValue]) -> [String: String] {
        var fields: [String: String] = ["name": row.name]
        let optional: [(String, String?)] = [
            ("domain", row.domain), ("employee_count", row.employeeCount.map(String.init)), ("industry", row.industry),
            ("revenue_band", row.revenueBand), ("country", row.country),
        ]
        for (key, value) in optional { if let value, !value.isEmpty { fields[key] = value } }
        for (key, value) in custom { fields[CustomFieldDefinition.fieldNamePrefix + key] = value.storageText }
        return fields.filter { !$0.value.isEmpty }
    }
}
