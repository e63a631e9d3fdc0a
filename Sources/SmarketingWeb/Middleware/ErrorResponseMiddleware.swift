import Fluent
import SmarketingCore
import SmarketingStore
import Vapor

/// Turns every error into the answer its caller can use: the JSON error shape for the API,
/// an HTML page for browsers. Validation errors list each field; anything that is not an
/// expected error is logged with the request id and shown only as a generic message.
struct ErrorResponseMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let abort as any AbortError where abort.status == .notFound {
            let allowed = Self.allowedMethods(for: request)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { return Self.response(for: abort, to: request) }
            return Self.response(for: Abort(.methodNotAllowed, headers: ["Allow": allowed.joined(separator: ", ")]), to: request)
        } catch {
            return Self.response(for: error, to: request)
        }
    }

    /// The methods routed for this path by its most specific routes (fewest parameters), for
    /// 405 + Allow: `PATCH /contacts/bulk` is not a contact id, it is a route for POST only.
    static func allowedMethods(for request: Request) -> [String] {
        let parts = request.url.path.split(separator: "/").map(String.init)
        let matching = request.application.routes.all.filter { route in
            guard route.path.count == parts.count else { return false }
            return zip(route.path, parts).allSatisfy { component, part in
                switch component {
                case .constant(let value): value == part
                case .parameter, .anything, .catchall: true
                }
            }
        }
        func parameters(_ route: Route) -> Int { route.path.filter { if case .constant = $0 { return false } else { return true } }.count }
        guard let fewest = matching.map(parameters).min() else { return [] }
        return Array(Set(matching.filter { parameters($0) == fewest }.map(\.method.rawValue))).sorted()
    }

    static func response(for error: any Error, to request: Request) -> Response {
        let l = request.l
        let status: HTTPResponseStatus
        let code: String
        let message: String
        var fields: [APIFieldError] = []
        var headers = HTTPHeaders()

        switch error {
        case let failure as ValidationFailure:
            status = .unprocessableEntity
            code = "validation_failed"
            message = l(.errorValidation)
            fields = failure.errors.map { APIFieldError(field: $0.field, code: $0.code.apiCode, message: l.message(for: $0)) }
        case let refusal as LifecycleTransitionRefusal:
            status = .unprocessableEntity
            code = "invalid_transition"
            let allowed = refusal.allowed.map(\.rawValue).joined(separator: ", ")
            message = l(.errorTransition, l.stageName(refusal.from), l.stageName(refusal.to), allowed.isEmpty ? "—" : allowed)
            fields = refusal.failure.errors.map { error in
                APIFieldError(field: error.field, code: error.code.apiCode,
                              message: error.field == "lifecycle_stage" ? l(.errorTransitionAllowed, allowed.isEmpty ? "—" : allowed) : l.message(for: error))
            }
        case HandoffError.alreadyDecided:
            status = .conflict
            code = "already_decided"
            message = l(.noticeAlreadyDecided)
        case HandoffError.transition(let refusal):
            return response(for: refusal, to: request)
        case HandoffError.notFound:
            status = .notFound
            code = "not_found"
            message = l(.errorNotFound)
        case LeadDefinitions.Problem.invalid(let problems):
            status = .unprocessableEntity
            code = "validation_failed"
            message = l(.errorValidation)
            fields = problems.map { APIFieldError(field: $0.path, code: $0.code.apiCode, message: l.problem($0.reason)) }
        case let problem as LeadDefinitions.Problem:
            status = .conflict
            code = LeadDefinitionPages.notice(for: problem)
            message = Notice(rawValue: code)?.text(l) ?? l(.errorConflict)
        case let decoding as DecodingError:
            status = .badRequest
            code = "malformed_body"
            message = l(.errorMalformedBody)
            if let field = decoding.fieldName {
                fields = [APIFieldError(field: field, code: "invalid", message: l(.errorInvalid))]
            }
        case let database as any DatabaseError where database.isConstraintFailure:
            // Two requests raced for the same unique value; the loser is told, nothing half-written.
            status = .conflict
            code = "conflict"
            message = l(.errorConflict)
        case let abort as any AbortError:
            status = abort.status
            headers = abort.headers
            code = Self.code(for: abort.status)
            message = Self.message(for: abort, language: l)
        default:
            status = .internalServerError
            code = "internal_error"
            message = l(.errorInternal)
            request.logger.report(error: error)
        }
        if status.code >= 500, error is any AbortError {
            request.logger.error("request failed", metadata: ["status": .stringConvertible(status.code), "error": .string(String(describing: error))])
        }

        let response: Response
        if request.url.path.hasPrefix("/api/") {
            response = Response(status: status, headers: headers)
            let body = APIErrorBody(error: .init(code: code, message: message, fields: fields))
            try? response.content.encode(body, using: APIJSON.encoder)
        } else {
            let html = ErrorPage(status: status, message: message, fields: fields, requestID: request.logger[metadataKey: "request-id"]?.description)
                .render(for: request)
            response = Response(status: status, headers: headers, body: .init(string: html))
            response.headers.replaceOrAdd(name: .contentType, value: "text/html; charset=utf-8")
        }
        return response
    }

    static func code(for status: HTTPResponseStatus) -> String {
        switch status {
        case .badRequest: "bad_request"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .conflict: "conflict"
        case .gone: "gone"
        case .payloadTooLarge: "payload_too_large"
        case .unsupportedMediaType: "unsupported_media_type"
        case .unprocessableEntity: "validation_failed"
        case .tooManyRequests: "rate_limited"
        case .serviceUnavailable: "unavailable"
        default: status.code >= 500 ? "internal_error" : "error"
        }
    }

    /// A message the user can act on, in their language; Vapor's own English reasons are
    /// replaced by the catalog's where the product has one.
    static func message(for abort: any AbortError, language l: Localizer) -> String {
        switch abort.status {
        case .unauthorized: l(.errorUnauthorized)
        case .forbidden: abort.reason == "csrf" ? l(.errorCSRF) : l(.errorForbidden)
        case .notFound: l(.errorNotFound)
        case .tooManyRequests: abort.reason.isEmpty ? l(.errorRateLimited) : abort.reason
        case .payloadTooLarge: l(.errorTooLarge)
        case .internalServerError: l(.errorInternal)
        case .serviceUnavailable: l(.errorUnavailable)
        default: abort.reason
        }
    }
}

/// The one shape of every API error: `{"error": {"code", "message", "fields"}}`.
struct APIErrorBody: Content {
    struct Detail: Content {
        var code: String
        var message: String
        var fields: [APIFieldError]
    }

    var error: Detail
}

struct APIFieldError: Content, Equatable {
    var field: String
    var code: String
    var message: String
}

extension FieldError.Code {
    /// The stable, machine-readable name of the problem in API errors.
    var apiCode: String {
        switch self {
        case .required: "required"
        case .tooShort: "too_short"
        case .tooLong: "too_long"
        case .invalid: "invalid"
        case .notInList: "not_in_list"
        case .alreadyTaken: "already_taken"
        case .mismatch: "mismatch"
        case .notANumber: "not_a_number"
        case .notADate: "not_a_date"
        case .notYesOrNo: "not_yes_or_no"
        case .lastAdmin: "last_admin"
        }
    }
}

extension DecodingError {
    /// The snake_case name of the JSON field that could not be read, when there is one.
    var fieldName: String? {
        let path: [any CodingKey]
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): path = context.codingPath
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        @unknown default: return nil
        }
        let names = path.filter { $0.intValue == nil }.map { Self.snakeCase($0.stringValue) }
        return names.isEmpty ? nil : names.joined(separator: ".")
    }

    static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                if !result.isEmpty { result.append("_") }
                result.append(contentsOf: character.lowercased())
            } else {
                result.append(character)
            }
        }
        return result
    }
}
