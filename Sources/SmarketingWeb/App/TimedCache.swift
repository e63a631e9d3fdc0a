import Foundation
import NIOConcurrencyHelpers
import SmarketingStore

/// A few facts read on every request (a token's owner, a workspace's event types), kept in
/// memory for `lifetime` seconds. A change made in this process empties it at once (its
/// ``StoreGeneration`` moves); one made by another process is seen within the lifetime.
final class TimedCache<Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var expires: Date
        var generation: Int
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    let lifetime: TimeInterval
    let generation: StoreGeneration
    let capacity: Int

    init(lifetime: TimeInterval, generation: StoreGeneration, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.generation = generation
        self.capacity = capacity
    }

    /// The value for `key`, read through `load` unless a fresh copy is held. The generation is
    /// taken before the read, so a change committed during it is never kept.
    func value(_ key: String, load: () async throws -> Value?) async rethrows -> Value? {
        let now = Date(), generation = generation.current
        if let entry = entries.withLockedValue({ $0[key] }), entry.expires > now, entry.generation == generation { return entry.value }
        guard let value = try await load() else { return nil }
        entries.withLockedValue { entries in
            if entries.count >= capacity { entries = entries.filter { $0.value.expires > now && $0.value.generation == generation } }
            if entries.count < capacity { entries[key] = Entry(value: value, expires: now.addingTimeInterval(lifetime), generation: generation) }
        }
        return value
    }
}
