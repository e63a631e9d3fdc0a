/// How a CSV file separates its cells, guessed from its first lines: spreadsheets in Brazil and
/// most of Europe write `;` (the comma is their decimal separator), the rest of the world `,`,
/// and "text" exports use tabs.
public enum CSVFormat {
    public static let candidates: [Character] = [",", ";", "\t"]

    /// The delimiter that occurs most, outside quotes, in the first non-blank record of the text.
    /// A tie is broken by the second record (a real delimiter occurs as often in every record);
    /// then `,` wins. No delimiter at all (a one-column file) gives `,`. A leading BOM is skipped.
    public static func detectDelimiter(in firstLines: String) -> Character {
        let records = firstRecords(of: firstLines, count: 2)
        guard let first = records.first else { return "," }
        let most = candidates.map { first[$0, default: 0] }.max() ?? 0
        guard most > 0 else { return "," }
        let tied = candidates.filter { first[$0, default: 0] == most }
        if tied.count > 1, records.count > 1 {
            let steady = tied.filter { records[1][$0, default: 0] == most }
            if steady.count == 1, let only = steady.first { return only }
        }
        return tied.first ?? ","
    }

    /// Counts of each candidate outside quotes, for the first `count` records that are not blank.
    /// A quoted cell may hold line breaks, so a record may span lines.
    private static func firstRecords(of text: String, count: Int) -> [[Character: Int]] {
        var records: [[Character: Int]] = []
        var counts: [Character: Int] = [:]
        var quoted = false
        var hasContent = false
        for character in text {
            if character == "\"" {
                quoted.toggle()
                hasContent = true
            } else if quoted {
                continue
            } else if character.isNewline {
                if hasContent { records.append(counts) }
                if records.count == count { return records }
                counts = [:]
                hasContent = false
            } else if candidates.contains(character) {
                counts[character, default: 0] += 1
                hasContent = true
            } else if !(character.isWhitespace || character == "\u{FEFF}") {
                hasContent = true
            }
        }
        if hasContent, records.count < count { records.append(counts) }
        return records
    }
}
