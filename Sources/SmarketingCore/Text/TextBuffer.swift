/// Text written as UTF-8 bytes into one growing buffer and made a `String` once at the end: the
/// forms the store keeps a million of per re-scoring (score states, ledgers) cost a fraction of
/// what appending to a `String` piece by piece costs.
public struct TextBuffer: Sendable {
    @usableFromInline var storage: [UInt8] = []

    // Inlinable: the store writes through it a byte at a time.
    @inlinable
    public init(capacity: Int) {
        storage.reserveCapacity(capacity)
    }

    @inlinable
    public mutating func append(_ text: String) {
        storage.append(contentsOf: text.utf8)
    }

    @inlinable
    public mutating func append(byte: UInt8) {
        storage.append(byte)
    }

    @inlinable
    public mutating func append(ascii character: Unicode.Scalar) {
        storage.append(UInt8(ascii: character))
    }

    /// A whole number in decimal, as `String(number)` writes it.
    @inlinable
    public mutating func append(_ number: Int) {
        if number < 0 { storage.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        let start = storage.count
        repeat {
            storage.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        storage[start...].reverse()
    }

    /// A number in Swift's shortest round-trip form, as `description` writes it.
    @inlinable
    public mutating func append(_ number: Double) {
        append(number.description)
    }

    @inlinable
    public var text: String { String(decoding: storage, as: UTF8.self) }
}
