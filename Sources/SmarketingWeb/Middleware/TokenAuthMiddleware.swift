import SmarketingStore
import Vapor

/// Authenticates API requests by a personal token (`Authorization: Bearer smk_...`).
struct TokenAuthMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let bearer = request.headers.bearerAuthorization?.token, bearer.hasPrefix(SecretToken.apiPrefix), bearer.count < 200,
              let (user, workspace, _) = try await Directory(request.db).tokenOwner(secret: bearer, now: request.now)
        else {
            throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer realm=\"smarketing\""])
        }
        request.member = Member(user: user, workspace: workspace, channel: .api)
        return try await next.respond(to: request)
    }
}
