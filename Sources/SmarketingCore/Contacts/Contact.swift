import Foundation

/// A person the company markets and sells to.
public struct Contact: Sendable, Equatable, Codable, Identifiable {
    public var id: UUID
    public var workspaceID: UUID
    public var firstName: String
    public var lastName: String
    public var email: EmailAddress?
    public var phone: String?
    public var jobTitle: String?
    public var seniority: String?
    public var country: String?
    /// First-touch source and campaign.
    public var source: String?
    public var campaign: String?
    /// Last-touch source and campaign.
    public var lastSource: String?
    public var lastCampaign: String?
    /// ISO date (YYYY-MM-DD) when known; otherwise `age` may be.
    public var birthDate: String?
    public var age: Int?
    public var companyID: UUID?
    public var ownerID: UUID?
    public var stage: LifecycleStage
    /// Values of the workspace's custom fields, by key.
    public var custom: [String: CustomFieldValue]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, workspaceID: UUID, firstName: String, lastName: String, email: EmailAddress?,
        phone: String? = nil, jobTitle: String? = nil, seniority: String? = nil, country: String? = nil,
        source: String? = nil, campaign: String? = nil, lastSource: String? = nil, lastCampaign: String? = nil,
        birthDate: String? = nil, age: Int? = nil,
        companyID: UUID? = nil, ownerID: UUID? = nil, stage: LifecycleStage = .lead, custom: [String: CustomFieldValue] = [:],
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.jobTitle = jobTitle
        self.seniority = seniority
        self.country = country
        self.source = source
        self.campaign = campaign
        self.lastSource = lastSource
        self.lastCampaign = lastCampaign
        self.birthDate = birthDate
        self.age = age
        self.companyID = companyID
        self.ownerID = ownerID
        self.stage = stage
        self.custom = custom
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var fullName: String {
        [firstName, lastName].filter { !$0.isEmpty }.joined(separator: " ")
    }
}

/// An organisation contacts work for.
public struct Company: Sendable, Equatable, Codable, Identifiable {
    public var id: UUID
    public var workspaceID: UUID
    public var name: String
    /// The web domain, normalised (see ``CompanyDomain``); the key companies are deduplicated by.
    public var domain: String?
    public var employeeCount: Int?
    public var industry: String?
    public var revenueBand: String?
    public var country: String?
    public var custom: [String: CustomFieldValue]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, workspaceID: UUID, name: String, domain: String?, employeeCount: Int? = nil,
        industry: String? = nil, revenueBand: String? = nil, country: String? = nil, custom: [String: CustomFieldValue] = [:],
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.domain = domain
        self.employeeCount = employeeCount
        self.industry = industry
        self.revenueBand = revenueBand
        self.country = country
        self.custom = custom
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Normalises a company's web address to the bare domain it is deduplicated by:
/// `HTTPS://www.Acme.com.br/about` becomes `acme.com.br`.
public enum CompanyDomain {
    public static func normalise(_ raw: String) -> String? {
        var text = raw.trimmingBlanks.lowercased()
        for scheme in ["https://", "http://"] where text.hasPrefix(scheme) {
            text.removeFirst(scheme.count)
        }
        if let cut = text.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            text = String(text[..<cut])
        }
        if let colon = text.firstIndex(of: ":") { text = String(text[..<colon]) }
        if text.hasPrefix("www.") { text.removeFirst(4) }
        while text.hasSuffix(".") { text.removeLast() }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, text.count <= 253,
              labels.allSatisfy({
                  !$0.isEmpty && $0.count <= 63 && !$0.hasPrefix("-") && !$0.hasSuffix("-")
                      && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
              })
        else { return nil }
        return text
    }
}
