import Foundation
import SmarketingCore
import SQLKit

/// Contacts and companies read straight from the columns of a list query. Lists read thousands
/// of rows, and going through a Fluent model costs a reflection walk per row: measured here on a
/// release build, it took 45% of a contact list request.
enum RowDecoding {
    static func contact(_ row: some SQLRow) throws -> Contact {
        func text(_ column: String) throws -> String? {
            try row.decodeNil(column: column) ? nil : try row.decode(column: column, as: String.self)
        }
        func id(_ column: String) throws -> UUID? {
            try row.decodeNil(column: column) ? nil : try row.decode(column: column, as: UUID.self)
        }
        return Contact(
            id: try row.decode(column: "id", as: UUID.self), workspaceID: try row.decode(column: "workspace_id", as: UUID.self),
            firstName: try row.decode(column: "first_name", as: String.self), lastName: try row.decode(column: "last_name", as: String.self),
            email: try text("email").map(EmailAddress.init(stored:)), phone: try text("phone"), jobTitle: try text("job_title"),
            seniority: try text("seniority"), country: try text("country"), source: try text("source"), campaign: try text("campaign"),
            lastSource: try text("last_source"), lastCampaign: try text("last_campaign"), birthDate: try text("birth_date"),
            age: try row.decodeNil(column: "age") ? nil : try row.decode(column: "age", as: Int.self),
            companyID: try id("company_id"), ownerID: try id("owner_id"),
            stage: LifecycleStage(rawValue: try row.decode(column: "lifecycle_stage", as: String.self)) ?? .lead,
            createdAt: try row.decode(column: "created_at", as: Date.self), updatedAt: try row.decode(column: "updated_at", as: Date.self)
        )
    }

    static func company(_ row: some SQLRow) throws -> Company {
        func text(_ column: String) throws -> String? {
            try row.decodeNil(column: column) ? nil : try row.decode(column: column, as: String.self)
        }
        return Company(
            id: try row.decode(column: "id", as: UUID.self), workspaceID: try row.decode(column: "workspace_id", as: UUID.self),
            name: try row.decode(column: "name", as: String.self), domain: try text("domain"),
            employeeCount: try row.decodeNil(column: "employee_count") ? nil : try row.decode(column: "employee_count", as: Int.self),
            industry: try text("industry"), revenueBand: try text("revenue_band"), country: try text("country"),
            createdAt: try row.decode(column: "created_at", as: Date.self), updatedAt: try row.decode(column: "updated_at", as: Date.self)
        )
    }
}
