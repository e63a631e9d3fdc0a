import FluentKit
import Foundation
import SmarketingCore
import SQLKit

/// The custom fields a workspace defines for contacts and companies, and their values.
public struct CustomFieldRepository: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    private struct DefinitionColumns: Decodable {
        var id: UUID
        var entity: String
        var key: String
        var label: String
        var type: String
        var options: String
    }

    /// The workspace's fields in their order. Read with SQLKit: every list request asks for them.
    public func list(_ entity: CustomFieldEntity? = nil) async throws -> [CustomFieldDefinition] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let select = sql.select().columns("id", "entity", "key", "label", "type", "options").from(CustomFieldDefinitionRow.schema)
            .where("workspace_id", .equal, SQLBind(workspaceID)).orderBy("position").orderBy("created_at")
        if let entity { select.where("entity", .equal, SQLBind(entity.rawValue)) }
        return try await select.all(decoding: DefinitionColumns.self).map { row in
            CustomFieldDefinition(
                id: row.id, entity: CustomFieldEntity(rawValue: row.entity) ?? .contact, key: row.key, label: row.label,
                type: CustomFieldType(rawValue: row.type) ?? .text,
                options: (try? JSONDecoder().decode([String].self, from: Data(row.options.utf8))) ?? []
            )
        }
    }

    public func find(_ id: UUID) async throws -> CustomFieldDefinition? {
        try await CustomFieldDefinitionRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first()?.value
    }

    /// Defines a new field; a key already used for that entity is refused on `key`.
    public func create(entity: CustomFieldEntity, key: String, label: String, type: CustomFieldType, options: [String],
                       by actor: AuditActor, now: Date) async throws -> CustomFieldDefinition {
        defer { StoreGeneration.customFields.bump() }
        return try await StoreTuning.writeTransaction(db) { tx in
            if try await CustomFieldDefinitionRow.query(on: tx).filter(\.$workspaceID == workspaceID)
                .filter(\.$entity == entity.rawValue).filter(\.$key == key).first() != nil {
                throw ValidationFailure("key", .alreadyTaken)
            }
            let count = try await CustomFieldDefinitionRow.query(on: tx).filter(\.$workspaceID == workspaceID).count()
            let row = CustomFieldDefinitionRow()
            row.id = UUID()
            row.workspaceID = workspaceID
            row.entity = entity.rawValue
            row.key = key
            row.label = label
            row.type = type.rawValue
            row.options = Self.encode(options)
            row.position = count
            row.createdAt = now
            try await row.create(on: tx)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .customFieldCreated, by: actor, entityType: "custom_field", entityID: row.id,
                change: AuditChange(before: [:], after: ["key": key, "label": label, "type": type.rawValue, "options": options.joined(separator: "; ")]),
                at: now
            )
            return row.value
        }
    }

    /// Renames a field or changes its options; its key and type stay (values depend on them).
    public func update(_ id: UUID, label: String, options: [String], by actor: AuditActor, now: Date) async throws -> CustomFieldDefinition? {
        defer { StoreGeneration.customFields.bump() }
        return try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await CustomFieldDefinitionRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() else {
                return nil
            }
            let before = ["label": row.label, "options": row.value.options.joined(separator: "; ")]
            row.label = label
            if [CustomFieldType.choice, .multiChoice].contains(row.value.type) { row.options = Self.encode(options) }
            let change = AuditChange(before: before, after: ["label": row.label, "options": row.value.options.joined(separator: "; ")])
            guard !change.isEmpty else { return row.value }
            try await row.update(on: tx)
            try await AuditLog(tx, workspaceID: workspaceID)
                .record(.customFieldUpdated, by: actor, entityType: "custom_field", entityID: id, change: change, at: now)
            return row.value
        }
    }

    /// Deletes a field and every value of it.
    public func delete(_ id: UUID, by actor: AuditActor, now: Date) async throws -> Bool {
        defer { StoreGeneration.customFields.bump() }
        return try await StoreTuning.writeTransaction(db) { tx in
            guard let row = try await CustomFieldDefinitionRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id == id).first() else {
                return false
            }
            try await CustomFieldValueRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$fieldID == id).delete()
            try await row.delete(on: tx)
            try await AuditLog(tx, workspaceID: workspaceID).record(
                .customFieldDeleted, by: actor, entityType: "custom_field", entityID: id,
                change: AuditChange(before: ["key": row.key, "label": row.label, "type": row.type], after: [:]), at: now
            )
            return true
        }
    }

    /// The custom values of some records, by record id then key.
    public func values(of recordIDs: [UUID], definitions: [CustomFieldDefinition]) async throws -> [UUID: [String: CustomFieldValue]] {
        guard !recordIDs.isEmpty, !definitions.isEmpty else { return [:] }
        let byID = Dictionary(uniqueKeysWithValues: definitions.map { ($0.id, $0) })
        var result: [UUID: [String: CustomFieldValue]] = [:]
        for chunk in stride(from: 0, to: recordIDs.count, by: 500) {
            let ids = Array(recordIDs[chunk..<min(chunk + 500, recordIDs.count)])
            let rows = try await CustomFieldValueRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$recordID ~~ ids).all()
            for row in rows {
                guard let definition = byID[row.fieldID], let value = Self.value(row.textValue, number: row.numberValue, of: definition) else { continue }
                result[row.recordID, default: [:]][definition.key] = value
            }
        }
        return result
    }

    /// Writes a record's values: keys in `values` are set, keys in `clearing` removed.
    func write(_ values: [String: CustomFieldValue], clearing: Set<String>, recordID: UUID,
               definitions: [CustomFieldDefinition], on tx: any Database) async throws {
        let byKey = Dictionary(uniqueKeysWithValues: definitions.map { ($0.key, $0) })
        let clearIDs = clearing.compactMap { byKey[$0]?.id }
        if !clearIDs.isEmpty {
            try await CustomFieldValueRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$recordID == recordID)
                .filter(\.$fieldID ~~ clearIDs).delete()
        }
        for (key, value) in values {
            guard let definition = byKey[key] else { continue }
            let existing = try await CustomFieldValueRow.query(on: tx).filter(\.$fieldID == definition.id).filter(\.$recordID == recordID).first()
            let row = existing ?? CustomFieldValueRow()
            if existing == nil {
                row.id = UUID()
                row.workspaceID = workspaceID
                row.fieldID = definition.id
                row.recordID = recordID
            }
            row.textValue = value.storageText
            row.numberValue = Self.number(of: value)
            try await row.save(on: tx)
        }
    }

    static func number(of value: CustomFieldValue) -> Double? {
        switch value {
        case .number(let number): number
        case .boolean(let flag): flag ? 1 : 0
        default: nil
        }
    }

    /// Rebuilds a typed value from its stored text.
    static func value(_ text: String, number: Double?, of definition: CustomFieldDefinition) -> CustomFieldValue? {
        switch definition.type {
        case .number: return number.map(CustomFieldValue.number) ?? Double(text).map(CustomFieldValue.number)
        case .boolean: return .boolean(text == "true")
        case .date: return .date(text)
        case .text: return .text(text)
        case .choice: return .choice(text)
        case .multiChoice: return .multiChoice(text.components(separatedBy: "; ").filter { !$0.isEmpty })
        }
    }

    static func encode(_ options: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(options), as: UTF8.self)) ?? "[]"
    }
}
