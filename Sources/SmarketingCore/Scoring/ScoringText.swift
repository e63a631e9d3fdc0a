/// Text as the scoring rules compare it: case- and accent-insensitive, blanks trimmed and runs of
/// blanks read as one space, so "Diretora de  Vendas" contains "diretor" and "São Paulo" equals
/// "sao paulo".
///
/// Folding is written here rather than taken from Foundation so that it allocates nothing on the
/// ingest path and gives the same bytes on every platform. Latin letters (ASCII, Latin-1 and
/// Latin Extended-A, precomposed or followed by combining marks) lose their accents and case
/// ("Æ" becomes "ae", "ß" "ss"); letters of other scripts are lower-cased when their lower-case form
/// is one scalar no longer in UTF-8 than the original, and kept as they are otherwise. A folded
/// text is never longer in UTF-8 than the original.
public enum ScoringText {
    /// The folded UTF-8 bytes of `text`.
    public static func folded(_ text: String) -> [UInt8] {
        withFolded(text) { Array($0) }
    }

    /// The folded form of `text` as a string.
    public static func foldedString(_ text: String) -> String {
        withFolded(text) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the folded bytes of `text` in a temporary buffer (on the stack for short
    /// texts), so matching an event property costs no heap allocation.
    public static func withFolded<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let capacity = text.utf8.count
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(capacity, 1)) { buffer in
            let count = fold(text, into: buffer)
            return try body(UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Writes the folded form of `text` into `buffer`, which must hold at least `text.utf8.count`
    /// bytes, and returns the number of bytes written.
    static func fold(_ text: String, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var count = 0
        var pendingSpace = false
        func put(_ byte: UInt8) {
            if pendingSpace {
                if count > 0, count < buffer.count {
                    buffer[count] = 0x20
                    count += 1
                }
                pendingSpace = false
            }
            if count < buffer.count {
                buffer[count] = byte
                count += 1
            }
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                let byte = UInt8(value)
                switch byte {
                case 0x41...0x5A: put(byte | 0x20)
                case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D: pendingSpace = true
                default: put(byte)
                }
                continue
            }
            if (0x300...0x36F).contains(value) { continue }
            if value == 0xA0 || scalar.properties.isWhitespace {
                pendingSpace = true
                continue
            }
            if (0xC0...0x17F).contains(value) {
                let letter = latinTable[Int(value - 0xC0)]
                switch letter {
                case UInt8(ascii: "*"):
                    let pair = latinDigraph(value)
                    put(pair.0)
                    put(pair.1)
                    continue
                case UInt8(ascii: "-"):
                    break
                default:
                    put(letter)
                    continue
                }
            }
            var original = scalar
            if scalar.properties.changesWhenLowercased {
                let lower = scalar.properties.lowercaseMapping.unicodeScalars
                if lower.count == 1, let only = lower.first, UTF8.width(only) <= UTF8.width(scalar) {
                    original = only
                }
            }
            if let encoded = Unicode.UTF8.encode(original) {
                for byte in encoded { put(byte) }
            }
        }
        return count
    }

    /// Base letters of U+00C0...U+017F; `*` marks two-letter foldings, `-` a symbol kept as is.
    private static let latinTable: [UInt8] = Array((
        "aaaaaa*ceeeeiiiidnooooo-ouuuuy**aaaaaa*ceeeeiiiidnooooo-ouuuuy*y"
            + "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkklllllll"
            + "lllnnnnnnnnnoooooo**rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs"
    ).utf8)

    private static func latinDigraph(_ value: UInt32) -> (UInt8, UInt8) {
        switch value {
        case 0xC6, 0xE6: (0x61, 0x65)
        case 0xDE, 0xFE: (0x74, 0x68)
        case 0xDF: (0x73, 0x73)
        case 0x132, 0x133: (0x69, 0x6A)
        default: (0x6F, 0x65)
        }
    }
}

/// Byte comparisons on folded texts.
enum FoldedBytes {
    static func equals(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        haystack.count == needle.count && hasPrefix(haystack, needle)
    }

    static func hasPrefix(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        var index = 0
        while index < needle.count {
            if haystack[index] != needle[index] { return false }
            index += 1
        }
        return true
    }

    static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        guard needle.count <= haystack.count, let first = needle.first else { return false }
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            if haystack[start] == first {
                var offset = 1
                while offset < needle.count, haystack[start + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            start += 1
        }
        return false
    }

    /// True when the whole text, or one of its `;`-separated parts (a multi-choice value), equals
    /// `needle`.
    static func equalsWholeOrPart(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        if equals(haystack, needle) { return true }
        guard haystack.contains(0x3B) else { return false }
        var start = 0
        var index = 0
        while index <= haystack.count {
            if index == haystack.count || haystack[index] == 0x3B {
                var lower = start
                var upper = index
                while lower < upper, haystack[lower] == 0x20 { lower += 1 }
                while upper > lower, haystack[upper - 1] == 0x20 { upper -= 1 }
                if upper - lower == needle.count,
                   equals(UnsafeBufferPointer(rebasing: haystack[lower..<upper]), needle) {
                    return true
                }
                start = index + 1
            }
            index += 1
        }
        return false
    }
}
