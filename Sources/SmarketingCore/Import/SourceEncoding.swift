/// The character encoding of an uploaded CSV file. Exports are UTF-8, often with a byte-order
/// mark (Excel writes one); a file that is not valid UTF-8 was most likely saved by Excel on
/// Windows in Latin-1 and is read so, with a warning that accents may be wrong.
public enum SourceEncoding: String, Sendable, Codable, CaseIterable {
    case utf8
    case utf8WithBOM
    /// ISO 8859-1 as Windows writes it (Windows-1252: `€`, curly quotes and dashes in 0x80...0x9F).
    case latin1

    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The encoding of a file from its first bytes. A multi-byte character cut at the end of the
    /// prefix does not make it invalid.
    public static func detect(prefix: [UInt8]) -> SourceEncoding {
        if prefix.starts(with: byteOrderMark) { return .utf8WithBOM }
        return isUTF8(prefix, allowingCutEnd: true) ? .utf8 : .latin1
    }

    /// The text of the bytes; a leading byte-order mark is dropped. Invalid UTF-8 sequences
    /// become U+FFFD.
    public static func decode(_ bytes: [UInt8], as encoding: SourceEncoding) -> String {
        switch encoding {
        case .utf8, .utf8WithBOM:
            let body = bytes.starts(with: byteOrderMark) ? bytes.dropFirst(byteOrderMark.count) : bytes[...]
            return String(decoding: body, as: UTF8.self)
        case .latin1:
            var scalars = String.UnicodeScalarView()
            for byte in bytes {
                scalars.append(windows1252[byte] ?? Unicode.Scalar(byte))
            }
            return String(scalars)
        }
    }

    /// What the import report should say about reading the file this way.
    public var warning: ImportWarning? {
        self == .latin1 ? .decodedAsLatin1 : nil
    }

    /// Whether the bytes are well-formed UTF-8 (no overlong forms, surrogates or values past
    /// U+10FFFF); with `allowingCutEnd`, an incomplete character at the very end is accepted.
    static func isUTF8(_ bytes: [UInt8], allowingCutEnd: Bool) -> Bool {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length: Int
            var second: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0x00...0x7F: index += 1; continue
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; second = 0xA0...0xBF
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; second = 0x80...0x9F
            case 0xF0: length = 4; second = 0x90...0xBF
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; second = 0x80...0x8F
            default: return false
            }
            for offset in 1..<length {
                guard index + offset < bytes.count else { return allowingCutEnd }
                let range: ClosedRange<UInt8> = offset == 1 ? second : 0x80...0xBF
                guard range.contains(bytes[index + offset]) else { return false }
            }
            index += length
        }
        return true
    }

    /// Windows-1252's characters where ISO 8859-1 has control codes; 0x81, 0x8D, 0x8F, 0x90 and
    /// 0x9D are unassigned and kept as they are.
    private static let windows1252: [UInt8: Unicode.Scalar] = [
        0x80: "\u{20AC}", 0x82: "\u{201A}", 0x83: "\u{0192}", 0x84: "\u{201E}", 0x85: "\u{2026}", 0x86: "\u{2020}",
        0x87: "\u{2021}", 0x88: "\u{02C6}", 0x89: "\u{2030}", 0x8A: "\u{0160}", 0x8B: "\u{2039}", 0x8C: "\u{0152}",
        0x8E: "\u{017D}", 0x91: "\u{2018}", 0x92: "\u{2019}", 0x93: "\u{201C}", 0x94: "\u{201D}", 0x95: "\u{2022}",
        0x96: "\u{2013}", 0x97: "\u{2014}", 0x98: "\u{02DC}", 0x99: "\u{2122}", 0x9A: "\u{0161}", 0x9B: "\u{203A}",
        0x9C: "\u{0153}", 0x9E: "\u{017E}", 0x9F: "\u{0178}",
    ]
}
