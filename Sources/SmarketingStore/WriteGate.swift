import FluentKit
import FluentSQLiteDriver
import Foundation
import NIOConcurrencyHelpers

/// The turn of a SQLite database's writers in this process, one at a time and first come,
/// first served, waited for by a suspended task instead of on a thread.
///
/// SQLite lets one connection write at a time; one that finds another writing waits inside
/// SQLite, on the thread its query runs on: one of NIO's pool threads, of which there are as
/// many as cores. While a re-scoring run's transaction held the write lock, the handoff
/// notifications it queued waited that way, and with two cores the run's own reader and writer
/// were left one thread between them. Write transactions
/// (``StoreTuning/writeTransaction(_:_:)``) take the gate before they begin, so a writer of
/// this process that waits holds no thread, and the one ahead of it gets the lock at once.
/// Another process, or a write outside a write transaction, still waits inside SQLite as
/// before.
final class WriteGate: Sendable {
    private struct State {
        var held = false
        var waiting: [CheckedContinuation<Void, Never>] = []
        var first = 0
    }

    private let state = NIOLockedValueBox(State())

    /// Waits for the gate, then holds it until ``leave()``.
    func enter() async {
        await withCheckedContinuation { (turn: CheckedContinuation<Void, Never>) in
            let now = state.withLockedValue { state -> Bool in
                guard state.held else {
                    state.held = true
                    return true
                }
                state.waiting.append(turn)
                return false
            }
            if now { turn.resume() }
        }
    }

    /// How many writers wait for the gate.
    var waitingCount: Int {
        state.withLockedValue { $0.waiting.count - $0.first }
    }

    /// Hands the gate to the writer that has waited longest, or opens it.
    func leave() {
        let next = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard state.first < state.waiting.count else {
                state.held = false
                state.waiting.removeAll(keepingCapacity: true)
                state.first = 0
                return nil
            }
            let next = state.waiting[state.first]
            state.first += 1
            // The turns already given are dropped now and then, not one by one.
            if state.first >= 64 {
                state.waiting.removeFirst(state.first)
                state.first = 0
            }
            return next
        }
        next?.resume()
    }

    /// Runs `work` holding the gate.
    func run<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        await enter()
        defer { leave() }
        return try await work()
    }

    /// The gate the current task holds for its whole work (``StoreTuning/bulkWriting(_:checkpointPages:_:)``
    /// holds one across its write transactions): its write transactions do not wait for it again.
    @TaskLocal static var held: WriteGate?

    /// A turn taken ahead of a piece of work that gives it back on its own, once.
    final class Turn: Sendable {
        let gate: WriteGate?
        private let ended = NIOLockedValueBox(false)

        private init(_ gate: WriteGate?) {
            self.gate = gate
        }

        /// Waits for the turn of `db`'s writers (none on PostgreSQL or inside a transaction).
        static func take(_ db: any Database) async -> Turn {
            let gate = WriteGate.of(db)
            await gate?.enter()
            return Turn(gate)
        }

        /// Gives the turn back; later calls do nothing.
        func end() {
            let first = ended.withLockedValue { ended in
                defer { ended = true }
                return !ended
            }
            if first { gate?.leave() }
        }
    }

    private static let gates = NIOLockedValueBox<[String: WriteGate]>([:])

    /// The gate of the SQLite database `db` writes to (one per file, or per database in
    /// memory); nil for PostgreSQL, whose writers do not wait for one another, inside a
    /// transaction, which already has its turn, and when the task holds it (``held``).
    static func of(_ db: any Database) -> WriteGate? {
        guard !db.inTransaction, let gate = gate(of: db) else { return nil }
        return gate === held ? nil : gate
    }

    private static func gate(of db: any Database) -> WriteGate? {
        guard let key = key(of: db.context.configuration) else { return nil }
        return gates.withLockedValue { gates in
            if let gate = gates[key] { return gate }
            let gate = WriteGate()
            gates[key] = gate
            return gate
        }
    }

    /// The writers' turn kept by a long run of write transactions (a re-scoring run) from one
    /// to the next, and let go to the writers waiting behind it now and then
    /// (``yieldIfDue()``). Each commit of another writer between two of the run's transactions
    /// makes the run read its next batches again (``BulkReader``), and the handoff
    /// notifications a model change queues would commit between nearly every two of them.
    final class KeptTurn: @unchecked Sendable {
        private let gate: WriteGate?
        private let every: Duration
        /// Only read and set by the task that keeps the turn.
        private var since = ContinuousClock.now

        private init(_ gate: WriteGate?, every: Duration) {
            self.gate = gate
            self.every = every
        }

        /// Runs `work` keeping the turn of `db`'s writers, which its write transactions then
        /// do not wait for; others wait at most about `every` behind it.
        static func keep<T>(_ db: any Database, every: Duration, _ work: (KeptTurn) async throws -> T) async throws -> T {
            guard !db.inTransaction, let gate = WriteGate.gate(of: db), gate !== held else {
                return try await work(KeptTurn(nil, every: every))
            }
            await gate.enter()
            defer { gate.leave() }
            return try await WriteGate.$held.withValue(gate) { try await work(KeptTurn(gate, every: every)) }
        }

        /// Whether other writers wait for the turn.
        var othersWaiting: Bool { (gate?.waitingCount ?? 0) > 0 }

        /// Between two transactions: once the turn was kept for `every` and writers wait for
        /// it, lets them go first and waits behind them.
        func yieldIfDue() async {
            guard let gate, othersWaiting, since.duration(to: .now) >= every else { return }
            gate.leave()
            await gate.enter()
            since = .now
        }
    }

    /// Where a SQLite configuration keeps its data. Fluent's SQLite configuration is not
    /// public, so its SQLiteKit configuration is found by reflection; a release that moves it
    /// gives no gate (writers wait inside SQLite, as before), which a store test would show.
    private static func key(of configuration: any DatabaseConfiguration) -> String? {
        guard let sqlite = Mirror(reflecting: configuration).descendant("configuration") as? SQLiteConfiguration else { return nil }
        switch sqlite.storage {
        case .file(let path): return "file:" + path
        case .memory(let identifier): return "memory:" + identifier
        }
    }
}
