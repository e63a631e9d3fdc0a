import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// `/api/v1/lead-definition`: the active version, the draft (read and replace), approvals,
/// activation (re-scoring in the background), what-if, score quality and the predictive
/// suggestion; `/api/v1/scoring-runs/{id}` follows a background run; a contact's score with its
/// explanation is `/api/v1/contacts/{id}/score`.
struct ScoringAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("lead-definition", use: overview)
        routes.put("lead-definition", "draft", use: saveDraft)
        routes.post("lead-definition", "draft", "approve", use: approve)
        routes.post("lead-definition", "draft", "activate", use: activate)
        routes.post("lead-definition", "draft", "what-if", use: whatIf)
        routes.get("lead-definition", "quality", use: quality)
        routes.put("lead-definition", "outcome", use: saveOutcome)
        routes.post("lead-definition", "suggestion", use: suggest)
        routes.get("scoring-runs", ":runID", use: run)
        routes.get("contacts", ":contactID", "score", use: contactScore)
    }

    struct VersionDTO: Encodable {
        var version: Int
        var status: String
        var digest: String
        var definition: LeadDefinition
        var approvals: [ApprovalDTO]
        var activatedAt: Date?
        var problems: [ProblemDTO]?

        init(_ stored: StoredLeadDefinition, problems: [LeadDefinitionProblem]? = nil, _ l: Localizer) {
            version = stored.number
            status = stored.status.rawValue
            digest = stored.version.digest
            definition = stored.version.definition
            approvals = stored.version.approvals.map { ApprovalDTO(side: $0.side.rawValue, userId: $0.userID, digest: $0.digest, at: $0.time) }
            activatedAt = stored.version.activatedAt
            self.problems = problems?.map { ProblemDTO(path: $0.path, code: $0.code.apiCode, message: l.problem($0.reason)) }
        }
    }

    struct ApprovalDTO: Encodable {
        var side: String
        var userId: UUID
        var digest: String
        var at: Date
    }

    struct ProblemDTO: Encodable {
        var path: String
        var code: String
        var message: String
    }

    struct OverviewDTO: Encodable {
        var active: VersionDTO?
        var draft: VersionDTO?
        var versions: [VersionSummaryDTO]
    }

    struct VersionSummaryDTO: Encodable {
        var version: Int
        var status: String
        var updatedAt: Date
    }

    func overview(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let versions = try await LeadDefinitions(req.db, workspaceID: member.workspaceID).list()
        let known = try await ScoringService.knownFields(req.db, workspaceID: member.workspaceID)
        let draft = versions.first { $0.version.isDraft }
        return try APIJSON.response(OverviewDTO(
            active: versions.first { $0.status == .active }.map { VersionDTO($0, req.l) },
            draft: draft.map { VersionDTO($0, problems: $0.version.definition.problems(knownFields: known), req.l) },
            versions: versions.map { VersionSummaryDTO(version: $0.number, status: $0.status.rawValue, updatedAt: $0.updatedAt) }
        ))
    }

    func saveDraft(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.editLeadDefinitionDraft)
        // The definition's JSON names its own keys (snake_case already): no key conversion.
        let definition = try await req.decodeJSON(LeadDefinition.self, using: JSONDecoder())
        let definitions = LeadDefinitions(req.db, workspaceID: member.workspaceID)
        _ = try await definitions.openDraft(by: member.actor, now: req.now)
        let known = try await ScoringService.knownFields(req.db, workspaceID: member.workspaceID)
        let saved = try await definitions.saveDraft(definition, knownFields: known, by: member.actor, now: req.now)
        return try APIJSON.response(VersionDTO(saved, problems: saved.version.definition.problems(knownFields: known), req.l))
    }

    struct ApproveRequest: Decodable {
        var side: String?
        var digest: String?
    }

    func approve(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.approveLeadDefinition)
        let body = try await req.decodeJSON(ApproveRequest.self)
        var checker = FieldChecker()
        let side = body.side.flatMap(Role.Side.init(rawValue:)).flatMap { $0 == .administration ? nil : $0 }
        if side == nil { checker.add("side", .notInList) }
        let digest = checker.text("digest", body.digest, maximum: 64)
        try checker.throwIfAny()
        let known = try await ScoringService.knownFields(req.db, workspaceID: member.workspaceID)
        let approved = try await LeadDefinitions(req.db, workspaceID: member.workspaceID)
            .approve(side: side ?? .marketing, user: member.user, reviewedDigest: digest ?? "", knownFields: known, by: member.actor, now: req.now)
        return try APIJSON.response(VersionDTO(approved, req.l))
    }

    func activate(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.editLeadDefinitionDraft)
        return try APIJSON.response(RunDTO(try await ScoringService.activate(req, member: member)), status: .accepted)
    }

    func whatIf(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.editLeadDefinitionDraft)
        return try APIJSON.response(RunDTO(try await ScoringService.whatIf(req, member: member)), status: .accepted)
    }

    func suggest(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.editLeadDefinitionDraft)
        return try APIJSON.response(RunDTO(try await ScoringService.suggest(req, member: member)), status: .accepted)
    }

    struct RunDTO: Encodable {
        var id: UUID
        var kind: String
        var version: Int
        var status: String
        var total: Int
        var processed: Int
        var message: String?
        var startedAt: Date
        var finishedAt: Date?
        var whatIf: WhatIfDTO?
        var suggestion: ModelSuggestion?

        init(_ run: ScoringRun) {
            id = run.id
            kind = run.kind.rawValue
            version = run.definitionVersion
            status = run.status.rawValue
            total = run.total
            processed = run.processed
            message = run.message
            startedAt = run.startedAt
            finishedAt = run.finishedAt
            whatIf = run.whatIf.map(WhatIfDTO.init)
            suggestion = run.suggestion
        }
    }

    struct WhatIfDTO: Encodable {
        var contacts: Int
        var entering: Int
        var leaving: Int
        var histogramBefore: [Int]
        var histogramAfter: [Int]
        var changes: [ChangeDTO]

        init(_ report: WhatIfReport) {
            contacts = report.contacts
            entering = report.entering
            leaving = report.leaving
            histogramBefore = report.before.counts
            histogramAfter = report.after.counts
            changes = report.changes.map { ChangeDTO(contactId: $0.contactID, stage: $0.stage.rawValue, before: $0.before.total, after: $0.after.total,
                                                     effect: $0.effect.rawValue) }
        }
    }

    struct ChangeDTO: Encodable {
        var contactId: UUID
        var stage: String
        var before: Double
        var after: Double
        var effect: String
    }

    func run(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard let run = try await ScoringRuns(req.db, workspaceID: member.workspaceID).find(try req.uuidParameter("runID")) else { throw Abort(.notFound) }
        return try APIJSON.response(RunDTO(run))
    }

    struct QualityDTO: Encodable {
        var version: Int
        var contacts: Int
        var conversions: Int
        var auc: Double?
        var liftByDecile: [Double]
        var topHalfShare: Double?
    }

    struct QualityReportDTO: Encodable {
        var outcomeField: String?
        var outcomeValues: [String]
        var excludedFields: [String]
        var active: QualityDTO?
        var draft: QualityDTO?
    }

    func quality(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let outcomes = ScoringOutcomes(req.db, workspaceID: member.workspaceID)
        let choice = try await outcomes.choice()
        let definitions = LeadDefinitions(req.db, workspaceID: member.workspaceID)
        let sample = try await outcomes.sample(choice, today: CalendarDay(utc: req.now))
        func measure(_ stored: StoredLeadDefinition?) -> QualityDTO? {
            guard let stored, choice.field != nil else { return nil }
            let quality = ScoringOutcomes.quality(of: CompiledLeadDefinition(stored.version.definition), sample: sample, now: req.now)
            return QualityDTO(version: stored.number, contacts: quality.count, conversions: quality.conversions, auc: quality.auc,
                              liftByDecile: quality.liftByDecile, topHalfShare: quality.topHalfShare)
        }
        return try APIJSON.response(QualityReportDTO(
            outcomeField: choice.field, outcomeValues: choice.positiveValues, excludedFields: choice.excludedFields,
            active: measure(try await definitions.active()), draft: measure(try await definitions.draft())
        ))
    }

    struct OutcomeRequest: Decodable {
        var field: String?
        var values: [String]?
        var excludedFields: [String]?
    }

    func saveOutcome(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.editLeadDefinitionDraft)
        let body = try await req.decodeJSON(OutcomeRequest.self)
        let fields = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        var checker = FieldChecker()
        let key = body.field?.trimmingBlanks ?? ""
        if !key.isEmpty, !fields.contains(where: { $0.key == key }) { checker.add("field", .notInList) }
        let values = (body.values ?? []).map(\.trimmingBlanks).filter { !$0.isEmpty }
        if !key.isEmpty, values.isEmpty { checker.add("values", .required) }
        if values.count > 50 || values.contains(where: { $0.count > 100 }) { checker.add("values", .invalid) }
        let excluded = (body.excludedFields ?? []).map(\.trimmingBlanks).filter { !$0.isEmpty }
        if excluded.count > 100 || excluded.contains(where: { $0.count > 100 }) { checker.add("excluded_fields", .invalid) }
        try checker.throwIfAny()
        let choice = OutcomeChoice(field: key.isEmpty ? nil : key, positiveValues: values, excludedFields: excluded)
        try await ScoringOutcomes(req.db, workspaceID: member.workspaceID).save(choice, now: req.now)
        return try await quality(req: req)
    }

    struct ScoreDTO: Encodable {
        var version: Int
        var fit: Int
        var engagement: Double
        var total: Double
        var isMql: Bool
        var cell: String?
        var ledgerTotal: Double
        var ledger: [ScoreEntry]
    }

    func contactScore(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let id = try req.uuidParameter("contactID")
        guard try await ContactRepository(req.db, workspaceID: member.workspaceID).find(id) != nil else { throw Abort(.notFound) }
        let keeper = ScoreKeeper(req.db, workspaceID: member.workspaceID)
        guard let score = try await keeper.score(of: id, definition: try await keeper.activeDefinition(), now: req.now) else { throw Abort(.notFound) }
        return try APIJSON.response(ScoreDTO(version: score.definitionVersion, fit: score.fit, engagement: score.engagement, total: score.total,
                                             isMql: score.evaluation.isMQL, cell: score.evaluation.cell?.description, ledgerTotal: score.ledgerTotal,
                                             ledger: score.ledger))
    }
}
