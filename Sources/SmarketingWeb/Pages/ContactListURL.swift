import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// The link of a contact list: its query in the URL, so filters, sort and page are shareable.
struct ContactListURL {
    var query: ContactQuery
    var after: ContactCursor?

    init(query: ContactQuery, after: ContactCursor? = nil) {
        self.query = query
        self.after = after
    }

    var queryString: String {
        var components = URLComponents()
        var items = query.items.map { URLQueryItem(name: $0.0, value: $0.1) }
        if let after { items.append(URLQueryItem(name: "after", value: after.token)) }
        components.queryItems = items
        return components.percentEncodedQuery ?? ""
    }

    var path: String {
        let query = queryString
        return SiteURL.contacts.path + (query.isEmpty ? "" : "?" + query)
    }

    func with(sort: ContactSort) -> ContactListURL {
        var copy = ContactListURL(query: query)
        copy.query.sort = sort
        return copy
    }

    func with(after cursor: ContactCursor) -> ContactListURL {
        ContactListURL(query: query, after: cursor)
    }

    func removingFilter(at index: Int) -> ContactListURL {
        var copy = ContactListURL(query: query)
        copy.query.filters.remove(at: index)
        return copy
    }

    static func exportPath(_ query: ContactQuery) -> String {
        let query = ContactListURL(query: query).queryString
        return "/contacts/export.csv" + (query.isEmpty ? "" : "?" + query)
    }

    /// The request's query items; the filter builder's three inputs (`f_field`, `f_op`,
    /// `f_value`) become one more `f` filter.
    static func items(of req: Request) -> [(String, String)] {
        // Forms send a space as `+` (a real plus arrives as %2B); URLComponents keeps `+` as is.
        let components = URLComponents(string: "?" + (req.url.query ?? "").replacingOccurrences(of: "+", with: "%20"))
        var items = (components?.queryItems ?? []).map { ($0.name, $0.value ?? "") }
        let field = items.first { $0.0 == "f_field" }?.1 ?? ""
        let operation = items.first { $0.0 == "f_op" }?.1 ?? ""
        let value = items.first { $0.0 == "f_value" }?.1 ?? ""
        items.removeAll { ["f_field", "f_op", "f_value"].contains($0.0) }
        if !field.isEmpty, !operation.isEmpty {
            let joined = operation == "in" ? value.replacingOccurrences(of: ",", with: "|") : value
            items.append(("f", "\(field):\(operation):\(joined)"))
        }
        return items
    }
}

/// Words for contact fields and timeline entries.
enum ContactFieldLabels {
    static func filterable(_ l: Localizer) -> [(String, String)] {
        [
            ("first_name", l(.firstName)), ("last_name", l(.lastName)), ("email", l(.email)), ("phone", l(.phone)),
            ("job_title", l(.jobTitle)), ("seniority", l(.seniority)), ("age", l(.age)), ("birth_date", l(.birthDate)),
            ("country", l(.country)), ("source", l(.firstTouchSource)), ("campaign", l(.firstTouchCampaign)),
            ("last_source", l(.lastTouchSource)), ("last_campaign", l(.lastTouchCampaign)), ("lifecycle_stage", l(.stage)),
            ("fit_score", l(.scoreFit)), ("engagement_score", l(.scoreEngagement)),
        ]
    }

    static func label(_ field: String, definitions: [CustomFieldDefinition], _ l: Localizer) -> String {
        if let definition = definitions.first(where: { "cf_\($0.key)" == field }) { return definition.label }
        switch field {
        case "company": return l(.company)
        case "company_domain": return l(.domain)
        case "owner_email": return l(.owner)
        case "merged_from": return l(.mergedFrom)
        case "list": return l(.listName)
        default: return filterable(l).first { $0.0 == field }?.1 ?? field
        }
    }

    static func changeKind(_ kind: RecordChange.Kind, _ l: Localizer) -> String {
        switch kind {
        case .created: l(.changeCreated)
        case .updated: l(.changeUpdated)
        case .merged: l(.changeMerged)
        case .deleted: l(.changeDeleted)
        case .addedToList: l(.changeAddedToList)
        }
    }
}
