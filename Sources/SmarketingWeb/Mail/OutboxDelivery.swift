import Fluent
import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// Sends one message of the outbox through the configured transport and records what
/// happened: sent (with the time and the server's reply), held by the outbox transport, or
/// failed. A failure that may pass (a 4xx reply, a refused connection, a timeout) puts the
/// message back in the queue with its error and is thrown, so the job that called this runs it
/// again later; a permanent one fails the message for good and is returned.
///
/// Calling it for a message that is not waiting (already sent, being sent by another delivery)
/// sends nothing and says so, so a job that runs twice never mails twice.
public struct OutboxDelivery: Sendable {
    public enum Outcome: Sendable, Equatable {
        case sent(reply: String)
        case held(reason: String)
        case failed(error: String)
        /// Not waiting for a delivery: it is in this status.
        case notWaiting(OutboxStatus)
        /// No such message in the workspace.
        case missing
    }

    let db: any Database
    let transport: any MailTransport
    let clock: AppClock
    let logger: Logger

    public init(db: any Database, transport: any MailTransport, clock: AppClock, logger: Logger) {
        self.db = db
        self.transport = transport
        self.clock = clock
        self.logger = logger
    }

    /// The application's database, transport and clock.
    public init(_ app: Application) {
        self.init(db: app.db, transport: app.mailTransport, clock: app.clock, logger: app.logger)
    }

    @discardableResult
    public func deliver(messageID: UUID, workspaceID: UUID) async throws -> Outcome {
        let outbox = Outbox(db, workspaceID: workspaceID)
        guard let message = try await outbox.claim(messageID, now: clock.now()) else {
            return try await outbox.find(messageID).map { .notWaiting($0.status) } ?? .missing
        }
        let metadata: Logger.Metadata = ["outbox_message": .string(messageID.uuidString.lowercased()), "transport": .string(transport.name),
                                         "attempt": .stringConvertible(message.attempts)]
        do {
            switch try await transport.send(message.message) {
            case .sent(let reply):
                try await outbox.markSent(messageID, reply: reply, now: clock.now())
                logger.info("mail sent", metadata: metadata)
                return .sent(reply: reply)
            case .held(let reason):
                try await outbox.markHeld(messageID, reason: reason, now: clock.now())
                logger.info("mail held in the outbox", metadata: metadata)
                return .held(reason: reason)
            }
        } catch {
            let failure = error as? MailDeliveryError ?? MailDeliveryError(.transient, step: "delivery", detail: "\(error)")
            try await outbox.markFailed(messageID, error: failure.description, retriable: failure.isTransient, now: clock.now())
            logger.warning("mail not sent", metadata: metadata.merging(["error": .string(failure.description)]) { $1 })
            if failure.isTransient { throw failure }
            return .failed(error: failure.description)
        }
    }
}
