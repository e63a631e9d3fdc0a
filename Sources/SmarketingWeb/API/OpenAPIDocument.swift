import Foundation
import Vapor

/// A JSON value, for documents built in code.
indirect enum JSONValue: Encodable, Sendable {
    case string(String)
    case number(Int)
    case bool(Bool)
    case array([JSONValue])
    case object([(String, JSONValue)])

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .string(let value): var c = encoder.singleValueContainer(); try c.encode(value)
        case .number(let value): var c = encoder.singleValueContainer(); try c.encode(value)
        case .bool(let value): var c = encoder.singleValueContainer(); try c.encode(value)
        case .array(let values): var c = encoder.unkeyedContainer(); for value in values { try c.encode(value) }
        case .object(let pairs):
            var c = encoder.container(keyedBy: Key.self)
            for (key, value) in pairs { try c.encode(value, forKey: Key(key)) }
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`. A test checks
/// that every API route is described here and everything described here is routed.
enum OpenAPIDocument {
    struct Operation: Sendable {
        var method: String
        var path: String
        var summary: String
        var tag: String
        var request: String? = nil
        var response: String?
        var status: Int = 200
        var paginated: Bool = false
        var list: Bool = false
        var authenticated: Bool = true
        var csv: Bool = false
        var idempotent: Bool = false
        /// The list's search, filter and sort parameters, when it has them.
        var query: ListQuery? = nil
        /// Refusals beyond the usual ones: 409 (the lead definition's workflow does not allow it
        /// now: no draft, missing approvals) and 422 (a setting it needs is missing).
        var refusals: [Int] = []
    }

    enum ListQuery: Sendable {
        case contacts, companies, handoffs, tasks, deals
    }

    static let operations: [Operation] = [
        Operation(method: "get", path: "/api/v1/openapi.json", summary: "This document", tag: "Meta", response: nil, authenticated: false),
        Operation(method: "get", path: "/api/v1/me", summary: "The caller: user, roles, permissions and workspace", tag: "Account", response: "Me"),
        Operation(method: "patch", path: "/api/v1/me", summary: "Change the caller's name or language", tag: "Account", request: "UpdateMe", response: "Me"),
        Operation(method: "get", path: "/api/v1/workspace", summary: "The workspace's settings", tag: "Account", response: "Workspace"),
        Operation(method: "patch", path: "/api/v1/workspace", summary: "Change the workspace's settings (admin)", tag: "Account", request: "UpdateWorkspace", response: "Workspace"),
        Operation(method: "get", path: "/api/v1/tokens", summary: "The caller's API tokens (never their secrets)", tag: "Account", response: "APIToken", list: true),
        Operation(method: "post", path: "/api/v1/tokens", summary: "Create an API token; the secret is in this answer only", tag: "Account", request: "CreateToken", response: "APIToken", status: 201),
        Operation(method: "delete", path: "/api/v1/tokens/{tokenID}", summary: "Revoke one of the caller's tokens", tag: "Account", response: "APIToken"),
        Operation(method: "get", path: "/api/v1/users", summary: "Users of the workspace", tag: "People", response: "User", list: true),
        Operation(method: "get", path: "/api/v1/users/{userID}", summary: "One user", tag: "People", response: "User"),
        Operation(method: "patch", path: "/api/v1/users/{userID}", summary: "Change a user's name, roles, teams or status (admin)", tag: "People", request: "UpdateUser", response: "User"),
        Operation(method: "get", path: "/api/v1/teams", summary: "Teams and their members", tag: "People", response: "Team", list: true),
        Operation(method: "post", path: "/api/v1/teams", summary: "Create a team (admin)", tag: "People", request: "TeamInput", response: "Team", status: 201),
        Operation(method: "get", path: "/api/v1/teams/{teamID}", summary: "One team", tag: "People", response: "Team"),
        Operation(method: "patch", path: "/api/v1/teams/{teamID}", summary: "Rename a team or replace its members (admin)", tag: "People", request: "TeamInput", response: "Team"),
        Operation(method: "delete", path: "/api/v1/teams/{teamID}", summary: "Delete a team; its users stay (admin)", tag: "People", response: nil, status: 204),
        Operation(method: "get", path: "/api/v1/invitations", summary: "Invitations, newest first (admin)", tag: "People", response: "Invitation", list: true),
        Operation(method: "post", path: "/api/v1/invitations", summary: "Invite someone; the link is in this answer only (admin)", tag: "People", request: "CreateInvitation", response: "Invitation", status: 201),
        Operation(method: "delete", path: "/api/v1/invitations/{invitationID}", summary: "Revoke a pending invitation (admin)", tag: "People", response: "Invitation"),
        Operation(method: "get", path: "/api/v1/audit-log", summary: "Who changed what, newest first (admin)", tag: "People", response: "AuditEntry", paginated: true, list: true),
        Operation(method: "get", path: "/api/v1/contacts", summary: "Contacts: search (q), filters (f=field:op:value, stage, owner), sort, cursor pages",
                  tag: "Contacts", response: "Contact", paginated: true, list: true, query: .contacts),
        Operation(method: "post", path: "/api/v1/contacts",
                  summary: "Create a contact; an existing email updates that contact instead (outcome says which). Honours Idempotency-Key",
                  tag: "Contacts", request: "ContactFields", response: "Contact", status: 201, idempotent: true),
        Operation(method: "post", path: "/api/v1/contacts/bulk", summary: "Assign an owner, add to a list or delete, by ids or by a list query",
                  tag: "Contacts", request: "BulkAction", response: "BulkResult"),
        Operation(method: "get", path: "/api/v1/contacts/export.csv", summary: "The filtered list as CSV, streamed, with the importer's columns",
                  tag: "Contacts", response: nil, csv: true, query: .contacts),
        Operation(method: "get", path: "/api/v1/contacts/{contactID}", summary: "One contact", tag: "Contacts", response: "Contact"),
        Operation(method: "patch", path: "/api/v1/contacts/{contactID}", summary: "Change some fields of a contact (others stay)",
                  tag: "Contacts", request: "ContactFields", response: "Contact"),
        Operation(method: "delete", path: "/api/v1/contacts/{contactID}", summary: "Delete a contact", tag: "Contacts", response: nil, status: 204),
        Operation(method: "post", path: "/api/v1/contacts/{contactID}/merge", summary: "Merge another contact into this one, keeping all history",
                  tag: "Contacts", request: "Merge", response: "Contact"),
        Operation(method: "get", path: "/api/v1/contacts/{contactID}/timeline",
                  summary: "Every change of a contact and every event it did (page views, emails, forms), newest first",
                  tag: "Contacts", response: "TimelineEntry", paginated: true, list: true),
        Operation(method: "get", path: "/api/v1/contacts/{contactID}/activities", summary: "A contact's calls, emails, meetings and notes, newest first",
                  tag: "Sales", response: "Activity", paginated: true, list: true),
        Operation(method: "post", path: "/api/v1/contacts/{contactID}/activities",
                  summary: "Log a call, email, meeting or note with its outcome and next step (the rep who works the lead, or their sales manager). Honours Idempotency-Key",
                  tag: "Sales", request: "ActivityInput", response: "Activity", status: 201, idempotent: true),
        Operation(method: "get", path: "/api/v1/tasks", summary: "Tasks the caller may see (own; a sales manager's team's), soonest due first",
                  tag: "Sales", response: "Task", paginated: true, list: true, query: .tasks),
        Operation(method: "post", path: "/api/v1/tasks", summary: "Create a task with a due time and a reminder, on a contact or not. Honours Idempotency-Key",
                  tag: "Sales", request: "TaskInput", response: "Task", status: 201, idempotent: true),
        Operation(method: "patch", path: "/api/v1/tasks/{taskID}", summary: "Change a task, or mark it done (done: true) or not done",
                  tag: "Sales", request: "TaskUpdate", response: "Task"),
        Operation(method: "get", path: "/api/v1/deals", summary: "Deals the caller may see (a rep's own, a sales manager's team's, everyone's for others), newest first",
                  tag: "Sales", response: "Deal", paginated: true, list: true, query: .deals),
        Operation(method: "post", path: "/api/v1/deals",
                  summary: "Open a deal on a contact; the contact becomes an opportunity, or a customer when the deal is won. Honours Idempotency-Key",
                  tag: "Sales", request: "DealInput", response: "Deal", status: 201, idempotent: true),
        Operation(method: "get", path: "/api/v1/deals/{dealID}", summary: "One deal", tag: "Sales", response: "Deal"),
        Operation(method: "patch", path: "/api/v1/deals/{dealID}",
                  summary: "Change some fields of a deal; stage won or lost closes it (lost needs lost_reason)", tag: "Sales", request: "DealUpdate", response: "Deal"),
        Operation(method: "get", path: "/api/v1/custom-fields", summary: "The workspace's custom fields", tag: "Contacts", response: "CustomField", list: true),
        Operation(method: "post", path: "/api/v1/custom-fields", summary: "Define a custom field (admin)", tag: "Contacts", request: "CustomFieldInput",
                  response: "CustomField", status: 201),
        Operation(method: "patch", path: "/api/v1/custom-fields/{fieldID}", summary: "Rename a custom field or change its options (admin)",
                  tag: "Contacts", request: "CustomFieldInput", response: "CustomField"),
        Operation(method: "delete", path: "/api/v1/custom-fields/{fieldID}", summary: "Delete a custom field and its values (admin)",
                  tag: "Contacts", response: nil, status: 204),
        Operation(method: "get", path: "/api/v1/companies", summary: "Companies: search (q, name and domain), filters (f=field:op:value), sort, cursor pages",
                  tag: "Companies", response: "Company", paginated: true, list: true, query: .companies),
        Operation(method: "post", path: "/api/v1/companies",
                  summary: "Create a company; an existing domain updates that company instead (outcome says which). Honours Idempotency-Key",
                  tag: "Companies", request: "CompanyFields", response: "Company", status: 201, idempotent: true),
        Operation(method: "get", path: "/api/v1/companies/export.csv", summary: "The filtered list as CSV, streamed",
                  tag: "Companies", response: nil, csv: true, query: .companies),
        Operation(method: "get", path: "/api/v1/companies/{companyID}", summary: "One company", tag: "Companies", response: "Company"),
        Operation(method: "patch", path: "/api/v1/companies/{companyID}", summary: "Change some fields of a company (others stay)",
                  tag: "Companies", request: "CompanyFields", response: "Company"),
        Operation(method: "delete", path: "/api/v1/companies/{companyID}", summary: "Delete a company; its contacts stay, without a company",
                  tag: "Companies", response: nil, status: 204),
        Operation(method: "get", path: "/api/v1/companies/{companyID}/timeline", summary: "Every change of a company, newest first",
                  tag: "Companies", response: "RecordChange", paginated: true, list: true),
        Operation(method: "get", path: "/api/v1/lead-definition", summary: "The active lead definition, the draft with its problems and approvals, every version",
                  tag: "Scoring", response: "LeadDefinitionOverview"),
        Operation(method: "put", path: "/api/v1/lead-definition/draft",
                  summary: "Replace the draft's rules (a draft is opened when there is none); a change clears its approvals",
                  tag: "Scoring", request: "LeadDefinition", response: "LeadDefinitionVersion", refusals: [409]),
        Operation(method: "post", path: "/api/v1/lead-definition/draft/approve",
                  summary: "Approve the draft's exact content (its digest) for marketing or sales (a manager of that team)",
                  tag: "Scoring", request: "Approval", response: "LeadDefinitionVersion", refusals: [409]),
        Operation(method: "post", path: "/api/v1/lead-definition/draft/activate",
                  summary: "Activate the approved draft; every contact is re-scored in the background (follow the run)",
                  tag: "Scoring", response: "ScoringRun", status: 202, refusals: [409, 422]),
        Operation(method: "post", path: "/api/v1/lead-definition/draft/what-if",
                  summary: "Compare the draft with the active definition over every contact, in the background",
                  tag: "Scoring", response: "ScoringRun", status: 202, refusals: [409]),
        Operation(method: "get", path: "/api/v1/lead-definition/quality",
                  summary: "AUC, lift by decile and top-half share of the active definition and the draft against the chosen outcome",
                  tag: "Scoring", response: "ScoreQualityReport"),
        Operation(method: "put", path: "/api/v1/lead-definition/outcome", summary: "Choose the outcome field score quality and the model use",
                  tag: "Scoring", request: "Outcome", response: "ScoreQualityReport"),
        Operation(method: "post", path: "/api/v1/lead-definition/suggestion",
                  summary: "Train a predictive model on the outcome and suggest fit rules, in the background",
                  tag: "Scoring", response: "ScoringRun", status: 202, refusals: [422]),
        Operation(method: "get", path: "/api/v1/scoring-runs/{runID}", summary: "A background scoring run: progress, what-if report or suggestion",
                  tag: "Scoring", response: "ScoringRun"),
        Operation(method: "get", path: "/api/v1/contacts/{contactID}/score", summary: "A contact's score now and every ledger line that explains it",
                  tag: "Scoring", response: "ContactScore"),
        Operation(method: "post", path: "/api/v1/contacts/{contactID}/qualify",
                  summary: "Mark a lead SQL with the answers to the active lead definition's SQL criteria (the rep who works it, or their sales manager)",
                  tag: "Scoring", request: "Qualify", response: "SQLQualification"),
        Operation(method: "get", path: "/api/v1/contacts/{contactID}/qualifications", summary: "A contact's sales qualifications, newest first",
                  tag: "Scoring", response: "SQLQualification", list: true),
        Operation(method: "get", path: "/api/v1/routing/rules", summary: "The routing rules in the order they are tried (sales managers and admins)",
                  tag: "Routing", response: "RoutingRule", list: true),
        Operation(method: "put", path: "/api/v1/routing/rules",
                  summary: "Replace every routing rule at once, in the order given; errors name rules[i].field (sales managers and admins)",
                  tag: "Routing", request: "RoutingRules", response: "RoutingRule", list: true),
        Operation(method: "get", path: "/api/v1/handoffs",
                  summary: "Leads handed to sales: pending (oldest first) or decided (newest first); a rep sees theirs, a sales manager their teams'",
                  tag: "Handoff", response: "Handoff", list: true, query: .handoffs),
        Operation(method: "post", path: "/api/v1/handoffs/{handoffID}/decision",
                  summary: "Accept a lead (it becomes SAL) or reject it with an agreed reason, recycling or disqualifying it (its rep or their sales manager)",
                  tag: "Handoff", request: "HandoffDecision", response: "Handoff", refusals: [409, 422]),
        Operation(method: "post", path: "/api/v1/contacts/{contactID}/stage",
                  summary: "Move a contact to another lifecycle stage; a move the lifecycle does not allow is refused with the allowed stages, disqualifying and recycling need a reason",
                  tag: "Handoff", request: "StageMove", response: "Contact", refusals: [422]),
        Operation(method: "post", path: "/api/v1/events",
                  summary: "Send up to 1,000 behaviour events (1 MB in all): each is stored once by its id and scored before the 202; refused events come back with their fields",
                  tag: "Events", request: "EventBatch", response: "EventBatchResult", status: 202),
        Operation(method: "post", path: "/api/v1/email-links",
                  summary: "Sign the links of one message to one contact: its open pixel, its unsubscribe link and a click link per page it links to (marketing roles)",
                  tag: "Events", request: "EmailLinksRequest", response: "EmailLinks", refusals: [422]),
    ]

    static func string(
        _ description: String? = nil, format: String? = nil, nullable: Bool = false, values: [String]? = nil,
        length: ClosedRange<Int>? = nil, pattern: String? = nil
    ) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", nullable ? .array([.string("string"), .string("null")]) : .string("string"))]
        if let format { pairs.append(("format", .string(format))) }
        if let length {
            pairs.append(("minLength", .number(length.lowerBound)))
            pairs.append(("maxLength", .number(length.upperBound)))
        }
        if let pattern { pairs.append(("pattern", .string(pattern))) }
        if let values { pairs.append(("enum", .array(values.map(JSONValue.string)))) }
        if let description { pairs.append(("description", .string(description))) }
        return .object(pairs)
    }

    static func object(_ properties: [(String, JSONValue)], required: [String]) -> JSONValue {
        .object([("type", .string("object")), ("properties", .object(properties)), ("required", .array(required.map(JSONValue.string)))])
    }

    static func array(_ items: JSONValue) -> JSONValue { .object([("type", .string("array")), ("items", items)]) }
    static func ref(_ name: String) -> JSONValue { .object([("$ref", .string("#/components/schemas/\(name)"))]) }
    static let uuid = string(format: "uuid")
    static let integer: JSONValue = .object([("type", .string("integer"))])
    static let number: JSONValue = .object([("type", .string("number"))])
    static let qualitySchema = object([("version", integer), ("contacts", integer), ("conversions", integer), ("auc", number),
                                       ("lift_by_decile", array(number)), ("top_half_share", number)],
                                      required: ["version", "contacts", "conversions", "lift_by_decile"])
    static let propertyCondition = object([("property", string()), ("op", string(values: ["equals", "one_of", "starts_with", "contains", "is_set"])),
                                           ("value", string()), ("values", array(string()))], required: ["property", "op"])
    /// A routing rule's condition: a contact field (`country`, `cf_territory`) or a company field (`company.employee_count`).
    static let routingCondition = object([("field", string()), ("op", string(values: ["equals", "one_of", "contains", "range", "is_set"])),
                                          ("value", string()), ("values", array(string())), ("min", number), ("max", number)],
                                         required: ["field", "op"])
    /// The shape of a lead definition (see `LeadDefinition`'s JSON in Core).
    static let leadDefinitionSchema = object([
        ("version", integer),
        ("fit_rules", array(object([("id", string()), ("field", string()), ("op", string(values: ["equals", "one_of", "contains", "range", "is_set"])),
                                    ("value", string()), ("values", array(string())), ("min", number), ("max", number), ("points", integer)],
                                   required: ["id", "field", "op", "points"]))),
        ("engagement_rules", array(object([("id", string()), ("event_type", string()), ("conditions", array(propertyCondition)), ("points", integer),
                                           ("cap", object([("points", integer), ("per", string(values: ["day", "week"]))], required: ["points", "per"]))],
                                          required: ["id", "event_type", "points"]))),
        ("frequency_rules", array(object([("id", string()), ("event_type", string()), ("conditions", array(propertyCondition)), ("count", integer),
                                          ("days", integer), ("points", integer)], required: ["id", "event_type", "count", "days", "points"]))),
        ("half_life_days", number),
        ("mql", .object([("type", .string("object")), ("description", .string("{\"thresholds\": {\"fit\", \"engagement\"}} or {\"grid\": {\"fit_grades\": {a, b, c}, \"engagement_levels\": {level_2, level_3, level_4}, \"cells\": [\"A4\"...]}}"))])),
        ("sql_criteria", array(object([("key", string()), ("label", string()), ("type", string(values: ["text", "number", "date", "choice", "multi_choice", "boolean"])),
                                       ("options", array(string())), ("required", .object([("type", .string("boolean"))]))], required: ["key", "label", "type"]))),
    ], required: ["version", "mql"])
    static let time = string(format: "date-time")
    static let dealFields: [(String, JSONValue)] = [
        ("name", string(length: 1...120, pattern: "\\S")),
        ("amount", .object([("description", .string("Decimal text (12500.50, 12.500,50) or a number, in major units")),
                            ("type", .array([.string("string"), .string("number")]))])),
        ("currency", string("ISO 4217 code; the workspace's when absent", pattern: "^[A-Za-z]{3}$")),
        ("stage", string(values: ["qualification", "proposal", "negotiation", "won", "lost"])),
        ("expected_close_date", string(format: "date")),
        ("lost_reason", string("Required when stage is lost", values: ["price", "competitor", "no_budget", "no_decision", "timing", "product_fit", "unresponsive", "other"])),
        ("lost_note", string(length: 0...500)), ("owner_id", uuid),
    ]
    static let roles = array(string(values: ["admin", "marketing", "marketing_manager", "sales", "sales_manager"]))
    static let inputRoles: JSONValue = .object([
        ("type", .string("array")), ("minItems", .number(1)),
        ("items", string(values: ["admin", "marketing", "marketing_manager", "sales", "sales_manager"])),
    ])

    static let schemas: [(String, JSONValue)] = [
        ("Error", object([("error", object([
            ("code", string("A stable machine-readable code, e.g. validation_failed, not_found, unauthorized")),
            ("message", string("What happened, in words a person can act on")),
            ("fields", array(object([("field", string()), ("code", string()), ("message", string())], required: ["field", "code", "message"]))),
        ], required: ["code", "message", "fields"]))], required: ["error"])),
        ("Workspace", object([("id", uuid), ("name", string()), ("time_zone", string("IANA time zone")), ("currency", string("ISO 4217 code")),
                              ("language", string(values: ["en", "pt-BR"])), ("created_at", time)],
                             required: ["id", "name", "time_zone", "currency", "language", "created_at"])),
        ("UpdateWorkspace", object([("name", string(length: 1...80, pattern: "\\S")), ("time_zone", string("IANA time zone, e.g. America/Sao_Paulo")),
                                    ("currency", string("ISO 4217 code", pattern: "^[A-Za-z]{3}$")), ("language", string(values: ["en", "pt-BR"]))], required: [])),
        ("Me", object([("id", uuid), ("email", string(format: "email")), ("name", string()), ("roles", roles),
                       ("language", string(nullable: true)), ("workspace", ref("Workspace")), ("permissions", array(string()))],
                      required: ["id", "email", "name", "roles", "workspace", "permissions"])),
        ("UpdateMe", object([("name", string(length: 1...100, pattern: "\\S")), ("language", string("en, pt-BR, or an empty string to follow the browser"))], required: [])),
        ("User", object([("id", uuid), ("email", string(format: "email")), ("name", string()), ("roles", roles), ("language", string(nullable: true)),
                         ("is_active", .object([("type", .string("boolean"))])), ("team_ids", array(uuid)), ("created_at", time)],
                        required: ["id", "email", "name", "roles", "is_active", "team_ids", "created_at"])),
        ("UpdateUser", object([("name", string(length: 1...100, pattern: "\\S")), ("roles", inputRoles), ("is_active", .object([("type", .string("boolean"))])), ("team_ids", array(uuid))], required: [])),
        ("Team", object([("id", uuid), ("name", string()), ("member_ids", array(uuid))], required: ["id", "name", "member_ids"])),
        ("TeamInput", object([("name", string(length: 1...60, pattern: "\\S")), ("member_ids", array(uuid))], required: [])),
        ("Invitation", object([("id", uuid), ("email", string(format: "email")), ("roles", roles), ("team_ids", array(uuid)),
                               ("state", string(values: ["pending", "accepted", "expired", "revoked"])), ("created_at", time), ("expires_at", time),
                               ("url", string("The invitation link; only in the answer to the create call"))],
                              required: ["id", "email", "roles", "team_ids", "state", "created_at", "expires_at"])),
        ("CreateInvitation", object([("email", string(format: "email", length: 3...254)), ("roles", inputRoles), ("team_ids", array(uuid))], required: ["email", "roles"])),
        ("APIToken", object([("id", uuid), ("name", string()), ("hint", string("The first characters of the secret")), ("created_at", time),
                             ("last_used_at", string(format: "date-time", nullable: true)), ("revoked_at", string(format: "date-time", nullable: true)),
                             ("token", string("The secret; only in the answer to the create call"))],
                            required: ["id", "name", "hint", "created_at"])),
        ("CreateToken", object([("name", string(length: 1...60, pattern: "\\S"))], required: ["name"])),
        ("AuditEntry", object([("id", uuid), ("at", time), ("actor_user_id", string(format: "uuid", nullable: true)), ("actor_name", string()),
                               ("channel", string(values: ["page", "api", "command", "system", "form"])), ("action", string()), ("entity_type", string()),
                               ("entity_id", string(format: "uuid", nullable: true)),
                               ("before", .object([("type", .string("object")), ("additionalProperties", string())])),
                               ("after", .object([("type", .string("object")), ("additionalProperties", string())]))],
                              required: ["id", "at", "actor_name", "channel", "action", "entity_type", "before", "after"])),
        ("Contact", object([("id", uuid), ("first_name", string()), ("last_name", string()), ("email", string(nullable: true)),
                            ("phone", string(nullable: true)), ("job_title", string(nullable: true)), ("seniority", string(nullable: true)),
                            ("country", string(nullable: true)), ("source", string(nullable: true)), ("company_id", string(format: "uuid", nullable: true)),
                            ("owner_id", string(format: "uuid", nullable: true)),
                            ("lifecycle_stage", string(values: ["subscriber", "lead", "mql", "sal", "sql", "opportunity", "customer", "disqualified", "recycled"])),
                            ("campaign", string(nullable: true)), ("last_source", string(nullable: true)), ("last_campaign", string(nullable: true)),
                            ("birth_date", string(nullable: true)), ("age", .object([("type", .array([.string("integer"), .string("null")]))])),
                            ("custom", .object([("type", .string("object")), ("additionalProperties", string())])),
                            ("outcome", string("Only in the answer to a create", values: ["created", "updated"])),
                            ("created_at", time), ("updated_at", time)],
                           required: ["id", "first_name", "last_name", "lifecycle_stage", "created_at", "updated_at"])),
        ("ContactFields", .object([
            ("type", .string("object")),
            ("description", .string("Contact fields by name: first_name, last_name, email, phone, job_title, seniority, birth_date, age, country, source, campaign, last_source, last_campaign, company, company_domain, owner_email, lifecycle_stage, and cf_<key> for custom fields. Values are strings, numbers, booleans or null.")),
            ("additionalProperties", .object([("type", .array([.string("string"), .string("number"), .string("boolean"), .string("null")]))])),
        ])),
        ("BulkAction", object([("action", string(values: ["assign_owner", "add_to_list", "delete"])), ("ids", array(uuid)),
                               ("query", string("A list query string, e.g. stage=mql&f=country:eq:BR, instead of ids")),
                               ("owner_id", string("A user id, or none")), ("list", string(length: 1...80))], required: ["action"])),
        ("BulkResult", object([("action", string()), ("affected", .object([("type", .string("integer"))]))], required: ["action", "affected"])),
        ("Merge", object([("other_id", uuid)], required: ["other_id"])),
        ("EventBatch", object([("events", .object([("type", .string("array")), ("items", ref("EventInput")), ("minItems", .number(1)),
                                                   ("maxItems", .number(1000))]))], required: ["events"])),
        ("EventInput", object([("id", string("The sender's id: a second event with it is a replay, stored once", length: 1...200)),
                               ("type", string("page_view, form_submitted, email_opened, email_clicked, or a type a lead definition rule names",
                                               length: 1...64, pattern: "^[a-z][a-z0-9_.:-]*$")),
                               ("occurred_at", string("ISO 8601 with a zone; at most 5 minutes ahead; none means now", format: "date-time")),
                               ("contact_id", uuid), ("email", string("A contact of the workspace by email", format: "email")),
                               ("anonymous_id", string("A visitor; sent with contact_id or email, it identifies the visitor as that contact", length: 1...128)),
                               ("properties", .object([("type", .string("object")), ("maxProperties", .number(50)),
                                                       ("description", .string("Flat values (8 KB in all); numbers and booleans are kept as text")),
                                                       ("additionalProperties", .object([("type", .array([.string("string"), .string("number"), .string("boolean")]))]))]))],
                              required: ["id", "type"])),
        ("EventBatchResult", object([("accepted", integer), ("duplicates", integer),
                                     ("rejected", array(object([("index", integer), ("id", string(nullable: true)),
                                                                ("fields", array(object([("field", string()), ("code", string()), ("message", string())],
                                                                                        required: ["field", "code", "message"])))],
                                                               required: ["index", "fields"])))],
                                    required: ["accepted", "duplicates", "rejected"])),
        ("EmailLinksRequest", object([("contact_id", uuid), ("message_id", string("The sender's id for the message, kept on each event", length: 1...64)),
                                      ("urls", .object([("type", .string("array")), ("maxItems", .number(100)),
                                                        ("items", string("An http or https address", format: "uri", length: 1...2000))]))],
                                     required: ["contact_id", "message_id"])),
        ("EmailLinks", object([("open_url", string(format: "uri")), ("unsubscribe_url", string(format: "uri")),
                               ("click_urls", array(string(format: "uri")))], required: ["open_url", "unsubscribe_url", "click_urls"])),
        ("Handoff", object([("id", uuid), ("contact_id", uuid), ("contact_name", string()), ("email", string(nullable: true)),
                            ("company_name", string(nullable: true)), ("stage", string()),
                            ("status", string(values: ["pending", "accepted", "rejected", "closed"])), ("mql_at", time),
                            ("cause", string("Why the lead qualified")), ("source", string(nullable: true)), ("campaign", string(nullable: true)),
                            ("owner_id", string(format: "uuid", nullable: true)),
                            ("fit", .object([("type", .array([.string("integer"), .string("null")]))])),
                            ("engagement", .object([("type", .array([.string("number"), .string("null")]))])),
                            ("rules", array(object([("rule_id", string()), ("points", integer)], required: ["rule_id", "points"]))),
                            ("decided_at", string(format: "date-time", nullable: true)), ("decided_by", string(nullable: true)),
                            ("reason", string(nullable: true)), ("note", string(nullable: true)), ("outcome", string(nullable: true))],
                           required: ["id", "contact_id", "contact_name", "stage", "status", "mql_at", "cause", "rules"])),
        ("HandoffDecision", object([("decision", string(values: ["accept", "reject"])),
                                    ("reason", string("A rejection reason's key (see the reasons page); required to reject", length: 0...100)),
                                    ("then", string("After a rejection: recycled (the default) or disqualified", values: ["recycled", "disqualified"])),
                                    ("note", string(length: 0...1000))], required: ["decision"])),
        ("StageMove", object([("stage", string(values: ["subscriber", "lead", "mql", "sal", "sql", "opportunity", "customer", "disqualified", "recycled"])),
                              ("reason", string("Needed to disqualify or recycle", length: 0...500))], required: ["stage"])),
        ("Qualify", object([("answers", .object([("type", .string("object")), ("description", .string("Answers by SQL criterion key")),
                                                  ("additionalProperties", string(length: 0...1000))]))], required: [])),
        ("SQLQualification", object([("contact_id", uuid), ("definition_version", .object([("type", .string("integer"))])),
                                     ("answers", array(object([("key", string()), ("label", string()), ("value", string())], required: ["key", "label", "value"]))),
                                     ("actor_name", string()), ("at", time)],
                                    required: ["contact_id", "definition_version", "answers", "actor_name", "at"])),
        ("RoutingRule", object([("id", uuid), ("name", string(length: 1...80)), ("position", integer), ("team_id", uuid),
                                ("conditions", array(routingCondition))], required: ["id", "name", "position", "team_id", "conditions"])),
        ("RoutingRules", object([("rules", .object([("type", .string("array")), ("maxItems", .number(200)),
                                                     ("items", object([("id", string("Keeps the rule's id when it is one of the workspace's rules", format: "uuid")),
                                                                       ("name", string(length: 1...80)), ("team_id", uuid),
                                                                       ("conditions", .object([("type", .string("array")), ("maxItems", .number(20)),
                                                                                               ("items", routingCondition)]))],
                                                                      required: ["name", "team_id"]))]))],
                                 required: ["rules"])),
        ("RecordChange", object([("id", uuid), ("at", time), ("kind", string(values: ["created", "updated", "merged", "deleted", "added_to_list"])),
                                 ("actor_name", string()), ("channel", string()),
                                 ("before", .object([("type", .string("object")), ("additionalProperties", string())])),
                                 ("after", .object([("type", .string("object")), ("additionalProperties", string())]))],
                                required: ["id", "at", "kind", "actor_name", "channel", "before", "after"])),
        ("TimelineEntry", object([("id", uuid), ("at", time),
                                  ("kind", string("A change of the contact, `event` for something it did, `activity` for a rep's call, email, meeting or note, or a change of one of its tasks or deals",
                                                  values: ["created", "updated", "merged", "deleted", "added_to_list", "event", "activity",
                                                           "task_created", "task_updated", "task_completed", "task_reopened",
                                                           "deal_created", "deal_updated", "deal_won", "deal_lost"])),
                                  ("activity_kind", string("Activities only", values: ["call", "email", "meeting", "note"])),
                                  ("outcome", string("Activities only", nullable: true)), ("notes", string(nullable: true)), ("next_step", string(nullable: true)),
                                  ("duration_minutes", .object([("type", .array([.string("integer"), .string("null")]))])),
                                  ("subject_id", string("The task's or deal's id", format: "uuid")), ("title", string("The task's title or the deal's name")),
                                  ("actor_name", string()), ("channel", string()),
                                  ("before", .object([("type", .string("object")), ("additionalProperties", string())])),
                                  ("after", .object([("type", .string("object")), ("additionalProperties", string())])),
                                  ("event_id", string("The event's id (events only)")), ("event_type", string("Events only")),
                                  ("properties", .object([("type", .string("object")), ("additionalProperties", string())]))],
                                 required: ["id", "at", "kind"])),
        ("Activity", object([("id", uuid), ("contact_id", uuid), ("kind", string(values: ["call", "email", "meeting", "note"])),
                             ("outcome", string(nullable: true, values: ["connected", "left_voicemail", "no_answer", "wrong_number", "sent", "replied", "bounced",
                                                                         "booked", "held", "no_show", "rescheduled", "canceled"])),
                             ("notes", string(nullable: true)), ("next_step", string(nullable: true)), ("occurred_at", time),
                             ("duration_minutes", .object([("type", .array([.string("integer"), .string("null")]))])),
                             ("actor_name", string()), ("logged_at", time)],
                            required: ["id", "contact_id", "kind", "occurred_at", "actor_name", "logged_at"])),
        ("ActivityInput", object([("kind", string(values: ["call", "email", "meeting", "note"])),
                                  ("outcome", string("call: connected, left_voicemail, no_answer, wrong_number; email: sent, replied, bounced; meeting: booked, held, no_show, rescheduled, canceled; none for a note")),
                                  ("notes", string("Required for a note", length: 0...5000)), ("next_step", string(length: 0...300)),
                                  ("occurred_at", string("ISO 8601; at most a day ahead; none means now", format: "date-time")),
                                  ("duration_minutes", .object([("type", .string("integer")), ("minimum", .number(0)), ("maximum", .number(1440))]))],
                                 required: ["kind"])),
        ("Task", object([("id", uuid), ("contact_id", string(format: "uuid", nullable: true)), ("title", string()), ("notes", string(nullable: true)),
                         ("due_at", time), ("reminder", string(values: ["none", "at_due", "15m", "1h", "1d"])),
                         ("remind_at", string(format: "date-time", nullable: true)), ("assignee_id", uuid), ("done", .object([("type", .string("boolean"))])),
                         ("completed_at", string(format: "date-time", nullable: true)), ("created_at", time)],
                        required: ["id", "title", "due_at", "reminder", "assignee_id", "done", "created_at"])),
        ("TaskInput", object([("title", string(length: 1...200, pattern: "\\S")), ("due_at", string("ISO 8601", format: "date-time")),
                              ("reminder", string(values: ["none", "at_due", "15m", "1h", "1d"])), ("assignee_id", uuid), ("contact_id", uuid),
                              ("notes", string(length: 0...2000))], required: ["title", "due_at"])),
        ("TaskUpdate", object([("title", string(length: 1...200, pattern: "\\S")), ("due_at", string("ISO 8601", format: "date-time")),
                               ("reminder", string(values: ["none", "at_due", "15m", "1h", "1d"])), ("assignee_id", uuid),
                               ("notes", string(length: 0...2000)), ("done", .object([("type", .string("boolean"))]))], required: [])),
        ("Deal", object([("id", uuid), ("contact_id", uuid), ("name", string()), ("amount_minor", .object([("type", .string("integer"))])),
                         ("amount", string("Decimal text, e.g. 12500.50")), ("currency", string("ISO 4217 code")),
                         ("stage", string(values: ["qualification", "proposal", "negotiation", "won", "lost"])), ("is_open", .object([("type", .string("boolean"))])),
                         ("expected_close_date", string(format: "date")), ("lost_reason", string(nullable: true)), ("lost_note", string(nullable: true)),
                         ("owner_id", string(format: "uuid", nullable: true)), ("closed_at", string(format: "date-time", nullable: true)),
                         ("closed_by", string(nullable: true)), ("created_at", time), ("updated_at", time)],
                        required: ["id", "contact_id", "name", "amount_minor", "amount", "currency", "stage", "is_open", "expected_close_date", "created_at", "updated_at"])),
        ("DealInput", object(dealFields + [("contact_id", uuid)], required: ["contact_id", "name", "amount", "expected_close_date"])),
        ("DealUpdate", object(dealFields, required: [])),
        ("CustomField", object([("id", uuid), ("entity", string(values: ["contact", "company"])), ("key", string()), ("label", string()),
                                ("type", string(values: ["text", "number", "date", "choice", "multi_choice", "boolean"])), ("options", array(string()))],
                               required: ["id", "entity", "key", "label", "type", "options"])),
        ("CustomFieldInput", object([("entity", string(values: ["contact", "company"])), ("key", string(length: 1...40, pattern: "^[a-z][a-z0-9_]*$")),
                                     ("label", string(length: 1...60, pattern: "\\S")),
                                     ("type", string(values: ["text", "number", "date", "choice", "multi_choice", "boolean"])),
                                     ("options", array(string(length: 1...100)))], required: [])),
        ("Company", object([("id", uuid), ("name", string()), ("domain", string(nullable: true)),
                            ("employee_count", .object([("type", .array([.string("integer"), .string("null")]))])),
                            ("industry", string(nullable: true)), ("revenue_band", string(nullable: true)), ("country", string(nullable: true)),
                            ("custom", .object([("type", .string("object")), ("additionalProperties", string())])),
                            ("outcome", string("Only in the answer to a create", values: ["created", "updated"])),
                            ("created_at", time), ("updated_at", time)],
                           required: ["id", "name", "custom", "created_at", "updated_at"])),
        ("LeadDefinition", leadDefinitionSchema),
        ("LeadDefinitionVersion", object([("version", integer), ("status", string(values: ["draft", "approved_by_marketing", "approved_by_sales", "approved", "active", "retired"])),
                                          ("digest", string()), ("definition", leadDefinitionSchema),
                                          ("approvals", array(object([("side", string(values: ["marketing", "sales"])), ("user_id", uuid), ("digest", string()), ("at", time)],
                                                                     required: ["side", "user_id", "digest", "at"]))),
                                          ("activated_at", time),
                                          ("problems", array(object([("path", string()), ("code", string()), ("message", string())], required: ["path", "code", "message"])))],
                                         required: ["version", "status", "digest", "definition", "approvals"])),
        ("LeadDefinitionOverview", object([("active", ref("LeadDefinitionVersion")), ("draft", ref("LeadDefinitionVersion")),
                                           ("versions", array(object([("version", integer), ("status", string()), ("updated_at", time)], required: ["version", "status", "updated_at"])))],
                                          required: ["versions"])),
        ("Approval", object([("side", string(values: ["marketing", "sales"])), ("digest", string(length: 1...64))], required: ["side", "digest"])),
        ("ScoringRun", object([("id", uuid), ("kind", string(values: ["activation", "what_if", "suggestion"])), ("version", integer),
                               ("status", string(values: ["running", "completed", "interrupted"])), ("total", integer), ("processed", integer),
                               ("message", string()), ("started_at", time), ("finished_at", time),
                               ("what_if", object([("contacts", integer), ("entering", integer), ("leaving", integer), ("histogram_before", array(integer)),
                                                   ("histogram_after", array(integer)), ("changes", array(.object([("type", .string("object"))])))],
                                                  required: ["contacts", "entering", "leaving", "histogram_before", "histogram_after", "changes"])),
                               ("suggestion", object([("rows", integer), ("conversions", integer), ("fold_aucs", array(number)), ("mean_auc", number),
                                                      ("rules", array(.object([("type", .string("object"))])))], required: ["rows", "conversions", "fold_aucs", "mean_auc", "rules"]))],
                              required: ["id", "kind", "version", "status", "total", "processed", "started_at"])),
        ("ScoreQualityReport", object([("outcome_field", string()), ("outcome_values", array(string())), ("excluded_fields", array(string())),
                                       ("active", qualitySchema), ("draft", qualitySchema)], required: ["outcome_values", "excluded_fields"])),
        ("Outcome", object([("field", string("A contact custom field key, or empty for none", nullable: true)), ("values", array(string(length: 1...100))),
                            ("excluded_fields", array(string(length: 1...100)))], required: [])),
        ("ContactScore", object([("version", integer), ("fit", integer), ("engagement", number), ("total", number), ("is_mql", .object([("type", .string("boolean"))])),
                                 ("cell", string()), ("ledger_total", number),
                                 ("ledger", array(object([("rule_id", string()), ("kind", string(values: ["fit", "engagement", "frequency"])), ("points", integer),
                                                          ("requested_points", integer), ("time", time), ("definition_version", integer),
                                                          ("cause", .object([("type", .string("object"))]))],
                                                         required: ["rule_id", "kind", "points", "time", "definition_version", "cause"])))],
                                required: ["version", "fit", "engagement", "total", "is_mql", "ledger_total", "ledger"])),
        ("CompanyFields", .object([
            ("type", .string("object")),
            ("description", .string("Company fields by name: name (required on create), domain, employee_count, industry, revenue_band, country, and cf_<key> for custom fields. Values are strings, numbers, booleans or null.")),
            ("additionalProperties", .object([("type", .array([.string("string"), .string("number"), .string("boolean"), .string("null")]))])),
        ])),
    ]

    static func errorResponse(_ description: String) -> JSONValue {
        .object([("description", .string(description)), ("content", .object([("application/json", .object([("schema", ref("Error"))]))]))])
    }

    static func operationObject(_ operation: Operation) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("summary", .string(operation.summary)),
            ("operationId", .string(operation.method + operation.path.replacingOccurrences(of: "/api/v1", with: "")
                .split(whereSeparator: { "/{}-.".contains($0) }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined())),
            ("tags", .array([.string(operation.tag)])),
        ]
        var parameters: [JSONValue] = operation.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { piece in
            .object([("name", .string(String(piece.dropFirst().dropLast()))), ("in", .string("path")), ("required", .bool(true)), ("schema", uuid)])
        }
        if operation.paginated {
            parameters.append(.object([("name", .string("limit")), ("in", .string("query")), ("required", .bool(false)),
                                       ("schema", .object([("type", .string("integer")), ("minimum", .number(1)), ("maximum", .number(200)), ("default", .number(50))]))]))
            parameters.append(.object([("name", .string("after")), ("in", .string("query")), ("required", .bool(false)),
                                       ("description", .string("The next_cursor of the previous page")),
                                       ("schema", [ListQuery.contacts, .companies].contains(where: { $0 == operation.query })
                                           ? string(pattern: "^[A-Za-z0-9_-]{1,2000}$") : string(pattern: "^[0-9]{1,15}_[0-9a-f-]{36}$"))]))
        }
        if let query = operation.query {
            let filter = ("f", "A filter field:op:value (op: eq, ne, in, contains, starts, set, unset, gte, lte, between); repeatable")
            let names: [(String, String)] = switch query {
            case .contacts: [("q", "Words looked up in name, email and company"), filter, ("stage", "A lifecycle stage; repeatable"),
                             ("owner", "A user id, or none"), ("sort", "newest, oldest, name, name_desc or updated")]
            case .companies: [("q", "Words looked up in name and domain"), filter, ("sort", "newest, oldest, name or name_desc")]
            case .handoffs: [("status", "pending (the default) or decided"), ("limit", "How many, 1 to 200 (50 by default)")]
            case .tasks: [("status", "open (default) or done"), ("assignee_id", "Only this assignee's tasks (a user id)")]
            case .deals: [("status", "open, won, lost or all (default)"), ("stage", "qualification, proposal, negotiation, won or lost"),
                          ("owner_id", "Only this owner's deals (a user id)"), ("contact_id", "Only this contact's deals")]
            }
            for (name, description) in names {
                parameters.append(.object([("name", .string(name)), ("in", .string("query")), ("required", .bool(false)),
                                           ("description", .string(description)), ("schema", string())]))
            }
        }
        if operation.idempotent {
            parameters.append(.object([("name", .string("Idempotency-Key")), ("in", .string("header")), ("required", .bool(false)),
                                       ("description", .string("Retrying with the same key and body returns the first answer; another body with it is refused")),
                                       ("schema", string(length: 1...200))]))
        }
        if !parameters.isEmpty { pairs.append(("parameters", .array(parameters))) }
        if let request = operation.request {
            pairs.append(("requestBody", .object([("required", .bool(true)),
                                                  ("content", .object([("application/json", .object([("schema", ref(request))]))]))])))
        }
        var responses: [(String, JSONValue)] = []
        if let response = operation.response {
            let schema = operation.list
                ? object([("data", array(ref(response))), ("next_cursor", string("Absent on the last page", nullable: true))], required: ["data"])
                : ref(response)
            responses.append((String(operation.status), .object([("description", .string("OK")),
                                                                  ("content", .object([("application/json", .object([("schema", schema)]))]))])))
        } else if operation.csv {
            responses.append((String(operation.status), .object([("description", .string("CSV")),
                                                                  ("content", .object([("text/csv", .object([("schema", string())]))]))])))
        } else {
            responses.append((String(operation.status), .object([("description", .string(operation.status == 204 ? "Done" : "OK"))])))
        }
        if operation.idempotent {
            responses.append(("200", .object([("description", .string("A record with that email or domain existed and was updated (outcome: updated)")),
                                              ("content", .object([("application/json", .object([("schema", ref(operation.response ?? "Contact"))]))]))])))
        }
        if operation.authenticated {
            responses.append(("401", errorResponse("Missing, unknown or revoked token")))
            responses.append(("403", errorResponse("The caller's roles do not allow this")))
        }
        if operation.path.contains("{") { responses.append(("404", errorResponse("No such resource in the caller's workspace"))) }
        if operation.request != nil {
            responses.append(("400", errorResponse("Malformed or empty body; error.fields names a field of the wrong type")))
            responses.append(("413", errorResponse("Body larger than 1 MB")))
            responses.append(("415", errorResponse("Body not sent as application/json")))
            responses.append(("409", errorResponse(operation.refusals.contains(409)
                ? "Not possible now (no draft, missing approvals, content changed since it was reviewed), or a concurrent change"
                : "Another request took the same unique value at the same moment")))
        }
        if operation.refusals.contains(409), operation.request == nil {
            responses.append(("409", errorResponse("Not possible now: no draft, missing approvals, or content changed since it was reviewed")))
        }
        if operation.request != nil || operation.paginated || operation.query != nil || operation.refusals.contains(422) {
            responses.append(("422", errorResponse("Invalid fields, each named in error.fields")))
        }
        pairs.append(("responses", .object(responses)))
        if !operation.authenticated { pairs.append(("security", .array([]))) }
        return .object(pairs)
    }

    static var document: JSONValue {
        var paths: [(String, [(String, JSONValue)])] = []
        for operation in operations {
            if let index = paths.firstIndex(where: { $0.0 == operation.path }) {
                paths[index].1.append((operation.method, operationObject(operation)))
            } else {
                paths.append((operation.path, [(operation.method, operationObject(operation))]))
            }
        }
        return .object([
            ("openapi", .string("3.1.0")),
            ("info", .object([("title", .string("Smarketing API")), ("version", .string("1")),
                              ("description", .string("The REST API of Smarketing. Authenticate with a personal token: Authorization: Bearer smk_…. Errors have one shape: {\"error\": {\"code\", \"message\", \"fields\"}}."))])),
            ("servers", .array([.object([("url", .string("/"))])])),
            ("security", .array([.object([("bearer", .array([]))])])),
            ("paths", .object(paths.map { ($0.0, .object($0.1)) })),
            ("components", .object([
                ("securitySchemes", .object([("bearer", .object([("type", .string("http")), ("scheme", .string("bearer"))]))])),
                ("schemas", .object(schemas)),
            ])),
        ])
    }

    static func response() throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let response = Response(status: .ok, body: .init(data: try encoder.encode(document)))
        response.headers.replaceOrAdd(name: .contentType, value: "application/json")
        return response
    }
}
