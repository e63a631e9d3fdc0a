import Foundation
import NIOCore
import SmarketingCore
import SmarketingStore
import Vapor

/// The `webhook.deliver` job: POSTs an event's body to its endpoint, signed with the endpoint's
/// secret over the time and the body, and logs the attempt. A 2xx answer delivers it; anything
/// else (an error status, a timeout, a refused connection) is retried with back-off until the
/// last attempt. The request that caused the event was answered long before: a slow or broken
/// receiver never holds it up.
enum WebhookDeliverer {
    static let timeout: Int64 = 10
    static let userAgent = "Smarketing-Webhooks/1"

    static func register(_ app: Application) {
        app.jobs.register(WebhookEvents.deliverJob, policy: .delivery) { job, context in
            try await deliver(job, context)
        }
    }

    static func deliver(_ job: QueuedJob, _ context: JobRunner.JobContext) async throws {
        guard let workspaceID = job.workspaceID, let deliveryID = WebhookEndpoints.deliveryID(inPayload: job.payload) else {
            throw JobRunner.JobFailure.permanent("no delivery in the job's payload")
        }
        let endpoints = WebhookEndpoints(context.db, workspaceID: workspaceID)
        // The endpoint (and its log) was deleted, or switched off: nothing to send.
        guard let delivery = try await endpoints.delivery(deliveryID), let endpoint = try await endpoints.find(delivery.endpointID),
              endpoint.active else { return }
        let body = Array(delivery.body.utf8)
        let started = Date()
        let timestamp = Int(context.now.timeIntervalSince1970)
        var headers = HTTPHeaders()
        headers.add(name: .contentType, value: "application/json")
        headers.add(name: .userAgent, value: userAgent)
        headers.add(name: WebhookSignature.header, value: WebhookSignature.sign(secret: endpoint.secret, timestamp: timestamp, body: body))
        headers.add(name: "Smarketing-Event", value: delivery.eventType)
        headers.add(name: "Smarketing-Delivery", value: delivery.id.uuidString.lowercased())
        var request = ClientRequest(method: .POST, url: URI(string: endpoint.url.absoluteString), headers: headers, body: ByteBuffer(bytes: body))
        request.timeout = TimeAmount.seconds(timeout)
        var statusCode: Int?
        var failure: String?
        var excerpt: String?
        do {
            let response = try await context.app.client.send(request)
            statusCode = Int(response.status.code)
            excerpt = response.body.map { String(decoding: $0.readableBytesView.prefix(500), as: UTF8.self) }
            if !(200..<300).contains(Int(response.status.code)) { failure = "the endpoint answered \(response.status.code)" }
        } catch {
            failure = "\(error)"
        }
        let duration = Int(Date().timeIntervalSince(started) * 1000)
        let lastAttempt = job.attempts >= job.maxAttempts
        let status: WebhookDelivery.Status = failure == nil ? .delivered : (lastAttempt ? .failed : .pending)
        try await endpoints.record(WebhookAttempt(at: context.now, statusCode: statusCode, durationMS: duration, error: failure, response: excerpt),
                                   deliveryID: deliveryID, status: status)
        if let failure { throw JobRunner.JobFailure.transient(failure) }
    }
}
