import SmarketingStore
import Vapor

/// Authenticates API requests by a personal token (`Authorization: Bearer smk_...`).
struct TokenAuthMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let bearer = request.headers.bearerAuthorization?.token, bearer.hasPrefix(SecretToken.apiPrefix), bearer.count < 200,
              let member = try await Self.owners.value(SecretToken.hash(bearer), load: {
                  try await Directory(request.db).tokenOwner(secret: bearer, now: request.now)
                      .map { Member(user: $0.0, workspace: $0.1, channel: .api) }
              })
        else {
            throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer realm=\"smarketing\""])
        }
        request.member = member
        return try await next.respond(to: request)
    }

    /// Token owners by token hash: an integration sending events many times a second is
    /// looked up once every few seconds. A token revoked or a user changed here is seen at once.
    static let owners = TimedCache<Member>(lifetime: 2, generation: .access)
}
