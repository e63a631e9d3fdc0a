import SmarketingCore

/// Reads a flat JSON object of strings (`{"path":"/pricing","title":"Preços"}`), the form event
/// properties and change records are stored in, without `JSONDecoder`: re-scoring reads one per
/// event, ten million at a time. Anything else (nesting, numbers, malformed text, bytes that are not
/// UTF-8) answers nil, and the caller falls back to the full decoder.
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
        var at = JSONBytes(bytes)
        var result: [String: String] = [:]
        at.skipBlanks()
        guard at.take(UInt8(ascii: "{")) else { return nil }
        at.skipBlanks()
        if !at.take(UInt8(ascii: "}")) {
            repeat {
                at.skipBlanks()
                guard let key = at.string() else { return nil }
                at.skipBlanks()
                guard at.take(UInt8(ascii: ":")) else { return nil }
                at.skipBlanks()
                guard let value = at.string() else { return nil }
                result[key] = value
                at.skipBlanks()
            } while at.take(UInt8(ascii: ","))
            guard at.take(UInt8(ascii: "}")) else { return nil }
        }
        at.skipBlanks()
        return at.atEnd ? result : nil
    }
}
