import SmarketingCore
import SmarketingStore
import Vapor

/// The first page after sign-in: what the workspace holds and where each team starts.
struct HomePage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: show)
    }

    func show(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let l = req.l
        let contacts = ContactRepository(req.db, workspaceID: member.workspaceID)
        let total = try await contacts.count()
        let companies = try await CompanyRepository(req.db, workspaceID: member.workspaceID).count()
        let byStage = try await contacts.countByStage()
        let users = try await UserRepository(req.db, workspaceID: member.workspaceID).list()
        let marketing = users.filter { $0.isActive && $0.roles.contains { $0.side == .marketing } }.count
        let sales = users.filter { $0.isActive && $0.roles.contains { $0.side == .sales } }.count

        let funnel: [LifecycleStage] = [.subscriber, .lead, .mql, .sal, .sql, .opportunity, .customer]
        let chart = BarChart(
            title: l(.homeFunnelTitle),
            bars: funnel.map { (l.stageName($0), byStage[$0] ?? 0) },
            valueLabel: l(.navContacts)
        )
        let body: [HTMLNode] = [
            pageHeader(l(.homeGreeting, member.user.name.split(separator: " ").first.map(String.init) ?? member.user.name),
                       subtitle: member.user.roles.sorted().map(l.roleName).joined(separator: " · ")),
            el("section", [.class("stats"), .aria("label", l(.homeSummary))], [
                stat(l(.navContacts), l.number(total), SiteURL.contacts),
                stat(l(.navCompanies), l.number(companies), SiteURL.companies),
                stat(l(.homeMarketingTeam), l.number(marketing), member.user.may(.manageWorkspace) ? SiteURL.users : nil),
                stat(l(.homeSalesTeam), l.number(sales), member.user.may(.manageWorkspace) ? SiteURL.users : nil),
            ]),
            el("section", [.class("panel")], [chart.render(l)]),
            total == 0 ? el("section", [.class("panel empty-state")], [
                el("h2", [], text: l(.homeEmptyTitle)),
                el("p", [], text: l(.homeEmptyText)),
            ]) : .empty,
        ]
        return Page(title: l(.navHome), area: .home, body: body).response(for: req)
    }

    private func stat(_ label: String, _ value: String, _ url: SiteURL?) -> HTMLNode {
        let content: [HTMLNode] = [el("span", [.class("stat-value")], text: value), el("span", [.class("stat-label")], text: label)]
        if let url { return el("a", [.class("stat"), .href(url.path)], content) }
        return el("div", [.class("stat")], content)
    }
}

/// A horizontal bar chart drawn as SVG, with a title and the same numbers as a table for
/// screen readers and for people who would rather read. `id` keeps several charts of one page
/// apart; a second series (`compare`) draws a thinner bar under each, for before and after.
struct BarChart {
    var id = "chart"
    var title: String
    var bars: [(label: String, value: Double)]
    var valueLabel: String
    var compare: (label: String, values: [Double])? = nil
    var format: (Double) -> String = { NumberText.format(($0 * 100).rounded() / 100) }
    /// Whole counts, written with the language's digit grouping.
    var counts = false

    init(id: String = "chart", title: String, bars: [(label: String, value: Int)], valueLabel: String) {
        self.id = id
        self.title = title
        self.bars = bars.map { ($0.label, Double($0.value)) }
        self.valueLabel = valueLabel
        self.counts = true
    }

    init(id: String, title: String, values: [(label: String, value: Double)], valueLabel: String,
         compare: (label: String, values: [Double])? = nil, format: @escaping (Double) -> String) {
        self.id = id
        self.title = title
        self.bars = values
        self.valueLabel = valueLabel
        self.compare = compare
        self.format = format
    }

    func render(_ l: Localizer) -> HTMLNode {
        let format = counts ? { l.number(Int($0.rounded())) } : self.format
        let maximum = max(1e-9, (bars.map(\.value) + (compare?.values ?? [])).max() ?? 1)
        let rowHeight = compare == nil ? 28 : 40, labelWidth = 120, barArea = 360, height = bars.count * rowHeight + 8
        var svg = #"<svg class="chart" role="img" aria-labelledby="\#(id)-title" viewBox="0 0 \#(labelWidth + barArea + 70) \#(height)" preserveAspectRatio="xMinYMin meet">"#
        svg += #"<title id="\#(id)-title">\#(escape(title))</title>"#
        for (index, bar) in bars.enumerated() {
            let y = index * rowHeight + 4
            let width = Int(Double(barArea) * max(0, bar.value) / maximum)
            svg += #"<text x="\#(labelWidth - 8)" y="\#(y + 18)" text-anchor="end" class="chart-label">\#(escape(bar.label))</text>"#
            svg += #"<rect x="\#(labelWidth)" y="\#(y + 4)" width="\#(max(width, bar.value > 0 ? 2 : 0))" height="18" rx="3" class="chart-bar"/>"#
            svg += #"<text x="\#(labelWidth + width + 6)" y="\#(y + 18)" class="chart-value">\#(escape(format(bar.value)))</text>"#
            if let compare, index < compare.values.count {
                let other = Int(Double(barArea) * max(0, compare.values[index]) / maximum)
                svg += #"<rect x="\#(labelWidth)" y="\#(y + 25)" width="\#(max(other, compare.values[index] > 0 ? 2 : 0))" height="8" rx="2" class="chart-bar-compare"/>"#
            }
        }
        svg += "</svg>"
        var headers = [title, valueLabel]
        if let compare { headers.append(compare.label) }
        return el("figure", [.class("chart-figure"), .id(id)], [
            el("figcaption", [], text: title),
            .raw(svg),
            el("details", [.class("chart-table")], [
                el("summary", [], text: l(.showAsTable)),
                el("table", [], [
                    el("thead", [], [el("tr", [], headers.map { el("th", [Attr("scope", "col")], text: $0) })]),
                    el("tbody", [], bars.enumerated().map { index, bar in
                        el("tr", [], [cell(bar.label), cell(format(bar.value))]
                            + (compare.map { [cell(index < $0.values.count ? format($0.values[index]) : "")] } ?? []))
                    }),
                ]),
            ]),
        ])
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
