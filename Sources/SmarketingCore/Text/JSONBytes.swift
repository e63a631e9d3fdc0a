/// A place in the bytes of a JSON document, for the readers that skip `JSONDecoder` (event
/// bodies, stored event properties): blanks, punctuation and quoted texts with their escapes
/// (``JSONEscape``). Each reader builds its own values on top. Inlinable: re-scoring reads
/// stored properties with it ten million times a run.
public struct JSONBytes {
    public let bytes: UnsafeBufferPointer<UInt8>
    public var index = 0

    @inlinable
    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Whether every byte was read.
    @inlinable
    public var atEnd: Bool { index == bytes.count }

    /// The byte at the current place; nil at the end.
    @inlinable
    public var next: UInt8? { index < bytes.count ? bytes[index] : nil }

    @inlinable
    public mutating func skipBlanks() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Steps over `byte` when it comes next; false (and stays) otherwise.
    @inlinable
    public mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// A quoted text with its escapes read; nil when it is not valid JSON text in UTF-8.
    @inlinable
    public mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        var plain = true
        // The common case: no escape, all ASCII, the text taken as it is.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                return plain ? String(decoding: text, as: UTF8.self) : String(validating: text, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { return nil }
            if byte >= 0x80 { plain = false }
            index += 1
        }
        guard index < bytes.count else { return nil }
        var text = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return String(validating: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: "u") {
                    guard let (scalar, length) = JSONEscape.unicode(bytes, at: index + 1) else { return nil }
                    text.append(contentsOf: String(Character(scalar)).utf8)
                    index += 1 + length
                } else {
                    guard let escaped = JSONEscape.simple(bytes[index]) else { return nil }
                    text.append(escaped)
                    index += 1
                }
            case 0..<0x20: return nil
            default: text.append(byte)
            }
        }
        return nil
    }
}
