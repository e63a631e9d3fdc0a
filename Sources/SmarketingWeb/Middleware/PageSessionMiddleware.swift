import SmarketingStore
import Vapor

/// For every page request: resolves the signed-in member from the session cookie, picks the
/// language, and guards forms against cross-site requests (a CSRF token in a cookie that each
/// form echoes in `_csrf`, plus an Origin check).
struct PageSessionMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let secret = request.cookies[Cookies.session]?.string, !secret.isEmpty,
           let (user, workspace) = try await SessionRepository(request.db).resolve(secret: secret, now: request.now) {
            request.member = Member(user: user, workspace: workspace, channel: .page)
        }

        let existing = request.cookies[Cookies.csrf]?.string
        let csrf: String
        if let existing, existing.count >= 32 { csrf = existing } else { csrf = SecretToken(prefix: "").secret }
        request.csrfToken = csrf

        if ![.GET, .HEAD, .OPTIONS].contains(request.method) {
            try await Self.verify(request, expected: existing)
        }

        let response = try await next.respond(to: request)
        if existing != csrf {
            response.cookies[Cookies.csrf] = request.application.cookie(csrf, maxAge: nil, sameSite: .strict)
        }
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        return response
    }

    private static func verify(_ request: Request, expected: String?) async throws {
        if let origin = request.headers.first(name: .origin), origin != "null",
           let host = request.headers.first(name: .host),
           URL(string: origin)?.host.map({ host == $0 || host.hasPrefix($0 + ":") }) != true {
            throw Abort(.forbidden, reason: "csrf")
        }
        guard let expected, expected.count >= 32 else { throw Abort(.forbidden, reason: "csrf") }
        var sent = request.headers.first(name: "X-CSRF-Token")
        if sent == nil, request.headers.contentType?.type == "multipart" {
            // File uploads carry the token in the form's action URL.
            sent = request.query[String.self, at: "_csrf"]
        } else if sent == nil {
            let form = try await FormData.read(request)
            sent = form.value("_csrf")
        }
        guard let sent, sent.utf8.count == expected.utf8.count,
              zip(sent.utf8, expected.utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0
        else { throw Abort(.forbidden, reason: "csrf") }
    }
}

/// Lets only signed-in members through; others go to the login page (or to setup when the
/// product has no workspace yet).
struct RequireMemberMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.member != nil else {
            if try await !Directory(request.db).hasAnyWorkspace() {
                return request.redirect(to: SiteURL.setup.path)
            }
            return request.redirect(to: SiteURL.login(next: request.method == .GET ? request.url.string : nil).path)
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    private struct CSRFKey: StorageKey {
        typealias Value = String
    }

    /// The token every form on this page must send back in `_csrf`.
    var csrfToken: String {
        get { storage[CSRFKey.self] ?? "" }
        set { storage[CSRFKey.self] = newValue }
    }
}

extension Application {
    /// A cookie with the product's flags: HTTP only, SameSite, Secure behind HTTPS.
    func cookie(_ value: String, maxAge: Int?, sameSite: HTTPCookies.SameSitePolicy = .lax) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: value, expires: nil, maxAge: maxAge, domain: nil, path: "/",
            isSecure: config.secureCookies, isHTTPOnly: true, sameSite: sameSite
        )
    }
}
