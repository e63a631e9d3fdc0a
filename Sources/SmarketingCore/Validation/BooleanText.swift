/// Reads yes-or-no answers as English and Portuguese spreadsheets and forms write them.
public enum BooleanText {
    /// Words that are unmistakably yes or no; a column made only of these is a yes/no field.
    public static let trueWords: Set<String> = ["true", "yes", "sim"]
    public static let falseWords: Set<String> = ["false", "no", "não", "nao"]

    /// Also read in a field already known to be yes/no, but too ambiguous to make a column one
    /// (`1`/`0` are more likely counts, `s`/`n` codes).
    public static let shortTrueWords: Set<String> = ["1", "y", "s"]
    public static let shortFalseWords: Set<String> = ["0", "n"]

    /// true/false/yes/no/sim/não/nao/1/0/y/n/s, ignoring case and surrounding blanks.
    public static func parse(_ text: String) -> Bool? {
        let word = text.trimmingBlanks.lowercased()
        if trueWords.contains(word) || shortTrueWords.contains(word) { return true }
        if falseWords.contains(word) || shortFalseWords.contains(word) { return false }
        return nil
    }

    /// Whether the text is one of the unmistakable words (not `1`/`0`/`y`/`n`/`s`).
    public static func isWord(_ text: String) -> Bool {
        let word = text.trimmingBlanks.lowercased()
        return trueWords.contains(word) || falseWords.contains(word)
    }
}
