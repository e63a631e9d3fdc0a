import Foundation

/// The people, teams, companies and contacts of a demo workspace: realistic enough that a
/// newcomer sees a living product, and the same for the same seed.
public struct DemoWorkspace: Sendable {
    public struct Person: Sendable, Equatable {
        public var name: String
        public var email: String
        public var roles: Set<Role>
        public var team: String?
    }

    public struct DemoCompany: Sendable, Equatable {
        public var name: String
        public var domain: String
        public var employeeCount: Int
        public var industry: String
        public var revenueBand: String
        public var country: String
    }

    public struct DemoContact: Sendable, Equatable {
        public var firstName: String
        public var lastName: String
        public var email: String
        public var phone: String
        public var jobTitle: String
        public var seniority: String
        public var country: String
        public var source: String
        /// Index into ``companies``.
        public var companyIndex: Int
        public var stage: LifecycleStage
        /// Index into ``people`` of the sales owner, when the contact has reached sales.
        public var ownerIndex: Int?
        /// How long before "now" the contact was created, in seconds.
        public var age: TimeInterval
    }

    public var settings: WorkspaceSettings
    public var people: [Person]
    public var teams: [String]
    public var companies: [DemoCompany]
    public var contacts: [DemoContact]
    /// What sales did with the contacts that reached it: activities, tasks and deals.
    public var sales = DemoSalesWork()

    static let firstNames = ["Ana", "Bruno", "Carla", "Diego", "Eduarda", "Felipe", "Gabriela", "Henrique", "Isabela", "João",
                             "Larissa", "Marcos", "Natália", "Otávio", "Patrícia", "Rafael", "Sofia", "Thiago", "Vitória", "William",
                             "Camila", "Lucas", "Mariana", "Pedro", "Juliana", "Gustavo", "Beatriz", "Rodrigo", "Fernanda", "Daniel",
                             "Emily", "James", "Olivia", "Noah", "Laura", "Miguel", "Helena", "Arthur", "Alice", "Heitor"]
    static let lastNames = ["Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
                            "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa",
                            "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas",
                            "Smith", "Johnson", "Brown", "Miller", "Garcia"]
    static let companyStems = ["Aurora", "Boreal", "Cerrado", "Delta", "Estrela", "Farol", "Guará", "Horizonte", "Ipê", "Jacarandá",
                               "Lumen", "Maré", "Norte", "Órbita", "Pampa", "Quartzo", "Raiz", "Serra", "Tucano", "Vértice",
                               "Atlas", "Nimbus", "Vector", "Pioneer", "Summit", "Beacon", "Harbor", "Kinetic", "Meridian", "Zenith"]
    static let companyKinds = [("Logística", "Logistics"), ("Software", "Software"), ("Saúde", "Healthcare"), ("Educação", "Education"),
                               ("Varejo", "Retail"), ("Energia", "Energy"), ("Finanças", "Financial services"), ("Indústria", "Manufacturing"),
                               ("Agro", "Agribusiness"), ("Telecom", "Telecommunications")]
    static let suffixes = ["Ltda", "S.A.", "Tecnologia", "Group", "Brasil", "Digital"]
    static let jobTitles: [(String, String)] = [
        ("Diretor de Marketing", "director"), ("Diretora Comercial", "director"), ("Gerente de TI", "manager"),
        ("CEO", "executive"), ("CFO", "executive"), ("Analista de Marketing", "individual"), ("Coordenador de Vendas", "manager"),
        ("Head of Growth", "director"), ("Marketing Manager", "manager"), ("VP of Sales", "executive"),
        ("Estagiário", "intern"), ("Engenheiro de Software", "individual"), ("Gerente de Compras", "manager"),
        ("Analista Financeiro", "individual"), ("Sócio-fundador", "executive"), ("Student", "student"),
    ]
    static let sources = ["organic_search", "paid_search", "social", "email", "referral", "event", "direct", "partner"]
    static let countries = ["BR", "BR", "BR", "BR", "BR", "PT", "AR", "CL", "MX", "US"]
    static let revenueBands = ["< 1M", "1M-10M", "10M-50M", "50M-250M", "> 250M"]

    /// Builds a demo workspace of `contactCount` contacts spread over about one company for every
    /// four contacts.
    public static func make(seed: UInt64, contactCount: Int, emailDomain: String = "demo.smarketing.test") -> DemoWorkspace {
        var random = SeededRandom(seed: seed)
        let teams = ["Marketing", "Inbound SDRs", "Account Executives"]
        let people: [Person] = [
            Person(name: "Alex Admin", email: "admin@\(emailDomain)", roles: [.admin], team: nil),
            Person(name: "Marina Costa", email: "marina@\(emailDomain)", roles: [.marketingManager], team: "Marketing"),
            Person(name: "Paulo Mendes", email: "paulo@\(emailDomain)", roles: [.marketing], team: "Marketing"),
            Person(name: "Renata Lima", email: "renata@\(emailDomain)", roles: [.marketing], team: "Marketing"),
            Person(name: "Sérgio Almeida", email: "sergio@\(emailDomain)", roles: [.salesManager], team: "Inbound SDRs"),
            Person(name: "Bianca Rocha", email: "bianca@\(emailDomain)", roles: [.sales], team: "Inbound SDRs"),
            Person(name: "Caio Freitas", email: "caio@\(emailDomain)", roles: [.sales], team: "Inbound SDRs"),
            Person(name: "Denise Vieira", email: "denise@\(emailDomain)", roles: [.sales], team: "Account Executives"),
            Person(name: "Eduardo Nunes", email: "eduardo@\(emailDomain)", roles: [.sales], team: "Account Executives"),
        ]
        let salesIndexes = people.indices.filter { people[$0].roles.contains(.sales) }

        let companyCount = max(1, contactCount / 4)
        var usedDomains = Set<String>()
        var companies: [DemoCompany] = []
        companies.reserveCapacity(companyCount)
        for index in 0..<companyCount {
            let stem = companyStems.randomElement(using: &random) ?? "Aurora"
            let kind = companyKinds.randomElement(using: &random) ?? ("Software", "Software")
            let suffix = suffixes.randomElement(using: &random) ?? "Ltda"
            let country = countries.randomElement(using: &random) ?? "BR"
            var domain = Self.slug("\(stem)\(kind.0)") + (country == "BR" ? ".com.br" : ".com")
            if usedDomains.contains(domain) { domain = Self.slug("\(stem)\(kind.0)\(index)") + ".com" }
            usedDomains.insert(domain)
            let employees = Int(pow(10, Double.random(in: 0.7...4.2, using: &random)))
            companies.append(DemoCompany(
                name: "\(stem) \(kind.0) \(suffix)", domain: domain, employeeCount: employees, industry: kind.1,
                revenueBand: revenueBands[min(revenueBands.count - 1, Int(log10(Double(employees))))], country: country
            ))
        }

        let stageWeights: [(LifecycleStage, Int)] = [
            (.subscriber, 25), (.lead, 40), (.mql, 10), (.sal, 6), (.sql, 5), (.opportunity, 4), (.customer, 3),
            (.disqualified, 4), (.recycled, 3),
        ]
        let totalWeight = stageWeights.reduce(0) { $0 + $1.1 }
        var contacts: [DemoContact] = []
        contacts.reserveCapacity(contactCount)
        for index in 0..<contactCount {
            let first = firstNames.randomElement(using: &random) ?? "Ana"
            let last = lastNames.randomElement(using: &random) ?? "Silva"
            let companyIndex = Int.random(in: 0..<companies.count, using: &random)
            let company = companies[companyIndex]
            let title = jobTitles.randomElement(using: &random) ?? ("CEO", "executive")
            var pick = Int.random(in: 0..<totalWeight, using: &random)
            var stage = LifecycleStage.lead
            for (candidate, weight) in stageWeights {
                if pick < weight { stage = candidate; break }
                pick -= weight
            }
            let reachedSales = ![.subscriber, .lead].contains(stage)
            let owner = reachedSales ? salesIndexes.randomElement(using: &random) : nil
            contacts.append(DemoContact(
                firstName: first, lastName: last,
                email: "\(Self.slug(first)).\(Self.slug(last)).\(index)@\(company.domain)",
                phone: "+55 11 9\(Int.random(in: 1000...9999, using: &random))-\(Int.random(in: 1000...9999, using: &random))",
                jobTitle: title.0, seniority: title.1, country: company.country,
                source: sources.randomElement(using: &random) ?? "direct", companyIndex: companyIndex, stage: stage,
                ownerIndex: owner, age: Double.random(in: 0...(180 * 86_400), using: &random)
            ))
        }
        return DemoWorkspace(
            settings: WorkspaceSettings(name: "Demo: Acme Software", timeZone: "America/Sao_Paulo", currency: "BRL", language: .ptBR),
            people: people, teams: teams, companies: companies, contacts: contacts,
            sales: DemoSalesWork.make(seed: seed, contacts: contacts, companies: companies)
        )
    }

    /// Lower-case ASCII letters and digits only, for domains and email local parts.
    static func slug(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        return String(folded.lowercased().filter { ($0.isLetter && $0.isASCII) || $0.isNumber })
    }
}
