import SmarketingCore
import SmarketingStore
import Vapor

/// What admins manage: the workspace's settings, its users and invitations, teams, and the
/// audit log.
struct AdminPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("settings", "workspace", use: showWorkspace)
        routes.post("settings", "workspace", use: saveWorkspace)
        routes.get("settings", "users", use: showUsers)
        routes.get("settings", "users", ":userID", use: showUser)
        routes.post("settings", "users", ":userID", use: saveUser)
        routes.post("settings", "invitations", use: invite)
        routes.post("settings", "invitations", ":invitationID", "revoke", use: revokeInvitation)
        routes.get("settings", "teams", use: showTeams)
        routes.post("settings", "teams", use: createTeam)
        routes.get("settings", "teams", ":teamID", use: showTeam)
        routes.post("settings", "teams", ":teamID", use: saveTeam)
        routes.post("settings", "teams", ":teamID", "delete", use: deleteTeam)
        routes.get("settings", "audit", use: showAudit)
    }

    private func admin(_ req: Request) throws -> Member {
        let member = try req.requireMember()
        try member.require(.manageWorkspace)
        return member
    }

    // MARK: Workspace

    func showWorkspace(req: Request) async throws -> Response {
        let member = try admin(req)
        let settings = member.workspace.settings
        let state = FormState(values: ["name": settings.name, "time_zone": settings.timeZone, "currency": settings.currency,
                                       "language": settings.language.rawValue])
        return workspacePage(req, state: state).response(for: req)
    }

    func saveWorkspace(req: Request) async throws -> Response {
        let member = try admin(req)
        let form = try await FormData.read(req)
        do {
            let settings = try WorkspaceSettings.check(name: form.value("name"), timeZone: form.value("time_zone"),
                                                       currency: form.value("currency"), language: form.value("language"))
            _ = try await WorkspaceRepository(req.db, workspaceID: member.workspaceID).update(settings, by: member.actor, now: req.now)
            return req.redirect(to: SiteURL.workspaceSettings.path + "?notice=saved", redirectType: .normal)
        } catch let failure as ValidationFailure {
            var page = workspacePage(req, state: FormState(form: form, errors: failure.errors, keeping: ["name", "time_zone", "currency", "language"]))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
    }

    private func workspacePage(_ req: Request, state: FormState) -> Page {
        let l = req.l
        return Page(title: l(.workspaceTitle), area: .settings, body: [
            settingsTabs(req, current: .workspace),
            pageHeader(l(.workspaceTitle)),
            Notice.banner(req),
            el("section", [.class("panel")], [
                Form.post(req, action: SiteURL.workspaceSettings.path, id: "workspace-form", [
                    Form.field(l, label: l(.workspaceName), name: "name", state: state, required: true,
                               maxLength: WorkspaceSettings.nameMaximumLength),
                    WorkspaceFormParts.timeZone(l, state: state),
                    WorkspaceFormParts.currency(l, state: state),
                    WorkspaceFormParts.language(l, state: state, name: "language", label: l(.workspaceLanguage)),
                    Form.submit(l(.save)),
                ]),
            ]),
        ])
    }

    // MARK: Users and invitations

    func showUsers(req: Request) async throws -> Response {
        let member = try admin(req)
        return try await usersPage(req, member: member, inviteState: FormState(multiValues: ["roles": []]), link: nil).response(for: req)
    }

    func invite(req: Request) async throws -> Response {
        let member = try admin(req)
        let form = try await FormData.read(req)
        var checker = FieldChecker()
        let email = checker.email("email", form.value("email"))
        let roles = RoleList.check("roles", form.values("roles"), into: &checker)
        let teamIDs = form.values("teams").compactMap(UUID.init(uuidString:))
        if teamIDs.count != form.values("teams").count { checker.add("teams", .notInList) }
        let state = FormState(form: form, errors: checker.errors, keeping: ["email"], multi: ["roles", "teams"])
        guard checker.errors.isEmpty, let email, let roles else {
            var page = try await usersPage(req, member: member, inviteState: state, link: nil)
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        do {
            let (_, secret) = try await InvitationRepository(req.db, workspaceID: member.workspaceID)
                .create(email: email, roles: roles, teamIDs: teamIDs, by: member.actor, now: req.now)
            let link = req.absoluteURL(SiteURL.invite(token: secret).path)
            return try await usersPage(req, member: member, inviteState: FormState(multiValues: ["roles": []]), link: link).response(for: req)
        } catch let failure as ValidationFailure {
            var page = try await usersPage(req, member: member, inviteState: FormState(form: form, errors: failure.errors, keeping: ["email"],
                                                                                       multi: ["roles", "teams"]), link: nil)
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
    }

    func revokeInvitation(req: Request) async throws -> Response {
        let member = try admin(req)
        guard let id = req.parameters.get("invitationID", as: UUID.self),
              try await InvitationRepository(req.db, workspaceID: member.workspaceID).revoke(id, by: member.actor, now: req.now) != nil
        else { throw Abort(.notFound) }
        return req.redirect(to: SiteURL.users.path + "?notice=revoked", redirectType: .normal)
    }

    private func usersPage(_ req: Request, member: Member, inviteState: FormState, link: String?) async throws -> Page {
        let l = req.l
        let users = try await UserRepository(req.db, workspaceID: member.workspaceID).list()
        let teams = try await TeamRepository(req.db, workspaceID: member.workspaceID).list()
        let teamNames = Dictionary(uniqueKeysWithValues: teams.map { ($0.id, $0.name) })
        let memberships = try await UserRepository(req.db, workspaceID: member.workspaceID).teamIDs(of: users.map(\.id))
        let invitations = try await InvitationRepository(req.db, workspaceID: member.workspaceID).list()
        let now = req.now
        let zone = member.workspace.settings.timeZone

        let userRows: [HTMLNode] = users.map { user in
            el("tr", [.data("email", user.email.value)] + (user.isActive ? [] : [.class("inactive")]), [
                cell([el("a", [.href(SiteURL.user(user.id).path)], text: user.name)]),
                cell(user.email.value),
                cell(user.roles.sorted().map(l.roleName).joined(separator: ", ")),
                cell((memberships[user.id] ?? []).compactMap { teamNames[$0] }.sorted().joined(separator: ", ")),
                cell([el("span", [.class(user.isActive ? "badge ok" : "badge muted")], text: user.isActive ? l(.active) : l(.inactive))]),
            ])
        }
        let invitationRows: [HTMLNode] = invitations.map { invitation in
            let state = invitation.terms.state(at: now)
            return el("tr", [.data("email", invitation.email.value), .data("state", state.rawValue)], [
                cell(invitation.email.value),
                cell(invitation.roles.sorted().map(l.roleName).joined(separator: ", ")),
                cell([el("span", [.class(state == .pending ? "badge" : "badge muted")], text: invitationStateName(state, l))]),
                cell(l.dateTime(invitation.terms.expiresAt, timeZone: zone)),
                cell(state == .pending
                    ? [Form.post(req, action: SiteURL.revokeInvitation(invitation.id).path, attributes: [.data("confirm", l(.inviteRevokeConfirm))], [
                        Form.submit(l(.revoke), style: "button-danger"),
                    ])]
                    : []),
            ])
        }
        return Page(title: l(.usersTitle), area: .settingsUsers, body: [
            settingsTabs(req, current: .users),
            pageHeader(l(.usersTitle), subtitle: l(.usersCount, l.number(users.filter(\.isActive).count))),
            Notice.banner(req),
            link.map { link in
                el("div", [.class("notice secret"), Attr("role", "status")], [
                    el("label", [Attr("for", "invite-link")], text: l(.inviteLinkLabel)),
                    void("input", [.id("invite-link"), .type("text"), .value(link), .flag("readonly"), .class("secret-value")]),
                    el("p", [.class("hint")], text: l(.inviteLinkHint)),
                ])
            } ?? .empty,
            dataTable(id: "users-table", caption: l(.usersTitle),
                      headers: [l(.name), l(.email), l(.roles), l(.teamsTitle), l(.status)], rows: userRows, empty: ""),
            el("section", [.class("panel")], [
                el("h2", [], text: l(.inviteTitleAdmin)),
                Form.post(req, action: SiteURL.invitations.path, id: "invite-form", [
                    Form.field(l, label: l(.email), name: "email", type: "email", state: inviteState, required: true,
                               maxLength: EmailAddress.maximumLength),
                    Form.checkboxes(l, legend: l(.roles), name: "roles", options: Role.allCases.map { ($0.rawValue, l.roleName($0)) },
                                    state: inviteState),
                    teams.isEmpty ? .empty : Form.checkboxes(l, legend: l(.teamsTitle), name: "teams",
                                                             options: teams.map { ($0.id.uuidString.lowercased(), $0.name) }, state: inviteState),
                    Form.submit(l(.inviteSend)),
                ]),
            ]),
            el("h2", [], text: l(.invitationsTitle)),
            dataTable(id: "invitations-table", caption: l(.invitationsTitle),
                      headers: [l(.email), l(.roles), l(.status), l(.expiresAt), ""], rows: invitationRows, empty: l(.invitationsEmpty)),
        ])
    }

    private func invitationStateName(_ state: InvitationTerms.State, _ l: Localizer) -> String {
        switch state {
        case .pending: l(.invitationPending)
        case .accepted: l(.invitationAccepted)
        case .expired: l(.invitationExpired)
        case .revoked: l(.revoked)
        }
    }

    func showUser(req: Request) async throws -> Response {
        let member = try admin(req)
        let user = try await findUser(req, member)
        let teams = try await UserRepository(req.db, workspaceID: member.workspaceID).teamIDs(of: [user.id])[user.id] ?? []
        let state = FormState(values: ["name": user.name, "is_active": user.isActive ? "yes" : "no"],
                              multiValues: ["roles": user.roles.map(\.rawValue), "teams": teams.map { $0.uuidString.lowercased() }])
        return try await userPage(req, member: member, user: user, state: state).response(for: req)
    }

    func saveUser(req: Request) async throws -> Response {
        let member = try admin(req)
        let user = try await findUser(req, member)
        let form = try await FormData.read(req)
        var checker = FieldChecker()
        let name = checker.text("name", form.value("name"), maximum: User.nameMaximumLength)
        let roles = RoleList.check("roles", form.values("roles"), into: &checker)
        let teamIDs = form.values("teams").compactMap(UUID.init(uuidString:))
        if teamIDs.count != form.values("teams").count { checker.add("teams", .notInList) }
        let active = form.value("is_active") != "no"
        let state = FormState(form: form, errors: checker.errors, keeping: ["name", "is_active"], multi: ["roles", "teams"])
        guard checker.errors.isEmpty, let name, let roles else {
            var page = try await userPage(req, member: member, user: user, state: state)
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
        do {
            _ = try await UserRepository(req.db, workspaceID: member.workspaceID).update(
                user.id, .init(name: name, roles: roles, isActive: active, teamIDs: teamIDs), by: member.actor, now: req.now
            )
            if !active { try await SessionRepository(req.db).endAll(userID: user.id) }
            return req.redirect(to: SiteURL.user(user.id).path + "?notice=saved", redirectType: .normal)
        } catch let failure as ValidationFailure {
            var page = try await userPage(req, member: member, user: user, state: FormState(form: form, errors: failure.errors,
                                                                                        keeping: ["name", "is_active"], multi: ["roles", "teams"]))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
    }

    private func findUser(_ req: Request, _ member: Member) async throws -> User {
        guard let id = req.parameters.get("userID", as: UUID.self),
              let user = try await UserRepository(req.db, workspaceID: member.workspaceID).find(id)
        else { throw Abort(.notFound) }
        return user
    }

    private func userPage(_ req: Request, member: Member, user: User, state: FormState) async throws -> Page {
        let l = req.l
        let teams = try await TeamRepository(req.db, workspaceID: member.workspaceID).list()
        return Page(title: user.name, area: .settingsUsers, body: [
            settingsTabs(req, current: .users),
            pageHeader(user.name, subtitle: user.email.value, actions: [link(l(.backToUsers), .users)]),
            Notice.banner(req),
            el("section", [.class("panel")], [
                Form.post(req, action: SiteURL.user(user.id).path, id: "user-form", [
                    Form.field(l, label: l(.name), name: "name", state: state, required: true, maxLength: User.nameMaximumLength),
                    Form.checkboxes(l, legend: l(.roles), name: "roles", options: Role.allCases.map { ($0.rawValue, l.roleName($0)) }, state: state),
                    teams.isEmpty ? .empty : Form.checkboxes(l, legend: l(.teamsTitle), name: "teams",
                                                             options: teams.map { ($0.id.uuidString.lowercased(), $0.name) }, state: state),
                    Form.select(l, label: l(.status), name: "is_active", options: [("yes", l(.active)), ("no", l(.inactive))], state: state),
                    Form.summary(l, state: state, shown: ["name", "roles", "teams", "is_active"]),
                    Form.submit(l(.save)),
                ]),
            ]),
        ])
    }

    // MARK: Teams

    func showTeams(req: Request) async throws -> Response {
        let member = try admin(req)
        return try await teamsPage(req, member: member, state: FormState()).response(for: req)
    }

    func createTeam(req: Request) async throws -> Response {
        let member = try admin(req)
        let form = try await FormData.read(req)
        var checker = FieldChecker()
        let name = checker.text("name", form.value("name"), maximum: Team.nameMaximumLength)
        do {
            try checker.throwIfAny()
            _ = try await TeamRepository(req.db, workspaceID: member.workspaceID).create(name: name ?? "", memberIDs: [], by: member.actor, now: req.now)
            return req.redirect(to: SiteURL.teams.path + "?notice=created", redirectType: .normal)
        } catch let failure as ValidationFailure {
            var page = try await teamsPage(req, member: member, state: FormState(form: form, errors: failure.errors, keeping: ["name"]))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
    }

    private func teamsPage(_ req: Request, member: Member, state: FormState) async throws -> Page {
        let l = req.l
        let teams = try await TeamRepository(req.db, workspaceID: member.workspaceID).list()
        let rows: [HTMLNode] = teams.map { team in
            el("tr", [.data("team", team.name)], [
                cell([el("a", [.href(SiteURL.team(team.id).path)], text: team.name)]),
                cell(l.number(team.memberIDs.count)),
            ])
        }
        return Page(title: l(.teamsTitle), area: .settingsUsers, body: [
            settingsTabs(req, current: .teams),
            pageHeader(l(.teamsTitle), subtitle: l(.teamsIntro)),
            Notice.banner(req),
            dataTable(id: "teams-table", caption: l(.teamsTitle), headers: [l(.name), l(.members)], rows: rows, empty: l(.teamsEmpty)),
            el("section", [.class("panel")], [
                el("h2", [], text: l(.teamCreate)),
                Form.post(req, action: SiteURL.teams.path, id: "team-form", attributes: [.class("inline-form")], [
                    Form.field(l, label: l(.name), name: "name", state: state, required: true, maxLength: Team.nameMaximumLength),
                    Form.submit(l(.create)),
                ]),
            ]),
        ])
    }

    private func findTeam(_ req: Request, _ member: Member) async throws -> Team {
        guard let id = req.parameters.get("teamID", as: UUID.self),
              let team = try await TeamRepository(req.db, workspaceID: member.workspaceID).find(id)
        else { throw Abort(.notFound) }
        return team
    }

    func showTeam(req: Request) async throws -> Response {
        let member = try admin(req)
        let team = try await findTeam(req, member)
        let state = FormState(values: ["name": team.name], multiValues: ["members": team.memberIDs.map { $0.uuidString.lowercased() }])
        return try await teamPage(req, member: member, team: team, state: state).response(for: req)
    }

    func saveTeam(req: Request) async throws -> Response {
        let member = try admin(req)
        let team = try await findTeam(req, member)
        let form = try await FormData.read(req)
        var checker = FieldChecker()
        let name = checker.text("name", form.value("name"), maximum: Team.nameMaximumLength)
        let memberIDs = form.values("members").compactMap(UUID.init(uuidString:))
        if memberIDs.count != form.values("members").count { checker.add("members", .notInList) }
        do {
            try checker.throwIfAny()
            _ = try await TeamRepository(req.db, workspaceID: member.workspaceID)
                .update(team.id, name: name, memberIDs: memberIDs, by: member.actor, now: req.now)
            return req.redirect(to: SiteURL.team(team.id).path + "?notice=saved", redirectType: .normal)
        } catch let failure as ValidationFailure {
            var page = try await teamPage(req, member: member, team: team,
                                          state: FormState(form: form, errors: failure.errors, keeping: ["name"], multi: ["members"]))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
    }

    func deleteTeam(req: Request) async throws -> Response {
        let member = try admin(req)
        guard let id = req.parameters.get("teamID", as: UUID.self),
              try await TeamRepository(req.db, workspaceID: member.workspaceID).delete(id, by: member.actor, now: req.now)
        else { throw Abort(.notFound) }
        return req.redirect(to: SiteURL.teams.path + "?notice=deleted", redirectType: .normal)
    }

    private func teamPage(_ req: Request, member: Member, team: Team, state: FormState) async throws -> Page {
        let l = req.l
        let users = try await UserRepository(req.db, workspaceID: member.workspaceID).list().filter(\.isActive)
        return Page(title: team.name, area: .settingsUsers, body: [
            settingsTabs(req, current: .teams),
            pageHeader(team.name, actions: [link(l(.backToTeams), .teams)]),
            Notice.banner(req),
            el("section", [.class("panel")], [
                Form.post(req, action: SiteURL.team(team.id).path, id: "team-edit-form", [
                    Form.field(l, label: l(.name), name: "name", state: state, required: true, maxLength: Team.nameMaximumLength),
                    Form.checkboxes(l, legend: l(.members), name: "members",
                                    options: users.map { ($0.id.uuidString.lowercased(), "\($0.name) (\($0.roles.sorted().map(l.roleName).joined(separator: ", ")))") },
                                    state: state),
                    Form.submit(l(.save)),
                ]),
            ]),
            el("section", [.class("panel danger-zone")], [
                Form.post(req, action: SiteURL.deleteTeam(team.id).path, id: "team-delete-form", attributes: [.data("confirm", l(.teamDeleteConfirm))], [
                    Form.submit(l(.teamDelete), style: "button-danger"),
                ]),
            ]),
        ])
    }

    // MARK: Audit log

    func showAudit(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.readAuditLog)
        let l = req.l
        let cursor = req.query[String.self, at: "after"].flatMap(PageCursor.init(token:))
        let pageSize = 50
        let entries = try await AuditLog(req.db, workspaceID: member.workspaceID).list(limit: pageSize + 1, after: cursor)
        let shown = Array(entries.prefix(pageSize))
        let zone = member.workspace.settings.timeZone
        var names: [String: String] = [:]
        for user in try await UserRepository(req.db, workspaceID: member.workspaceID).list() { names[user.id.uuidString.lowercased()] = user.name }
        for team in try await TeamRepository(req.db, workspaceID: member.workspaceID).list() { names[team.id.uuidString.lowercased()] = team.name }
        let rows: [HTMLNode] = shown.map { entry in
            el("tr", [.data("action", entry.action)], [
                cell(l.dateTime(entry.at, timeZone: zone)),
                cell([text(entry.actor.name), el("span", [.class("badge muted")], text: entry.actor.channel.rawValue)]),
                cell([text(l.auditAction(entry.action)), void("br", []), el("code", [.class("hint")], text: entry.action)]),
                cell(changeList(entry.change.before, names: names)),
                cell(changeList(entry.change.after, names: names)),
            ])
        }
        let next = entries.count > pageSize ? shown.last.map { PageCursor(date: $0.at, id: $0.id) } : nil
        return Page(title: l(.auditTitle), area: .settingsAudit, body: [
            settingsTabs(req, current: .audit),
            pageHeader(l(.auditTitle), subtitle: l(.auditIntro)),
            dataTable(id: "audit-table", caption: l(.auditTitle), headers: [l(.when), l(.who), l(.action), l(.before), l(.after)],
                      rows: rows, empty: l(.auditEmpty)),
            next.map { el("p", [.class("pager")], [el("a", [.href(SiteURL.audit.path + "?after=" + $0.token), Attr("rel", "next")], text: l(.nextPage))]) } ?? .empty,
        ]).response(for: req)
    }

    /// The changed fields; lists of user or team ids are shown by name.
    private func changeList(_ values: [String: String], names: [String: String]) -> [HTMLNode] {
        guard !values.isEmpty else { return [text("—")] }
        return [el("dl", [.class("changes")], values.keys.sorted().flatMap { key in
            let value = values[key] ?? ""
            let shown = value.split(separator: ",").map { names[String($0)] ?? String($0) }.joined(separator: ", ")
            return [el("dt", [], text: key), el("dd", [], text: shown)]
        })]
    }
}

extension Request {
    /// An absolute link to a path of the product: PUBLIC_URL when configured, else this
    /// request's own scheme and host.
    func absoluteURL(_ path: String) -> String {
        if let base = application.config.publicURL { return base + path }
        let host = headers.first(name: .host) ?? "127.0.0.1:8080"
        let scheme = application.config.secureCookies ? "https" : "http"
        return "\(scheme)://\(host)\(path)"
    }
}
