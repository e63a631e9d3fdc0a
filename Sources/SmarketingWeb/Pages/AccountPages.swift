import SmarketingCore
import SmarketingStore
import Vapor

/// What every user manages for themselves: profile, language, password and API tokens.
struct AccountPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("settings") { req in req.redirect(to: SiteURL.profile.path) }
        routes.get("settings", "profile", use: showProfile)
        routes.post("settings", "profile", use: saveProfile)
        routes.post("settings", "password", use: changePassword)
        routes.get("settings", "tokens", use: showTokens)
        routes.post("settings", "tokens", use: createToken)
        routes.post("settings", "tokens", ":tokenID", "revoke", use: revokeToken)
    }

    // MARK: Profile and password

    func showProfile(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let state = FormState(values: ["name": member.user.name, "language": member.user.language?.rawValue ?? ""])
        return profilePage(req, member: member, profile: state, password: FormState()).response(for: req)
    }

    func saveProfile(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let form = try await FormData.read(req)
        var checker = FieldChecker()
        let name = checker.text("name", form.value("name"), maximum: User.nameMaximumLength)
        var language: Language?
        if let raw = form.value("language"), !raw.isEmpty {
            language = Language(rawValue: raw)
            if language == nil { checker.add("language", .notInList) }
        }
        guard checker.errors.isEmpty, let name else {
            var page = profilePage(req, member: member, profile: FormState(form: form, errors: checker.errors, keeping: ["name", "language"]),
                                   password: FormState())
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        let users = UserRepository(req.db, workspaceID: member.workspaceID)
        _ = try await users.update(member.user.id, .init(name: name), by: member.actor, now: req.now)
        try await users.setLanguage(member.user.id, language, now: req.now)
        let response = req.redirect(to: SiteURL.profile.path + "?notice=saved", redirectType: .normal)
        if let language {
            response.cookies[Cookies.language] = req.application.cookie(language.rawValue, maxAge: 365 * 86_400)
        }
        return response
    }

    func changePassword(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let form = try await FormData.read(req)
        let users = UserRepository(req.db, workspaceID: member.workspaceID)
        var checker = FieldChecker()
        let current = form.value("current_password") ?? ""
        let stored = try await users.passwordHash(of: member.user.id) ?? ""
        if current.isEmpty {
            checker.add("current_password", .required)
        } else if try await !req.password.async.verify(current, created: stored) {
            checker.add("current_password", .mismatch)
        }
        let new = PasswordPolicy.check("new_password", form.value("new_password"), into: &checker)
        guard checker.errors.isEmpty, let new else {
            let profile = FormState(values: ["name": member.user.name, "language": member.user.language?.rawValue ?? ""])
            var page = profilePage(req, member: member, profile: profile, password: FormState(errors: checker.errors))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        let hash = try await req.password.async.hash(new)
        try await users.setPassword(member.user.id, hash: hash, by: member.actor, now: req.now)
        try await SessionRepository(req.db).endAll(userID: member.user.id, except: req.cookies[Cookies.session]?.string)
        return req.redirect(to: SiteURL.profile.path + "?notice=password_changed", redirectType: .normal)
    }

    private func profilePage(_ req: Request, member: Member, profile: FormState, password: FormState) -> Page {
        let l = req.l
        var languageOptions: [(value: String, label: String)] = [("", l(.languageFollowBrowser))]
        languageOptions += Language.allCases.map { ($0.rawValue, l.languageName($0)) }
        return Page(title: l(.profileTitle), area: .settings, body: [
            settingsTabs(req, current: .profile),
            pageHeader(l(.profileTitle), subtitle: member.user.email.value),
            Notice.banner(req),
            el("section", [.class("panel")], [
                Form.post(req, action: SiteURL.profile.path, id: "profile-form", [
                    Form.field(l, label: l(.yourName), name: "name", state: profile, required: true, maxLength: User.nameMaximumLength,
                               autocomplete: "name"),
                    Form.select(l, label: l(.language), name: "language", options: languageOptions, state: profile, required: false),
                    Form.submit(l(.save)),
                ]),
            ]),
            member.user.may(.workLeads) || member.user.may(.manageRouting)
                ? el("section", [.class("panel"), .id("away-panel")], [
                    el("h2", [], text: l(.routingAway)),
                    el("p", [], [el("a", [.id("my-away-link"), .href(RoutingURL.myAvailability.path)], text: l(.routingMyAwayLink))]),
                ])
                : .empty,
            el("section", [.class("panel")], [
                el("h2", [], text: l(.passwordTitle)),
                Form.post(req, action: SiteURL.password.path, id: "password-form", [
                    Form.field(l, label: l(.currentPassword), name: "current_password", type: "password", state: password, required: true,
                               autocomplete: "current-password"),
                    Form.field(l, label: l(.newPassword), name: "new_password", type: "password", state: password, required: true,
                               autocomplete: "new-password", hint: l(.passwordHint, String(PasswordPolicy.minimumLength))),
                    Form.submit(l(.passwordChange), style: "button-secondary"),
                ]),
            ]),
        ])
    }

    // MARK: API tokens

    func showTokens(req: Request) async throws -> Response {
        let member = try req.requireMember()
        return try await tokensPage(req, member: member, state: FormState(), newSecret: nil).response(for: req)
    }

    func createToken(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let form = try await FormData.read(req)
        var checker = FieldChecker()
        guard let name = checker.text("name", form.value("name"), maximum: APIToken.nameMaximumLength) else {
            var page = try await tokensPage(req, member: member, state: FormState(form: form, errors: checker.errors, keeping: ["name"]), newSecret: nil)
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        let (_, secret) = try await APITokenRepository(req.db, workspaceID: member.workspaceID)
            .create(for: member.user, name: name, by: member.actor, now: req.now)
        return try await tokensPage(req, member: member, state: FormState(), newSecret: secret).response(for: req)
    }

    func revokeToken(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard let id = req.parameters.get("tokenID", as: UUID.self),
              try await APITokenRepository(req.db, workspaceID: member.workspaceID)
                .revoke(id, userID: member.user.id, by: member.actor, now: req.now) != nil
        else { throw Abort(.notFound) }
        return req.redirect(to: SiteURL.tokens.path + "?notice=revoked", redirectType: .normal)
    }

    private func tokensPage(_ req: Request, member: Member, state: FormState, newSecret: String?) async throws -> Page {
        let l = req.l
        let tokens = try await APITokenRepository(req.db, workspaceID: member.workspaceID).list(userID: member.user.id)
        let zone = member.workspace.settings.timeZone
        let rows: [HTMLNode] = tokens.map { token in
            el("tr", [.data("token-name", token.name)], [
                cell(token.name),
                cell([el("code", [], text: token.hint + "…")]),
                cell(l.dateTime(token.createdAt, timeZone: zone)),
                cell(token.lastUsedAt.map { l.dateTime($0, timeZone: zone) } ?? l(.never)),
                cell(token.revokedAt == nil
                    ? [Form.post(req, action: SiteURL.revokeToken(token.id).path, attributes: [.data("confirm", l(.tokenRevokeConfirm))], [
                        Form.submit(l(.revoke), style: "button-danger revoke"),
                    ])]
                    : [el("span", [.class("badge muted")], text: l(.revoked))]),
            ])
        }
        return Page(title: l(.tokensTitle), area: .settings, body: [
            settingsTabs(req, current: .tokens),
            pageHeader(l(.tokensTitle), subtitle: l(.tokensIntro)),
            Notice.banner(req),
            newSecret.map { secret in
                el("div", [.class("notice secret"), Attr("role", "status")], [
                    el("p", [], text: l(.tokenShownOnce)),
                    el("code", [.id("new-token"), .class("secret-value")], text: secret),
                ])
            } ?? .empty,
            el("section", [.class("panel")], [
                Form.post(req, action: SiteURL.tokens.path, id: "token-form", attributes: [.class("inline-form")], [
                    Form.field(l, label: l(.tokenName), name: "name", state: state, required: true, maxLength: APIToken.nameMaximumLength,
                               hint: l(.tokenNameHint)),
                    Form.submit(l(.tokenCreate)),
                ]),
            ]),
            dataTable(id: "tokens-table", caption: l(.tokensTitle),
                      headers: [l(.tokenName), l(.tokenHint), l(.createdAt), l(.lastUsed), ""], rows: rows, empty: l(.tokensEmpty)),
            el("p", [.class("hint")], [text(l(.apiDocumentHint) + " "), el("a", [.href(SiteURL.apiDocument.path)], text: "openapi.json")]),
        ])
    }
}

enum SettingsTab: Sendable {
    case profile, tokens, workspace, users, teams, fields, tracking, audit, webhooks
}

/// The tabs at the top of the settings pages; admin tabs only for admins.
func settingsTabs(_ req: Request, current: SettingsTab) -> HTMLNode {
    let l = req.l
    var tabs: [(SettingsTab, String, SiteURL)] = [(.profile, l(.profileTitle), .profile), (.tokens, l(.tokensTitle), .tokens)]
    if req.member?.user.may(.manageWorkspace) == true {
        tabs += [(.workspace, l(.workspaceTitle), .workspaceSettings), (.users, l(.usersTitle), .users), (.teams, l(.teamsTitle), .teams),
                 (.fields, l(.customFields), .customFields)]
    }
    tabs.append((.tracking, l(.trackingTitle), .tracking))
    if req.member?.user.may(.manageWorkspace) == true {
        tabs.append((.webhooks, l(.webhooksTitle), .webhooks))
    }
    if req.member?.user.may(.readAuditLog) == true {
        tabs.append((.audit, l(.auditTitle), .audit))
    }
    return el("nav", [.class("tabs"), .aria("label", l(.navSettings))], tabs.map { tab, label, url in
        el("a", [.href(url.path)] + (tab == current ? [.aria("current", "page")] : []), text: label)
    })
}
