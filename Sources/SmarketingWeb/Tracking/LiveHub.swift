import Fluent
import Foundation
import NIOConcurrencyHelpers
import SmarketingCore
import SmarketingStore
import Vapor

/// The live channel of the app: open pages of a workspace listen (`GET /live`, Server-Sent
/// Events) and hear of what they should see at once, such as a contact becoming MQL, within
/// moments of the commit that did it. The ingest pipeline tells the hub right after its
/// commit; every other way a contact qualifies (a field edited, an import, a re-scoring) is
/// read from the stage changes table a few times a second while pages are open. Each move is
/// announced once.
final class LiveHub: Sendable {
    /// One message to a workspace's open pages.
    struct Message: Sendable, Encodable, Equatable {
        var kind: String
        var contactID: UUID?
        var name: String?
        var url: String?
        var cause: String?
        var count: Int?
        /// The rep the lead was handed to.
        var ownerID: UUID?
        /// Set per page: the lead was handed to the person looking at it.
        var mine: Bool?
    }

    private struct Listener: Sendable {
        var workspaceID: UUID
        var userID: UUID?
        var continuation: AsyncStream<String>.Continuation
    }

    /// Told after every commit whose moves the hub announced (the job queue's workers wake).
    private let committed = NIOLockedValueBox<(@Sendable () -> Void)?>(nil)

    func onCommittedMoves(_ action: @escaping @Sendable () -> Void) {
        committed.withLockedValue { $0 = action }
    }

    private let listeners = NIOLockedValueBox<[UUID: Listener]>([:])
    /// Moves already announced, with when (to forget them after a while).
    private let announced = NIOLockedValueBox<[UUID: Date]>([:])
    private let watcher = NIOLockedValueBox<Task<Void, Never>?>(nil)
    /// How often the table is read while pages are open, and how far back.
    static let watchInterval: UInt64 = 300_000_000
    static let watchWindow: TimeInterval = 10
    /// Beyond this many MQLs in one commit (an activation), the pages hear one summary.
    static let individualMessages = 20

    var listenerCount: Int { listeners.withLockedValue { $0.count } }

    /// The messages to one open page, as SSE frames, until it goes away.
    func listen(workspaceID: UUID, userID: UUID? = nil) -> AsyncStream<String> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(100))
        continuation.onTermination = { [weak self] _ in
            _ = self?.listeners.withLockedValue { $0.removeValue(forKey: id) }
        }
        listeners.withLockedValue { $0[id] = Listener(workspaceID: workspaceID, userID: userID, continuation: continuation) }
        return stream
    }

    func publish(_ message: Message, to workspaceID: UUID) {
        func frame(_ message: Message) -> String? {
            guard let data = try? JSONEncoder.live.encode(message) else { return nil }
            return "event: \(message.kind)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
        }
        var mine = message
        mine.mine = true
        guard let shared = frame(message), let own = frame(mine) else { return }
        for listener in listeners.withLockedValue({ Array($0.values) }) where listener.workspaceID == workspaceID {
            listener.continuation.yield(message.ownerID != nil && listener.userID == message.ownerID ? own : shared)
        }
    }

    /// Tells each workspace's pages of the contacts that became MQL in a commit that succeeded.
    func announce(_ moves: [StageMoveLog.Move], db: any Database) async {
        guard listenerCount > 0 else { return }
        let now = Date()
        let qualified = announced.withLockedValue { announced in
            if announced.count > 10_000 { announced = announced.filter { now.timeIntervalSince($0.value) < 300 } }
            return moves.filter { move in
                guard move.to == .mql, announced[move.id] == nil else { return false }
                announced[move.id] = now
                return true
            }
        }
        guard !qualified.isEmpty else { return }
        for (workspaceID, group) in Dictionary(grouping: qualified, by: \.workspaceID) {
            if group.count > Self.individualMessages {
                publish(Message(kind: "mql", count: group.count), to: workspaceID)
                continue
            }
            let contacts = (try? await ContactRepository(db, workspaceID: workspaceID).find(ids: group.map(\.contactID))) ?? []
            let byID = Dictionary(contacts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            for move in group {
                let contact = byID[move.contactID]
                publish(Message(kind: "mql", contactID: move.contactID, name: contact?.fullName, url: SiteURL.contact(move.contactID).path,
                                cause: move.cause, count: 1, ownerID: contact?.ownerID), to: workspaceID)
            }
        }
    }

    /// Reads the recent MQL moves of the workspaces with open pages, until `stop()`.
    func startWatching(_ app: Application) {
        let task = Task { [weak self, weak app] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: Self.watchInterval)
                guard let self, let app else { return }
                let workspaces = Array(Set(self.listeners.withLockedValue { $0.values.map(\.workspaceID) }))
                guard !workspaces.isEmpty else { continue }
                let since = app.clock.now().addingTimeInterval(-Self.watchWindow)
                // Not `app.db`, which stops the process once the databases have shut down (an
                // application stopping while a page is still listening).
                guard let db = app.databases.database(logger: app.logger, on: app.eventLoopGroup.any()) else { return }
                if let moves = try? await StageChanges.recentMoves(to: .mql, in: workspaces, since: since, on: db) {
                    await self.announce(moves, db: db)
                }
            }
        }
        watcher.withLockedValue { $0 = task }
    }

    func stop() {
        watcher.withLockedValue { $0?.cancel() }
        for listener in listeners.withLockedValue({ Array($0.values) }) { listener.continuation.finish() }
    }

    /// Runs a unit of work that may move contacts, then announces the moves once it returned
    /// (its transaction committed).
    func announcing<T: Sendable>(_ db: any Database, _ work: () async throws -> T) async throws -> T {
        let (result, moves) = try await StageMoveLog.collecting(work)
        if !moves.isEmpty { committed.withLockedValue { $0 }?() }
        await announce(moves, db: db)
        return result
    }
}

private extension JSONEncoder {
    static let live: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }()
}

/// `GET /live`: the page's end of the live channel, as Server-Sent Events. A comment line every
/// 15 seconds keeps proxies from closing it and finds out when the page has gone.
struct LiveRoutes: RouteCollection {
    static let heartbeatSeconds: UInt64 = 15

    func boot(routes: any RoutesBuilder) throws {
        routes.get("live", use: live)
    }

    func live(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let hub = req.application.live
        let stream = hub.listen(workspaceID: member.workspaceID, userID: member.user.id)
        let response = Response(status: .ok, headers: [
            "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no",
        ])
        // Managed: Vapor ends the stream when this returns and fails it when this throws (the page
        // went away and a write failed); a stream left without either stops a debug server.
        response.body = .init(managedAsyncStream: { writer in
            try await writer.writeBuffer(ByteBuffer(string: "retry: 3000\n: live\n\n"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await frame in stream { try await writer.writeBuffer(ByteBuffer(string: frame)) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(nanoseconds: Self.heartbeatSeconds * 1_000_000_000)
                        try await writer.writeBuffer(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                }
                // Either ends only when the page went away (a write failed) or the server stops.
                defer { group.cancelAll() }
                _ = try await group.next()
            }
        })
        return response
    }
}

/// Starts the hub's reading of stage changes with the server, and closes open pages' streams
/// when it stops.
struct LiveHubLifecycle: LifecycleHandler {
    func didBoot(_ app: Application) throws {
        app.live.startWatching(app)
    }

    func shutdown(_ app: Application) {
        app.live.stop()
    }
}

extension Application {
    private struct LiveHubKey: StorageKey {
        typealias Value = LiveHub
    }

    /// Set up by `configure`.
    var live: LiveHub {
        get {
            guard let hub = storage[LiveHubKey.self] else { fatalError("configure(_:) sets up the live channel") }
            return hub
        }
        set { storage[LiveHubKey.self] = newValue }
    }
}
