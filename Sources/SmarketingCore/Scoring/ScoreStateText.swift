/// A ``ScoreState`` as one short line of text, the form the store keeps it in: bulk re-scoring
/// writes a million of them, and JSON costs several times more to write and read. Numbers keep
/// their exact value (Swift's shortest round-trip form), so reading gives back an equal state.
///
/// `s1|version|fit awards|fit|engagement|as-of|caps|windows`, lists comma-separated, caps as
/// `period:used` and windows as `recent/next/filled/holds-until` joined by `;`, `-` for none.
extension ScoreState {
    public var text: String {
        // Written as bytes into one buffer: re-scoring writes one a contact.
        var text = TextBuffer(capacity: 128)
        func list<T>(_ values: [T], _ separator: Unicode.Scalar, into text: inout TextBuffer, _ write: (T, inout TextBuffer) -> Void) {
            for (index, value) in values.enumerated() {
                if index > 0 { text.append(ascii: separator) }
                write(value, &text)
            }
        }
        func number(_ value: Double?, _ text: inout TextBuffer) {
            if let value { text.append(value) } else { text.append(ascii: "-") }
        }
        text.append("s1|")
        text.append(definitionVersion)
        text.append(ascii: "|")
        list(fitAwards, ",", into: &text) { $1.append($0) }
        text.append(ascii: "|")
        text.append(fit)
        text.append(ascii: "|")
        text.append(engagementValue)
        text.append(ascii: "|")
        number(asOfSeconds, &text)
        text.append(ascii: "|")
        list(caps, ";", into: &text) { cap, text in
            text.append(Int(cap.period))
            text.append(ascii: ":")
            text.append(cap.used)
        }
        text.append(ascii: "|")
        list(windows, ";", into: &text) { window, text in
            list(window.recent, ",", into: &text) { $1.append($0) }
            text.append(ascii: "/")
            text.append(window.next)
            text.append(ascii: "/")
            text.append(window.filled)
            text.append(ascii: "/")
            number(window.holdsUntil, &text)
        }
        return text.text
    }

    /// Reads ``text``; nil for anything else.
    public init?(text: String) {
        // Split on bytes, not characters: re-scoring and ingest read one state a contact, and
        // splitting by grapheme cost ten times the rest of the reading.
        let parts = text[...].pieces(at: "|")
        guard parts.count == 8, parts[0] == "s1", let version = Int(parts[1]), let fit = Int(parts[3]), let engagement = Double(parts[4]) else {
            return nil
        }
        func list<T>(_ part: Substring, _ read: (Substring) -> T?) -> [T]? {
            if part.isEmpty { return [] }
            var values: [T] = []
            for piece in part.pieces(at: ",") {
                guard let value = read(piece) else { return nil }
                values.append(value)
            }
            return values
        }
        func optional(_ part: Substring) -> Double?? { part == "-" ? .some(nil) : Double(part).map { .some($0) } }
        guard let awards = list(parts[2], { Int($0) }), let asOf = optional(parts[5]) else { return nil }
        var caps: [CapUsage] = []
        if !parts[6].isEmpty {
            for piece in parts[6].pieces(at: ";") {
                let pair = piece.pieces(at: ":")
                guard pair.count == 2, let period = Int64(pair[0]), let used = Int(pair[1]) else { return nil }
                caps.append(CapUsage(period: period, used: used))
            }
        }
        var windows: [FrequencyWindow] = []
        if !parts[7].isEmpty {
            for piece in parts[7].pieces(at: ";") {
                let fields = piece.pieces(at: "/")
                guard fields.count == 4, let recent = list(fields[0], { Double($0) }), let next = Int(fields[1]), let filled = Int(fields[2]),
                      let holds = optional(fields[3]), !recent.isEmpty, (0..<recent.count).contains(next), (0...recent.count).contains(filled)
                else { return nil }
                var window = FrequencyWindow(capacity: recent.count)
                window.recent = recent
                window.next = next
                window.filled = filled
                window.holdsUntil = holds
                windows.append(window)
            }
        }
        self.init(definitionVersion: version, fitRules: awards.count, engagementRules: caps.count, frequencyCounts: windows.map { $0.recent.count + 1 })
        self.fitAwards = awards
        self.fit = fit
        self.engagementValue = engagement
        self.asOfSeconds = asOf
        self.caps = caps
        self.windows = windows
    }
}

extension Substring {
    /// The pieces between occurrences of an ASCII separator, empty ones kept (as
    /// `split(separator:omittingEmptySubsequences: false)` gives them), found by a scan of the
    /// bytes.
    fileprivate func pieces(at separator: Unicode.Scalar) -> [Substring] {
        let byte = UInt8(ascii: separator)
        var pieces: [Substring] = []
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            if utf8[index] == byte {
                pieces.append(self[start..<index])
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        pieces.append(self[start..<index])
        return pieces
    }
}
