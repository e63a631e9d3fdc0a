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
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

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
            country: country, source: source, companyID: companyID, ownerID: ownerID,
            stage: LifecycleStage(rawValue: lifecycleStage) ?? .lead, createdAt: createdAt, updatedAt: updatedAt
        )
    }
}
