import FluentKit
import Foundation
import SmarketingCore

final class WorkspaceRow: Model, @unchecked Sendable {
    static let schema = "workspaces"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "currency") var currency: String
    @Field(key: "language") var language: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(id: UUID, settings: WorkspaceSettings, now: Date) {
        self.id = id
        self.createdAt = now
        apply(settings, now: now)
    }

    func apply(_ settings: WorkspaceSettings, now: Date) {
        name = settings.name
        timeZone = settings.timeZone
        currency = settings.currency
        language = settings.language.rawValue
        updatedAt = now
    }

    var value: Workspace {
        Workspace(
            id: id ?? UUID(),
            settings: WorkspaceSettings(name: name, timeZone: timeZone, currency: currency, language: Language(rawValue: language) ?? .en),
            createdAt: createdAt
        )
    }
}
