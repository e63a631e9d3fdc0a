import Crypto
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// Runs a create once per `Idempotency-Key`: a retry with the same key and body gets the first
/// answer again; the same key with another body is refused (422, field `Idempotency-Key`).
enum Idempotency {
    static func run(_ req: Request, member: Member, body: ByteBuffer?, _ create: () async throws -> Response) async throws -> Response {
        guard let key = req.headers.first(name: "Idempotency-Key") else { return try await create() }
        guard (1...200).contains(key.count), key.allSatisfy({ $0.isASCII && !$0.isNewline }) else {
            throw ValidationFailure("Idempotency-Key", .invalid)
        }
        let hash = SHA256.hash(data: Data((body.map { Array($0.readableBytesView) } ?? []) + Array(req.url.path.utf8)))
            .map { String(format: "%02x", $0) }.joined()
        let keys = IdempotencyKeys(req.db, workspaceID: member.workspaceID)
        if let stored = try await keys.find(key, now: req.now) {
            guard stored.requestHash == hash else { throw ValidationFailure("Idempotency-Key", .mismatch) }
            return replay(stored)
        }
        let response = try await create()
        guard response.status.code < 500 else { return response }
        let text = response.body.string ?? ""
        let stored = try await keys.store(key, .init(requestHash: hash, status: Int(response.status.code), body: text), now: req.now)
        return stored.body == text ? response : replay(stored)
    }

    private static func replay(_ stored: IdempotencyKeys.Stored) -> Response {
        let response = Response(status: HTTPResponseStatus(statusCode: stored.status), body: .init(string: stored.body))
        response.headers.replaceOrAdd(name: .contentType, value: "application/json; charset=utf-8")
        response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
        return response
    }
}

