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
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8((millis >> (8 * (5 - UInt64(index)))) & 0xFF) }
        bytes[6] = 0x70 | UInt8((counter >> 8) & 0x0F)
        bytes[7] = UInt8(counter & 0xFF)
        var generator = SystemRandomNumberGenerator()
        for index in 8..<16 { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
