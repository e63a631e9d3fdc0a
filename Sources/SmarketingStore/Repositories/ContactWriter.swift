import FluentKit
import Foundation
import SQLKit
import SmarketingCore

/// Creates, updates, deletes and merges contacts of one workspace, keeping the rules every
/// door shares (form, API, import): one contact per normalised email, companies found by
/// domain then name, owners by email, every change on the contact's timeline, and ownership
/// and stage changes in the audit log.
public struct ContactWriter: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// How a save treats fields the input leaves empty.
    public enum Mode: Sendable {
        /// A full form: an empty field clears the stored value.
        case replace
        /// An import or a partial update: only fields with a value are written.
        case merge
    }

    public enum Outcome: String, Sendable {
        case created, updated
    }

    /// Saves a contact. Without an id, a contact with the same email is updated instead of
    /// duplicated (and the outcome says so). Throws ``ValidationFailure`` for an email that
    /// belongs to another contact or an owner who is not a user of the workspace.
    public func save(
        _ input: ContactInput, id: UUID? = nil, mode: Mode, definitions: [CustomFieldDefinition], by actor: AuditActor, now: Date
    ) async throws -> (Contact, Outcome)? {
        try await StoreTuning.writeTransaction(db) { tx in
            try await save(input, id: id, mode: mode, definitions: definitions, by: actor, now: now, on: tx)
        }
    }

    func save(
        _ input: ContactInput, id: UUID?, mode: Mode, definitions: [CustomFieldDefinition], by actor: AuditActor, now: Date,
        on tx: any Database
    ) async throws -> (Contact, Outcome)? {
        var row: ContactRow?
        if let id {
            guard let found = try await ContactRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() else {
                return nil
            }
            row = found
            if let email = input.email?.value, email != found.email,
               try await ContactRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$email == email).first() != nil {
                throw ValidationFailure("email", .alreadyTaken)
            }
        } else if let email = input.email?.value {
            row = try await ContactRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$email == email).first()
        }
        if let existing = row, let stage = input.stage, let current = LifecycleStage(rawValue: existing.lifecycleStage), stage != current,
           !LifecycleTransitions.isAllowed(from: current, to: stage) || LifecycleTransitions.needingReason.contains(stage) {
            // Backwards moves go through recycling, and disqualifying or recycling needs a reason:
            // both are stage moves of their own, never a field edit.
            throw ValidationFailure("lifecycle_stage", .notInList)
        }
        let outcome: Outcome = row == nil ? .created : .updated
        // A create that finds the contact by email fills in what it brings and keeps the rest.
        let mode = id == nil && row != nil ? .merge : mode
        let contact = row ?? ContactRow()
        let customValues = CustomFieldRepository(tx, workspaceID: workspaceID)
        var before: [String: String] = [:]
        if let existing = row {
            let values = try await customValues.values(of: [try existing.requireID()], definitions: definitions)
            before = try await fields(of: existing, custom: values[try existing.requireID()] ?? [:], on: tx)
        } else {
            contact.id = TimeOrderedID.make(at: now)
            contact.workspaceID = workspaceID
            contact.firstName = ""
            contact.lastName = ""
            contact.lifecycleStage = LifecycleStage.lead.rawValue
            contact.createdAt = now
        }

        let owner = try await ownerID(of: input.ownerEmail, on: tx)
        let company = try await companyID(name: input.companyName, domain: input.companyDomain, now: now, on: tx)
        apply(input, to: contact, mode: mode, ownerID: owner, companyID: company)
        contact.updatedAt = now
        let companyName = try await contact.companyID.asyncMap { try await CompanyRow.find($0, on: tx)?.name } ?? nil
        contact.searchText = Self.searchText(contact, companyName: companyName)
        try await contact.save(on: tx)
        let contactID = try contact.requireID()

        let clearing: Set<String> = mode == .replace ? Set(definitions.map(\.key)).subtracting(input.custom.keys) : []
        try await customValues.write(input.custom, clearing: clearing, recordID: contactID, definitions: definitions, on: tx)
        let custom = try await customValues.values(of: [contactID], definitions: definitions)[contactID] ?? [:]
        let after = try await fields(of: contact, custom: custom, on: tx)
        let change = AuditChange(before: before, after: after)
        if outcome == .created || !change.isEmpty {
            try await RecordChanges(tx, workspaceID: workspaceID)
                .record(outcome == .created ? .created : .updated, type: "contact", id: contactID, change: change, by: actor, at: now)
        }
        try await auditOwnershipAndStage(change, contactID: contactID, by: actor, now: now, on: tx)
        if let old = change.before["lifecycle_stage"].flatMap(LifecycleStage.init(rawValue:)),
           let new = change.after["lifecycle_stage"].flatMap(LifecycleStage.init(rawValue:)), old != new {
            try await StageChanges(tx, workspaceID: workspaceID).record(contactID: contactID, from: old, to: new,
                                                                       cause: "set by hand (\(actor.channel.rawValue))", by: actor, now: now)
        }
        var value = contact.value
        value.custom = custom
        // The contact's score follows its fields at once; it may now qualify as an MQL.
        let keeper = ScoreKeeper(tx, workspaceID: workspaceID)
        if let definition = try await keeper.activeDefinition() {
            try await keeper.refresh(contactID: contactID, definition: definition, by: actor, now: now)
            if let stage = try await ContactRepository(tx, workspaceID: workspaceID).find(contactID)?.stage { value.stage = stage }
        }
        return (value, outcome)
    }

    /// Deletes contacts of this workspace; returns how many went.
    public func delete(_ ids: [UUID], by actor: AuditActor, now: Date) async throws -> Int {
        try await StoreTuning.writeTransaction(db) { tx in
            let rows = try await ContactRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id ~~ ids).all()
            for row in rows {
                let id = try row.requireID()
                try await CustomFieldValueRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$recordID == id).delete()
                try await row.delete(on: tx)
                try await AuditLog(tx, workspaceID: workspaceID).record(
                    .contactDeleted, by: actor, entityType: "contact", entityID: id,
                    change: AuditChange(before: ["name": row.value.fullName, "email": row.email ?? ""], after: [:]), at: now
                )
            }
            return rows.count
        }
    }

    /// Gives contacts a new owner (nil: nobody), on their timelines and in the audit log.
    public func assignOwner(_ ids: [UUID], to ownerID: UUID?, by actor: AuditActor, now: Date) async throws -> Int {
        try await StoreTuning.writeTransaction(db) { tx in
            if let ownerID, try await UserRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == ownerID).first() == nil {
                throw ValidationFailure("owner_id", .notInList)
            }
            let rows = try await ContactRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id ~~ ids).all()
            let ownerName = try await ownerID.asyncMap { try await UserRow.find($0, on: tx)?.email } ?? nil
            var changed = 0
            for row in rows where row.ownerID != ownerID {
                let beforeOwner = try await row.ownerID.asyncMap { try await UserRow.find($0, on: tx)?.email } ?? nil
                row.ownerID = ownerID
                row.updatedAt = now
                try await row.update(on: tx)
                let change = AuditChange(before: ["owner_email": beforeOwner ?? ""], after: ["owner_email": ownerName ?? ""])
                let id = try row.requireID()
                try await RecordChanges(tx, workspaceID: workspaceID).record(.updated, type: "contact", id: id, change: change, by: actor, at: now)
                try await auditOwnershipAndStage(change, contactID: id, by: actor, now: now, on: tx)
                changed += 1
            }
            return changed
        }
    }

    /// Merges `otherID` into `survivorID`: the survivor keeps its values and takes the other's
    /// where it has none, both timelines and list memberships end up on the survivor, and the
    /// other contact is removed.
    public func merge(survivorID: UUID, otherID: UUID, definitions: [CustomFieldDefinition], by actor: AuditActor, now: Date) async throws -> Contact? {
        guard survivorID != otherID else { throw ValidationFailure("other_id", .invalid) }
        return try await StoreTuning.writeTransaction(db) { tx in
            guard let survivor = try await ContactRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == survivorID).first(),
                  let other = try await ContactRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == otherID).first()
            else { return nil }
            let values = CustomFieldRepository(tx, workspaceID: workspaceID)
            let custom = try await values.values(of: [survivorID, otherID], definitions: definitions)
            let before = try await fields(of: survivor, custom: custom[survivorID] ?? [:], on: tx)

            let otherEmail = other.email
            survivor.firstName = survivor.firstName.isEmpty ? other.firstName : survivor.firstName
            survivor.lastName = survivor.lastName.isEmpty ? other.lastName : survivor.lastName
            survivor.phone = survivor.phone ?? other.phone
            survivor.jobTitle = survivor.jobTitle ?? other.jobTitle
            survivor.seniority = survivor.seniority ?? other.seniority
            survivor.country = survivor.country ?? other.country
            survivor.source = survivor.source ?? other.source
            survivor.campaign = survivor.campaign ?? other.campaign
            survivor.lastSource = survivor.lastSource ?? other.lastSource
            survivor.lastCampaign = survivor.lastCampaign ?? other.lastCampaign
            survivor.birthDate = survivor.birthDate ?? other.birthDate
            survivor.age = survivor.age ?? other.age
            survivor.companyID = survivor.companyID ?? other.companyID
            survivor.ownerID = survivor.ownerID ?? other.ownerID
            survivor.updatedAt = now

            let missing = (custom[otherID] ?? [:]).filter { custom[survivorID]?[$0.key] == nil }
            try await CustomFieldValueRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$recordID == otherID).delete()
            try await RecordChanges(tx, workspaceID: workspaceID).move(from: otherID, to: survivorID)
            try await EventRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$contactID == otherID)
                .set(\.$contactID, to: survivorID).update()
            try await StageChangeRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$contactID == otherID)
                .set(\.$contactID, to: survivorID).update()
            try await SQLQualificationRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$contactID == otherID)
                .set(\.$contactID, to: survivorID).update()
            try await SalesChanges.moveContact(from: otherID, to: survivorID, workspaceID: workspaceID, on: tx)
            let memberships = try await ContactListMemberRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$contactID == otherID).all()
            let survivorLists = Set(try await ContactListMemberRow.query(on: tx).filter(\.$workspaceID == workspaceID)
                .filter(\.$contactID == survivorID).all().map(\.listID))
            for membership in memberships {
                if survivorLists.contains(membership.listID) { try await membership.delete(on: tx) } else {
                    membership.contactID = survivorID
                    try await membership.update(on: tx)
                }
            }
            try await other.delete(on: tx)
            if survivor.email == nil { survivor.email = otherEmail }
            let companyName = try await survivor.companyID.asyncMap { try await CompanyRow.find($0, on: tx)?.name } ?? nil
            survivor.searchText = Self.searchText(survivor, companyName: companyName)
            try await survivor.update(on: tx)
            try await values.write(missing, clearing: [], recordID: survivorID, definitions: definitions, on: tx)

            let merged = try await values.values(of: [survivorID], definitions: definitions)[survivorID] ?? [:]
            var after = try await fields(of: survivor, custom: merged, on: tx)
            after["merged_from"] = otherEmail ?? other.value.fullName
            let change = AuditChange(before: before, after: after)
            try await RecordChanges(tx, workspaceID: workspaceID).record(.merged, type: "contact", id: survivorID, change: change, by: actor, at: now)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .contactsMerged, by: actor, entityType: "contact", entityID: survivorID,
                change: AuditChange(before: ["other": otherID.uuidString.lowercased()], after: ["survivor": survivorID.uuidString.lowercased()]), at: now
            )
            var value = survivor.value
            value.custom = merged
            // The survivor's score is worked out again from both histories.
            let keeper = ScoreKeeper(tx, workspaceID: workspaceID)
            if let definition = try await keeper.activeDefinition() {
                try await ScoreChangeRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$contactID == survivorID).delete()
                try await keeper.refresh(contactID: survivorID, definition: definition, by: actor, now: now, fromScratch: true)
                if let stage = try await ContactRepository(tx, workspaceID: workspaceID).find(survivorID)?.stage { value.stage = stage }
            }
            return value
        }
    }

    // MARK: Rules shared by every write

    private func apply(_ input: ContactInput, to row: ContactRow, mode: Mode, ownerID: UUID?, companyID: UUID?) {
        func pick<T>(_ new: T?, _ old: T?) -> T? { mode == .replace ? new : (new ?? old) }
        func text(_ new: String?, _ old: String?) -> String? {
            let cleaned = new.flatMap { $0.isEmpty ? nil : $0 }
            return mode == .replace ? cleaned : (cleaned ?? old)
        }
        row.firstName = mode == .replace || !input.firstName.isEmpty ? input.firstName : row.firstName
        row.lastName = mode == .replace || !input.lastName.isEmpty ? input.lastName : row.lastName
        row.email = pick(input.email?.value, row.email)
        row.phone = text(input.phone, row.phone)
        row.jobTitle = text(input.jobTitle, row.jobTitle)
        row.seniority = text(input.seniority, row.seniority)
        row.country = text(input.country, row.country)
        row.source = text(input.source, row.source)
        row.campaign = text(input.campaign, row.campaign)
        row.lastSource = text(input.lastSource, row.lastSource)
        row.lastCampaign = text(input.lastCampaign, row.lastCampaign)
        row.birthDate = text(input.birthDate, row.birthDate)
        row.age = pick(input.age, row.age)
        row.ownerID = pick(ownerID, row.ownerID)
        row.companyID = pick(companyID, row.companyID)
        if let stage = input.stage { row.lifecycleStage = stage.rawValue }
    }

    private func ownerID(of email: EmailAddress?, on tx: any Database) async throws -> UUID? {
        guard let email else { return nil }
        guard let user = try await UserRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$email == email.value).first() else {
            throw ValidationFailure("owner_email", .notInList)
        }
        return user.id
    }

    /// The company a contact works for: found by domain, then by name (ignoring case), or created.
    func companyID(name: String?, domain: String?, now: Date, on tx: any Database) async throws -> UUID? {
        let cleanName = name.flatMap { $0.isEmpty ? nil : $0 }
        if let domain, !domain.isEmpty {
            if let found = try await CompanyRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$domain == domain).first() {
                return found.id
            }
        } else if let cleanName {
            let lowered = cleanName.lowercased()
            if let found = try await CompanyRow.query(on: tx).filter(\.$workspaceID == workspaceID)
                .filter(\.$searchText == lowered).first() {
                return found.id
            }
        } else {
            return nil
        }
        let row = CompanyRow()
        row.id = TimeOrderedID.make(at: now)
        row.workspaceID = workspaceID
        row.name = cleanName ?? domain ?? ""
        row.domain = domain.flatMap { $0.isEmpty ? nil : $0 }
        row.refreshSearchKeys()
        row.createdAt = now
        row.updatedAt = now
        try await row.create(on: tx)
        return row.id
    }

    private func auditOwnershipAndStage(_ change: AuditChange, contactID: UUID, by actor: AuditActor, now: Date, on tx: any Database) async throws {
        let log = AuditLog(tx, workspaceID: workspaceID)
        if change.before.keys.contains("owner_email") || change.after.keys.contains("owner_email"), !change.before.isEmpty {
            try await log.record(.contactOwnerChanged, by: actor, entityType: "contact", entityID: contactID,
                                 change: AuditChange(before: ["owner_email": change.before["owner_email"] ?? ""],
                                                     after: ["owner_email": change.after["owner_email"] ?? ""]), at: now)
        }
        if let stage = change.after["lifecycle_stage"], let old = change.before["lifecycle_stage"] {
            try await log.record(.contactStageChanged, by: actor, entityType: "contact", entityID: contactID,
                                 change: AuditChange(before: ["lifecycle_stage": old], after: ["lifecycle_stage": stage]), at: now)
        }
    }

    /// The fields of a contact as the timeline shows them (canonical names, custom as `cf_<key>`).
    func fields(of row: ContactRow, custom: [String: CustomFieldValue], on tx: any Database) async throws -> [String: String] {
        var fields: [String: String] = [
            "first_name": row.firstName, "last_name": row.lastName, "lifecycle_stage": row.lifecycleStage,
        ]
        let optional: [(String, String?)] = [
            ("email", row.email), ("phone", row.phone), ("job_title", row.jobTitle), ("seniority", row.seniority),
            ("country", row.country), ("source", row.source), ("campaign", row.campaign), ("last_source", row.lastSource),
            ("last_campaign", row.lastCampaign), ("birth_date", row.birthDate), ("age", row.age.map(String.init)),
        ]
        for (key, value) in optional { if let value, !value.isEmpty { fields[key] = value } }
        if let companyID = row.companyID, let company = try await CompanyRow.find(companyID, on: tx) { fields["company"] = company.name }
        if let ownerID = row.ownerID, let owner = try await UserRow.find(ownerID, on: tx) { fields["owner_email"] = owner.email }
        for (key, value) in custom { fields["cf_\(key)"] = value.storageText }
        return fields.filter { !$0.value.isEmpty }
    }

    static func searchText(_ row: ContactRow, companyName: String?) -> String {
        searchText(first: row.firstName, last: row.lastName, email: row.email, company: companyName)
    }

    /// What the list's search looks in: the words of the names, email and company.
    static func searchText(first: String, last: String, email: String?, company: String?) -> String {
        SearchText.document([first, last, email, company])
    }
}

final class ContactListMemberRow: Model, @unchecked Sendable {
    static let schema = "contact_list_members"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "list_id") var listID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @Field(key: "added_at") var addedAt: Date

    init() {}
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

extension ContactWriter {
    /// Writes one batch of an import in one transaction: each row is created or updated by
    /// email (mode merge), a row the store refuses (an unknown owner) joins the rejections, and
    /// the import's progress moves to `processedRows` in the same transaction, so an import that
    /// stops half-way resumes after the last committed batch without writing a row twice.
    public func importBatch(
        _ rows: [(row: Int, input: ContactInput)], rejected: [ImportReport.Rejection], blank: Int,
        importID: UUID, processedRows: Int, definitions: [CustomFieldDefinition], by actor: AuditActor, now: Date
    ) async throws -> ImportReport {
        try await StoreTuning.writeTransaction(db) { tx in
            var report = ImportReport(maximumRejectionsKept: .max)
            var rejections = rejected
            for rejection in rejected { report.record(row: rejection.row, ValidationFailure(rejection.errors)) }
            for _ in 0..<blank { report.record(row: 0, .blank) }

            // Rows whose email is new to the workspace (and first in the batch) are inserted in
            // bulk; the others go through the one-by-one update path.
            let emails = Set(rows.compactMap { $0.input.email?.value })
            try await StoreTuning.widenCache(tx)
            let existing = try await ContactSearch(tx, workspaceID: workspaceID).existingEmails(emails)
            var seen = Set<String>()
            var fresh: [(row: Int, input: ContactInput)] = []
            var slow: [(row: Int, input: ContactInput)] = []
            for item in rows {
                if let email = item.input.email?.value {
                    if existing.contains(email) || seen.contains(email) { slow.append(item); continue }
                    seen.insert(email)
                }
                fresh.append(item)
            }
            let created = try await prepareCreate(fresh, definitions: definitions, by: actor, now: now, on: tx)
            for (row, failure) in created.refused {
                report.record(row: row, failure)
                rejections.append(ImportReport.Rejection(row: row, errors: failure.errors))
            }
            for row in created.rows { report.record(row: row, .created) }
            // New contacts are scored in bulk under the active definition (existing ones are
            // rescored by their own saves below), computed while their rows are inserted.
            let definition = created.contacts.isEmpty ? nil : try await ScoreKeeper(tx, workspaceID: workspaceID).activeDefinition()
            let workspaceID = self.workspaceID
            async let inserted: Void = Self.insertCreated(created, on: tx)
            let scored = definition.flatMap {
                BulkScoring.scoredNew(created.contacts, workspaceID: workspaceID, definition: $0, today: CalendarDay(utc: now), now: now)
            }
            try await inserted
            let scoring = BulkScoring(tx, workspaceID: workspaceID)
            if let scored {
                try await scoring.insert(scored)
            } else if let definition {
                let fields = try await CustomFieldRepository(tx, workspaceID: workspaceID).list(.company)
                try await scoring.scoreNew(created.contacts, fields: fields, definition: definition, today: CalendarDay(utc: now), now: now)
            }
            for (row, input) in slow {
                do {
                    guard let (_, outcome) = try await save(input, id: nil, mode: .merge, definitions: definitions, by: actor, now: now, on: tx) else { continue }
                    report.record(row: row, outcome == .created ? .created : .updated)
                } catch let failure as ValidationFailure {
                    report.record(row: row, failure)
                    rejections.append(ImportReport.Rejection(row: row, errors: failure.errors))
                }
            }
            try await ImportRepository(tx, workspaceID: workspaceID)
                .advance(importID, to: processedRows, batch: report, rejections: rejections, now: now, on: tx)
            return report
        }
    }

    private struct KnownCompany {
        var id: UUID
        var name: String
        var domain: String?
        var searchText: String?
    }

    /// The workspace's companies whose `column` (domain or lower-cased name) is one of `keys`.
    private func knownCompanies(_ column: String, in keys: Set<String>, on tx: any Database) async throws -> [KnownCompany] {
        guard let sql = tx as? any SQLDatabase else { return [] }
        var found: [KnownCompany] = []
        for chunk in Array(keys).chunked(1000) {
            let select = sql.select().columns("id", "name", "domain", "search_text").from(CompanyRow.schema)
                .where("workspace_id", .equal, SQLBind(workspaceID))
                .where(SQLIdentifier(column), .in, SQLGroupExpression(SQLList(chunk.map { SQLBind($0) })))
            for row in try await DirectRows.all(tx, select) {
                found.append(KnownCompany(id: try row.uuid("id"), name: try row.decode(column: "name", as: String.self),
                                          domain: try row.decode(column: "domain", as: String?.self),
                                          searchText: try row.decode(column: "search_text", as: String?.self)))
            }
        }
        return found
    }

    /// New contacts of an import batch, their companies, custom values and the "created" entry
    /// of their timelines, as rows ready to insert a few statements per batch.
    private struct PreparedCreate: Sendable {
        var rows: [Int] = []
        var contacts: [Contact] = []
        var refused: [(Int, ValidationFailure)] = []
        var companyRows: [[BulkValue]] = []
        var contactRows: [[BulkValue]] = []
        var valueRows: [[BulkValue]] = []
        var changeRows: [[BulkValue]] = []
    }

    private static func insertCreated(_ prepared: PreparedCreate, on tx: any Database) async throws {
        try await BulkInsert.run(into: CompanyRow.schema, columns: CompanyRow.bulkColumns, rows: prepared.companyRows, on: tx)
        try await BulkInsert.run(into: ContactRow.schema, columns: ContactRow.bulkColumns, rows: prepared.contactRows, on: tx)
        try await BulkInsert.run(into: CustomFieldValueRow.schema, columns: CustomFieldValueRow.bulkColumns, rows: prepared.valueRows, on: tx)
        try await BulkInsert.run(into: RecordChangeRow.schema, columns: RecordChangeRow.bulkColumns, rows: prepared.changeRows, on: tx)
    }

    /// Looks up the owners and known companies of new contacts and makes their rows (see
    /// ``PreparedCreate``); nothing is written.
    private func prepareCreate(
        _ rows: [(row: Int, input: ContactInput)], definitions: [CustomFieldDefinition], by actor: AuditActor, now: Date, on tx: any Database
    ) async throws -> PreparedCreate {
        guard !rows.isEmpty else { return PreparedCreate() }
        var owners: [String: UUID] = [:]
        for email in Set(rows.compactMap { $0.input.ownerEmail?.value }) {
            if let user = try await UserRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$email == email).first() {
                owners[email] = user.id
            }
        }
        var companies: [String: UUID] = [:]
        var companyNames: [UUID: String] = [:]
        // Known companies of this batch in two queries, not one per row.
        let domains = Set(rows.compactMap { $0.input.companyDomain }.filter { !$0.isEmpty })
        let names = Set(rows.filter { ($0.input.companyDomain ?? "").isEmpty }.compactMap { $0.input.companyName?.lowercased() }.filter { !$0.isEmpty })
        for company in try await knownCompanies("domain", in: domains, on: tx) {
            guard let domain = company.domain else { continue }
            companies["@" + domain] = company.id
            companyNames[company.id] = company.name
        }
        for company in try await knownCompanies("search_text", in: names, on: tx) {
            guard let key = company.searchText, companies[key] == nil else { continue }
            companies[key] = company.id
            companyNames[company.id] = company.name
        }
        let byKey = Dictionary(uniqueKeysWithValues: definitions.map { ($0.key, $0) })
        var newCompanies: [CompanyRow] = []
        var contacts: [[BulkValue]] = []
        var values: [[BulkValue]] = []
        var changes: [[BulkValue]] = []
        var written: [Int] = []
        var created: [Contact] = []
        var refused: [(Int, ValidationFailure)] = []
        for (number, input) in rows {
            if let owner = input.ownerEmail?.value, owners[owner] == nil {
                refused.append((number, ValidationFailure("owner_email", .notInList)))
                continue
            }
            var companyID: UUID?
            let companyKey = (input.companyDomain ?? "").isEmpty ? (input.companyName ?? "").lowercased() : "@" + (input.companyDomain ?? "")
            if !companyKey.isEmpty {
                if let known = companies[companyKey] { companyID = known } else {
                    let company = CompanyRow()
                    company.id = TimeOrderedID.make(at: now)
                    company.workspaceID = workspaceID
                    company.name = (input.companyName ?? "").isEmpty ? (input.companyDomain ?? "") : (input.companyName ?? "")
                    company.domain = (input.companyDomain ?? "").isEmpty ? nil : input.companyDomain
                    company.refreshSearchKeys()
                    company.createdAt = now
                    company.updatedAt = now
                    newCompanies.append(company)
                    companyID = company.id
                    companies[companyKey] = company.id
                    if let id = company.id { companyNames[id] = company.name }
                }
            }
            let contactID = TimeOrderedID.make(at: now)
            let stage = input.stage ?? .lead
            let searchText = Self.searchText(first: input.firstName, last: input.lastName, email: input.email?.value,
                                             company: companyID.flatMap { companyNames[$0] } ?? input.companyName)
            func stored(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
            let contact = Contact(
                id: contactID, workspaceID: workspaceID, firstName: input.firstName, lastName: input.lastName, email: input.email,
                phone: stored(input.phone), jobTitle: stored(input.jobTitle), seniority: stored(input.seniority), country: stored(input.country),
                source: stored(input.source), campaign: stored(input.campaign), lastSource: stored(input.lastSource),
                lastCampaign: stored(input.lastCampaign), birthDate: stored(input.birthDate), age: input.age, companyID: companyID,
                ownerID: input.ownerEmail.flatMap { owners[$0.value] }, stage: stage, custom: input.custom.filter { byKey[$0.key] != nil },
                createdAt: now, updatedAt: now
            )
            created.append(contact)
            contacts.append([
                .uuid(contactID), .uuid(workspaceID), .text(contact.firstName), .text(contact.lastName), BulkValue(contact.email?.value),
                BulkValue(contact.phone), BulkValue(contact.jobTitle), BulkValue(contact.seniority), BulkValue(contact.country),
                BulkValue(contact.source), BulkValue(contact.campaign), BulkValue(contact.lastSource), BulkValue(contact.lastCampaign),
                BulkValue(contact.birthDate), BulkValue(contact.age), .text(searchText), BulkValue(companyID), BulkValue(contact.ownerID),
                .text(stage.rawValue), .date(now), .date(now),
            ])
            var after: [String: String] = input.fields().filter { !$0.value.isEmpty }
            after["lifecycle_stage"] = stage.rawValue
            for (key, value) in contact.custom {
                guard let definition = byKey[key] else { continue }
                values.append([.uuid(TimeOrderedID.make(at: now)), .uuid(workspaceID), .uuid(definition.id), .uuid(contactID),
                               .text(value.storageText), BulkValue(CustomFieldRepository.number(of: value))])
            }
            changes.append([.uuid(TimeOrderedID.make(at: now)), .uuid(workspaceID), .text("contact"), .uuid(contactID),
                            .text(RecordChange.Kind.created.rawValue), BulkValue(actor.userID), .text(actor.name),
                            .text(actor.channel.rawValue), .text("{}"), .text(AuditLog.encode(after)), .date(now)])
            written.append(number)
        }
        return PreparedCreate(rows: written, contacts: created, refused: refused, companyRows: newCompanies.map(\.bulkValues),
                              contactRows: contacts, valueRows: values, changeRows: changes)
    }
}

extension Array {
    /// The array in consecutive pieces of at most `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: Swift.max(1, size)).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
