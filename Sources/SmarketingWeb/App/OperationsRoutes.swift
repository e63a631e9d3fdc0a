import SmarketingStore
import Vapor

/// `/health` (the process answers), `/ready` (the database answers) and `/metrics`
/// (Prometheus text format).
struct OperationsRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("health") { _ in
            Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(staticString: #"{"status":"ok"}"#))
        }
        routes.get("ready", use: ready)
        routes.get("metrics", use: metrics)
    }

    func ready(req: Request) async throws -> Response {
        let metrics = req.application.metrics
        let started = ContinuousClock.now
        do {
            try await StoreTuning.ping(req.db)
            metrics.databasePing.record(ContinuousClock.now - started)
            metrics.databaseUp.set(Double(1))
            return Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(staticString: #"{"status":"ready","database":"ok"}"#))
        } catch {
            metrics.databaseUp.set(Double(0))
            req.logger.error("database unreachable", metadata: ["error": .string(String(describing: error))])
            return Response(status: .serviceUnavailable, headers: ["Content-Type": "application/json", "Retry-After": "5"],
                            body: .init(staticString: #"{"status":"unavailable","database":"unreachable"}"#))
        }
    }

    func metrics(req: Request) async throws -> Response {
        var buffer: [UInt8] = []
        req.application.metrics.registry.emit(into: &buffer)
        return Response(status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: .init(data: Data(buffer)))
    }
}
