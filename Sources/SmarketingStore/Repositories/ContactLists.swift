import FluentKit
import Foundation
import SmarketingCore

/// Static lists of contacts ("Event leads 2026"), filled by hand or by bulk action.
public struct ContactLists: Sendable {
    let db: any Database
    public let workspaceID: UUID

    public init(_ db: any Database, workspaceID: UUID) {
        self.db = db
        self.workspaceID = workspaceID
    }

    /// Adds contacts to the list of that name (created when new); returns how many were added.
    public func add(_ ids: [UUID], toListNamed name: String, by actor: AuditActor, now: Date) async throws -> Int {
        try await StoreTuning.writeTransaction(db) { tx in
            let list: ContactListRow
            if let found = try await ContactListRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$name == name).first() {
                list = found
            } else {
                list = ContactListRow()
                list.id = UUID()
                list.workspaceID = workspaceID
                list.name = name
                list.createdAt = now
                try await list.create(on: tx)
            }
            let listID = try list.requireID()
            let valid = try await ContactRow.query(on: tx).filter(\.$workspaceID == workspaceID).filter(\.$id ~~ ids).all().compactMap(\.id)
            let present = Set(try await ContactListMemberRow.query(on: tx).filter(\.$listID == listID).filter(\.$contactID ~~ valid).all().map(\.contactID))
            var added = 0
            for id in valid where !present.contains(id) {
                let member = ContactListMemberRow()
                member.id = UUID()
                member.workspaceID = workspaceID
                member.listID = listID
                member.contactID = id
                member.addedAt = now
                try await member.create(on: tx)
                try await RecordChanges(tx, workspaceID: workspaceID)
                    .record(.addedToList, type: "contact", id: id, change: AuditChange(before: [:], after: ["list": name]), by: actor, at: now)
                added += 1
            }
            return added
        }
    }

    /// The names of the lists a contact is in.
    public func names(of contactID: UUID) async throws -> [String] {
        let listIDs = try await ContactListMemberRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$contactID == contactID).all().map(\.listID)
        guard !listIDs.isEmpty else { return [] }
        return try await ContactListRow.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id ~~ listIDs).sort(\.$name).all().map(\.name)
    }
}
