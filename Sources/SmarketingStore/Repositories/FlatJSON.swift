/// Reads a flat JSON object of strings (`{"path":"/pricing","title":"Preços"}`), the form event
/// properties and change records are stored in, without `JSONDecoder`: re-scoring reads one per
/// event, ten million at a time. Anything else (nesting, numbers, malformed text) answers nil, and
/// the caller falls back to the full decoder.
enum FlatJSON {
    static func decode(_ text: String) -> [String: String]? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in parse(UnsafeBufferPointer(buffer)) }
    }

    /// The same from the text's bytes (a column as SQLite holds it).
    static func decode(_ bytes: UnsafeRawBufferPointer) -> [String: String]? {
        parse(bytes.assumingMemoryBound(to: UInt8.self))
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> [String: String]? {
        var index = 0
        func skipBlanks() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
        }
        func string() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            var scalars: [UInt8] = []
            var plainStart = index
            var escaped = false
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text: String
                    if escaped {
                        scalars.append(contentsOf: bytes[plainStart..<index])
                        text = String(decoding: scalars, as: UTF8.self)
                    } else {
                        text = String(decoding: UnsafeBufferPointer(rebasing: bytes[plainStart..<index]), as: UTF8.self)
                    }
                    index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    scalars.append(contentsOf: bytes[plainStart..<index])
                    index += 1
                    guard index < bytes.count else { return nil }
                    switch bytes[index] {
                    case UInt8(ascii: "\""): scalars.append(UInt8(ascii: "\""))
                    case UInt8(ascii: "\\"): scalars.append(UInt8(ascii: "\\"))
                    case UInt8(ascii: "/"): scalars.append(UInt8(ascii: "/"))
                    case UInt8(ascii: "b"): scalars.append(0x08)
                    case UInt8(ascii: "f"): scalars.append(0x0C)
                    case UInt8(ascii: "n"): scalars.append(0x0A)
                    case UInt8(ascii: "r"): scalars.append(0x0D)
                    case UInt8(ascii: "t"): scalars.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var code = hex(at: index + 1) else { return nil }
                        index += 4
                        if (0xD800...0xDBFF).contains(code), index + 6 < bytes.count, bytes[index + 1] == UInt8(ascii: "\\"),
                           bytes[index + 2] == UInt8(ascii: "u"), let low = hex(at: index + 3), (0xDC00...0xDFFF).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            index += 6
                        }
                        guard let scalar = Unicode.Scalar(code) else { return nil }
                        scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: return nil
                    }
                    index += 1
                    plainStart = index
                    continue
                }
                if byte < 0x20 { return nil }
                index += 1
            }
            return nil
        }
        func hex(at start: Int) -> UInt32? {
            guard start + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = bytes[start + offset]
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

        skipBlanks()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var result: [String: String] = [:]
        skipBlanks()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            skipBlanks()
            return index == bytes.count ? result : nil
        }
        while true {
            skipBlanks()
            guard let key = string() else { return nil }
            skipBlanks()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipBlanks()
            guard let value = string() else { return nil }
            result[key] = value
            skipBlanks()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { return nil }
            index += 1
            skipBlanks()
            return index == bytes.count ? result : nil
        }
    }
}
