extension LifecycleStage {
    /// A stage from its stored name or from the way HubSpot, Mautic and people write it, in
    /// English or Portuguese, ignoring case, accents, blanks and punctuation:
    /// "MQL", "Marketing Qualified Lead", "marketingqualifiedlead" (HubSpot's internal value),
    /// "Lead qualificado para marketing", "Cliente"... HubSpot's "Evangelist" is a customer.
    /// Nil for anything else (HubSpot's "Other" included): the stage is not guessed.
    public init?(name: String) {
        let key = name.matchKey
        guard !key.isEmpty, let stage = Self.names[key] else { return nil }
        self = stage
    }

    private static let names: [String: LifecycleStage] = {
        let written: [LifecycleStage: [String]] = [
            .subscriber: ["subscriber", "assinante", "inscrito"],
            .lead: ["lead", "new lead", "novo lead"],
            .mql: ["mql", "marketing qualified lead", "marketing qualified", "lead qualificado para marketing",
                   "lead qualificado pelo marketing", "lead qualificado de marketing"],
            .sal: ["sal", "sales accepted lead", "sales accepted", "lead aceito por vendas", "lead aceito pelas vendas",
                   "lead aceito pela equipe de vendas"],
            .sql: ["sql", "sales qualified lead", "sales qualified", "lead qualificado para vendas",
                   "lead qualificado por vendas", "lead qualificado de vendas"],
            .opportunity: ["opportunity", "oportunidade"],
            .customer: ["customer", "cliente", "client", "evangelist", "evangelista"],
            .disqualified: ["disqualified", "desqualificado", "unqualified", "nao qualificado"],
            .recycled: ["recycled", "reciclado"],
        ]
        var byKey: [String: LifecycleStage] = [:]
        for (stage, list) in written {
            byKey[stage.rawValue.matchKey] = stage
            for name in list { byKey[name.matchKey] = stage }
        }
        return byKey
    }()
}
