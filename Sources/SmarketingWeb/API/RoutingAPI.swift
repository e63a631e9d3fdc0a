import SmarketingCore
import SmarketingStore
import Vapor

/// `/api/v1/routing/rules`: the workspace's ordered routing rules, read and replaced as a whole
/// (sales managers and admins).
struct RoutingAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("routing", "rules", use: list)
        routes.put("routing", "rules", use: replace)
    }

    func list(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.manageRouting)
        let rules = try await RoutingSetup(req.db, workspaceID: member.workspaceID).rules()
        return try APIJSON.response(RoutingRuleListDTO(data: rules.map(RoutingRuleDTO.init)))
    }

    struct ReplaceRequest: Decodable {
        var rules: [RuleRequest]?
    }

    struct RuleRequest: Decodable {
        var id: String?
        var name: String?
        var teamId: String?
        var conditions: [ConditionRequest]?
    }

    struct ConditionRequest: Decodable {
        var field: String?
        var op: String?
        var value: String?
        var values: [String]?
        var min: Double?
        var max: Double?
    }

    func replace(req: Request) async throws -> Response {
        let member = try req.requireMember()
        try member.require(.manageRouting)
        let body = try await req.decodeJSON(ReplaceRequest.self)
        var checker = FieldChecker()
        guard let requested = body.rules else { throw ValidationFailure("rules", .required) }
        let rules = requested.enumerated().map { index, rule in Self.rule(rule, index: index, into: &checker) }
        try checker.throwIfAny()
        let saved = try await RoutingSetup(req.db, workspaceID: member.workspaceID).replaceRules(rules, by: member.actor, now: req.now)
        return try APIJSON.response(RoutingRuleListDTO(data: saved.map(RoutingRuleDTO.init)))
    }

    /// Reads one requested rule; what cannot be read is recorded under `rules[index].` and the
    /// rest is left to the rules' own check.
    static func rule(_ rule: RuleRequest, index: Int, into checker: inout FieldChecker) -> RoutingRule {
        let path = "rules[\(index)]."
        let id = rule.id.flatMap(UUID.init(uuidString:)) ?? UUID()
        if let text = rule.id, UUID(uuidString: text) == nil { checker.add(path + "id", .invalid) }
        var teamID = UUID()
        if let text = rule.teamId, let parsed = UUID(uuidString: text) {
            teamID = parsed
        } else {
            checker.add(path + "team_id", rule.teamId == nil ? .required : .notInList)
        }
        var conditions: [RoutingCondition] = []
        for (conditionIndex, condition) in (rule.conditions ?? []).enumerated() {
            let conditionPath = path + "conditions[\(conditionIndex)]."
            let fitCondition: FitCondition
            switch condition.op {
            case "equals": fitCondition = .equals(condition.value ?? "")
            case "one_of": fitCondition = .oneOf(condition.values ?? condition.value.map { [$0] } ?? [])
            case "contains": fitCondition = .contains(condition.values ?? condition.value.map { [$0] } ?? [])
            case "range": fitCondition = .range(min: condition.min, max: condition.max)
            case "is_set": fitCondition = .isSet
            case nil:
                checker.add(conditionPath + "op", .required)
                continue
            default:
                checker.add(conditionPath + "op", .notInList)
                continue
            }
            conditions.append(RoutingCondition(field: condition.field ?? "", condition: fitCondition))
        }
        return RoutingRule(id: id, name: rule.name ?? "", position: index, conditions: conditions, teamID: teamID)
    }
}

struct RoutingRuleDTO: Encodable {
    var id: UUID
    var name: String
    var position: Int
    var teamId: UUID
    var conditions: [RoutingCondition]

    init(_ rule: RoutingRule) {
        id = rule.id
        name = rule.name
        position = rule.position
        teamId = rule.teamID
        conditions = rule.conditions
    }
}

struct RoutingRuleListDTO: Encodable {
    var data: [RoutingRuleDTO]
}
