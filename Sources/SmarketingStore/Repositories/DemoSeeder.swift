import FluentKit
import Foundation
import SmarketingCore

/// Writes a ``DemoWorkspace`` into the database: a new workspace with its people, teams,
/// companies and contacts, committed in batches.
public struct DemoSeeder: Sendable {
    let db: any Database

    public init(_ db: any Database) {
        self.db = db
    }

    public struct Summary: Sendable {
        public var workspace: Workspace
        public var users: [User]
        public var companies: Int
        public var contacts: Int
        public var activities: Int = 0
        public var tasks: Int = 0
        public var deals: Int = 0
    }

    /// Creates the workspace; every person gets `passwordHash`. Reports progress after each batch.
    public func seed(
        _ demo: DemoWorkspace, passwordHash: String, now: Date, batchSize: Int = 1000,
        progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> Summary {
        guard let firstPerson = demo.people.first, let adminEmail = EmailAddress(firstPerson.email) else {
            throw ValidationFailure("people", .required)
        }
        let emails = demo.people.compactMap { EmailAddress($0.email)?.value }
        if try await UserRow.query(on: db).filter(\.$email ~~ emails).first() != nil {
            throw ValidationFailure("email", .alreadyTaken)
        }
        let (workspace, admin) = try await Directory(db).createWorkspace(
            demo.settings,
            admin: .init(email: adminEmail, name: firstPerson.name, passwordHash: passwordHash, roles: firstPerson.roles, language: nil),
            via: .command, now: now
        )
        let actor = AuditActor(userID: nil, name: "smarketing demo", channel: .command)
        let users: [User] = try await StoreTuning.writeTransaction(db) { tx in
            var users = [admin]
            for person in demo.people.dropFirst() {
                guard let email = EmailAddress(person.email) else { continue }
                if try await UserRow.query(on: tx).filter(\.$email == email.value).first() != nil {
                    throw ValidationFailure("email", .alreadyTaken)
                }
                let row = UserRow(id: UUID(), workspaceID: workspace.id, email: email, name: person.name, passwordHash: passwordHash,
                                  roles: person.roles, language: nil, now: now)
                try await row.create(on: tx)
                users.append(row.value)
            }
            let teams = TeamRepository(tx, workspaceID: workspace.id)
            for team in demo.teams {
                let members = zip(demo.people, users).filter { $0.0.team == team }.map { $0.1.id }
                _ = try await teams.create(name: team, memberIDs: members, by: actor, now: now)
            }
            return users
        }

        let companyIDs = demo.companies.map { _ in UUID() }
        let total = demo.companies.count + demo.contacts.count
        var written = 0
        for batch in stride(from: 0, to: demo.companies.count, by: batchSize) {
            let rows: [CompanyRow] = (batch..<min(batch + batchSize, demo.companies.count)).map { index in
                let company = demo.companies[index]
                let row = CompanyRow()
                row.id = companyIDs[index]
                row.workspaceID = workspace.id
                row.name = company.name
                row.domain = company.domain
                row.employeeCount = company.employeeCount
                row.industry = company.industry
                row.revenueBand = company.revenueBand
                row.country = company.country
                row.refreshSearchKeys()
                row.createdAt = now
                row.updatedAt = now
                return row
            }
            try await rows.insertAll(on: db)
            written += rows.count
            progress(written, total)
        }
        var handoffs = DemoHandoffs(workspaceID: workspace.id, now: now, zone: demo.settings.timeZone)
        var contactIDs: [UUID] = []
        contactIDs.reserveCapacity(demo.contacts.count)
        for batch in stride(from: 0, to: demo.contacts.count, by: batchSize) {
            let rows: [ContactRow] = (batch..<min(batch + batchSize, demo.contacts.count)).map { index in
                let contact = demo.contacts[index]
                let created = Date(timeIntervalSince1970: ((now.timeIntervalSince1970 - contact.age) * 1000).rounded() / 1000)
                let row = ContactRow()
                row.id = TimeOrderedID.make(at: created)
                row.workspaceID = workspace.id
                row.firstName = contact.firstName
                row.lastName = contact.lastName
                row.email = contact.email
                row.phone = contact.phone
                row.jobTitle = contact.jobTitle
                row.seniority = contact.seniority
                row.country = contact.country
                row.source = contact.source
                row.companyID = companyIDs[contact.companyIndex]
                row.ownerID = contact.ownerIndex.map { users[$0].id }
                row.lifecycleStage = contact.stage.rawValue
                row.searchText = ContactWriter.searchText(first: contact.firstName, last: contact.lastName, email: contact.email,
                                                          company: demo.companies[contact.companyIndex].name)
                row.createdAt = created
                row.updatedAt = created
                handoffs.add(index: index, contactID: row.id ?? UUID(), contact: contact, created: created, ownerID: row.ownerID,
                             reviewer: contact.ownerIndex.map { users[$0].name })
                return row
            }
            let handed = handoffs.take()
            try await StoreTuning.writeTransaction(db) { tx in
                try await rows.insertAll(on: tx)
                try await BulkInsert.run(into: "handoffs", columns: DemoHandoffs.columns, rows: handed, on: tx)
            }
            contactIDs += rows.map { $0.id ?? UUID() }
            written += rows.count
            progress(written, total)
        }
        try await seedSalesWork(demo, workspaceID: workspace.id, contactIDs: contactIDs, users: users, now: now, batchSize: batchSize)
        try await activateStarterDefinition(workspaceID: workspace.id, users: users, by: actor, now: now)
        try await seedRouting(workspaceID: workspace.id, by: actor, now: now)
        return Summary(workspace: workspace, users: users, companies: demo.companies.count, contacts: demo.contacts.count,
                       activities: demo.sales.activities.count, tasks: demo.sales.tasks.count, deals: demo.sales.deals.count)
    }

    /// Two routing rules: companies of 500 people or more go to the account executives, every
    /// other new MQL to the inbound SDRs, by weighted round robin.
    private func seedRouting(workspaceID: UUID, by actor: AuditActor, now: Date) async throws {
        let teams = try await TeamRepository(db, workspaceID: workspaceID).list()
        guard let inbound = teams.first(where: { $0.name == "Inbound SDRs" }),
              let executives = teams.first(where: { $0.name == "Account Executives" }) else { return }
        let setup = RoutingSetup(db, workspaceID: workspaceID)
        _ = try await setup.createRule(RoutingRule(id: UUID(), name: "Empresas com 500 pessoas ou mais", position: 0,
                                                   conditions: [RoutingCondition(field: "company.employee_count", condition: .range(min: 500, max: nil))],
                                                   teamID: executives.id), by: actor, now: now)
        _ = try await setup.createRule(RoutingRule(id: UUID(), name: "Demais leads", position: 1, conditions: [], teamID: inbound.id), by: actor, now: now)
    }

    /// The starter lead definition, approved by the demo's two managers and active, every
    /// contact scored under it: a demo shows scores and their explanations from the start.
    private func activateStarterDefinition(workspaceID: UUID, users: [User], by actor: AuditActor, now: Date) async throws {
        guard let marketing = users.first(where: { $0.roles.contains(.marketingManager) }),
              let sales = users.first(where: { $0.roles.contains(.salesManager) }) else { return }
        let definitions = LeadDefinitions(db, workspaceID: workspaceID)
        let known = ScoringFields.known(customFields: [])
        let draft = try await definitions.openDraft(by: actor, now: now)
        _ = try await definitions.approve(side: .marketing, user: marketing, reviewedDigest: draft.version.digest, knownFields: known,
                                          by: .user(marketing, via: .command), now: now)
        _ = try await definitions.approve(side: .sales, user: sales, reviewedDigest: draft.version.digest, knownFields: known,
                                          by: .user(sales, via: .command), now: now)
        let active = try await definitions.activate(knownFields: known, by: actor, now: now)
        let total = try await ContactRepository(db, workspaceID: workspaceID).count()
        let run = try await ScoringRuns(db, workspaceID: workspaceID).start(.activation, version: active.number, total: total, now: now)
        _ = try await BulkScoring(db, workspaceID: workspaceID).run(run, definition: CompiledLeadDefinition(active.version.definition), old: nil,
                                                                   now: { now })
    }
}

/// The demo's handoffs: every contact that reached MQL or beyond was handed to its rep some
/// hours after it arrived; MQLs still wait, the ones further on were accepted, disqualified and
/// recycled ones were rejected with one of the starter reasons, so the inbox and marketing's
/// feedback page have something to show.
struct DemoHandoffs {
    let workspaceID: UUID
    let now: Date
    let zone: String
    private var rows: [[BulkValue]] = []

    init(workspaceID: UUID, now: Date, zone: String) {
        self.workspaceID = workspaceID
        self.now = now
        self.zone = zone
    }

    static let columns = ["id", "workspace_id", "contact_id", "mql_at", "mql_day", "cause", "source", "campaign", "owner_id", "assigned_at", "status",
                          "decided_at", "decided_by_name", "reason_key", "reason_label", "outcome"]

    mutating func add(index: Int, contactID: UUID, contact: DemoWorkspace.DemoContact, created: Date, ownerID: UUID?, reviewer: String?) {
        guard ![.subscriber, .lead].contains(contact.stage) else { return }
        // Qualified some hours after arriving (never in the future), answered some hours later.
        let mqlAt = min(now.addingTimeInterval(-3600), created.addingTimeInterval(Double(3600 * (2 + index % 40))))
        let decidedAt = min(now, mqlAt.addingTimeInterval(Double(1800 * (1 + index % 30))))
        let reasons = RejectionReason.starters(portuguese: true)
        let reason = reasons[index % reasons.count]
        let status: HandoffStatus, outcome: LifecycleStage?
        switch contact.stage {
        case .mql: (status, outcome) = (.pending, nil)
        case .disqualified, .recycled: (status, outcome) = (.rejected, contact.stage)
        default: (status, outcome) = (.accepted, .sal)
        }
        let decided = status != .pending
        rows.append([.uuid(TimeOrderedID.make(at: mqlAt)), .uuid(workspaceID), .uuid(contactID), .date(mqlAt), .text(CalendarDay(mqlAt, timeZone: zone).iso),
                     .text("demonstração: fit e engajamento acima dos limites"), BulkValue(contact.source), .null, BulkValue(ownerID),
                     ownerID == nil ? .null : .date(mqlAt), .text(status.rawValue), decided ? .date(decidedAt) : .null,
                     decided ? BulkValue(reviewer) : .null, status == .rejected ? .text(reason.key) : .null,
                     status == .rejected ? .text(reason.label) : .null, BulkValue(outcome?.rawValue)])
    }

    mutating func take() -> [[BulkValue]] {
        defer { rows = [] }
        return rows
    }
}
