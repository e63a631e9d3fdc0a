import FluentKit
import Foundation

final class TeamRow: Model, @unchecked Sendable {
    static let schema = "teams"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID, workspaceID: UUID, name: String, now: Date) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.createdAt = now
    }
}

final class TeamMemberRow: Model, @unchecked Sendable {
    static let schema = "team_members"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "team_id") var teamID: UUID
    @Field(key: "user_id") var userID: UUID

    init() {}

    init(workspaceID: UUID, teamID: UUID, userID: UUID) {
        self.id = UUID()
        self.workspaceID = workspaceID
        self.teamID = teamID
        self.userID = userID
    }
}
