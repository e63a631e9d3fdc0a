import SmarketingCore
import SmarketingStore
import Vapor

/// Setup of the first workspace, login, logout, the language switch and invitation links.
struct AuthPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("setup", use: showSetup)
        routes.post("setup", use: submitSetup)
        routes.get("login", use: showLogin)
        routes.post("login", use: submitLogin)
        routes.post("logout", use: logout)
        routes.post("preferences", "language", use: chooseLanguage)
        routes.get("invite", ":token", use: showInvitation)
        routes.post("invite", ":token", use: acceptInvitation)
    }

    // MARK: Setup

    static let setupFields = ["workspace_name", "time_zone", "currency", "language", "admin_name", "admin_email"]

    func showSetup(req: Request) async throws -> Response {
        if try await Directory(req.db).hasAnyWorkspace() {
            return req.redirect(to: req.member == nil ? SiteURL.login(next: nil).path : SiteURL.home.path)
        }
        let state = FormState(values: ["time_zone": "America/Sao_Paulo", "currency": "BRL", "language": req.language.rawValue])
        return setupPage(req, state: state).response(for: req)
    }

    func submitSetup(req: Request) async throws -> Response {
        if try await Directory(req.db).hasAnyWorkspace() {
            return req.redirect(to: SiteURL.login(next: nil).path)
        }
        let form = try await FormData.read(req)
        var checker = FieldChecker()
        let settings = WorkspaceSettings.check(
            name: form.value("workspace_name"), timeZone: form.value("time_zone"), currency: form.value("currency"),
            language: form.value("language"), fieldPrefix: "workspace_", into: &checker
        )
        let name = checker.text("admin_name", form.value("admin_name"), maximum: User.nameMaximumLength)
        let email = checker.email("admin_email", form.value("admin_email"))
        let password = PasswordPolicy.check("admin_password", form.value("admin_password"), into: &checker)
        guard checker.errors.isEmpty, let settings, let name, let email, let password else {
            return setupPage(req, state: FormState(form: form, errors: checker.errors, keeping: Self.setupFields), status: .unprocessableEntity)
                .response(for: req)
        }
        let hash = try await req.password.async.hash(password)
        do {
            let (_, admin) = try await Directory(req.db).createWorkspace(
                settings, admin: .init(email: email, name: name, passwordHash: hash, roles: [.admin], language: settings.language),
                via: .page, now: req.now
            )
            req.logger.info("workspace created", metadata: ["workspace_id": .string(admin.workspaceID.uuidString)])
            return try await signIn(admin, req: req, next: nil)
        } catch let failure as ValidationFailure {
            return setupPage(req, state: FormState(form: form, errors: failure.errors, keeping: Self.setupFields), status: .unprocessableEntity)
                .response(for: req)
        }
    }

    private func setupPage(_ req: Request, state: FormState, status: HTTPResponseStatus = .ok) -> Page {
        let l = req.l
        return Page(title: l(.setupTitle), area: nil, body: [
            el("h1", [], text: l(.setupTitle)),
            el("p", [.class("subtitle")], text: l(.setupIntro)),
            Form.post(req, action: SiteURL.setup.path, id: "setup-form", [
                el("h2", [], text: l(.setupWorkspaceSection)),
                Form.field(l, label: l(.workspaceName), name: "workspace_name", state: state, required: true,
                           maxLength: WorkspaceSettings.nameMaximumLength, autocomplete: "organization"),
                WorkspaceFormParts.timeZone(l, state: state),
                WorkspaceFormParts.currency(l, state: state),
                WorkspaceFormParts.language(l, state: state, name: "language", label: l(.workspaceLanguage)),
                el("h2", [], text: l(.setupAdminSection)),
                Form.field(l, label: l(.yourName), name: "admin_name", state: state, required: true, maxLength: User.nameMaximumLength,
                           autocomplete: "name"),
                Form.field(l, label: l(.email), name: "admin_email", type: "email", state: state, required: true,
                           maxLength: EmailAddress.maximumLength, autocomplete: "email"),
                Form.field(l, label: l(.password), name: "admin_password", type: "password", state: state, required: true,
                           autocomplete: "new-password", hint: l(.passwordHint, String(PasswordPolicy.minimumLength))),
                Form.submit(l(.setupSubmit)),
            ]),
        ], status: status)
    }

    // MARK: Login

    func showLogin(req: Request) async throws -> Response {
        if req.member != nil { return req.redirect(to: SiteURL.home.path) }
        if try await !Directory(req.db).hasAnyWorkspace() { return req.redirect(to: SiteURL.setup.path) }
        return loginPage(req, email: "", next: req.query[String.self, at: "next"], error: nil).response(for: req)
    }

    func submitLogin(req: Request) async throws -> Response {
        let form = try await FormData.read(req)
        let rawEmail = String((form.value("email") ?? "").trimmingBlanks.lowercased().prefix(EmailAddress.maximumLength))
        let password = form.value("password") ?? ""
        let next = form.value("next")
        let address = req.remoteAddress?.ipAddress ?? "unknown"
        let directory = Directory(req.db)
        let now = req.now
        let throttle = LoginThrottle()

        let failures = try await directory.loginFailures(email: rawEmail, address: address, since: now.addingTimeInterval(-throttle.window))
        if case .refused(let retryAfter) = throttle.decide(emailFailures: failures.byEmail, addressFailures: failures.byAddress, now: now) {
            req.logger.warning("login throttled", metadata: ["retry_after": .stringConvertible(retryAfter)])
            var page = loginPage(req, email: rawEmail, next: next, error: req.l(.loginThrottled, String((retryAfter + 59) / 60)))
            page.status = .tooManyRequests
            let response = page.response(for: req)
            response.headers.replaceOrAdd(name: .retryAfter, value: String(retryAfter))
            return response
        }

        let found = try await EmailAddress(rawEmail).asyncFlatMap { try await directory.userForLogin(email: $0) }
        // Verify against a fixed hash when the address is unknown, so timing does not tell
        // which addresses have accounts.
        let matches = try await req.password.async.verify(password.isEmpty ? " " : password, created: found?.passwordHash ?? req.application.decoyPasswordHash)
        guard let (user, _) = found, matches, user.isActive, !password.isEmpty else {
            try await directory.recordLoginAttempt(email: rawEmail, address: address, succeeded: false, now: now)
            var page = loginPage(req, email: rawEmail, next: next, error: req.l(.loginFailed))
            page.status = .unauthorized
            return page.response(for: req)
        }
        try await directory.recordLoginAttempt(email: rawEmail, address: address, succeeded: true, now: now)
        try await directory.pruneLoginAttempts(before: now.addingTimeInterval(-24 * 3600))
        return try await signIn(user, req: req, next: next)
    }

    private func loginPage(_ req: Request, email: String, next: String?, error: String?) -> Page {
        let l = req.l
        let state = FormState(values: ["email": email])
        return Page(title: l(.loginTitle), area: nil, body: [
            el("h1", [], text: l(.loginTitle)),
            error.map { el("div", [.class("form-error"), Attr("role", "alert")], text: $0) } ?? .empty,
            Form.post(req, action: SiteURL.login(next: nil).path, id: "login-form", [
                void("input", [.type("hidden"), .name("next"), .value(next.flatMap { SiteURL.isLocalPath($0) ? $0 : nil } ?? "")]),
                Form.field(l, label: l(.email), name: "email", type: "email", state: state, required: true,
                           maxLength: EmailAddress.maximumLength, autocomplete: "username", extra: [.flag("autofocus")]),
                Form.field(l, label: l(.password), name: "password", type: "password", state: state, required: true,
                           autocomplete: "current-password"),
                Form.submit(l(.logIn)),
            ]),
        ])
    }

    /// Starts a fresh session (a new id, so a planted cookie is never promoted) and goes on.
    private func signIn(_ user: User, req: Request, next: String?) async throws -> Response {
        let sessions = SessionRepository(req.db)
        if let old = req.cookies[Cookies.session]?.string { try await sessions.end(secret: old) }
        let secret = try await sessions.start(for: user, now: req.now)
        let target = next.flatMap { SiteURL.isLocalPath($0) && !$0.hasPrefix("/login") ? $0 : nil } ?? SiteURL.home.path
        let response = req.redirect(to: target, redirectType: .normal)
        response.cookies[Cookies.session] = req.application.cookie(secret, maxAge: Int(SessionRepository.lifetime))
        if let language = user.language {
            response.cookies[Cookies.language] = req.application.cookie(language.rawValue, maxAge: 365 * 86_400)
        }
        req.logger.info("signed in", metadata: ["user_id": .string(user.id.uuidString)])
        return response
    }

    func logout(req: Request) async throws -> Response {
        if let secret = req.cookies[Cookies.session]?.string {
            try await SessionRepository(req.db).end(secret: secret)
        }
        let response = req.redirect(to: SiteURL.login(next: nil).path, redirectType: .normal)
        response.cookies[Cookies.session] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", isHTTPOnly: true)
        return response
    }

    func chooseLanguage(req: Request) async throws -> Response {
        let form = try await FormData.read(req)
        guard let language = form.value("language").flatMap(Language.init(rawValue:)) else {
            throw ValidationFailure("language", .notInList)
        }
        if let member = req.member {
            try await UserRepository(req.db, workspaceID: member.workspaceID).setLanguage(member.user.id, language, now: req.now)
        }
        let next = form.value("next").flatMap { SiteURL.isLocalPath($0) ? $0 : nil } ?? SiteURL.home.path
        let response = req.redirect(to: next, redirectType: .normal)
        response.cookies[Cookies.language] = req.application.cookie(language.rawValue, maxAge: 365 * 86_400)
        return response
    }

    // MARK: Invitations

    private func pendingInvitation(_ req: Request) async throws -> (Invitation, Workspace) {
        guard let token = req.parameters.get("token"), token.count < 200,
              let (invitation, workspace) = try await Directory(req.db).invitation(secret: token)
        else { throw Abort(.notFound) }
        switch invitation.terms.state(at: req.now) {
        case .pending: return (invitation, workspace)
        case .expired: throw Abort(.gone, reason: req.l(.inviteExpired))
        case .accepted: throw Abort(.gone, reason: req.l(.inviteUsed))
        case .revoked: throw Abort(.gone, reason: req.l(.inviteRevoked))
        }
    }

    func showInvitation(req: Request) async throws -> Response {
        let (invitation, workspace) = try await pendingInvitation(req)
        return invitationPage(req, invitation: invitation, workspace: workspace, state: FormState()).response(for: req)
    }

    func acceptInvitation(req: Request) async throws -> Response {
        let (invitation, workspace) = try await pendingInvitation(req)
        let form = try await FormData.read(req)
        var checker = FieldChecker()
        let name = checker.text("name", form.value("name"), maximum: User.nameMaximumLength)
        let password = PasswordPolicy.check("password", form.value("password"), into: &checker)
        guard checker.errors.isEmpty, let name, let password else {
            return invitationPage(req, invitation: invitation, workspace: workspace,
                                  state: FormState(form: form, errors: checker.errors, keeping: ["name"]), status: .unprocessableEntity)
                .response(for: req)
        }
        let hash = try await req.password.async.hash(password)
        let chosen = req.cookies[Cookies.language].flatMap { Language(rawValue: $0.string) }
        do {
            let user = try await InvitationRepository(req.db, workspaceID: workspace.id)
                .accept(invitation.id, name: name, passwordHash: hash, language: chosen, now: req.now)
            return try await signIn(user, req: req, next: nil)
        } catch let failure as ValidationFailure {
            return invitationPage(req, invitation: invitation, workspace: workspace,
                                  state: FormState(form: form, errors: failure.errors, keeping: ["name"]), status: .unprocessableEntity)
                .response(for: req)
        } catch InvitationRepository.AcceptError.notPending {
            throw Abort(.gone, reason: req.l(.inviteUsed))
        }
    }

    private func invitationPage(_ req: Request, invitation: Invitation, workspace: Workspace, state: FormState,
                                status: HTTPResponseStatus = .ok) -> Page {
        let l = req.l
        let roles = invitation.roles.sorted().map(l.roleName).joined(separator: ", ")
        return Page(title: l(.inviteTitle), area: nil, body: [
            el("h1", [], text: l(.inviteTitle)),
            el("p", [.class("subtitle")], text: l(.inviteIntro, workspace.settings.name, roles)),
            el("p", [], [text(l(.email) + ": "), el("strong", [], text: invitation.email.value)]),
            Form.post(req, action: req.url.path, id: "accept-invite-form", [
                Form.field(l, label: l(.yourName), name: "name", state: state, required: true, maxLength: User.nameMaximumLength,
                           autocomplete: "name"),
                Form.field(l, label: l(.password), name: "password", type: "password", state: state, required: true,
                           autocomplete: "new-password", hint: l(.passwordHint, String(PasswordPolicy.minimumLength))),
                Form.summary(l, state: state, shown: ["name", "password"]),
                Form.submit(l(.inviteAccept)),
            ]),
        ], status: status)
    }
}

/// The workspace fields shared by the setup page and the workspace settings page.
enum WorkspaceFormParts {
    static func timeZone(_ l: Localizer, state: FormState) -> HTMLNode {
        Form.select(l, label: l(.timeZone), name: "time_zone",
                    options: WorkspaceSettings.suggestedTimeZones.map { ($0, $0.replacingOccurrences(of: "_", with: " ")) }, state: state)
    }

    static func currency(_ l: Localizer, state: FormState) -> HTMLNode {
        Form.select(l, label: l(.currency), name: "currency", options: WorkspaceSettings.suggestedCurrencies.map { ($0, $0) }, state: state)
    }

    static func language(_ l: Localizer, state: FormState, name: String, label: String) -> HTMLNode {
        Form.select(l, label: label, name: name, options: Language.allCases.map { ($0.rawValue, l.languageName($0)) }, state: state)
    }
}

extension Optional {
    func asyncFlatMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
