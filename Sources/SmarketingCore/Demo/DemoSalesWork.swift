import Foundation

/// What sales did with a demo workspace's leads: calls, emails and meetings logged, tasks open
/// and done, deals open, won and lost with their reasons. Consistent with each contact's stage
/// (an opportunity has an open deal, a customer a won one) and the same for the same seed.
public struct DemoSalesWork: Sendable, Equatable {
    public struct DemoActivity: Sendable, Equatable {
        /// Index into the workspace's contacts.
        public var contactIndex: Int
        public var kind: ActivityKind
        public var outcome: ActivityOutcome?
        public var notes: String
        public var nextStep: String?
        /// How long before "now" it happened, in seconds.
        public var ago: TimeInterval
        public var durationMinutes: Int?
    }

    public struct DemoTask: Sendable, Equatable {
        public var contactIndex: Int
        public var title: String
        /// Seconds from "now" to the due time; negative for overdue or done tasks.
        public var dueIn: TimeInterval
        public var reminder: TaskReminder
        public var done: Bool
    }

    public struct DemoDeal: Sendable, Equatable {
        public var contactIndex: Int
        public var name: String
        public var amountMinorUnits: Int64
        public var stage: DealStage
        /// Days from "now" to the expected close (negative for closed deals).
        public var closeInDays: Int
        public var lostReason: LostReason?
        /// How long before "now" it was opened, in seconds.
        public var age: TimeInterval
    }

    public var activities: [DemoActivity] = []
    public var tasks: [DemoTask] = []
    public var deals: [DemoDeal] = []

    static let callNotes = ["Conversamos sobre o processo atual e quem aprova a compra.", "Pediu uma demonstração na próxima semana.",
                            "Falei com a recepção; tentar o ramal direto.", "Interessada; o orçamento é revisto no próximo trimestre.",
                            "Quer ver a integração com o ERP deles."]
    static let nextSteps = ["Enviar a proposta", "Agendar demonstração com a equipe", "Ligar de volta na sexta", "Mandar o estudo de caso",
                            "Confirmar o orçamento"]
    static let taskTitles = ["Ligar de volta", "Enviar a proposta", "Preparar a demonstração", "Cobrar resposta do e-mail", "Confirmar a reunião"]
    static let products = ["Plano Starter", "Plano Growth", "Plano Enterprise", "Pacote de implantação", "Renovação anual"]

    /// Follow-up for the contacts that reached sales.
    public static func make(seed: UInt64, contacts: [DemoWorkspace.DemoContact], companies: [DemoWorkspace.DemoCompany]) -> DemoSalesWork {
        var random = SeededRandom(seed: seed &+ 0x5A1E5)
        var work = DemoSalesWork()
        let day: TimeInterval = 86_400
        for (index, contact) in contacts.enumerated() where contact.ownerIndex != nil {
            let worked: Set<LifecycleStage> = [.sal, .sql, .opportunity, .customer, .disqualified]
            guard worked.contains(contact.stage) else { continue }
            let span = max(day, min(contact.age, 60 * day))
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let kind = [ActivityKind.call, .call, .email, .meeting, .note].randomElement(using: &random) ?? .call
                work.activities.append(DemoActivity(
                    contactIndex: index, kind: kind, outcome: kind.outcomes.randomElement(using: &random),
                    notes: callNotes.randomElement(using: &random) ?? "", nextStep: Bool.random(using: &random) ? nextSteps.randomElement(using: &random) : nil,
                    ago: Double.random(in: 0...span, using: &random), durationMinutes: kind == .call || kind == .meeting ? Int.random(in: 3...60, using: &random) : nil))
            }
            if [.sal, .sql, .opportunity].contains(contact.stage), Int.random(in: 0..<3, using: &random) > 0 {
                work.tasks.append(DemoTask(contactIndex: index, title: taskTitles.randomElement(using: &random) ?? "Ligar de volta",
                                           dueIn: Double.random(in: (-2 * day)...(7 * day), using: &random), reminder: .oneHour, done: false))
            }
            if Int.random(in: 0..<3, using: &random) == 0 {
                work.tasks.append(DemoTask(contactIndex: index, title: taskTitles.randomElement(using: &random) ?? "Ligar de volta",
                                           dueIn: -Double.random(in: day...(20 * day), using: &random), reminder: .none, done: true))
            }
            let company = companies[contact.companyIndex].name
            let product = products.randomElement(using: &random) ?? "Plano Growth"
            let amount = Int64(Int.random(in: 5...240, using: &random)) * 100_000
            let age = Double.random(in: (5 * day)...max(6 * day, span), using: &random)
            switch contact.stage {
            case .opportunity:
                work.deals.append(DemoDeal(contactIndex: index, name: "\(company) · \(product)", amountMinorUnits: amount,
                                           stage: DealStage.open.randomElement(using: &random) ?? .proposal,
                                           closeInDays: Int.random(in: 7...90, using: &random), lostReason: nil, age: age))
            case .customer:
                work.deals.append(DemoDeal(contactIndex: index, name: "\(company) · \(product)", amountMinorUnits: amount, stage: .won,
                                           closeInDays: -Int.random(in: 1...60, using: &random), lostReason: nil, age: age))
            case .sql, .disqualified:
                if Int.random(in: 0..<3, using: &random) == 0 {
                    work.deals.append(DemoDeal(contactIndex: index, name: "\(company) · \(product)", amountMinorUnits: amount, stage: .lost,
                                               closeInDays: -Int.random(in: 1...60, using: &random),
                                               lostReason: LostReason.allCases.randomElement(using: &random), age: age))
                }
            default: break
            }
        }
        return work
    }
}
