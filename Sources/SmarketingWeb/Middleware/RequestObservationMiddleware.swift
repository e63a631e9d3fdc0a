import Vapor

/// Gives every request an id (kept from `X-Request-Id` when the caller sent a sane one, else
/// the one Vapor made for the request's log lines), logs one structured line per request, and
/// records its count and latency for /metrics.
/// Paths are logged as route patterns, never with their values (tokens, ids, search terms).
struct RequestObservationMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let header = request.headers.first(name: "X-Request-Id")
        let made = request.logger[metadataKey: "request-id"].map { "\($0)" }
        let requestID = Self.requestID(from: header, made: header == nil ? made : nil)
        if requestID != made { request.logger[metadataKey: "request-id"] = .string(requestID) }
        let metrics = request.application.metrics
        metrics.requestsInFlight.increment()
        let started = ContinuousClock.now
        defer { metrics.requestsInFlight.decrement() }

        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            // The error middleware sits inside this one, so errors rarely get here.
            log(request, status: 500, started: started)
            throw error
        }
        response.headers.replaceOrAdd(name: "X-Request-Id", value: requestID)
        log(request, status: response.status.code, started: started)
        return response
    }

    private func log(_ request: Request, status: UInt, started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let route = Self.routePattern(of: request)
        request.application.metrics.recordRequest(method: request.method.rawValue, route: route, status: status, duration: elapsed)
        let millis = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        request.logger.log(
            level: status >= 500 ? .error : .info,
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "route": .string(route),
                "status": .stringConvertible(status),
                "duration_ms": .string(String(format: "%.2f", millis)),
            ]
        )
    }

    static func routePattern(of request: Request) -> String {
        guard let route = request.route else { return "unmatched" }
        return "/" + route.path.map(\.description).joined(separator: "/")
    }

    /// The caller's id when it is sane, else `made` (the random id Vapor gave a request that
    /// came without one: a second random UUID costs a read of /dev/urandom each request), else
    /// a new one.
    static func requestID(from header: String?, made: String? = nil) -> String {
        if let header, (1...64).contains(header.count),
           header.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            return header
        }
        return made ?? UUID().uuidString
    }
}
