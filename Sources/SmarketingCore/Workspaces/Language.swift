/// A language the interface speaks.
public enum Language: String, Sendable, Codable, CaseIterable, Hashable {
    case en = "en"
    case ptBR = "pt-BR"

    /// Picks the first language the browser asks for that the product speaks
    /// (an `Accept-Language` header, honouring q-values), or nil when none matches.
    public static func negotiate(acceptLanguage header: String?) -> Language? {
        guard let header, !header.isEmpty else { return nil }
        let ranges: [(tag: String, q: Double, order: Int)] = header.split(separator: ",").enumerated().compactMap { index, part in
            let pieces = part.split(separator: ";").map { String($0).trimmingBlanks }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { return nil }
            var q = 1.0
            for parameter in pieces.dropFirst() where parameter.lowercased().hasPrefix("q=") {
                q = Double(parameter.dropFirst(2)) ?? 0
            }
            return (tag, q, index)
        }
        let ordered = ranges.filter { $0.q > 0 }.sorted { $0.q == $1.q ? $0.order < $1.order : $0.q > $1.q }
        for range in ordered {
            if range.tag == "pt" || range.tag.hasPrefix("pt-") { return .ptBR }
            if range.tag == "en" || range.tag.hasPrefix("en-") { return .en }
        }
        return nil
    }

    /// A language from its tag, ignoring case as language tags do (`pt-br` is `pt-BR`).
    public init?(tag: String) {
        guard let found = Language.allCases.first(where: { $0.rawValue.lowercased() == tag.lowercased() }) else { return nil }
        self = found
    }
}
