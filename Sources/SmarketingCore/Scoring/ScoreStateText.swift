/// A ``ScoreState`` as one short line of text, the form the store keeps it in: bulk re-scoring
/// writes a million of them, and JSON costs several times more to write and read. Numbers keep
/// their exact value (Swift's shortest round-trip form), so reading gives back an equal state.
///
/// `s1|version|fit awards|fit|engagement|as-of|caps|windows`, lists comma-separated, caps as
/// `period:used` and windows as `recent/next/filled/holds-until` joined by `;`, `-` for none.
extension ScoreState {
    public var text: String {
        // Written into one string (no lists joined): re-scoring writes one a contact.
        var text = "s1|"
        text.reserveCapacity(128)
        func list<T>(_ values: [T], _ separator: String, _ write: (T, inout String) -> Void) {
            for (index, value) in values.enumerated() {
                if index > 0 { text += separator }
                write(value, &text)
            }
        }
        func number(_ value: Double?, _ text: inout String) { text += value.map { $0.description } ?? "-" }
        text += String(definitionVersion)
        text += "|"
        list(fitAwards, ",") { $1 += String($0) }
        text += "|"
        text += String(fit)
        text += "|"
        text += engagementValue.description
        text += "|"
        number(asOfSeconds, &text)
        text += "|"
        list(caps, ";") { cap, text in
            text += String(cap.period)
            text += ":"
            text += String(cap.used)
        }
        text += "|"
        list(windows, ";") { window, text in
            for (index, time) in window.recent.enumerated() {
                if index > 0 { text += "," }
                text += time.description
            }
            text += "/"
            text += String(window.next)
            text += "/"
            text += String(window.filled)
            text += "/"
            number(window.holdsUntil, &text)
        }
        return text
    }

    /// Reads ``text``; nil for anything else.
    public init?(text: String) {
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 8, parts[0] == "s1", let version = Int(parts[1]), let fit = Int(parts[3]), let engagement = Double(parts[4]) else {
            return nil
        }
        func list<T>(_ part: Substring, _ read: (Substring) -> T?) -> [T]? {
            if part.isEmpty { return [] }
            var values: [T] = []
            for piece in part.split(separator: ",", omittingEmptySubsequences: false) {
                guard let value = read(piece) else { return nil }
                values.append(value)
            }
            return values
        }
        func optional(_ part: Substring) -> Double?? { part == "-" ? .some(nil) : Double(part).map { .some($0) } }
        guard let awards = list(parts[2], { Int($0) }), let asOf = optional(parts[5]) else { return nil }
        var caps: [CapUsage] = []
        if !parts[6].isEmpty {
            for piece in parts[6].split(separator: ";", omittingEmptySubsequences: false) {
                let pair = piece.split(separator: ":", omittingEmptySubsequences: false)
                guard pair.count == 2, let period = Int64(pair[0]), let used = Int(pair[1]) else { return nil }
                caps.append(CapUsage(period: period, used: used))
            }
        }
        var windows: [FrequencyWindow] = []
        if !parts[7].isEmpty {
            for piece in parts[7].split(separator: ";", omittingEmptySubsequences: false) {
                let fields = piece.split(separator: "/", omittingEmptySubsequences: false)
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
