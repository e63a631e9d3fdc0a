/// The exports an import recognises by their headers: our own contact export, HubSpot's
/// contact export (English and Brazilian Portuguese labels) and Mautic's contact export.
/// Headers are compared ignoring case, accents, blanks and punctuation (see `String.matchKey`).
public enum ImportPreset: String, Sendable, CaseIterable, Codable {
    case smarketing
    case hubspot
    case mautic

    /// What a recognised header means.
    enum Meaning: Sendable, Equatable {
        /// A contact field. When several headers of a file mean the same field, the one listed
        /// first wins ("Phone Number" before "Mobile Phone Number").
        case field(String)
        /// The other system's record id: not imported unless the person asks.
        case foreignID
        /// Known to the other system but without a field here: a new custom field, as any column.
        case other
    }

    /// The preset's headers in order of preference, as match keys.
    var headers: [(key: String, meaning: Meaning)] {
        Self.tables[self] ?? []
    }

    /// The meaning of a header (a match key) in this preset, with its preference (lower first).
    func meaning(of key: String) -> (meaning: Meaning, rank: Int)? {
        guard let index = headers.firstIndex(where: { $0.key == key }) else { return nil }
        return (headers[index].meaning, index)
    }

    private static let tables: [ImportPreset: [(key: String, meaning: Meaning)]] = {
        func table(_ rows: [(String, Meaning)]) -> [(key: String, meaning: Meaning)] {
            rows.map { ($0.0.matchKey, $0.1) }
        }
        return [
            .smarketing: table(ContactFields.builtIn.map { ($0, .field($0)) }),
            .hubspot: table([
                ("Record ID", .foreignID), ("ID do registro", .foreignID),
                ("First Name", .field("first_name")), ("Nome", .field("first_name")),
                ("Last Name", .field("last_name")), ("Sobrenome", .field("last_name")),
                ("Email", .field("email")),
                ("Phone Number", .field("phone")), ("Número de telefone", .field("phone")),
                ("Mobile Phone Number", .field("phone")), ("Número de celular", .field("phone")),
                ("Job Title", .field("job_title")), ("Cargo", .field("job_title")),
                ("Seniority", .field("seniority")), ("Senioridade", .field("seniority")),
                ("Date of birth", .field("birth_date")), ("Data de nascimento", .field("birth_date")),
                ("Country/Region", .field("country")), ("País/Região", .field("country")), ("Country", .field("country")),
                ("Original Source", .field("source")), ("Fonte original", .field("source")),
                ("First touch converting campaign", .field("campaign")), ("Campanha de conversão do primeiro contato", .field("campaign")),
                ("Latest Source", .field("last_source")), ("Fonte mais recente", .field("last_source")),
                ("Last touch converting campaign", .field("last_campaign")), ("Campanha de conversão do último contato", .field("last_campaign")),
                ("Company Name", .field("company")), ("Nome da empresa", .field("company")),
                ("Associated Company", .field("company")), ("Empresa associada", .field("company")),
                ("Website URL", .field("company_domain")), ("URL do site", .field("company_domain")),
                ("Company Domain Name", .field("company_domain")),
                ("Contact owner", .field("owner_email")), ("Proprietário do contato", .field("owner_email")),
                ("Lifecycle Stage", .field("lifecycle_stage")), ("Estágio do ciclo de vida", .field("lifecycle_stage")),
                ("Fase do ciclo de vida", .field("lifecycle_stage")),
                ("Create Date", .other), ("Data de criação", .other), ("Last Activity Date", .other),
                ("Lead Status", .other), ("Status do lead", .other), ("Marketing contact status", .other),
                ("Original Source Drill-Down 1", .other), ("Original Source Drill-Down 2", .other),
                ("Latest Source Drill-Down 1", .other), ("Latest Source Drill-Down 2", .other),
                ("Associated Company ID", .other), ("State/Region", .other), ("Postal Code", .other),
                ("Street Address", .other), ("Annual Revenue", .other), ("Number of Employees", .other),
            ]),
            .mautic: table([
                ("id", .foreignID),
                ("firstname", .field("first_name")), ("lastname", .field("last_name")), ("email", .field("email")),
                ("phone", .field("phone")), ("mobile", .field("phone")),
                ("position", .field("job_title")), ("company", .field("company")), ("website", .field("company_domain")),
                ("country", .field("country")), ("owner", .field("owner_email")), ("stage", .field("lifecycle_stage")),
                ("points", .other), ("title", .other), ("date_identified", .other), ("last_active", .other),
                ("date_added", .other), ("date_modified", .other), ("preferred_locale", .other), ("timezone", .other),
                ("attribution", .other), ("attribution_date", .other), ("address1", .other), ("address2", .other),
                ("zipcode", .other), ("fax", .other), ("tags", .other),
            ]),
        ]
    }()
}
