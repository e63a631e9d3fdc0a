import Fluent
import SmarketingCore
import SmarketingStore
import Vapor

/// Settings → Webhooks (admins): the workspace's endpoints with their secret and the event
/// types they want, and each endpoint's delivery log with every attempt, where a failed
/// delivery can be sent again.
struct WebhookPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("settings", "webhooks", use: list)
        routes.post("settings", "webhooks", use: create)
        routes.get("settings", "webhooks", ":endpoint", use: show)
        routes.post("settings", "webhooks", ":endpoint", use: update)
        routes.post("settings", "webhooks", ":endpoint", "delete", use: delete)
        routes.post("settings", "webhooks", ":endpoint", "deliveries", ":delivery", "retry", use: retry)
    }

    static func path(_ id: UUID? = nil) -> String {
        "/settings/webhooks" + (id.map { "/" + $0.uuidString.lowercased() } ?? "")
    }

    private func admin(_ req: Request) throws -> Member {
        let member = try req.requireMember()
        try member.require(.manageWorkspace)
        return member
    }

    private func endpointID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("endpoint").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        return id
    }

    func list(req: Request) async throws -> Response {
        let member = try admin(req)
        return try await listPage(req, member: member, state: FormState(values: ["active": "on"])).response(for: req)
    }

    func create(req: Request) async throws -> Response {
        let member = try admin(req)
        let form = try await FormData.read(req)
        do {
            let input = try WebhookEndpointInput.check(url: form.value("url"), description: form.value("description"),
                                                       eventTypes: form.values("event_types"), active: form.value("active") != nil)
            let endpoint = try await WebhookEndpoints(req.db, workspaceID: member.workspaceID).create(input, by: member.actor, now: req.now)
            return req.redirect(to: Self.path(endpoint.id) + "?notice=created", redirectType: .normal)
        } catch let failure as ValidationFailure {
            var page = try await listPage(req, member: member, state: FormState(form: form, errors: failure.errors, keeping: ["url", "description", "active"],
                                                                               multi: ["event_types"]))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
    }

    private func listPage(_ req: Request, member: Member, state: FormState) async throws -> Page {
        let l = req.l
        let endpoints = try await WebhookEndpoints(req.db, workspaceID: member.workspaceID).list()
        let rows: [HTMLNode] = endpoints.map { endpoint in
            el("tr", [.data("endpoint", endpoint.id.uuidString.lowercased())], [
                cell([el("a", [.href(Self.path(endpoint.id))], text: endpoint.url.absoluteString)]),
                cell(endpoint.description ?? ""),
                cell(endpoint.eventTypes.isEmpty ? l(.webhooksAllTypes) : endpoint.eventTypes.map(\.rawValue).sorted().joined(separator: ", ")),
                cell(endpoint.active ? l(.active) : l(.webhooksPaused)),
            ])
        }
        return Page(title: l(.webhooksTitle), area: .settings, body: [
            settingsTabs(req, current: .webhooks),
            pageHeader(l(.webhooksTitle), subtitle: l(.webhooksIntro)),
            Notice.banner(req),
            dataTable(id: "endpoints", caption: l(.webhooksTitle), headers: [l(.webhooksURL), l(.webhooksDescription), l(.webhooksEventTypes), l(.webhooksState)],
                      rows: rows, empty: l(.webhooksEmpty)),
            el("section", [.class("panel")], [
                el("h2", [], text: l(.webhooksAdd)),
                endpointForm(req, action: Self.path(), state: state, submit: l(.webhooksAdd), id: "endpoint-form"),
            ]),
            el("section", [.class("panel"), .id("webhooks-help")], [
                el("h2", [], text: l(.webhooksVerifyTitle)),
                el("p", [], text: l(.webhooksVerifyHelp)),
                el("pre", [], [el("code", [], text: "Smarketing-Signature: t=1764676800,v1=<hex HMAC-SHA256(secret, \"1764676800.\" + body)>")]),
            ]),
        ])
    }

    private func endpointForm(_ req: Request, action: String, state: FormState, submit: String, id: String) -> HTMLNode {
        let l = req.l
        return Form.post(req, action: action, id: id, [
            Form.summary(l, state: state, shown: ["url", "description", "event_types"]),
            Form.field(l, label: l(.webhooksURL), name: "url", type: "url", state: state, required: true, maxLength: WebhookEndpointInput.urlLimit,
                       hint: l(.webhooksURLHint)),
            Form.field(l, label: l(.webhooksDescription), name: "description", state: state, maxLength: WebhookEndpointInput.descriptionLimit),
            Form.checkboxes(l, legend: l(.webhooksEventTypes), name: "event_types",
                            options: WebhookEventType.allCases.map { ($0.rawValue, $0.rawValue) }, state: state),
            el("p", [.class("hint")], text: l(.webhooksEventTypesHint)),
            el("label", [.class("checkbox")], [
                void("input", [.type("checkbox"), .name("active"), .id("f-active")] + (state.values["active"]?.isEmpty == false ? [.flag("checked")] : [])),
                text(" " + l(.active)),
            ]),
            Form.submit(submit, attributes: [.id(id + "-submit")]),
        ])
    }

    func show(req: Request) async throws -> Response {
        let member = try admin(req)
        let id = try endpointID(req)
        guard let endpoint = try await WebhookEndpoints(req.db, workspaceID: member.workspaceID).find(id) else { throw Abort(.notFound) }
        return try await showPage(req, member: member, endpoint: endpoint, state: Self.state(endpoint)).response(for: req)
    }

    static func state(_ endpoint: WebhookEndpoint) -> FormState {
        FormState(values: ["url": endpoint.url.absoluteString, "description": endpoint.description ?? "", "active": endpoint.active ? "on" : ""],
                  multiValues: ["event_types": endpoint.eventTypes.map(\.rawValue)])
    }

    func update(req: Request) async throws -> Response {
        let member = try admin(req)
        let id = try endpointID(req)
        let store = WebhookEndpoints(req.db, workspaceID: member.workspaceID)
        guard let endpoint = try await store.find(id) else { throw Abort(.notFound) }
        let form = try await FormData.read(req)
        if form.value("rotate_secret") != nil {
            let input = WebhookEndpointInput(url: endpoint.url, description: endpoint.description, eventTypes: endpoint.eventTypes, active: endpoint.active)
            _ = try await store.update(id, input, rotateSecret: true, by: member.actor, now: req.now)
            return req.redirect(to: Self.path(id) + "?notice=saved", redirectType: .normal)
        }
        do {
            let input = try WebhookEndpointInput.check(url: form.value("url"), description: form.value("description"),
                                                       eventTypes: form.values("event_types"), active: form.value("active") != nil)
            _ = try await store.update(id, input, rotateSecret: false, by: member.actor, now: req.now)
            return req.redirect(to: Self.path(id) + "?notice=saved", redirectType: .normal)
        } catch let failure as ValidationFailure {
            var page = try await showPage(req, member: member, endpoint: endpoint,
                                          state: FormState(form: form, errors: failure.errors, keeping: ["url", "description", "active"], multi: ["event_types"]))
            page.status = .unprocessableEntity
            return page.response(for: req)
        }
    }

    func delete(req: Request) async throws -> Response {
        let member = try admin(req)
        guard try await WebhookEndpoints(req.db, workspaceID: member.workspaceID).delete(try endpointID(req), by: member.actor, now: req.now) else {
            throw Abort(.notFound)
        }
        return req.redirect(to: Self.path() + "?notice=deleted", redirectType: .normal)
    }

    func retry(req: Request) async throws -> Response {
        let member = try admin(req)
        let id = try endpointID(req)
        guard let deliveryID = req.parameters.get("delivery").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        let store = WebhookEndpoints(req.db, workspaceID: member.workspaceID)
        guard let delivery = try await store.delivery(deliveryID), delivery.endpointID == id else { throw Abort(.notFound) }
        let retried = try await store.retry(deliveryID, now: req.now)
        req.application.jobs.wake()
        return req.redirect(to: Self.path(id) + "?notice=" + (retried ? "retried" : "not_retried"), redirectType: .normal)
    }

    private func showPage(_ req: Request, member: Member, endpoint: WebhookEndpoint, state: FormState) async throws -> Page {
        let l = req.l
        let zone = member.workspace.settings.timeZone
        let store = WebhookEndpoints(req.db, workspaceID: member.workspaceID)
        let filter = req.query[String.self, at: "status"].flatMap(WebhookDelivery.Status.init(rawValue:))
        let deliveries = try await store.deliveries(of: endpoint.id, status: filter, limit: 100)
        var rows: [HTMLNode] = []
        for delivery in deliveries {
            let attempts = try await store.attempts(of: delivery.id)
            rows.append(el("tr", [.data("delivery", delivery.id.uuidString.lowercased()), .data("status", delivery.status.rawValue)], [
                cell(l.dateTime(delivery.createdAt, timeZone: zone)),
                cell([el("code", [], text: delivery.eventType)]),
                cell([el("span", [.class("badge status-\(delivery.status.rawValue)")], text: Self.statusName(delivery.status, l))]),
                cell(String(delivery.attempts)),
                cell(delivery.lastStatusCode.map(String.init) ?? "—"),
                cell(delivery.lastDurationMS.map { "\($0) ms" } ?? "—"),
                cell([
                    delivery.lastError.map { el("p", [.class("field-error")], text: $0) } ?? .empty,
                    el("details", [], [
                        el("summary", [], text: l(.webhooksDetails)),
                        el("pre", [.class("snippet")], [el("code", [], text: delivery.body)]),
                        el("ul", [.class("attempts")], attempts.map { attempt in
                            el("li", [], text: l.dateTime(attempt.at, timeZone: zone) + " · " + (attempt.statusCode.map(String.init) ?? "—") + " · \(attempt.durationMS) ms"
                                + (attempt.error.map { " · " + $0 } ?? "") + (attempt.response.map { " · " + String($0.prefix(200)) } ?? ""))
                        }),
                    ]),
                ]),
                cell([delivery.status == .delivered ? .empty : Form.post(req, action: Self.path(endpoint.id) + "/deliveries/\(delivery.id.uuidString.lowercased())/retry",
                                                                         attributes: [.class("inline-form")], [
                    Form.submit(l(.webhooksRetry), style: "button", attributes: [.class("button retry")]),
                ])]),
            ]))
        }
        let filters = [("", l(.webhooksAll))] + WebhookDelivery.Status.allCases.map { ($0.rawValue, Self.statusName($0, l)) }
        return Page(title: endpoint.url.absoluteString, area: .settings, body: [
            settingsTabs(req, current: .webhooks),
            pageHeader(l(.webhooksEndpoint), subtitle: endpoint.url.absoluteString, actions: [el("a", [.href(Self.path()), .class("button")], text: l(.webhooksTitle))]),
            Notice.banner(req),
            el("section", [.class("panel"), .id("secret-panel")], [
                el("h2", [], text: l(.webhooksSecret)),
                el("p", [], text: l(.webhooksSecretHelp)),
                el("pre", [.class("snippet")], [el("code", [.id("endpoint-secret")], text: endpoint.secret)]),
                Form.post(req, action: Self.path(endpoint.id), id: "rotate-form", attributes: [.data("confirm", l(.webhooksRotateConfirm))], [
                    void("input", [.type("hidden"), .name("rotate_secret"), .value("1")]),
                    Form.submit(l(.webhooksRotate), style: "button", attributes: [.id("rotate-secret")]),
                ]),
            ]),
            el("section", [.class("panel")], [
                el("h2", [], text: l(.webhooksSettings)),
                endpointForm(req, action: Self.path(endpoint.id), state: state, submit: l(.save), id: "edit-endpoint"),
                Form.post(req, action: Self.path(endpoint.id) + "/delete", id: "delete-endpoint", attributes: [.data("confirm", l(.webhooksDeleteConfirm))], [
                    Form.submit(l(.webhooksDelete), style: "button-danger", attributes: [.id("delete-endpoint-submit")]),
                ]),
            ]),
            el("h2", [], text: l(.webhooksLog)),
            el("nav", [.class("tabs"), .aria("label", l(.webhooksLog))], filters.map { value, label in
                el("a", [.href(Self.path(endpoint.id) + (value.isEmpty ? "" : "?status=" + value))]
                    + ((filter?.rawValue ?? "") == value ? [.aria("current", "page")] : []), text: label)
            }),
            dataTable(id: "deliveries", caption: l(.webhooksLog),
                      headers: [l(.webhooksWhen), l(.webhooksEvent), l(.webhooksState), l(.webhooksAttempts), l(.webhooksCode), l(.webhooksDuration),
                                l(.webhooksDetails), ""],
                      rows: rows, empty: l(.webhooksLogEmpty)),
        ])
    }

    static func statusName(_ status: WebhookDelivery.Status, _ l: Localizer) -> String {
        switch status {
        case .pending: l(.webhooksPending)
        case .delivered: l(.webhooksDelivered)
        case .failed: l(.webhooksFailed)
        }
    }
}
