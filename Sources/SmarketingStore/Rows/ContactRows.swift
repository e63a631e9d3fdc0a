import FluentKit
import Foundation
import SmarketingCore

final class CompanyRow: Model, @unchecked Sendable {
    static let schema = "companies"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "name") var name: String
    @OptionalField(key: "domain") var domain: String?
    @OptionalField(key: "employee_count") var employeeCount: Int?
    @OptionalField(key: "industry") var industry: String?
    @OptionalField(key: "revenue_band") var revenueBand: String?
    @OptionalField(key: "country") var country: String?
    /// The lower-cased name, the key companies are found by when a contact names no domain.
    @OptionalField(key: "search_text") var searchText: String?
    /// The words of the name and domain that the company list's search matches (``SearchText``).
    @OptionalField(key: "search_words") var searchWords: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// Sets the lookup key and the search words from the name and domain.
    func refreshSearchKeys() {
        searchText = name.lowercased()
        searchWords = SearchText.document([name, domain])
    }

    var value: Company {
        Company(
            id: id ?? UUID(), workspaceID: workspaceID, name: name, domain: domain, employeeCount: employeeCount,
            industry: industry, revenueBand: revenueBand, country: country, createdAt: createdAt, updatedAt: updatedAt
        )
    }
}

final class ContactRow: Model, @unchecked Sendable {
    static let schema = "contacts"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "first_name") var firstName: String
    @Field(key: "last_name") var lastName: String
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "job_title") var jobTitle: String?
    @OptionalField(key: "seniority") var seniority: String?
    @OptionalField(key: "country") var country: String?
    @OptionalField(key: "source") var source: String?
    @OptionalField(key: "campaign") var campaign: String?
    @OptionalField(key: "last_source") var lastSource: String?
    @OptionalField(key: "last_campaign") var lastCampaign: String?
    @OptionalField(key: "birth_date") var birthDate: String?
    @OptionalField(key: "age") var age: Int?
    @OptionalField(key: "search_text") var searchText: String?
    @OptionalField(key: "company_id") var companyID: UUID?
    @OptionalField(key: "owner_id") var ownerID: UUID?
    @Field(key: "lifecycle_stage") var lifecycleStage: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var value: Contact {
        Contact(
            id: id ?? UUID(), workspaceID: workspaceID, firstName: firstName, lastName: lastName,
            email: email.flatMap(EmailAddress.init), phone: phone, jobTitle: jobTitle, seniority: seniority,
            country: country, source: source, campaign: campaign, lastSource: lastSource, lastCampaign: lastCampaign,
            birthDate: birthDate, age: age, companyID: companyID, ownerID: ownerID,
            stage: LifecycleStage(rawValue: lifecycleStage) ?? .lead, createdAt: createdAt, updatedAt: updatedAt
        )
    }
}

final class CustomFieldDefinitionRow: Model, @unchecked Sendable {
    static let schema = "custom_field_definitions"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "entity") var entity: String
    @Field(key: "key") var key: String
    @Field(key: "label") var label: String
    @Field(key: "type") var type: String
    @Field(key: "options") var options: String
    @Field(key: "position") var position: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var value: CustomFieldDefinition {
        CustomFieldDefinition(
            id: id ?? UUID(), entity: CustomFieldEntity(rawValue: entity) ?? .contact, key: key, label: label,
            type: CustomFieldType(rawValue: type) ?? .text,
            options: (try? JSONDecoder().decode([String].self, from: Data(options.utf8))) ?? []
        )
    }
}

final class CustomFieldValueRow: Model, @unchecked Sendable {
    static let schema = "custom_field_values"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "field_id") var fieldID: UUID
    @Field(key: "record_id") var recordID: UUID
    @Field(key: "text_value") var textValue: String
    @OptionalField(key: "number_value") var numberValue: Double?

    init() {}
}

final class RecordChangeRow: Model, @unchecked Sendable {
    static let schema = "record_changes"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "record_type") var recordType: String
    @Field(key: "record_id") var recordID: UUID
    @Field(key: "kind") var kind: String
    @OptionalField(key: "actor_user_id") var actorUserID: UUID?
    @Field(key: "actor_label") var actorLabel: String
    @Field(key: "via") var via: String
    @Field(key: "before") var before: String
    @Field(key: "after") var after: String
    @Field(key: "at") var at: Date

    init() {}
}

final class IdempotencyKeyRow: Model, @unchecked Sendable {
    static let schema = "idempotency_keys"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "key") var key: String
    @Field(key: "request_hash") var requestHash: String
    @Field(key: "status") var status: Int
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class ContactListRow: Model, @unchecked Sendable {
    static let schema = "contact_lists"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
