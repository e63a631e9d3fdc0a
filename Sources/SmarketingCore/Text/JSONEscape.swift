/// The escapes of JSON text, read from its bytes by the readers that skip `JSONDecoder` (event
/// bodies, stored event properties).
public enum JSONEscape {
    /// The byte a one-letter escape stands for (`n` a line feed, `"` a quote...); nil for `u`,
    /// which ``unicode(_:at:)`` reads, and for any letter JSON does not escape.
    public static func simple(_ letter: UInt8) -> UInt8? {
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): letter
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
    }

    /// The character of a `\u` escape whose four hex digits begin at `start`, a surrogate pair
    /// (the second escape right after the first) read as one, and how many bytes it took from
    /// `start`; nil for digits that are not hex or a surrogate without its other half.
    public static func unicode(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (scalar: Unicode.Scalar, length: Int)? {
        guard let high = hex4(bytes, at: start) else { return nil }
        guard (0xD800...0xDBFF).contains(high) else { return Unicode.Scalar(high).map { ($0, 4) } }
        guard start + 10 <= bytes.count, bytes[start + 4] == UInt8(ascii: "\\"), bytes[start + 5] == UInt8(ascii: "u"),
              let low = hex4(bytes, at: start + 6), (0xDC00...0xDFFF).contains(low),
              let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        else { return nil }
        return (scalar, 10)
    }

    /// The value of the four hex digits at `start`; nil when there are fewer or they are not hex.
    static func hex4(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> UInt32? {
        guard start >= 0, start + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[start..<(start + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
