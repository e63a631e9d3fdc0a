import Fluent
import NIOCore
import NIOPosix
import SmarketingStore
import Vapor

/// On PostgreSQL, the ingest writer's own thread: an event loop of its own that holds the
/// writer's connection and runs the writer's task (as its task executor), so that between two
/// statements of a commit the writer does not wait for its turn behind the HTTP connections of
/// the server's loops. A commit is a chain of statements each waiting for the one before, and
/// the writer is the one stage every event goes through: on the server's busy loops each answer
/// from PostgreSQL queued behind the requests' work. On its own thread the system's scheduler
/// gives it its share of the cores whatever the HTTP load.
///
/// SQLite's writer keeps a connection of the server's loops: its commits run on NIO's thread
/// pool in one trip already, and share the page cache of the connection the pages read.
final class IngestWriterLoop: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let databases: Databases
    private let loop: any EventLoop
    let executor: EventLoopTaskExecutor

    init(configuration: DatabaseConfigurationFactory, id: DatabaseID, threadPool: NIOThreadPool) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        databases = Databases(threadPool: threadPool, on: group)
        databases.use(configuration, as: id, isDefault: true)
        executor = EventLoopTaskExecutor(loop)
    }

    /// The writer's connection (a pool of one, on the writer's loop).
    func database(logger: Logger) -> (any Database)? {
        databases.database(logger: logger, on: loop)
    }

    func shutdown() async {
        await databases.shutdownAsync()
        try? await group.shutdownGracefully()
    }
}

/// A task executor that runs a task's jobs on one event loop: the task, and the functions it
/// calls that belong to no actor, run on that loop's thread.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}
