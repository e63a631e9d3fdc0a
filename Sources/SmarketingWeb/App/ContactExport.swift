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
        let headers = ContactFields.builtIn + definitions.map(\.fieldName)
        let db = req.db
        let workspaceID = member.workspaceID
        let search = ContactSearch(db, workspaceID: workspaceID, now: req.now)
        let users = try await UserRepository(db, workspaceID: workspaceID).list()
        let emails = Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0.email.value) })
        return CSVStream.response(filename: "contacts.csv", headers: headers, logger: req.logger) { (cursor: ContactCursor?) in
            let page = try await search.page(query, limit: batchSize, after: cursor, definitions: definitions)
            let companies = try await CompanyRepository(db, workspaceID: workspaceID).find(ids: page.contacts.compactMap(\.companyID))
            let rows = page.contacts.map { contact in
                let company = contact.companyID.flatMap { companies[$0] }
                let fields = ContactInput(contact: contact, companyName: company?.name, companyDomain: company?.domain,
                                          ownerEmail: contact.ownerID.flatMap { emails[$0] }.flatMap(EmailAddress.init)).fields()
                return headers.map { fields[$0] ?? "" }
            }
            return (rows, page.next)
        }
    }
}

/// Streams a filtered company list as CSV, the same way, with the company fields.
enum CompanyExport {
    static func response(_ req: Request, member: Member) async throws -> Response {
        let definitions = try await CustomFieldRepository(req.db, workspaceID: member.workspaceID).list(.company)
        let query = try CompanyQuery.parse(ContactListURL.items(of: req), customFields: definitions)
        let headers = CompanyFields.builtIn + definitions.map(\.fieldName)
        let search = CompanySearch(req.db, workspaceID: member.workspaceID)
        return CSVStream.response(filename: "companies.csv", headers: headers, logger: req.logger) { (cursor: CompanyCursor?) in
            let page = try await search.page(query, limit: ContactExport.batchSize, after: cursor, definitions: definitions)
            return (page.companies.map { company in
                let fields = CompanyInput(company: company).fields()
                return headers.map { fields[$0] ?? "" }
            }, page.next)
        }
    }
}

/// A CSV download written a page at a time: a UTF-8 BOM (so spreadsheets read accents), the
/// header, then each page of rows until the keyset has no next page.
enum CSVStream {
    static func response<Cursor: Sendable>(
        filename: String, headers: [String], logger: Logger,
        page: @escaping @Sendable (Cursor?) async throws -> ([[String]], Cursor?)
    ) -> Response {
        let response = Response(status: .ok, body: .init(asyncStream: { writer in
            do {
                try await writer.write(.buffer(ByteBuffer(string: "\u{FEFF}" + CSVLine.encode(headers))))
                var cursor: Cursor?
                var exported = 0
                repeat {
                    let (rows, next) = try await page(cursor)
                    try await writer.write(.buffer(ByteBuffer(string: rows.map(CSVLine.encode).joined())))
                    exported += rows.count
                    cursor = next
                } while cursor != nil
                logger.info("list exported", metadata: ["file": .string(filename), "count": .stringConvertible(exported)])
                try await writer.write(.end)
            } catch {
                logger.report(error: error)
                try? await writer.write(.error(error))
            }
        }))
        response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
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
