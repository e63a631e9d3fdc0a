import SmarketingCore
import SmarketingStore
import Vapor

/// The outbox: every email the product wrote, newest first, with its status, attempts and last
/// error, filtered by status in the URL; each message with its headers, its text and its HTML
/// (in a sandboxed frame, never inline in the page); and, for admins, a form that sends a test
/// message through the configured transport. Admins and both teams' managers read it.
struct OutboxPages: RouteCollection {
    static let pageSize = 50

    func boot(routes: any RoutesBuilder) throws {
        routes.get("outbox", use: list)
        routes.post("outbox", "test", use: sendTest)
        routes.get("outbox", ":messageID", use: show)
    }

    // MARK: List

    func list(req: Request) async throws -> Response {
        let member = try Self.reader(req)
        return try await listPage(req, member: member, state: FormState()).response(for: req)
    }

    private func listPage(_ req: Request, member: Member, state: FormState) async throws -> Page {
        let l = req.l
        let zone = member.workspace.settings.timeZone
        let rawStatus = req.query[String.self, at: "status"] ?? ""
        let status = OutboxStatus(rawValue: rawStatus)
        let cursor = req.query[String.self, at: "after"].flatMap(OutboxCursor.init(token:))
        let outbox = Outbox(req.db, workspaceID: member.workspaceID)
        let page = try await outbox.list(status: status, limit: Self.pageSize, after: cursor)
        let counts = try await outbox.counts()

        let rows: [HTMLNode] = page.messages.map { item in
            let link = SiteURL.outboxMessage(item.id).path
            return el("tr", [.data("message", item.id.uuidString.lowercased()), .data("status", item.status.rawValue)], [
                cell(item.message.to.map(\.description).joined(separator: ", ")),
                cell([el("a", [.href(link), .class("message-subject")], text: item.message.subject)]),
                cell(Self.kindName(item.kind, l)),
                cell([Self.badge(item.status, l)]),
                cell(l.dateTime(item.sentAt ?? item.updatedAt, timeZone: zone)),
                cell(l.number(item.attempts)),
                cell([item.lastError.map { el("span", [.class("message-error"), Attr("title", $0)], text: $0.count > 160 ? String($0.prefix(160)) + "…" : $0) } ?? text("—")]),
            ])
        }
        let filters: [(OutboxStatus?, String, Int)] = [(nil, l(.outboxAll), counts.values.reduce(0, +))]
            + OutboxStatus.allCases.map { ($0, Self.statusName($0, l), counts[$0] ?? 0) }
        let filterNav = el("nav", [.id("status-filter"), .class("tabs"), .aria("label", l(.outboxFilterLabel))], filters.map { value, label, count in
            let path = SiteURL.outbox.path + (value.map { "?status=\($0.rawValue)" } ?? "")
            return el("a", [.href(path), .data("status", value?.rawValue ?? "all")] + (value == status ? [.aria("current", "page")] : []),
                      text: "\(label) (\(l.number(count)))")
        })
        var nextPath: String?
        if let next = page.next {
            nextPath = SiteURL.outbox.path + "?" + (status.map { "status=\($0.rawValue)&" } ?? "") + "after=" + next.token
        }
        let transport = req.application.mailTransport
        let intro: String = switch req.application.config.mail.transport {
        case .outbox: l(.outboxIntroOutbox)
        case .smtp(let smtp): l(.outboxIntroSMTP, "\(smtp.host):\(smtp.port)")
        }
        return Page(title: l(.outboxTitle), area: .outbox, body: [
            pageHeader(l(.outboxTitle), subtitle: intro),
            el("p", [.id("mail-transport"), .data("transport", transport.name), .class("hint")], text: l(.outboxSender, req.application.config.mail.from.description)),
            AccessPolicy.maySendTestMail(member.user.roles) ? testForm(req, state: state) : .empty,
            filterNav,
            dataTable(id: "outbox-table", caption: l(.outboxTitle),
                      headers: [l(.outboxColumnTo), l(.outboxColumnSubject), l(.outboxColumnKind), l(.outboxColumnStatus), l(.outboxColumnTime),
                                l(.outboxColumnAttempts), l(.outboxColumnError)],
                      rows: rows, empty: l(.outboxEmpty)),
            el("nav", [.class("pager"), .aria("label", l(.pagination))], [
                cursor == nil ? .empty : el("a", [.href(SiteURL.outbox.path + (status.map { "?status=\($0.rawValue)" } ?? ""))], text: l(.firstPage)),
                nextPath.map { el("a", [.href($0), Attr("rel", "next"), .id("next-page")], text: l(.nextPage)) } ?? .empty,
            ]),
        ])
    }

    private func testForm(_ req: Request, state: FormState) -> HTMLNode {
        let l = req.l
        return el("section", [.class("panel"), .id("test-mail")], [
            el("h2", [], text: l(.outboxTestTitle)),
            el("p", [.class("hint")], text: l(.outboxTestHelp)),
            Form.post(req, action: SiteURL.outboxTest.path, id: "test-mail-form", attributes: [.class("inline-form")], [
                Form.field(l, label: l(.outboxTestTo), name: "to", type: "text", state: state, required: true, maxLength: 320,
                           autocomplete: "email", hint: l(.outboxTestToHint)),
                Form.submit(l(.outboxTestSend), attributes: [.id("send-test-mail")]),
            ]),
        ])
    }

    // MARK: Test message

    func sendTest(req: Request) async throws -> Response {
        let member = try Self.reader(req)
        guard AccessPolicy.maySendTestMail(member.user.roles) else { throw Abort(.forbidden, reason: "Your role does not allow this.") }
        let form = try await FormData.read(req)
        switch MailAddress.parse(form.value("to") ?? "", field: "to") {
        case .failure(let error):
            var page = try await listPage(req, member: member, state: FormState(form: form, errors: error.errors, keeping: ["to"]))
            page.status = .unprocessableEntity
            return page.response(for: req)
        case .success(let recipient):
            let app = req.application
            let message = try await TestMail.enqueue(
                to: recipient, subject: nil, workspace: member.workspace, db: req.db, settings: app.config.mail,
                transportName: app.mailTransport.name, baseURL: req.absoluteURL(""), now: req.now
            )
            do {
                try await OutboxDelivery(app).deliver(messageID: message.id, workspaceID: member.workspaceID)
            } catch let error as MailDeliveryError {
                // Recorded on the message (queued again, with its error); the page shows it.
                req.logger.notice("test message not sent yet", metadata: ["error": .string(error.description)])
            }
            return req.redirect(to: SiteURL.outboxMessage(message.id).path + "?notice=test_sent", redirectType: .normal)
        }
    }

    // MARK: One message

    func show(req: Request) async throws -> Response {
        let member = try Self.reader(req)
        guard let id = req.parameters.get("messageID", as: UUID.self),
              let item = try await Outbox(req.db, workspaceID: member.workspaceID).find(id)
        else { throw Abort(.notFound) }
        let l = req.l
        let zone = member.workspace.settings.timeZone
        let message = item.message
        var headers: [(String, String)] = [
            ("Date", MIMEMessage.dateHeader(message.date)),
            ("From", message.from.description),
            ("To", message.to.map(\.description).joined(separator: ", ")),
        ]
        if let replyTo = message.replyTo { headers.append(("Reply-To", replyTo.description)) }
        headers += [("Subject", message.subject), ("Message-ID", "<\(message.messageID)>")]
        headers += message.headers.map { ($0.name, $0.value) }
        let source = (try? MIMEMessage.renderText(message)) ?? ""
        let facts: [(String, HTMLNode)] = [
            (l(.outboxColumnStatus), Self.badge(item.status, l)),
            (l(.outboxColumnKind), text(Self.kindName(item.kind, l))),
            (l(.outboxCreated), text(l.dateTime(item.createdAt, timeZone: zone))),
            (l(.outboxSentAt), text(item.sentAt.map { l.dateTime($0, timeZone: zone) } ?? "—")),
            (l(.outboxColumnAttempts), text(l.number(item.attempts))),
            (l(.outboxLastError), item.lastError.map { el("span", [.id("message-error"), .class("message-error")], text: $0) } ?? text("—")),
            (l(.outboxTransportSaid), el("span", [.id("delivery-note")], text: item.deliveryNote ?? "—")),
        ]
        let notice = req.query[String.self, at: "notice"] == "test_sent"
            ? el("div", [.class("notice"), Attr("role", "status")], text: l(.outboxTestSent)) : HTMLNode.empty
        return Page(title: message.subject, area: .outbox, body: [
            el("p", [], [el("a", [.href(SiteURL.outbox.path), .id("back-to-outbox")], text: l(.outboxBack))]),
            pageHeader(message.subject),
            notice,
            el("section", [.class("panel"), .id("delivery")], [
                el("h2", [], text: l(.outboxDelivery)),
                el("dl", [.class("facts"), .data("status", item.status.rawValue)], facts.flatMap { label, value in
                    [el("dt", [], text: label), el("dd", [], [value])]
                }),
            ]),
            el("section", [.class("panel")], [
                el("h2", [], text: l(.outboxHeaders)),
                el("div", [.class("table-wrap")], [
                    el("table", [.id("message-headers")], [
                        el("caption", [.class("visually-hidden")], text: l(.outboxHeaders)),
                        el("tbody", [], headers.map { name, value in
                            el("tr", [.data("header", name.lowercased())], [el("th", [Attr("scope", "row")], text: name), cell(value)])
                        }),
                    ]),
                ]),
            ]),
            el("section", [.class("panel")], [
                el("h2", [], text: l(.outboxTextBody)),
                el("pre", [.id("message-text"), .class("message-body")], text: message.text),
            ]),
            message.html.map { html in
                el("section", [.class("panel")], [
                    el("h2", [], text: l(.outboxHTMLBody)),
                    // No allow-* token: the message's scripts, forms and links cannot run or act here.
                    el("iframe", [.id("message-html"), Attr("sandbox", ""), Attr("srcdoc", html), Attr("title", l(.outboxHTMLBody)),
                                  Attr("referrerpolicy", "no-referrer"), Attr("style", "width:100%;min-height:320px;border:1px solid var(--border, #ccc);background:#fff")], []),
                ])
            } ?? .empty,
            el("details", [.class("panel")], [
                el("summary", [], text: l(.outboxSource)),
                el("pre", [.id("message-source"), .class("snippet")], text: source),
            ]),
        ]).response(for: req)
    }

    // MARK: Helpers

    /// The signed-in member, when their roles may read the outbox; 403 otherwise.
    private static func reader(_ req: Request) throws -> Member {
        let member = try req.requireMember()
        guard AccessPolicy.mayReadOutbox(member.user.roles) else { throw Abort(.forbidden, reason: "Your role does not allow this.") }
        return member
    }

    static func statusName(_ status: OutboxStatus, _ l: Localizer) -> String {
        switch status {
        case .queued: l(.outboxStatusQueued)
        case .sending: l(.outboxStatusSending)
        case .sent: l(.outboxStatusSent)
        case .held: l(.outboxStatusHeld)
        case .failed: l(.outboxStatusFailed)
        }
    }

    static func badge(_ status: OutboxStatus, _ l: Localizer) -> HTMLNode {
        let style = switch status {
        case .sent: "badge ok"
        case .held: "badge muted"
        case .failed: "badge danger"
        case .queued, .sending: "badge"
        }
        return el("span", [.class(style), .data("status", status.rawValue)], text: statusName(status, l))
    }

    static func kindName(_ kind: MailKind, _ l: Localizer) -> String {
        switch kind {
        case .test: l(.outboxKindTest)
        case .handoff: l(.outboxKindHandoff)
        case .notification: l(.outboxKindNotification)
        case .campaign: l(.outboxKindCampaign)
        default: kind.rawValue
        }
    }
}
