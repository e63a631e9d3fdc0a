import Foundation

/// Every link of the product, built in one place so pages never assemble paths by hand.
enum SiteURL: Sendable {
    case home
    case setup
    case login(next: String?)
    case logout
    case language
    case invite(token: String)
    case contacts
    case contact(UUID)
    case companies
    case company(UUID)
    case settings
    case profile
    case password
    case tokens
    case revokeToken(UUID)
    case workspaceSettings
    case users
    case user(UUID)
    case invitations
    case revokeInvitation(UUID)
    case teams
    case team(UUID)
    case deleteTeam(UUID)
    case audit
    case customFields
    case tracking
    case trackingOrigins
    case trackingPublicKey
    case trackingLinkKey
    case live
    case inbox
    case feedback
    case webhooks
    case forms
    case newForm
    case form(UUID)
    case archiveForm(UUID)
    case hostedForm(UUID)
    case contactImport
    case contactActivities(UUID)
    case contactTasks(UUID)
    case contactDeals(UUID)
    case newContactDeal(UUID)
    case tasks
    case task(UUID)
    case taskDone(UUID)
    case deals
    case deal(UUID)
    case dealWon(UUID)
    case stylesheet
    case script
    case apiDocument
    case apiGuide
    case outbox
    case outboxMessage(UUID)
    case outboxTest

    var path: String {
        switch self {
        case .home: "/"
        case .setup: "/setup"
        case .login(let next):
            if let next, Self.isLocalPath(next), next != "/" {
                "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            } else {
                "/login"
            }
        case .logout: "/logout"
        case .language: "/preferences/language"
        case .invite(let token): "/invite/\(token)"
        case .contacts: "/contacts"
        case .contact(let id): "/contacts/\(id.uuidString.lowercased())"
        case .companies: "/companies"
        case .company(let id): "/companies/\(id.uuidString.lowercased())"
        case .settings: "/settings"
        case .profile: "/settings/profile"
        case .password: "/settings/password"
        case .tokens: "/settings/tokens"
        case .revokeToken(let id): "/settings/tokens/\(id.uuidString.lowercased())/revoke"
        case .workspaceSettings: "/settings/workspace"
        case .users: "/settings/users"
        case .user(let id): "/settings/users/\(id.uuidString.lowercased())"
        case .invitations: "/settings/invitations"
        case .revokeInvitation(let id): "/settings/invitations/\(id.uuidString.lowercased())/revoke"
        case .teams: "/settings/teams"
        case .team(let id): "/settings/teams/\(id.uuidString.lowercased())"
        case .deleteTeam(let id): "/settings/teams/\(id.uuidString.lowercased())/delete"
        case .audit: "/settings/audit"
        case .customFields: "/settings/fields"
        case .tracking: "/settings/tracking"
        case .trackingOrigins: "/settings/tracking/origins"
        case .trackingPublicKey: "/settings/tracking/public-key"
        case .trackingLinkKey: "/settings/tracking/link-key"
        case .live: "/live"
        case .inbox: "/inbox"
        case .feedback: "/feedback"
        case .webhooks: "/settings/webhooks"
        case .forms: "/forms"
        case .newForm: "/forms/new"
        case .form(let id): "/forms/\(id.uuidString.lowercased())"
        case .archiveForm(let id): "/forms/\(id.uuidString.lowercased())/archive"
        case .hostedForm(let id): "/f/\(id.uuidString.lowercased())"
        case .contactImport: "/contacts/import"
        case .contactActivities(let id): "/contacts/\(id.uuidString.lowercased())/activities"
        case .contactTasks(let id): "/contacts/\(id.uuidString.lowercased())/tasks"
        case .contactDeals(let id): "/contacts/\(id.uuidString.lowercased())/deals"
        case .newContactDeal(let id): "/contacts/\(id.uuidString.lowercased())/deals/new"
        case .tasks: "/tasks"
        case .task(let id): "/tasks/\(id.uuidString.lowercased())"
        case .taskDone(let id): "/tasks/\(id.uuidString.lowercased())/done"
        case .deals: "/deals"
        case .deal(let id): "/deals/\(id.uuidString.lowercased())"
        case .dealWon(let id): "/deals/\(id.uuidString.lowercased())/won"
        case .stylesheet: "/assets/app-\(Assets.version).css"
        case .script: "/assets/app-\(Assets.version).js"
        case .apiDocument: "/api/v1/openapi.json"
        case .apiGuide: "/settings/api"
        case .outbox: "/outbox"
        case .outboxMessage(let id): "/outbox/\(id.uuidString.lowercased())"
        case .outboxTest: "/outbox/test"
        }
    }

    /// True for a path on this site (`/x`), false for anything that could leave it (`//evil`, `https:`).
    static func isLocalPath(_ path: String) -> Bool {
        path.hasPrefix("/") && !path.hasPrefix("//") && !path.hasPrefix("/\\") && !path.contains("\n") && !path.contains("\r")
    }
}
