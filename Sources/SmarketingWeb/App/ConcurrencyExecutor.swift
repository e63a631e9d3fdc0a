import NIOCore
import NIOPosix

public enum ConcurrencyExecutor {
    /// Makes the server's event loops (NIO's shared group, which Vapor serves HTTP on) run
    /// Swift Concurrency's tasks too, instead of a pool of threads of its own. Every async
    /// route and middleware otherwise moves each request from its event loop to that pool and
    /// back: with as many threads of each kind as cores, the two kinds took turns on the same
    /// cores, and the switches cost more than the work of a small request.
    /// Blocking work must then stay off async code (it already does: SQLite, bcrypt, the WAL's
    /// flush and checkpoints run on thread pools and threads of their own), or it would hold up
    /// a loop's connections. Call it once, first thing in `main`, before any task starts.
    /// Returns false when the runtime refused it (Swift Concurrency keeps its own pool then).
    @discardableResult
    public static func runOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
