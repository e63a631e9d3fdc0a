import Plot
import SmarketingCore
import Vapor

/// The areas of the left navigation. Later capabilities add theirs here.
enum NavArea: String, Sendable, CaseIterable {
    case home, contacts, companies, tasks, deals, inbox, feedback, forms, leadDefinition = "lead-definition", routing, settings
    case settingsUsers = "settings-users"
    case settingsAudit = "settings-audit"
    case outbox
}

/// A rendered page: its title, where it sits in the navigation, and its main content.
struct Page {
    var title: String
    var area: NavArea?
    var body: [HTMLNode]
    var status: HTTPResponseStatus = .ok
    /// Reloads the page every few seconds (live progress that also works without JavaScript).
    var refreshSeconds: Int?
    /// A page the public reaches without a session (unsubscribe, hosted forms): no language
    /// switch, which needs one.
    var publicPage = false

    init(title: String, area: NavArea?, body: [HTMLNode], status: HTTPResponseStatus = .ok, refreshSeconds: Int? = nil, publicPage: Bool = false) {
        self.title = title
        self.area = area
        self.body = body
        self.status = status
        self.refreshSeconds = refreshSeconds
        self.publicPage = publicPage
    }

    /// The whole document in the shared layout: the app shell for members, a centred card for
    /// visitors (login, setup, invitations).
    func render(for request: Request) -> String {
        let l = request.l
        let head = el("head", [], [
            void("meta", [Attr("charset", "utf-8")]),
            void("meta", [.name("viewport"), Attr("content", "width=device-width, initial-scale=1")]),
            void("meta", [.name("color-scheme"), Attr("content", "light dark")]),
            refreshSeconds.map { void("meta", [Attr("http-equiv", "refresh"), Attr("content", String($0))]) } ?? .empty,
            el("title", text: "\(title) · Smarketing"),
            void("link", [Attr("rel", "stylesheet"), .href(SiteURL.stylesheet.path)]),
            el("script", [Attr("src", SiteURL.script.path), .flag("defer")]),
        ])
        let content: HTMLNode
        if let member = request.member {
            content = el("div", [.class("shell")], [
                sidebar(member, l),
                el("div", [.class("workspace")], [
                    topbar(member, request),
                    el("main", [.id("main"), Attr("tabindex", "-1")], body),
                ]),
                el("div", [.id("live-region"), .class("live-region"), .aria("live", "polite"), .data("source", SiteURL.live.path),
                           .data("mql-one", l(.liveBecameMQL, "%@")), .data("mql-mine", l(.liveAssignedToYou, "%@")), .data("mql-many", l(.liveBecameMQLMany, "%@")), .data("close", l(.close))], []),
            ])
        } else {
            content = el("div", [.class("visitor")], [
                el("header", [.class("visitor-bar")], [
                    el("span", [.class("brand")], [logo, text("Smarketing")]),
                    publicPage ? .empty : languageForm(request),
                ]),
                el("main", [.id("main"), .class("card narrow"), Attr("tabindex", "-1")], body),
            ])
        }
        let document = el("html", [Attr("lang", request.language.rawValue)], [
            head,
            el("body", [], [el("a", [.class("skip-link"), .href("#main")], [text(l(.skipToContent))]), content]),
        ])
        return "<!DOCTYPE html>" + document.render()
    }

    func response(for request: Request) -> Response {
        let response = Response(status: status, body: .init(string: render(for: request)))
        response.headers.replaceOrAdd(name: .contentType, value: "text/html; charset=utf-8")
        return response
    }

    private func sidebar(_ member: Member, _ l: Localizer) -> HTMLNode {
        var items: [(NavArea, String, String)] = [
            (.home, l(.navHome), SiteURL.home.path),
            (.contacts, l(.navContacts), SiteURL.contacts.path),
            (.companies, l(.navCompanies), SiteURL.companies.path),
            (.tasks, l(.navTasks), SiteURL.tasks.path),
            (.deals, l(.navDeals), SiteURL.deals.path),
            (.inbox, l(.navInbox), SiteURL.inbox.path),
            (.feedback, l(.navFeedback), SiteURL.feedback.path),
        ]
        if member.user.may(.manageCampaigns) {
            items.append((.forms, l(.navForms), SiteURL.forms.path))
        }
        items.append((.leadDefinition, l(.ldTitle), LeadDefinitionPages.path))
        if member.user.may(.manageRouting) {
            items.append((.routing, l(.navRouting), RoutingURL.overview.path))
        }
        items.append((.settings, l(.navSettings), SiteURL.profile.path))
        if member.user.may(.manageWorkspace) {
            items.append((.settingsUsers, l(.navUsers), SiteURL.users.path))
        }
        if member.user.may(.readAuditLog) {
            items.append((.settingsAudit, l(.navAudit), SiteURL.audit.path))
        }
        if AccessPolicy.mayReadOutbox(member.user.roles) {
            items.append((.outbox, l(.navOutbox), SiteURL.outbox.path))
        }
        return el("aside", [.class("sidebar")], [
            el("a", [.class("brand"), .href(SiteURL.home.path)], [logo, text("Smarketing")]),
            el("nav", [.id("main-nav"), .aria("label", l(.navLabel))], [
                el("ul", [], items.map { area, label, path in
                    el("li", [], [
                        el("a", [.href(path), .data("nav", area.rawValue)] + (area == self.area ? [.aria("current", "page")] : []), text: label),
                    ])
                }),
            ]),
        ])
    }

    private func topbar(_ member: Member, _ request: Request) -> HTMLNode {
        let l = request.l
        return el("header", [.class("topbar")], [
            el("span", [.class("workspace-name")], [text(member.workspace.settings.name)]),
            el("div", [.class("topbar-actions")], [
                languageForm(request),
                el("span", [.class("user-name"), Attr("title", member.user.email.value)], [text(member.user.name)]),
                el("form", [.id("logout-form"), Attr("method", "post"), Attr("action", SiteURL.logout.path)], [
                    csrfField(request),
                    el("button", [.id("logout"), .type("submit"), .class("button-link")], [text(l(.logOut))]),
                ]),
            ]),
        ])
    }

    private var logo: HTMLNode {
        .raw(#"<svg class="logo" viewBox="0 0 24 24" aria-hidden="true" width="22" height="22"><path d="M4 17c4-9 12-9 16 0" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/><circle cx="12" cy="9" r="3" fill="currentColor"/></svg>"#)
    }
}

/// The language switch shown on every page; it works without JavaScript (a submit button),
/// and app.js submits it on change.
func languageForm(_ request: Request) -> HTMLNode {
    let l = request.l
    let next = request.url.path.hasPrefix("/") ? request.url.string : "/"
    return el("form", [.id("language-form"), Attr("method", "post"), Attr("action", SiteURL.language.path), .class("language-form")], [
        csrfField(request),
        void("input", [.type("hidden"), .name("next"), .value(next)]),
        el("label", [Attr("for", "language-select"), .class("visually-hidden")], [text(l(.language))]),
        el("select", [.id("language-select"), .name("language"), .data("autosubmit", "true")], Language.allCases.map { language in
            el("option", [.value(language.rawValue)] + (language == request.language ? [.flag("selected")] : []),
               text: l.languageName(language))
        }),
        el("button", [.id("language-submit"), .type("submit"), .class("button-small")], [text(l(.change))]),
    ])
}

func csrfField(_ request: Request) -> HTMLNode {
    void("input", [.type("hidden"), .name("_csrf"), .value(request.csrfToken)])
}
