import SmarketingCore

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
                    if bytes[index] == UInt8(ascii: "u") {
                        guard let (scalar, length) = JSONEscape.unicode(bytes, at: index + 1) else { return nil }
                        scalars.append(contentsOf: String(Character(scalar)).utf8)
                        index += length
                    } else {
                        guard let byte = JSONEscape.simple(bytes[index]) else { return nil }
                        scalars.append(byte)
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
