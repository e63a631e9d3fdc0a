import FluentKit
import Foundation
import SmarketingCore

extension Directory {
    /// The workspace with this id, or else the workspaces with exactly this name (a command
    /// line names a workspace either way).
    public func workspaces(idOrName text: String) async throws -> [Workspace] {
        if let id = UUID(uuidString: text), let row = try await WorkspaceRow.find(id, on: db) {
            return [row.value]
        }
        return try await WorkspaceRow.query(on: db).filter(\.$name == text).limit(2).all().map(\.value)
    }
}
