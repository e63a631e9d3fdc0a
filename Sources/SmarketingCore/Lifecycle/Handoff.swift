import Foundation

/// Where a lead marketing handed to sales stands: waiting for the rep, accepted (SAL), or
/// rejected back to marketing; a handoff replaced by a newer one of the same contact (it
/// qualified again) is closed.
public enum HandoffStatus: String, Sendable, Codable, CaseIterable, Hashable {
    case pending
    case accepted
    case rejected
    case closed
}

/// One reason sales may give for rejecting a lead, from the list the two teams agreed on.
public struct RejectionReason: Sendable, Equatable, Codable, Hashable {
    public var key: String
    public var label: String
    public var active: Bool

    public init(key: String, label: String, active: Bool = true) {
        self.key = key
        self.label = label
        self.active = active
    }

    /// The list a new workspace starts with, in its language.
    public static func starters(portuguese: Bool) -> [RejectionReason] {
        let list: [(String, String, String)] = [
            ("wrong_persona", "Wrong persona", "Persona errada"),
            ("no_budget", "No budget", "Sem orçamento"),
            ("bad_contact_data", "Bad contact data", "Dados de contato ruins"),
            ("duplicate", "Duplicate", "Duplicado"),
            ("not_interested", "Not interested", "Sem interesse"),
            ("too_early", "Too early", "Cedo demais"),
        ]
        return list.map { RejectionReason(key: $0.0, label: portuguese ? $0.2 : $0.1) }
    }

    public static let labelLimit = 80
    public static let listLimit = 40

    /// Checks an edited list (labels in the order shown; keys of existing reasons kept, new ones
    /// derived from the label) and gives it back cleaned, or throws every problem at once, named
    /// `reasons[i].label`. An empty label on a new line drops the line; a reason already used by
    /// a rejection cannot be removed, only made inactive, so the caller passes `used` keys.
    public static func checkList(_ lines: [(key: String?, label: String, active: Bool)], used: Set<String>) throws(ValidationFailure) -> [RejectionReason] {
        var checker = FieldChecker()
        var result: [RejectionReason] = []
        var seenLabels: Set<String> = []
        var seenKeys: Set<String> = []
        for (index, line) in lines.enumerated() {
            let field = "reasons[\(index)].label"
            let trimmed = line.label.trimmingBlanks
            if trimmed.isEmpty, line.key == nil { continue }
            guard let label = checker.text(field, line.label, maximum: labelLimit) else { continue }
            if !seenLabels.insert(label.matchKey).inserted { checker.add(field, .alreadyTaken); continue }
            var key = line.key ?? Self.key(for: label)
            if line.key == nil {
                var suffix = 2
                let stem = key
                while seenKeys.contains(key) || used.contains(key) || lines.contains(where: { $0.key == key }) {
                    key = "\(stem)_\(suffix)"
                    suffix += 1
                }
            }
            seenKeys.insert(key)
            result.append(RejectionReason(key: key, label: label, active: line.active))
        }
        // A reason some rejection gave stays on the list (inactive at most), so reports keep its label.
        if !used.isSubset(of: seenKeys) { checker.add("reasons", .invalid) }
        if !result.contains(where: \.active) { checker.add("reasons", .required) }
        if result.count > listLimit { checker.add("reasons", .tooLong(maximum: listLimit)) }
        guard checker.errors.isEmpty else { throw ValidationFailure(checker.errors) }
        return result
    }

    /// A stable key from a label: its match key's letters and digits joined by underscores.
    static func key(for label: String) -> String {
        let words = label.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
            .split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        let key = words.joined(separator: "_")
        return key.isEmpty ? "reason" : String(key.prefix(40))
    }
}

/// What a rep decides about a lead handed to them.
public enum HandoffDecision: Sendable, Equatable {
    /// Sales accepts the lead: it becomes a SAL.
    case accept
    /// Sales rejects it with an agreed reason; the lead goes back to nurture (recycled) or out
    /// of the funnel (disqualified).
    case reject(reasonKey: String, note: String?, then: LifecycleStage)

    public static let noteLimit = 1000

    /// The stage the contact moves to.
    public var stage: LifecycleStage {
        switch self {
        case .accept: .sal
        case .reject(_, _, let then): then
        }
    }

    /// Reads a decision from a form or an API body, or throws every problem at once: `decision`
    /// (accept or reject), `reason` (one of the active reasons), `then` (recycled or
    /// disqualified), `note` (too long).
    public static func parse(decision: String?, reason: String?, then: String?, note: String?,
                             reasons: [RejectionReason]) throws(ValidationFailure) -> HandoffDecision {
        var checker = FieldChecker()
        switch decision?.trimmingBlanks.lowercased() {
        case "accept":
            return .accept
        case "reject":
            let key = reason?.trimmingBlanks ?? ""
            if key.isEmpty {
                checker.add("reason", .required)
            } else if !reasons.contains(where: { $0.key == key && $0.active }) {
                checker.add("reason", .notInList)
            }
            let stage: LifecycleStage? = switch then?.trimmingBlanks.lowercased() {
            case nil, "", "recycled", "recycle": .recycled
            case "disqualified", "disqualify": .disqualified
            default: nil
            }
            if stage == nil { checker.add("then", .notInList) }
            let note = checker.text("note", note, required: false, maximum: noteLimit)
            guard checker.errors.isEmpty, let stage else { throw ValidationFailure(checker.errors) }
            return .reject(reasonKey: key, note: note, then: stage)
        case nil, "":
            throw ValidationFailure("decision", .required)
        default:
            throw ValidationFailure("decision", .notInList)
        }
    }
}
