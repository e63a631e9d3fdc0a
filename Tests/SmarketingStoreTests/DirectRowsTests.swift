import FluentKit
import NIOConcurrencyHelpers
import NIOPosix
import Foundation
import SmarketingCore
import SmarketingTestSupport
import SQLKit
import Testing
@testable import SmarketingStore

@Suite("Rows read straight from SQLite")
struct DirectRowsTests {
    @Test("ids parse from their text in either case exactly as Foundation parses them")
    func idsParse() {
        for _ in 0..<500 {
            let id = UUID()
            #expect(UUIDText.parse(id.uuidString) == id)
            #expect(UUIDText.parse(id.uuidString.lowercased()) == id)
        }
    }

    @Test("ids are written as the same upper-case text Foundation writes, and ordered as that text is")
    func idsWrite() {
        let ids = (0..<500).map { _ in UUID() } + [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                                                   UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
        for id in ids { #expect(UUIDText.string(id) == id.uuidString) }
        #expect(ids.sorted(by: UUIDText.precedes) == ids.sorted { $0.uuidString < $1.uuidString })
    }

    @Test("text that is not an id is refused", arguments: [
        "", "not-an-id", "01A23550-F3E0-7000-B768-525373CF256", "01A23550-F3E0-7000-B768-525373CF256DX",
        "01A23550F3E0-7000-B768-525373CF256D0", "01A23550-F3E0-7000-B768-525373CF256G", "01A23550-F3E0-7000-B768_525373CF256D",
    ])
    func malformedIDs(text: String) {
        #expect(UUIDText.parse(text) == nil)
        #expect(UUID(uuidString: text) == nil)
    }

    @Test("ids lent as bytes are the same upper-case text, and parse back from those bytes")
    func idsAsBytes() {
        for _ in 0..<200 {
            let id = UUID()
            UUIDText.withText(id) { bytes in
                #expect(String(decoding: bytes, as: UTF8.self) == id.uuidString)
                #expect(UUIDText.parse(bytes) == id)
            }
        }
    }

    @Test("on SQLite, bulk re-scoring reaches the connection's own handle and reads and writes through it in the caller's transaction")
    func rawHandle() async throws {
        try await TestDatabase.withStore { db in
            guard !TestDatabase.isPostgres else {
                #expect(try await RawSQLite.isAvailable(db) == false)
                return
            }
            #expect(try await RawSQLite.isAvailable(db))
            try await db.transaction { tx in
                _ = try await RawSQLite.with(tx) { raw in
                    try raw.execute("CREATE TABLE raw_check (name TEXT, number REAL)")
                    let insert = try RawSQLite.Statement(raw, "INSERT INTO raw_check VALUES (?, ?)")
                    for (index, name) in ["ação", "b", ""].enumerated() {
                        insert.bind(1, name)
                        insert.bind(2, Double(index) + 0.5)
                        #expect(try insert.step() == false)
                        insert.reset()
                    }
                }
            }
            let rows = try #require(try await RawSQLite.with(db) { raw -> [String] in
                let select = try RawSQLite.Statement(raw, "SELECT name, number FROM raw_check ORDER BY number")
                var rows: [String] = []
                while try select.step() { rows.append(String(decoding: select.bytes(0), as: UTF8.self) + "=" + String(select.double(1) ?? -1)) }
                return rows
            })
            #expect(rows == ["ação=0.5", "b=1.5", "=2.5"])
            await #expect(throws: RawSQLite.Failure.self) { _ = try await RawSQLite.with(db) { _ = try RawSQLite.Statement($0, "SELECT nothing FROM nowhere") } }
        }
    }

    @Test("a transaction on SQLite's own handle commits in its first trip when nothing is left, lets the usual statements finish the rest before its commit, and keeps nothing of a failure in either part")
    func handleTransaction() async throws {
        struct Stop: Error {}
        try await TestDatabase.withStore { db in
            let sql = try #require(db as? any SQLDatabase)
            try await sql.raw("CREATE TABLE handle_check (name TEXT NOT NULL)").run()
            @Sendable func insert(_ name: String, on raw: RawSQLite) throws {
                let statement = try RawSQLite.Statement(raw, "INSERT INTO handle_check (name) VALUES (?)")
                statement.bind(1, name)
                while try statement.step() {}
            }
            @Sendable func insert(_ name: String, on connection: any Database) async throws {
                try await (connection as! any SQLDatabase).insert(into: "handle_check").columns("name").values(SQLBind(name)).run()
            }
            func names() async throws -> [String] {
                try await sql.raw("SELECT name FROM handle_check ORDER BY name").all().map { try $0.decode(column: "name", as: String.self) }
            }
            typealias Start = StoreTuning.HandleStart<String, String>
            func run(_ start: @escaping @Sendable (RawSQLite) throws -> Start, finish: @escaping @Sendable (any Database, String) async throws -> String = { _, more in more },
                     close: @escaping @Sendable (RawSQLite) throws -> Void = { _ in }) async throws -> String? {
                try await StoreTuning.handleTransaction(db, start: start, finish: finish, close: close)?.done
            }
            guard !TestDatabase.isPostgres else {
                let none = try await run { _ in .done("no handle") }
                #expect(none == nil, "PostgreSQL has no handle: the caller uses the usual transaction")
                return
            }

            let inside = NIOLockedValueBox<[Bool]>([])
            let oneTrip = try await run { raw in
                inside.withLockedValue { $0.append(raw.inTransaction) }
                try insert("a", on: raw)
                return .done("one trip")
            }
            #expect(oneTrip == "one trip")
            let twoParts = try await run({ raw in
                try insert("b", on: raw)
                return .more("then")
            }, finish: { connection, more in
                try await insert("c", on: connection)
                return more + " the usual statements"
            }, close: { raw in
                inside.withLockedValue { $0.append(raw.inTransaction) }
                try insert("d", on: raw)
            })
            #expect(twoParts == "then the usual statements")
            #expect(inside.withLockedValue { $0 } == [true, true], "the trip and the close run inside the transaction")
            #expect(try await names() == ["a", "b", "c", "d"])

            await #expect(throws: Stop.self) {
                _ = try await run { raw in
                    try insert("lost in the trip", on: raw)
                    throw Stop()
                }
            }
            await #expect(throws: Stop.self) {
                _ = try await run({ raw in
                    try insert("lost before the rest", on: raw)
                    return .more("")
                }, finish: { connection, _ in
                    try await insert("lost in the rest", on: connection)
                    throw Stop()
                })
            }
            await #expect(throws: RawSQLite.Failure.self, "a failed statement in the trip") {
                _ = try await run { raw in
                    try insert("lost before the failure", on: raw)
                    try raw.execute("INSERT INTO handle_check (name) VALUES (NULL)")
                    return .done("")
                }
            }
            #expect(try await names() == ["a", "b", "c", "d"], "nothing of the failed transactions is kept")
            let after = try await run { raw in
                try insert("e", on: raw)
                return .done("after the failures")
            }
            #expect(after == "after the failures", "the connection is not left inside a transaction")
            #expect(try await names() == ["a", "b", "c", "d", "e"])
        }
    }

    @Test("a transaction that defers its flush on a database file commits without waiting for the disk, names the file whose WAL a later flush puts on disk, and leaves its connection flushing its commits again; in memory nothing is deferred")
    func deferredFlush() async throws {
        @Sendable func synchronous(_ db: any Database) async throws -> String? {
            try await RawSQLite.with(db) { try $0.value("PRAGMA synchronous") } ?? nil
        }
        @Sendable func commit(_ db: any Database, _ name: String, failing: Bool = false) async throws -> (done: String, unflushed: String?)? {
            try await StoreTuning.handleTransaction(db, deferringFlush: true, start: { raw -> StoreTuning.HandleStart<String, String> in
                let level = try raw.value("PRAGMA synchronous")
                try raw.execute("INSERT INTO flush_check (name) VALUES ('\(name)')")
                if failing { try raw.execute("INSERT INTO flush_check (name) VALUES (NULL)") }
                return .done(level ?? "")
            }, finish: { _, more in more }, close: { _ in })
        }
        try await TestDatabase.withSQLiteFileStore { db in
            try await (db as! any SQLDatabase).raw("CREATE TABLE flush_check (name TEXT NOT NULL)").run()
            let before = try await synchronous(db)
            #expect(before == "2", "SQLite's default: each commit flushes the WAL")
            let committed = try #require(try await commit(db, "a"))
            #expect(committed.done == "1", "inside the transaction the commit does not wait for the disk")
            let path = try #require(committed.unflushed)
            #expect(path.hasSuffix("store.sqlite"))
            let flushes = RawSQLite.WALFlusher.shared.flushes
            try await RawSQLite.WALFlusher.shared.flushed(path)
            #expect(RawSQLite.WALFlusher.shared.flushes > flushes)
            #expect(try await synchronous(db) == before, "the connection flushes its commits again")
            await #expect(throws: RawSQLite.Failure.self) { _ = try await commit(db, "lost", failing: true) }
            #expect(try await synchronous(db) == before, "also after a failure")
            let names = try await (db as! any SQLDatabase).raw("SELECT name FROM flush_check").all().map { try $0.decode(column: "name", as: String.self) }
            #expect(names == ["a"])
        }
        try await TestDatabase.withStore { db in
            guard !TestDatabase.isPostgres else { return }
            try await (db as! any SQLDatabase).raw("CREATE TABLE flush_check (name TEXT NOT NULL)").run()
            let committed = try #require(try await commit(db, "a"))
            #expect(committed.unflushed == nil, "a database in memory has no WAL to flush")
            #expect(committed.done == (try await synchronous(db)))
        }
    }

    @Test("a second reading connection opens beside a database file in WAL mode, and not beside one in another mode or PostgreSQL")
    func bulkReaderOpensOnFilesOnly() async throws {
        try await TestDatabase.withStore { db in
            let reader = try await BulkReader.open(besides: db)
            #expect(reader == nil)
        }
        try await TestDatabase.withSQLiteFileStore { db in
            let reader = try #require(try await BulkReader.open(besides: db))
            let batch = try await reader.batch(of: UUID(), after: nil, limit: 10, fields: [], today: CalendarDay(utc: storeNow), in: reader.newSnapshot())
            #expect(batch.contacts.isEmpty && batch.eventBytes.count == 0)
            try await reader.end()
        }
    }

    @Test("a re-scoring transaction's connection writes in bulk (commits not flushed one by one, the WAL checkpointed after it once long, a wide cache) and gets its flush setting back after, also after a failure; inside a transaction it is left as it is")
    func bulkWritingSettings() async throws {
        struct Stop: Error {}
        try await TestDatabase.withSQLiteFileStore { db in
            try await db.withConnection { connection in
                @Sendable func settings(_ db: any Database) async throws -> [Int] {
                    var values: [Int] = []
                    for name in ["synchronous", "wal_autocheckpoint"] {
                        values.append(try #require(try await (db as? any SQLDatabase)?.raw("PRAGMA \(unsafeRaw: name)").first()?.decode(column: name, as: Int.self)))
                    }
                    return values
                }
                let own = try await settings(connection)
                #expect(own == [2, 1000], "SQLite's defaults: commits flushed, the WAL checkpointed at 1,000 pages")
                let during = try await StoreTuning.bulkWriting(connection, checkpointPages: 5000) { try await settings($0) }
                // SQLite reads 0 for a checkpoint of the product's own (checkpointOutsideBulkRuns).
                #expect(during == [1, 0], "its commits leave the checkpoint to bulkWriting")
                let cache = try await (connection as? any SQLDatabase)?.raw("PRAGMA cache_size").first()?.decode(column: "cache_size", as: Int.self)
                #expect(cache == -256 * 1024)
                let after = try await settings(connection)
                #expect(after == [2, 0], "flushed again; checkpointed by the product's hook outside bulk runs")

                await #expect(throws: Stop.self) { try await StoreTuning.bulkWriting(connection) { _ in throw Stop() } }
                #expect(try await settings(connection) == after)

                let inTransaction = try await connection.transaction { tx in try await StoreTuning.bulkWriting(tx) { try await settings($0) } }
                #expect(inTransaction == after)
            }
        }
    }

    /// A file store and a connection of its own to the file, whose commits have the product's
    /// WAL hook, with a table `wal_probe` to fill.
    private func withWALProbe(_ body: (_ db: any Database, _ writer: RawSQLite, _ path: String) async throws -> Void) async throws {
        try await TestDatabase.withSQLiteFileStore { db in
            let path = try #require(try await RawSQLite.with(db) { $0.filename })
            let writer = try RawSQLite.open(path)
            defer { writer.close() }
            writer.checkpointOutsideBulkRuns()
            try writer.execute("CREATE TABLE wal_probe (body BLOB NOT NULL)")
            try await body(db, writer, path)
        }
    }

    /// Commits about `pages` pages of 4 KB into `wal_probe`.
    private func commitPages(_ pages: Int, on writer: RawSQLite) throws {
        try writer.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(pages)) INSERT INTO wal_probe (body) SELECT randomblob(4000) FROM n")
    }

    private func fileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    }

    @Test("while a bulk run writes a database file no other commit of the process has its WAL checkpointed, and once the run ends the next commit over 1,000 pages does")
    func commitsLeaveTheWALToABulkRun() async throws {
        try await withWALProbe { db, writer, path in
            let before = try fileSize(path)
            try await StoreTuning.writingInBulk(db) {
                try commitPages(1500, on: writer)
                #expect(try fileSize(path) < before + 1_000_000, "the commit left the WAL to the run")
            }
            try writer.execute("INSERT INTO wal_probe (body) VALUES (x'00')")
            RawSQLite.Checkpointer.shared.waitUntilIdle()
            #expect(try fileSize(path) > before + 5_000_000, "the next commit after the run had it checkpointed")
        }
    }

    @Test("a writer that never pauses still has its WAL copied into the file and started over: it stays near 16,000 pages however much is written")
    func walStaysBoundedUnderConstantWrites() async throws {
        try await withWALProbe { _, writer, path in
            // 30 commits one right after the other.
            for _ in 0..<30 { try commitPages(1000, on: writer) }
            RawSQLite.Checkpointer.shared.waitUntilIdle()
            let wal = try fileSize(path + "-wal")
            #expect(wal < 18_500 * 4_200, "the WAL grew to \(wal) bytes")
            #expect(try writer.value("SELECT COUNT(*) FROM wal_probe") == "30000")
        }
    }

    @Test("a connection waiting for another's write lock sleeps between its tries instead of keeping a core busy, and gets the lock once it is free")
    func busyConnectionsSleep() async throws {
        try await TestDatabase.withSQLiteFileStore { db in
            let path = try #require(try await RawSQLite.with(db) { $0.filename })
            let holder = try RawSQLite.open(path), waiter = try RawSQLite.open(path)
            defer { holder.close(); waiter.close() }
            waiter.sleepWhileBusy()
            try holder.execute("BEGIN IMMEDIATE")
            // The lock is let go 300 ms after the waiter starts waiting (on a busy machine the
            // waiter's thread may start late).
            let waiting = NIOLockedValueBox(false)
            let release = Task.detached {
                while !waiting.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
                try await Task.sleep(for: .milliseconds(300))
                try holder.execute("COMMIT")
            }
            // The waiting thread's own CPU time over its wait for the lock.
            let (waited, busy) = try await NIOThreadPool.singleton.runIfActive { () throws -> (Double, Double) in
                func seconds(_ clock: clockid_t) -> Double {
                    var time = timespec()
                    clock_gettime(clock, &time)
                    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
                }
                let (start, cpu) = (seconds(CLOCK_MONOTONIC), seconds(CLOCK_THREAD_CPUTIME_ID))
                waiting.withLockedValue { $0 = true }
                try waiter.execute("BEGIN IMMEDIATE")
                try waiter.execute("COMMIT")
                return (seconds(CLOCK_MONOTONIC) - start, seconds(CLOCK_THREAD_CPUTIME_ID) - cpu)
            }
            try await release.value
            #expect(waited >= 0.2, "it waited for the other connection's commit")
            #expect(busy < waited * 0.25, "\(busy) s of CPU over a wait of \(waited) s")
        }
    }

    @Test("transactions in bulk checkpoint the WAL after they commit once their connection wrote enough pages, so the next one starts the log over instead of growing it")
    func bulkWritingCheckpoints() async throws {
        try await TestDatabase.withSQLiteFileStore { db in
            let sql = try #require(db as? any SQLDatabase)
            try await sql.raw("CREATE TABLE scratch (data BLOB)").run()
            let file = try #require(try await sql.raw("PRAGMA database_list").first()?.decode(column: "file", as: String.self))
            func logSize() throws -> Int { try #require((try FileManager.default.attributesOfItem(atPath: file + "-wal")[.size] as? NSNumber)?.intValue) }
            // Ten transactions of about 100 pages (400 KB) each; answers the WAL file's size after them.
            func tenTransactions(checkpointPages: Int) async throws -> Int {
                for _ in 0..<10 {
                    try await StoreTuning.bulkWriting(db, checkpointPages: checkpointPages) { connection in
                        try await StoreTuning.writeTransaction(connection) { tx in
                            try await (tx as? any SQLDatabase)?.raw("INSERT INTO scratch (data) VALUES (randomblob(400000))").run()
                        }
                    }
                }
                return try logSize()
            }
            let start = try logSize()
            #expect(try await tenTransactions(checkpointPages: 1) < start + 1_000_000, "each transaction wrote over the one before")
            #expect(try await tenTransactions(checkpointPages: 1_000_000) > 4_000_000, "ten transactions' pages in the log, not one's")
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM scratch").first()?.decode(column: "n", as: Int.self) == 20)
        }
    }

    @Test("event rows read as bytes become each contact's events in order, with escaped and repeated properties decoded alike")
    func eventRowBytes() async throws {
        try await TestDatabase.withStore { db in
            guard !TestDatabase.isPostgres else { return }
            let (first, second) = (UUID(), UUID())
            let grouped = try #require(try await RawSQLite.with(db) { raw -> [UUID: [ScoringEvent]] in
                try raw.execute("CREATE TABLE raw_events (contact_id TEXT, external_id TEXT, type TEXT, properties TEXT, occurred_at REAL)")
                let insert = try RawSQLite.Statement(raw, "INSERT INTO raw_events VALUES (?, ?, ?, ?, ?)")
                let rows: [(UUID, String, String, String, Double)] = [
                    (first, "a", "page_view", #"{"path":"/pricing"}"#, 10), (first, "b", "page_view", #"{"path":"/pricing"}"#, 20),
                    (first, "c", "form_submitted", "{}", 30.5), (second, "d", "page_view", #"{"path":"/a\"b\u00e7"}"#, 5),
                ]
                for (contact, id, type, properties, time) in rows {
                    insert.bind(1, contact)
                    insert.bind(2, id)
                    insert.bind(3, type)
                    insert.bind(4, properties)
                    insert.bind(5, time)
                    _ = try insert.step()
                    insert.reset()
                }
                var bytes = EventRowBytes()
                try bytes.read(try RawSQLite.Statement(raw, "SELECT * FROM raw_events ORDER BY rowid"))
                var result: [UUID: [ScoringEvent]] = [:]
                try bytes.group(into: &result)
                return result
            })
            #expect(grouped[first] == [
                ScoringEvent(id: "a", type: "page_view", time: Date(timeIntervalSince1970: 10), properties: ["path": "/pricing"]),
                ScoringEvent(id: "b", type: "page_view", time: Date(timeIntervalSince1970: 20), properties: ["path": "/pricing"]),
                ScoringEvent(id: "c", type: "form_submitted", time: Date(timeIntervalSince1970: 30.5)),
            ])
            #expect(grouped[second] == [ScoringEvent(id: "d", type: "page_view", time: Date(timeIntervalSince1970: 5), properties: ["path": "/a\"bç"])])
        }
    }
}
