import FluentKit
import Foundation
import SmarketingCore

/// A team as the routing page shows it: its members with their weight in the team and their
/// availability.
public struct RoutingTeamSetup: Sendable, Equatable {
    public var team: Team
    /// Sorted by name.
    public var members: [Member]

    public struct Member: Sendable, Equatable {
        public var user: User
        public var weight: Int
        public var availability: RepAvailability
    }
}

/// What sales managers configure for routing in one workspace: the ordered rules, each rep's
/// availability, each team member's weight, and the fallback owner. Every change is checked as
/// a whole before anything is written, and recorded in the audit log in the same transaction.
public struct RoutingSetup: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    // MARK: Rules

    /// The rules in the order they are tried.
    public func rules() async throws -> [RoutingRule] {
        try await Self.rules(of: workspaceID, on: db)
    }

    public func rule(_ id: UUID) async throws -> RoutingRule? {
        try await rules().first { $0.id == id }
    }

    static func rules(of workspaceID: UUID, on db: any Database) async throws -> [RoutingRule] {
        let rows = try await RoutingRuleRow.query(on: db).filter(\.$workspaceID == workspaceID).sort(\.$position).sort(\.$id).all()
        return RoutingRules.ordered(rows.map(\.value))
    }

    /// Adds a rule after the others. Throws ``ValidationFailure`` naming each bad field (a name
    /// another rule has is refused on `name`).
    public func createRule(_ rule: RoutingRule, by actor: AuditActor, now: Date) async throws -> RoutingRule {
        try await StoreTuning.writeTransaction(db) { tx in
            let existing = try await RoutingRuleRow.query(on: tx).filter(\.$workspaceID == workspaceID).all()
            var rule = rule
            rule.position = (existing.map(\.position).max() ?? -1) + 1
            try await check(rule, others: existing.filter { $0.id != rule.id }, on: tx)
            if existing.count >= RoutingRule.maximumRules { throw ValidationFailure("name", .tooLong(maximum: RoutingRule.maximumRules)) }
            let row = RoutingRuleRow()
            row.id = rule.id
            row.workspaceID = workspaceID
            row.createdAt = now
            row.apply(rule, now: now)
            try await row.create(on: tx)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .routingRuleCreated, by: actor, entityType: "routing_rule", entityID: rule.id,
                change: AuditChange(before: [:], after: try await auditFields(rule, on: tx)), at: now
            )
            return rule
        }
    }

    /// Changes a rule's name, conditions and team (its position stays); nil when there is no
    /// such rule here.
    public func updateRule(_ rule: RoutingRule, by actor: AuditActor, now: Date) async throws -> RoutingRule? {
        try await StoreTuning.writeTransaction(db) { tx in
            let existing = try await RoutingRuleRow.query(on: tx).filter(\.$workspaceID == workspaceID).all()
            guard let row = existing.first(where: { $0.id == rule.id }) else { return nil }
            var rule = rule
            rule.position = row.position
            try await check(rule, others: existing.filter { $0.id != rule.id }, on: tx)
            let before = try await auditFields(row.value, on: tx)
            row.apply(rule, now: now)
            try await row.update(on: tx)
            let change = AuditChange(before: before, after: try await auditFields(rule, on: tx))
            if !change.isEmpty {
                try await AuditLog(tx, workspaceID: workspaceID)
                    .record(.routingRuleUpdated, by: actor, entityType: "routing_rule", entityID: rule.id, change: change, at: now)
            }
            return rule
        }
    }

    /// Deletes a rule; the others close the gap. False when there is no such rule here.
    public func deleteRule(_ id: UUID, by actor: AuditActor, now: Date) async throws -> Bool {
        try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await RoutingRuleRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() else {
                return false
            }
            let before = try await auditFields(row.value, on: tx)
            try await row.delete(on: tx)
            try await renumber(Self.rules(of: workspaceID, on: tx).map(\.id), now: now, on: tx)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .routingRuleDeleted, by: actor, entityType: "routing_rule", entityID: id, change: AuditChange(before: before, after: [:]), at: now
            )
            return true
        }
    }

    /// Moves a rule one place earlier (`-1`) or later (`1`); moving past either end changes
    /// nothing. False when there is no such rule here.
    public func moveRule(_ id: UUID, by step: Int, by actor: AuditActor, now: Date) async throws -> Bool {
        try await StoreTuning.writeTransaction(db) { tx in
            let rules = try await Self.rules(of: workspaceID, on: tx)
            guard let index = rules.firstIndex(where: { $0.id == id }) else { return false }
            let target = index + (step < 0 ? -1 : 1)
            guard rules.indices.contains(target) else { return true }
            var order = rules
            order.swapAt(index, target)
            try await renumber(order.map(\.id), now: now, on: tx)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .routingRulesReordered, by: actor, entityType: "routing_rule", entityID: id,
                change: AuditChange(before: ["order": rules.map(\.name).joined(separator: " → ")],
                                    after: ["order": order.map(\.name).joined(separator: " → ")]), at: now
            )
            return true
        }
    }

    /// Replaces every rule at once, in the given order (the API's `PUT`): a rule keeps its id
    /// when it is one of the existing rules' ids and gets a new one otherwise. Errors name
    /// `rules[i]....`.
    public func replaceRules(_ rules: [RoutingRule], by actor: AuditActor, now: Date) async throws -> [RoutingRule] {
        try await StoreTuning.writeTransaction(db) { tx in
            let problems = RoutingRules.problems(rules, knownFields: try await knownFields(on: tx), teamIDs: try await teamIDs(on: tx))
            if !problems.isEmpty { throw ValidationFailure(problems) }
            if Set(rules.map(\.id)).count != rules.count { throw ValidationFailure("rules", .alreadyTaken) }
            let existingRows = try await RoutingRuleRow.query(on: tx).filter(\.$workspaceID == workspaceID).all()
            let existing = RoutingRules.ordered(existingRows.map(\.value))
            let created = Dictionary(existingRows.compactMap { row in row.id.map { ($0, row.createdAt) } }, uniquingKeysWith: { first, _ in first })
            // A rule keeps its id only when it is one of this workspace's rules; any other id is new.
            let ownIDs = Set(created.keys)
            let ordered = rules.enumerated().map { index, rule in
                var rule = rule
                rule.position = index
                if !ownIDs.contains(rule.id) { rule.id = UUID() }
                return rule
            }
            try await RoutingRuleRow.query(on: tx).filter(\.$workspaceID == workspaceID).delete()
            for rule in ordered {
                let row = RoutingRuleRow()
                row.id = rule.id
                row.workspaceID = workspaceID
                row.createdAt = created[rule.id] ?? now
                row.apply(rule, now: now)
                try await row.create(on: tx)
            }
            var before: [String: String] = [:], after: [String: String] = [:]
            for (index, rule) in existing.enumerated() { before["rules[\(index)]"] = try await auditLine(rule, on: tx) }
            for (index, rule) in ordered.enumerated() { after["rules[\(index)]"] = try await auditLine(rule, on: tx) }
            let change = AuditChange(before: before, after: after)
            if !change.isEmpty {
                try await AuditLog(tx, workspaceID: workspaceID)
                    .record(.routingRulesReordered, by: actor, entityType: "routing_rule", entityID: nil, change: change, at: now)
            }
            return ordered
        }
    }

    private func check(_ rule: RoutingRule, others: [RoutingRuleRow], on tx: any Database) async throws {
        var errors = rule.problems(knownFields: try await knownFields(on: tx), teamIDs: try await teamIDs(on: tx))
        let name = ScoringText.foldedString(rule.name)
        if !errors.contains(where: { $0.field == "name" }), others.contains(where: { ScoringText.foldedString($0.name) == name }) {
            errors.insert(FieldError("name", .alreadyTaken), at: 0)
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }

    private func renumber(_ ids: [UUID], now: Date, on tx: any Database) async throws {
        let rows = try await RoutingRuleRow.query(on: tx).filter(\.$workspaceID == workspaceID).all()
        for (position, id) in ids.enumerated() {
            guard let row = rows.first(where: { $0.id == id }), row.position != position else { continue }
            row.position = position
            row.updatedAt = now
            try await row.update(on: tx)
        }
    }

    /// The field names rules may use here: built-in and custom (``ScoringFields/known(customFields:)``).
    public func knownFields() async throws -> Set<String> {
        try await knownFields(on: db)
    }

    private func knownFields(on tx: any Database) async throws -> Set<String> {
        ScoringFields.known(customFields: try await CustomFieldRepository(tx, workspaceID: workspaceID).list())
    }

    private func teamIDs(on tx: any Database) async throws -> Set<UUID> {
        Set(try await TeamRow.query(on: tx).filter(\.$workspaceID == workspaceID).all().compactMap(\.id))
    }

    private func auditFields(_ rule: RoutingRule, on tx: any Database) async throws -> [String: String] {
        let team = try await TeamRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == rule.teamID).first()
        return ["name": rule.name, "team": team?.name ?? rule.teamID.uuidString.lowercased(), "conditions": RoutingRuleRow.encode(rule.conditions)]
    }

    private func auditLine(_ rule: RoutingRule, on tx: any Database) async throws -> String {
        let fields = try await auditFields(rule, on: tx)
        return "\(fields["name"] ?? "") → \(fields["team"] ?? "") \(fields["conditions"] ?? "")"
    }

    // MARK: Reps

    /// Every team with its members, their weights and availability.
    public func teams() async throws -> [RoutingTeamSetup] {
        let teams = try await TeamRepository(db, workspaceID: workspaceID).list()
        let users = Dictionary(uniqueKeysWithValues: try await UserRepository(db, workspaceID: workspaceID).list().map { ($0.id, $0) })
        let weights = try await RoutingWeightRow.query(on: db).filter(\.$workspaceID == workspaceID).all()
        let availability = try await availabilities(of: Array(users.keys), on: db)
        return teams.map { team in
            let members = team.memberIDs.compactMap { users[$0] }.sorted { ($0.name, $0.id.uuidString) < ($1.name, $1.id.uuidString) }
            return RoutingTeamSetup(team: team, members: members.map { user in
                RoutingTeamSetup.Member(user: user,
                                        weight: weights.first { $0.teamID == team.id && $0.userID == user.id }?.weight ?? RoutingWeight.standard,
                                        availability: availability[user.id] ?? .unrestricted(timeZone: availability.defaultTimeZone))
            })
        }
    }

    /// A rep's availability; someone never configured is always available in the workspace's
    /// time zone.
    public func availability(of userID: UUID) async throws -> RepAvailability {
        let found = try await availabilities(of: [userID], on: db)
        return found[userID] ?? .unrestricted(timeZone: found.defaultTimeZone)
    }

    /// Saves a rep's availability. Throws ``ValidationFailure`` naming each bad field, or on
    /// `user_id` for someone who is not a user here.
    public func saveAvailability(_ availability: RepAvailability, for userID: UUID, by actor: AuditActor, now: Date) async throws {
        let problems = availability.problems()
        if !problems.isEmpty { throw ValidationFailure(problems) }
        try await StoreTuning.writeTransaction(db) { tx in
            guard try await UserRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == userID).first() != nil else {
                throw ValidationFailure("user_id", .notInList)
            }
            let row = try await RepAvailabilityRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$userID == userID).first()
            let before = row.flatMap { RepAvailabilityRow.decode($0.availability) }
            let target = row ?? RepAvailabilityRow()
            if row == nil {
                target.id = UUID()
                target.workspaceID = workspaceID
                target.userID = userID
            }
            target.availability = RepAvailabilityRow.encode(availability)
            target.updatedAt = now
            try await target.save(on: tx)
            let change = AuditChange(before: before.map(Self.availabilityAuditFields) ?? [:], after: Self.availabilityAuditFields(availability))
            if !change.isEmpty {
                try await AuditLog(tx, workspaceID: workspaceID)
                    .record(.routingRepUpdated, by: actor, entityType: "user", entityID: userID, change: change, at: now)
            }
        }
    }

    static func availabilityAuditFields(_ availability: RepAvailability) -> [String: String] {
        var fields = RepAvailabilityForm.fields(of: availability).filter { !$0.value.isEmpty }
        for key in fields.keys where key.hasPrefix("out_of_office[") { fields[key] = nil }
        if !availability.outOfOffice.isEmpty {
            fields["out_of_office"] = availability.outOfOffice.map { $0.from.iso + "…" + $0.to.iso }.joined(separator: ", ")
        }
        fields["takes_leads"] = availability.takesLeads ? "yes" : "no"
        return fields
    }

    /// Sets the weights of a team's members (members left out keep theirs). Throws
    /// ``ValidationFailure`` on `weight.<user id>` for a weight out of range or someone not in
    /// the team; false when there is no such team here.
    public func saveWeights(teamID: UUID, _ weights: [UUID: Int], by actor: AuditActor, now: Date) async throws -> Bool {
        var errors: [FieldError] = []
        for (userID, weight) in weights where !RoutingWeight.range.contains(weight) {
            errors.append(FieldError("weight." + userID.uuidString.lowercased(), .invalid))
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        return try await StoreTuning.writeTransaction(db) { tx in
            guard let team = try await TeamRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == teamID).first() else {
                return false
            }
            let members = Set(try await TeamMemberRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$teamID == teamID).all().map(\.userID))
            let strangers = weights.keys.filter { !members.contains($0) }
            if !strangers.isEmpty { throw ValidationFailure(strangers.map { FieldError("weight." + $0.uuidString.lowercased(), .notInList) }) }
            let rows = try await RoutingWeightRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$teamID == teamID).all()
            let names = Dictionary(uniqueKeysWithValues: try await UserRow.query(on: tx).filter(\.$workspaceID == workspaceID)
                .filter(\.$id ~~ Array(members)).all().compactMap { row in row.id.map { ($0, row.name) } })
            var before: [String: String] = [:], after: [String: String] = [:]
            for (userID, weight) in weights {
                let row = rows.first { $0.userID == userID }
                let label = names[userID] ?? userID.uuidString.lowercased()
                before[label] = String(row?.weight ?? RoutingWeight.standard)
                after[label] = String(weight)
                let target = row ?? RoutingWeightRow()
                if row == nil {
                    target.id = UUID()
                    target.workspaceID = workspaceID
                    target.teamID = teamID
                    target.userID = userID
                }
                target.weight = weight
                try await target.save(on: tx)
            }
            let change = AuditChange(before: before, after: after)
            if !change.isEmpty {
                try await AuditLog(tx, workspaceID: workspaceID)
                    .record(.routingWeightsUpdated, by: actor, entityType: "team", entityID: try team.requireID(), change: change, at: now)
            }
            return true
        }
    }

    private func availabilities(of userIDs: [UUID], on db: any Database) async throws -> Availabilities {
        let zone = try await WorkspaceRow.query(on: db).filter(\.$id == workspaceID).first()?.timeZone ?? "UTC"
        var found = Availabilities(defaultTimeZone: zone)
        guard !userIDs.isEmpty else { return found }
        for row in try await RepAvailabilityRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$userID ~~ userIDs).all() {
            found.values[row.userID] = RepAvailabilityRow.decode(row.availability)
        }
        return found
    }

    struct Availabilities {
        var defaultTimeZone: String
        var values: [UUID: RepAvailability] = [:]

        subscript(_ id: UUID) -> RepAvailability? { values[id] }
    }

    // MARK: Fallback owner

    /// Who gets a lead no rule or no rep could take; nil when nobody does.
    public func fallbackOwnerID() async throws -> UUID? {
        try await RoutingSettingsRow.query(on: db).filter(\.$workspaceID == workspaceID).first()?.fallbackOwnerID
    }

    /// Sets or clears the fallback owner. Throws ``ValidationFailure`` on `fallback_owner_id` for
    /// someone who is not an active user here.
    public func setFallbackOwner(_ userID: UUID?, by actor: AuditActor, now: Date) async throws {
        try await StoreTuning.writeTransaction(db) { tx in
            var email: String?
            if let userID {
                guard let user = try await UserRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == userID).first(),
                      user.isActive else { throw ValidationFailure("fallback_owner_id", .notInList) }
                email = user.email
            }
            let row = try await RoutingSettingsRow.query(on: tx).filter(\.$workspaceID == workspaceID).first()
            var beforeEmail: String?
            if let previous = row?.fallbackOwnerID { beforeEmail = try await UserRow.find(previous, on: tx)?.email }
            let target = row ?? RoutingSettingsRow()
            if row == nil {
                target.id = UUID()
                target.workspaceID = workspaceID
            }
            target.fallbackOwnerID = userID
            target.updatedAt = now
            try await target.save(on: tx)
            let change = AuditChange(before: ["fallback_owner": beforeEmail ?? ""], after: ["fallback_owner": email ?? ""])
            if !change.isEmpty {
                try await AuditLog(tx, workspaceID: workspaceID)
                    .record(.routingFallbackChanged, by: actor, entityType: "workspace", entityID: workspaceID, change: change, at: now)
            }
        }
    }
}

extension RoutingRuleRow {
    var value: RoutingRule {
        RoutingRule(id: id ?? UUID(), name: name, position: position, conditions: Self.decode(conditions), teamID: teamID)
    }

    func apply(_ rule: RoutingRule, now: Date) {
        name = rule.name
        position = rule.position
        teamID = rule.teamID
        conditions = Self.encode(rule.conditions)
        updatedAt = now
    }

    static func encode(_ conditions: [RoutingCondition]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(conditions)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    /// Stored conditions; conditions that cannot be read make a rule that matches nobody rather
    /// than everybody.
    static func decode(_ text: String) -> [RoutingCondition] {
        (try? JSONDecoder().decode([RoutingCondition].self, from: Data(text.utf8)))
            ?? [RoutingCondition(field: "", condition: .oneOf([]))]
    }
}

extension RepAvailabilityRow {
    static func encode(_ availability: RepAvailability) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(availability)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func decode(_ text: String) -> RepAvailability? {
        try? JSONDecoder().decode(RepAvailability.self, from: Data(text.utf8))
    }
}
