import Fluent
import SmarketingCore
import Vapor

/// The signed-in user of a request and their workspace, with the door they came through.
struct Member: Sendable {
    let user: User
    let workspace: Workspace
    let channel: AuditActor.Channel

    var workspaceID: UUID { workspace.id }
    var actor: AuditActor { .user(user, via: channel) }

    /// Refuses the request with 403 unless the user's roles give the permission.
    func require(_ permission: Permission) throws {
        guard user.may(permission) else { throw Abort(.forbidden, reason: "Your role does not allow this.") }
    }
}

extension Request {
    private struct MemberKey: StorageKey {
        typealias Value = Member
    }

    private struct LanguageKey: StorageKey {
        typealias Value = Language
    }

    var member: Member? {
        get { storage[MemberKey.self] }
        set { storage[MemberKey.self] = newValue }
    }

    func requireMember() throws -> Member {
        guard let member else { throw Abort(.unauthorized) }
        return member
    }

    /// The language this request is answered in: the user's choice, then the language cookie,
    /// then the browser's Accept-Language, then the workspace's, then English.
    var language: Language {
        get {
            if let language = storage[LanguageKey.self] { return language }
            return member?.user.language
                ?? cookies[Cookies.language].flatMap { Language(rawValue: $0.string) }
                ?? Language.negotiate(acceptLanguage: headers.first(name: .acceptLanguage))
                ?? member?.workspace.settings.language
                ?? .en
        }
        set { storage[LanguageKey.self] = newValue }
    }

    var l: Localizer { Localizer(language) }

    var db: any Database { application.db }
}

/// The cookies the product sets.
enum Cookies {
    static let session = "smarketing_session"
    static let csrf = "smarketing_csrf"
    static let language = "smarketing_lang"
}
