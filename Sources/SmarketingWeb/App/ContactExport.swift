import Foundation
import SmarketingCore
import SmarketingStore
import Vapor

/// Streams a filtered contact list as CSV, a page of the keyset at a time, so memory stays
/// constant whatever the size. The columns are the ones the importer reads back.
enum ContactExport {
    static let batchSize = 1000

    static func response(_ req: Request, member: Member) async throws -> Response {
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.contact)
        let query = try ContactQuery.parse(ContactListURL.items(of: req), customFields: definitions)
        let headers = ContactFields.builtIn + definitions.map { "cf_\($0.key)" }
        let db = req.db
        let workspaceID = member.workspaceID
        let logger = req.logger
        let response = Response(status: .ok, body: .init(asyncStream: { writer in
            do {
                try await writer.write(.buffer(ByteBuffer(string: "\u{FEFF}" + CSVLine.encode(headers))))
                let search = ContactSearch(db, workspaceID: workspaceID)
                let users = try await UserRepository(db, workspaceID: workspaceID).list()
                let emails = Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0.email.value) })
                var cursor: ContactCursor?
                var exported = 0
                repeat {
                    let page = try await search.page(query, limit: batchSize, after: cursor, definitions: definitions)
                    let companies = try await CompanyRepository(db, workspaceID: workspaceID).find(ids: page.contacts.compactMap(\.companyID))
                    var chunk = ""
                    for contact in page.contacts {
                        let company = contact.companyID.flatMap { companies[$0] }
                        let fields = ContactInput(contact: contact, companyName: company?.name, companyDomain: company?.domain,
                                                  ownerEmail: contact.ownerID.flatMap { emails[$0] }.flatMap(EmailAddress.init)).fields()
                        chunk += CSVLine.encode(headers.map { fields[$0] ?? "" })
                    }
                    try await writer.write(.buffer(ByteBuffer(string: chunk)))
                    exported += page.contacts.count
                    cursor = page.next
                } while cursor != nil
                logger.info("contacts exported", metadata: ["count": .stringConvertible(exported)])
                try await writer.write(.end)
            } catch {
                logger.report(error: error)
                try? await writer.write(.error(error))
            }
        }))
        response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"contacts.csv\"")
        return response
    }
}

/// One CSV record: fields quoted when they hold a comma, quote or line break; CRLF ended.
enum CSVLine {
    static func encode(_ fields: [String]) -> String {
        fields.map { field in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                : field
        }.joined(separator: ",") + "\r\n"
    }
}
