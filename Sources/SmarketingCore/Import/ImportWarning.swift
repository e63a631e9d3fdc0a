/// Something an import did that the person should know, though no row was refused for it.
public enum ImportWarning: String, Sendable, Codable, CaseIterable {
    /// The file was not UTF-8 and was read as Latin-1 (Windows-1252): accented letters may be
    /// wrong if it was in yet another encoding.
    case decodedAsLatin1 = "decoded_as_latin1"
}
