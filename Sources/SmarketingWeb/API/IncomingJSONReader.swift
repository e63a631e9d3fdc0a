import Foundation
import SmarketingCore

extension IncomingJSON {
    /// Reads a JSON document straight from its bytes, without `JSONDecoder`: an ingest request
    /// of one event spent a quarter of its time on the executor decoding its body, each value
    /// tried as a text, an object and a number in turn, a failed try costing a thrown error.
    /// Answers nil for anything it does not read exactly as `JSONDecoder` reads it (malformed
    /// text, a number beyond `Double`, a repeated key, text that is not UTF-8, nesting deeper than
    /// ``maximumDepth``): the caller then decodes with `JSONDecoder`, which names the problem.
    static func read(_ bytes: UnsafeRawBufferPointer) -> IncomingJSON? {
        var reader = Reader(bytes: bytes.assumingMemoryBound(to: UInt8.self))
        guard let value = reader.value(depth: 0) else { return nil }
        reader.at.skipBlanks()
        return reader.at.atEnd ? value : nil
    }

    static let maximumDepth = 64

    private struct Reader {
        var at: JSONBytes

        init(bytes: UnsafeBufferPointer<UInt8>) {
            at = JSONBytes(bytes)
        }

        mutating func value(depth: Int) -> IncomingJSON? {
            at.skipBlanks()
            guard let byte = at.next, depth <= IncomingJSON.maximumDepth else { return nil }
            switch byte {
            case UInt8(ascii: "{"): return object(depth: depth)
            case UInt8(ascii: "["): return array(depth: depth)
            case UInt8(ascii: "\""): return at.string().map(IncomingJSON.string)
            case UInt8(ascii: "t"): return word("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return word("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return word("null") ? .null : nil
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
            default: return nil
            }
        }

        private mutating func object(depth: Int) -> IncomingJSON? {
            at.index += 1
            var fields: [String: IncomingJSON] = [:]
            at.skipBlanks()
            if at.take(UInt8(ascii: "}")) { return .object(fields) }
            while true {
                at.skipBlanks()
                guard let key = at.string() else { return nil }
                at.skipBlanks()
                guard at.take(UInt8(ascii: ":")), let value = value(depth: depth + 1),
                      fields.updateValue(value, forKey: key) == nil else { return nil }
                at.skipBlanks()
                if at.take(UInt8(ascii: "}")) { return .object(fields) }
                guard at.take(UInt8(ascii: ",")) else { return nil }
            }
        }

        private mutating func array(depth: Int) -> IncomingJSON? {
            at.index += 1
            var items: [IncomingJSON] = []
            at.skipBlanks()
            if at.take(UInt8(ascii: "]")) { return .array(items) }
            while true {
                guard let item = value(depth: depth + 1) else { return nil }
                items.append(item)
                at.skipBlanks()
                if at.take(UInt8(ascii: "]")) { return .array(items) }
                guard at.take(UInt8(ascii: ",")) else { return nil }
            }
        }

        private mutating func word(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard at.bytes.count - at.index >= count else { return false }
            for offset in 0..<count where at.bytes[at.index + offset] != text.utf8Start[offset] { return false }
            at.index += count
            return true
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, as a finite `Double`.
        private mutating func number() -> IncomingJSON? {
            let start = at.index
            func digits() -> Int {
                let first = at.index
                while let byte = at.next, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { at.index += 1 }
                return at.index - first
            }
            _ = at.take(UInt8(ascii: "-"))
            guard at.next != nil else { return nil }
            if !at.take(UInt8(ascii: "0")), digits() == 0 { return nil }
            if at.take(UInt8(ascii: ".")) {
                guard digits() > 0 else { return nil }
            }
            if at.take(UInt8(ascii: "e")) || at.take(UInt8(ascii: "E")) {
                if !at.take(UInt8(ascii: "+")) { _ = at.take(UInt8(ascii: "-")) }
                guard digits() > 0 else { return nil }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: at.bytes[start..<at.index]), as: UTF8.self)
            guard let number = Double(text), number.isFinite else { return nil }
            return .number(number)
        }
    }
}
