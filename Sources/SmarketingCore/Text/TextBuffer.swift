/// Text written as UTF-8 bytes into one growing buffer and made a `String` once at the end: the
/// forms the store keeps a million of per re-scoring (score states, ledgers) cost a fraction of
/// what appending to a `String` piece by piece costs.
public struct TextBuffer: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    public mutating func append(byte: UInt8) {
        bytes.append(byte)
    }

    public mutating func append(ascii character: Unicode.Scalar) {
        bytes.append(UInt8(ascii: character))
    }

    /// A whole number in decimal, as `String(number)` writes it.
    public mutating func append(_ number: Int) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    /// A number in Swift's shortest round-trip form, as `description` writes it.
    public mutating func append(_ number: Double) {
        append(number.description)
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
