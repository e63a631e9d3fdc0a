import Foundation

/// Counters that move whenever a kind of stored fact that callers keep in memory changes in
/// this process, so the copies drop what they hold at once instead of waiting for their time
/// limit: who may do what (tokens, users, workspaces), and what each lead definition accepts.
public enum StoreGeneration: Int, Sendable, CaseIterable {
    case access, definitions, customFields

    private static let lock = NSLock()
    nonisolated(unsafe) private static var values = [Int](repeating: 0, count: StoreGeneration.allCases.count)

    public var current: Int { Self.lock.withLock { Self.values[rawValue] } }

    func bump() {
        Self.lock.withLock { Self.values[rawValue] += 1 }
    }
}
