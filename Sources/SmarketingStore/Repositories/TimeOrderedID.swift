import Foundation

/// UUIDs of version 7: the first 48 bits are the Unix time in milliseconds, then a counter that
/// grows within one millisecond, then random bits. Rows with such ids sort by creation order, so
/// lists ordered by (time, id) keep the order things happened in even within a millisecond.
enum TimeOrderedID {
    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var millis: UInt64 = 0
        var counter: UInt16 = 0
    }

    private static let state = State()

    static func make(at date: Date) -> UUID {
        let wanted = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down)))
        state.lock.lock()
        if wanted > state.millis {
            state.millis = wanted
            state.counter = UInt16.random(in: 0...0x3FF)
        } else if state.counter >= 0xFFF {
            state.millis += 1
            state.counter = 0
        } else {
            state.counter += 1
        }
        let (millis, counter) = (state.millis, state.counter)
        state.lock.unlock()
        let random = UInt64.random(in: 0...UInt64.max)
        func byte(_ value: UInt64, _ shift: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: value >> shift) }
        return UUID(uuid: (
            byte(millis, 40), byte(millis, 32), byte(millis, 24), byte(millis, 16), byte(millis, 8), byte(millis, 0),
            0x70 | UInt8((counter >> 8) & 0x0F), UInt8(counter & 0xFF),
            0x80 | (byte(random, 56) & 0x3F), byte(random, 48), byte(random, 40), byte(random, 32),
            byte(random, 24), byte(random, 16), byte(random, 8), byte(random, 0)
        ))
    }
}
