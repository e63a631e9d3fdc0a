import Vapor

/// The page a browser sees when a request fails: what happened, in the user's language,
/// and a way back. Never internals; the request id lets an operator find the log line.
struct ErrorPage {
    var status: HTTPResponseStatus
    var message: String
    var fields: [APIFieldError]
    var requestID: String?

    func render(for request: Request) -> String {
        let l = request.l
        let title: String = switch status {
        case .forbidden: l(.errorForbiddenTitle)
        case .notFound: l(.errorNotFoundTitle)
        case .gone: l(.errorGoneTitle)
        case .tooManyRequests: l(.errorRateLimitedTitle)
        case .unprocessableEntity, .badRequest: l(.errorValidationTitle)
        default: status.code >= 500 ? l(.errorInternalTitle) : l(.errorTitle)
        }
        return Page(title: title, area: nil, body: [
            el("div", [.class("error-page")], [
                el("p", [.class("error-status")], text: String(status.code)),
                el("h1", [], text: title),
                el("p", [], text: message),
                fields.isEmpty ? .empty : el("ul", [], fields.map { el("li", [], text: "\($0.field): \($0.message)") }),
                el("p", [], [el("a", [.href(SiteURL.home.path), .class("button-primary")], text: l(.backHome))]),
                requestID.map { el("p", [.class("hint")], text: l(.requestID, $0)) } ?? .empty,
            ]),
        ], status: status).render(for: request)
    }
}
