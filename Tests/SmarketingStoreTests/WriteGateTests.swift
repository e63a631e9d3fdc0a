import FluentKit
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SmarketingTestSupport
import SQLKit
import Testing
@testable import SmarketingStore

@Suite("Writers waiting their turn")
struct WriteGateTests {
    /// A table of the writers that wrote, each row written by a write transaction of its own.
    struct Probe: Sendable {
        let sql: any SQLDatabase

        static func create(_ db: any Database) async throws -> Probe {
            let sql = try #require(db as? any SQLDatabase)
            try await sql.raw("CREATE TABLE gate_probe (writer INTEGER NOT NULL)").run()
            return Probe(sql: sql)
        }

        /// Writes `writer`'s row on `db` (a handle to the same database) in a write transaction.
        static func insert(_ writer: Int, on db: any Database) async throws {
            try await StoreTuning.writeTransaction(db) { tx in try await insert(writer, in: tx) }
        }

        static func insert(_ writer: Int, in tx: any Database) async throws {
            try await (tx as! any SQLDatabase).raw("INSERT INTO gate_probe (writer) VALUES (\(literal: writer))").run()
        }

        func rows() async throws -> Int {
            try #require(try await sql.raw("SELECT COUNT(*) AS n FROM gate_probe").first()?.decode(column: "n", as: Int.self))
        }
    }

    /// Runs one job on each of NIO's pool threads at once: true when all of them were running
    /// together within `seconds`, false when some thread was busy elsewhere all that time.
    func poolThreadsAllFree(within seconds: Double) async throws -> Bool {
        let threads = System.coreCount
        let started = NIOLockedValueBox(0)
        let deadline = Date().addingTimeInterval(seconds)
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<threads {
                group.addTask {
                    try await NIOThreadPool.singleton.runIfActive {
                        started.withLockedValue { $0 += 1 }
                        while started.withLockedValue({ $0 }) < threads, Date() < deadline { usleep(1_000) }
                        return started.withLockedValue { $0 } >= threads
                    }
                }
            }
            var all = true
            for try await together in group { all = all && together }
            return all
        }
    }

    @Test("writers queued behind a long write transaction hold none of NIO's pool threads while they wait, and each writes once it has its turn")
    func waitingWritersHoldNoThread() async throws {
        try await TestDatabase.withStoreOnEveryLoop { handles in
            let db = handles[0]
            let probe = try await Probe.create(db)
            let (holding, held) = AsyncStream.makeStream(of: Void.self)
            let (releasing, release) = AsyncStream.makeStream(of: Void.self)
            let first = Task {
                try await StoreTuning.writeTransaction(db) { tx in
                    try await Probe.insert(0, in: tx)
                    held.yield()
                    for await _ in releasing { break }
                }
            }
            for await _ in holding { break }
            // On every event loop, so that some of them wait on connections of their own.
            let writers = (1...6).map { writer in
                Task { try await Probe.insert(writer, on: handles[writer % handles.count]) }
            }
            try await Task.sleep(for: .milliseconds(200))
            let free = try await poolThreadsAllFree(within: 5)
            release.yield()
            try await first.value
            for writer in writers { try await writer.value }
            #expect(free, "every pool thread ran while the writers waited")
            #expect(try await probe.rows() == 7)
        }
    }

    @Test("a bulk writer's transactions and other writers sharing its event loop's connection all finish, none waiting for a connection the other holds")
    func bulkWriterSharesItsConnection() async throws {
        try await TestDatabase.withStore { db in
            let probe = try await Probe.create(db)
            let bulk = Task {
                try await StoreTuning.bulkWriting(db) { connection in
                    for writer in 100..<103 {
                        try await Probe.insert(writer, on: connection)
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
            }
            let writers = (0..<8).map { writer in Task { try await Probe.insert(writer, on: db) } }
            try await bulk.value
            for writer in writers { try await writer.value }
            #expect(try await probe.rows() == 11)
        }
    }

    @Test("a run that keeps the writers' turn across its transactions lets the writers waiting behind it go only once it has kept it for its time, then carries on")
    func keptTurnYields() async throws {
        try await TestDatabase.withSQLiteFileStore { db in
            let probe = try await Probe.create(db)
            @Sendable func rows() async throws -> Int { try await probe.rows() }
            @Sendable func insert(_ writer: Int) async throws { try await Probe.insert(writer, on: db) }
            // Kept for an hour: a writer waiting behind it waits until the run is done.
            var other: Task<Void, any Error>?
            try await WriteGate.KeptTurn.keep(db, every: .seconds(3600)) { turn in
                try await insert(0)
                other = Task.detached { try await insert(1) }
                while !turn.othersWaiting { try await Task.sleep(for: .milliseconds(5)) }
                await turn.yieldIfDue()
                try await insert(2)
                #expect(try await rows() == 2, "not due: the other writer still waits")
            }
            try await other?.value
            #expect(try await rows() == 3)
            // Kept for no time: the writer waiting goes at the run's next pause, before its next write.
            try await WriteGate.KeptTurn.keep(db, every: .zero) { turn in
                try await insert(3)
                other = Task.detached { try await insert(4) }
                while !turn.othersWaiting { try await Task.sleep(for: .milliseconds(5)) }
                await turn.yieldIfDue()
                #expect(try await rows() == 5, "due: the other writer went first")
                try await insert(5)
            }
            try await other?.value
            #expect(try await rows() == 6)
        }
    }

    @Test("a SQLite database's writers take their turns in the order they asked, one at a time")
    func turnsInOrder() async throws {
        let gate = WriteGate()
        await gate.enter()
        let order = NIOLockedValueBox<[Int]>([])
        let inside = NIOLockedValueBox(0)
        let overlapped = NIOLockedValueBox(false)
        var waiting: [Task<Void, Never>] = []
        for writer in 0..<100 {
            waiting.append(Task {
                await gate.enter()
                inside.withLockedValue { count in
                    count += 1
                    if count > 1 { overlapped.withLockedValue { $0 = true } }
                }
                order.withLockedValue { $0.append(writer) }
                inside.withLockedValue { $0 -= 1 }
                gate.leave()
            })
            // Each asks once the one before it is waiting.
            while gate.waitingCount < writer + 1 { await Task.yield() }
        }
        gate.leave()
        for task in waiting { await task.value }
        #expect(order.withLockedValue { $0 } == Array(0..<100))
        #expect(!overlapped.withLockedValue { $0 })
    }

    @Test("two SQLite databases have gates of their own, and PostgreSQL and transactions have none")
    func gatesPerDatabase() async throws {
        try await TestDatabase.withStore { db in
            try await TestDatabase.withSQLiteFileStore { file in
                let fileGate = try #require(WriteGate.of(file))
                #expect(WriteGate.of(file) === fileGate)
                if TestDatabase.isPostgres {
                    #expect(WriteGate.of(db) == nil)
                } else {
                    #expect(try #require(WriteGate.of(db)) !== fileGate)
                }
                try await file.transaction { tx in
                    #expect(WriteGate.of(tx) == nil)
                }
            }
        }
    }
}
