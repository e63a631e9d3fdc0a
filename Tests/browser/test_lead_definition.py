"""The shared lead definition: a marketer edits a draft without reading JSON, each team's
manager approves it, the marketer activates it and every contact is re-scored, and a contact's
page explains its score and how it became an MQL; bad rules refused next to their inputs,
what-if before activating, the fit-by-engagement grid, score quality against an imported
outcome with the model the product trains, and the pages in Portuguese."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from playwright.sync_api import Page, expect

from actions import (
    ACTION_TIMEOUT_MS,
    NAVIGATION_TIMEOUT_MS,
    Person,
    add_filter,
    answer_next_dialog,
    api_post,
    choose_language,
    create_api_token,
    definition_field,
    draft_digest,
    fill_definition,
    fit_rule_row,
    follow,
    import_contacts_file,
    listed_contact_ids,
    log_in_and_land_home,
    open_draft,
    path_of,
    save_definition,
    spare_fit_row,
    submit,
    tick_grid_cells,
    visit,
)

BANK_FILE = Path(__file__).resolve().parents[3] / "shared" / "data" / "bank-additional.csv"

# Background runs (re-scoring, what-if, training) are followed on pages that refresh themselves.
RUN_TIMEOUT_MS = 60_000
TRAINING_TIMEOUT_MS = 120_000
IMPORT_TIMEOUT_MS = 300_000


# --- Set up once for this file --------------------------------------------------------------


def open_page(browser, server, locale: str = "en-US") -> Page:
    context = browser.new_context(base_url=server.url, locale=locale)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    return context.new_page()


@pytest.fixture(scope="module")
def admin_token(browser, server, admin) -> str:
    """A personal API token of the admin, to bring contacts in quickly."""
    page = open_page(browser, server)
    try:
        log_in_and_land_home(page, admin)
        return create_api_token(page, "Lead definition test data")
    finally:
        page.context.close()


def created_through_api(server, token: str, path: str, records: tuple[dict, ...]) -> list[str]:
    """Creates each record with a POST to `path`; returns their ids as the pages show them."""
    ids = []
    for record in records:
        status, body = api_post(server.url, path, token, record)
        assert status in (200, 201), f"creating {record} through {path} answered {status}: {body}"
        ids.append(str(body["id"]).lower())
    return ids


@pytest.fixture
def bring_in(server, admin_token):
    """Creates contacts through the REST API as the admin."""
    return lambda *contacts: created_through_api(server, admin_token, "/api/v1/contacts", contacts)


@pytest.fixture
def bring_in_companies(server, admin_token):
    """Creates companies through the REST API as the admin."""
    return lambda *companies: created_through_api(server, admin_token, "/api/v1/companies", companies)


@pytest.fixture
def marketer(colleagues) -> Person:
    return colleagues.get("lucas-marketing", ("marketing",))


@pytest.fixture
def marketing_manager(colleagues) -> Person:
    return colleagues.get("marina-marketing-manager", ("marketing_manager",))


@pytest.fixture
def sales_manager(colleagues) -> Person:
    return colleagues.get("sergio-sales-manager", ("sales_manager",))


@pytest.fixture
def marketer_page(marketer, page) -> Page:
    log_in_and_land_home(page, marketer)
    return page


# --- Reading the pages ----------------------------------------------------------------------


def notice_of(page: Page):
    return page.locator('.notice[role="status"]')


def notice_in_url(page: Page) -> list[str]:
    return parse_qs(urlparse(page.url).query).get("notice", [])


def facts_of(page: Page) -> dict[str, str]:
    """The contact's profile, the first `dl.facts`, as label -> shown value."""
    return page.locator("dl.facts").first.evaluate(
        """list => {
            const facts = {};
            for (const term of list.querySelectorAll("dt")) {
                const value = term.nextElementSibling;
                facts[term.textContent.trim()] = value ? value.textContent.trim() : "";
            }
            return facts;
        }"""
    )


def stat(page: Page, name: str):
    """A figure of the contact's score panel: fit, engagement, total, mql."""
    return page.locator(f"#score #score-{name} .stat-value")


def draft_version(page: Page) -> int:
    """The draft's version number, from the editor's heading ("Draft version 3")."""
    heading = page.locator("h1").inner_text()
    found = re.search(r"(\d+)\s*$", heading)
    assert found, f"no version in the editor's heading {heading!r}"
    return int(found.group(1))


def contacts_in_stage(page: Page, stage: str) -> str:
    """The count the contact list shows for one lifecycle stage ("12 contacts")."""
    visit(page, "/contacts?" + urlencode({"stage": stage}))
    return page.locator(".page-header .subtitle").inner_text()


def field_errors_shown(page: Page) -> str:
    """What a refused editor says: its summary and each error with the input it is next to."""
    summary = page.locator("#definition-errors")
    errors = page.locator("form#definition-form .field-error[data-field]").evaluate_all(
        "nodes => nodes.map(node => node.dataset.field + ': ' + node.textContent)"
    )
    return f"{summary.inner_text() if summary.count() else 'no summary'}; errors next to inputs: {errors}"


def field_error(page: Page, name: str):
    return page.locator(f'form#definition-form .field-error[data-field="{name}"]')


# --- The whole loop: draft, approvals, activation, scores -----------------------------------


def test_a_marketer_drafts_both_managers_approve_and_activating_scores_the_contacts_and_makes_the_directors_mqls(
    marketer, marketing_manager, sales_manager, bring_in, new_context
):
    helena, joana, caio = bring_in(
        {"first_name": "Helena", "last_name": "Prado", "email": "helena.prado@example.com",
         "job_title": "Diretora de Marketing", "country": "BR", "campaign": "lead-definition-loop"},
        {"first_name": "Joana", "last_name": "Reis", "email": "joana.reis@example.com",
         "job_title": "Diretora de Marketing", "country": "PT", "campaign": "lead-definition-loop"},
        {"first_name": "Caio", "last_name": "Lemos", "email": "caio.lemos@example.com",
         "job_title": "Estagiário de Marketing", "country": "BR", "campaign": "lead-definition-loop"},
    )
    directors = [helena, joana]

    # The marketer starts a draft from the navigation.
    page = new_context().new_page()
    log_in_and_land_home(page, marketer)
    nav_item = page.locator('nav#main-nav a[data-nav="lead-definition"]')
    expect(nav_item).to_have_text("Lead definition")
    follow(page, 'nav#main-nav a[data-nav="lead-definition"]')
    assert path_of(page) == "/lead-definition"
    expect(page.locator("h1")).to_have_text("Lead definition")
    expect(page.locator("#active-definition")).to_have_count(0)
    start = page.locator("form#open-draft-form button[type=submit]")
    expect(start).to_have_text("Start a draft")
    response = submit(page, "form#open-draft-form")

    assert response.status == 200
    assert path_of(page) == "/lead-definition/draft"
    version = draft_version(page)
    expect(page.locator("h1")).to_have_text(f"Draft version {version}")
    decision_maker = fit_rule_row(page, "decision_maker")
    expect(definition_field(page, f"fit_rules[{decision_maker}].field")).to_have_value("job_title")
    expect(definition_field(page, f"fit_rules[{decision_maker}].op")).to_have_value("contains")
    expect(definition_field(page, f"fit_rules[{decision_maker}].values")).to_have_value(re.compile(r"\bDiretora\b"))
    expect(definition_field(page, f"fit_rules[{decision_maker}].points")).to_have_value("20")

    # The marketer changes the rules on the editor: no JSON, one row per rule.
    age_band = fit_rule_row(page, "age_band")
    spare = spare_fit_row(page)
    assert spare >= 0, "the editor has no spare row for a new fit rule"
    fill_definition(page, {
        f"fit_rules[{decision_maker}].points": "25",
        f"fit_rules[{age_band}].remove": True,
        f"fit_rules[{spare}].field": "country",
        f"fit_rules[{spare}].op": "one_of",
        f"fit_rules[{spare}].values": "BR, PT",
        f"fit_rules[{spare}].points": "5",
        "mql.thresholds.fit": "20",
        "mql.thresholds.engagement": "0",
    })
    response = save_definition(page)

    assert response.status == 200
    assert path_of(page) == "/lead-definition"
    assert notice_in_url(page) == ["saved"]
    expect(notice_of(page)).to_have_text("Saved.")
    panel = page.locator("#draft-panel")
    expect(panel).to_have_attribute("data-status", "draft")
    expect(panel.locator("h2")).to_have_text(f"Draft version {version}")
    expect(page.locator("#draft-problems")).to_have_count(0)
    expect(page.locator('#approvals li[data-side="marketing"]')).to_contain_text("waiting for approval")
    expect(page.locator('#approvals li[data-side="sales"]')).to_contain_text("waiting for approval")
    # A marketer edits but approves nothing, and nothing can be activated yet.
    expect(page.locator("#approve-marketing")).to_have_count(0)
    expect(page.locator("#approve-sales")).to_have_count(0)
    expect(page.locator("form#activate-form")).to_have_count(0)

    # The marketing manager approves for marketing, and may not approve for sales.
    manager_page = new_context().new_page()
    log_in_and_land_home(manager_page, marketing_manager)
    visit(manager_page, "/lead-definition")
    expect(manager_page.locator("#approve-marketing")).to_have_text("Approve for marketing")
    expect(manager_page.locator("#approve-sales")).to_have_count(0)
    response = follow(manager_page, "#approve-marketing")

    assert response.status == 200
    assert notice_in_url(manager_page) == ["approved"]
    expect(notice_of(manager_page)).to_contain_text("Approved.")
    expect(manager_page.locator("#draft-panel")).to_have_attribute("data-status", "approved_by_marketing")
    expect(manager_page.locator('#approvals li[data-side="marketing"]')).to_contain_text("approved")
    expect(manager_page.locator('#approvals li[data-side="sales"]')).to_contain_text("waiting for approval")
    expect(manager_page.locator("#approve-marketing")).to_have_count(0)

    # The sales manager approves for sales, and may not approve for marketing.
    sales_page = new_context().new_page()
    log_in_and_land_home(sales_page, sales_manager)
    visit(sales_page, "/lead-definition")
    expect(sales_page.locator("#approve-marketing")).to_have_count(0)
    expect(sales_page.locator("#approve-sales")).to_have_text("Approve for sales")
    response = follow(sales_page, "#approve-sales")

    assert response.status == 200
    assert notice_in_url(sales_page) == ["approved"]
    expect(sales_page.locator("#draft-panel")).to_have_attribute("data-status", "approved")
    expect(sales_page.locator('#approvals li[data-side="sales"]')).to_contain_text("approved")

    # The marketer activates, confirming the question.
    visit(page, "/lead-definition")
    expect(page.locator("#draft-panel")).to_have_attribute("data-status", "approved")
    expect(page.locator("form#activate-form button[type=submit]")).to_have_text("Activate and re-score")
    asked = answer_next_dialog(page, accept=True)
    response = submit(page, "form#activate-form")

    assert asked == [
        "Activate this version? Every contact is re-scored under it, and those who qualify become MQLs."
    ]
    assert response.status == 200
    assert path_of(page) == "/lead-definition"
    assert notice_in_url(page) == ["activated"]
    progress = page.locator("#rescore-progress")
    expect(progress).to_be_visible()
    expect(progress.locator("h2")).to_have_text(f"Re-scoring contacts under version {version}")
    expect(progress).to_have_attribute("data-status", "completed", timeout=RUN_TIMEOUT_MS)
    expect(page.locator("#rescore-progress-bar")).to_have_attribute("value", "100")
    expect(page.locator("#draft-panel form#open-draft-form")).to_be_visible()

    active = page.locator("#active-definition")
    expect(active.locator("h2")).to_have_text(f"Active definition (version {version})")
    expect(active.locator('#fit-rules tr[data-rule="decision_maker"]')).to_contain_text("+25")
    expect(active.locator('#fit-rules tr[data-rule="age_band"]')).to_have_count(0)
    expect(active.locator('#fit-rules tr[data-rule="student"]')).to_contain_text("-30")
    new_rule = active.locator("#fit-rules tr[data-rule]", has_text="Country")
    expect(new_rule).to_have_count(1)
    expect(new_rule).to_contain_text("is one of BR, PT")
    expect(new_rule).to_contain_text("+5")
    new_rule_id = new_rule.get_attribute("data-rule")
    expect(active.locator("#engagement-rules tr[data-rule]")).to_have_count(4)
    expect(active.locator("#frequency-rules tr[data-rule]")).to_have_count(1)
    expect(active.locator("#mql-rule")).to_have_text("MQL when fit is at least 20 and engagement at least 0.")
    expect(page.locator(f'#versions-table tr[data-version="{version}"]')).to_contain_text("Active")

    # Each director's page shows the score, the rules behind it and the move to MQL with its cause.
    for director, country in zip(directors, ("BR", "PT")):
        visit(page, f"/contacts/{director}")
        score = page.locator("#score")
        expect(score).to_have_attribute("data-mql", "yes")
        expect(stat(page, "fit")).to_have_text("30")
        expect(stat(page, "engagement")).to_have_text("0")
        expect(stat(page, "total")).to_have_text("30")
        expect(stat(page, "mql")).to_have_text("MQL")
        expect(score).to_contain_text(f"lead definition v{version}")
        ledger = page.locator("#score-ledger")
        decision = ledger.locator('tr[data-rule="decision_maker"]')
        expect(decision).to_have_count(1)
        expect(decision).to_contain_text("+25")
        expect(decision).to_contain_text("Job title = Diretora de Marketing")
        expect(decision).to_contain_text(f"v{version}")
        expect(ledger.locator(f'tr[data-rule="{new_rule_id}"]')).to_contain_text(f"Country = {country}")
        expect(ledger.locator('tr[data-rule="age_band"]')).to_have_count(0)
        assert facts_of(page)["Stage"] == "MQL"
        moves = page.locator("#stage-history li")
        expect(moves).to_have_count(1)
        move = page.locator('#stage-history li[data-to="mql"]')
        expect(move.locator("strong")).to_have_text("Lead → MQL")
        expect(move).to_contain_text(f"Lead definition v{version}")
        expect(move).to_contain_text(f"fit 30 >= 20 and engagement 0 >= 0 under lead definition v{version}")

    # The intern scores below the threshold and stays a lead.
    visit(page, f"/contacts/{caio}")
    expect(page.locator("#score")).to_have_attribute("data-mql", "no")
    expect(stat(page, "fit")).to_have_text("-25")
    expect(stat(page, "mql")).not_to_have_text("MQL")
    expect(page.locator('#score-ledger tr[data-rule="student"]')).to_contain_text("-30")
    assert facts_of(page)["Stage"] == "Lead"
    expect(page.locator("#stage-history li")).to_have_count(0)

    # The contact list shows the scores and filters on fit.
    visit(page, "/contacts?" + urlencode({"f": "campaign:eq:lead-definition-loop"}))
    expect(page.locator("table#contacts-table thead th", has_text="Score")).to_have_count(1)
    expect(page.locator(f'tr[data-contact="{helena}"]')).to_contain_text("30")
    expect(page.locator(f'tr[data-contact="{caio}"]')).to_contain_text("-25")
    add_filter(page, "fit_score", "gte", "20")
    assert sorted(listed_contact_ids(page)) == sorted(directors)
    expect(page.locator("ul#active-filters li").nth(1)).to_contain_text("Fit")


# --- A bad edit -----------------------------------------------------------------------------


def test_a_rule_that_can_never_match_and_a_threshold_that_is_not_a_number_are_refused_next_to_their_inputs(marketer_page):
    page = marketer_page
    open_draft(page)
    digest = draft_digest(page)
    open_draft(page)
    threshold_before = definition_field(page, "mql.thresholds.fit").input_value()
    size_rules_before = page.locator("form#definition-form select[name$='.field'] option[selected][value='company.employee_count']").count()
    spare = spare_fit_row(page)
    assert spare >= 0, "the editor has no spare row for a new fit rule"

    fill_definition(page, {
        f"fit_rules[{spare}].field": "company.employee_count",
        f"fit_rules[{spare}].op": "range",
        f"fit_rules[{spare}].min": "600",
        f"fit_rules[{spare}].max": "500",
        f"fit_rules[{spare}].points": "10",
        "mql.thresholds.fit": "twenty",
    })
    response = save_definition(page)

    assert response.status == 422
    assert path_of(page) == "/lead-definition/draft"
    expect(page.locator("#definition-errors")).to_be_visible()
    expect(field_error(page, f"fit_rules[{spare}].min")).to_have_text("This rule can never match.")
    expect(field_error(page, "mql.thresholds.fit")).to_contain_text("Enter a number")
    expect(definition_field(page, f"fit_rules[{spare}].min")).to_have_attribute("aria-invalid", "true")
    expect(definition_field(page, "mql.thresholds.fit")).to_have_attribute("aria-invalid", "true")
    # What was typed is still there.
    expect(definition_field(page, f"fit_rules[{spare}].field")).to_have_value("company.employee_count")
    expect(definition_field(page, f"fit_rules[{spare}].op")).to_have_value("range")
    expect(definition_field(page, f"fit_rules[{spare}].min")).to_have_value("600")
    expect(definition_field(page, f"fit_rules[{spare}].max")).to_have_value("500")
    expect(definition_field(page, f"fit_rules[{spare}].points")).to_have_value("10")
    expect(definition_field(page, "mql.thresholds.fit")).to_have_value("twenty")

    # Nothing was saved.
    assert draft_digest(page) == digest
    open_draft(page)
    expect(definition_field(page, "mql.thresholds.fit")).to_have_value(threshold_before)
    expect(page.locator("form#definition-form select[name$='.field'] option[selected][value='company.employee_count']")).to_have_count(size_rules_before)


# --- What-if --------------------------------------------------------------------------------


def test_what_if_on_a_draft_shows_who_would_become_an_mql_and_the_score_distribution_without_moving_anyone(
    marketer_page, bring_in, bring_in_companies
):
    bring_in_companies({"name": "Vale Logística", "domain": "vale-logistica.example", "employee_count": 120})
    (buyer,) = bring_in({
        "first_name": "Rafael", "last_name": "Costa", "email": "rafael.costa@vale-logistica.example",
        "job_title": "Comprador", "company": "Vale Logística", "company_domain": "vale-logistica.example",
        "campaign": "what-if-test",
    })
    page = marketer_page
    # What if a company of the right size were enough? The draft lowers the fit threshold.
    open_draft(page)
    page.check("form#definition-form #f-mql-mode-thresholds")
    fill_definition(page, {"mql.thresholds.fit": "15", "mql.thresholds.engagement": "0"})
    response = save_definition(page)
    assert response.status == 200, field_errors_shown(page)
    expect(notice_of(page)).to_have_text("Saved.")
    mqls_before = contacts_in_stage(page, "mql")

    visit(page, "/lead-definition")
    expect(page.locator("form#what-if-form button[type=submit]")).to_have_text("Run what-if")
    response = submit(page, "form#what-if-form")

    assert response.status == 200
    assert path_of(page) == "/lead-definition"
    summary = page.locator("#what-if #what-if-summary")
    expect(summary).to_be_visible(timeout=RUN_TIMEOUT_MS)
    sentence = summary.inner_text()
    found = re.fullmatch(r"Of ([\d,]+) contacts, ([\d,]+) would become MQLs and ([\d,]+) MQLs would no longer qualify\.", sentence)
    assert found, sentence
    assert int(found.group(2).replace(",", "")) >= 1, sentence
    chart = page.locator("#what-if #what-if-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("figcaption")).to_have_text("Contacts by total score: with the draft, and today (thin bars)")
    expect(chart.locator("svg rect.chart-bar").first).to_be_attached()
    change = page.locator(f'#what-if-changes tr[data-contact="{buyer}"]')
    expect(change).to_contain_text("becomes an MQL")

    # A what-if moves nobody.
    assert contacts_in_stage(page, "mql") == mqls_before
    visit(page, f"/contacts/{buyer}")
    assert facts_of(page)["Stage"] == "Lead"
    expect(page.locator("#stage-history li")).to_have_count(0)


# --- Adding rules over several drafts -------------------------------------------------------


def test_a_rule_added_in_a_spare_row_saves_after_an_earlier_edit_removed_one_rule_and_added_another(marketer_page):
    """Rules typed in a spare row get their id from the row; a later draft's spare row must not
    give a new rule the id of one added before."""
    page = marketer_page
    open_draft(page)
    company_size = fit_rule_row(page, "company_size")
    spare = spare_fit_row(page)
    fill_definition(page, {
        f"fit_rules[{company_size}].remove": True,
        f"fit_rules[{spare}].field": "seniority",
        f"fit_rules[{spare}].op": "one_of",
        f"fit_rules[{spare}].values": "Director, VP",
        f"fit_rules[{spare}].points": "10",
    })
    response = save_definition(page)
    assert response.status == 200, field_errors_shown(page)
    expect(notice_of(page)).to_have_text("Saved.")

    open_draft(page)
    spare = spare_fit_row(page)
    fill_definition(page, {
        f"fit_rules[{spare}].field": "email_domain",
        f"fit_rules[{spare}].op": "equals",
        f"fit_rules[{spare}].values": "concorrente.example",
        f"fit_rules[{spare}].points": "-100",
    })
    response = save_definition(page)
    assert response.status == 200, field_errors_shown(page)
    expect(notice_of(page)).to_have_text("Saved.")

    open_draft(page)
    rows = page.locator("form#definition-form table#fit-table tbody tr[data-row]").evaluate_all(
        """rows => rows.map(row => ({
            field: row.querySelector("select[name$='.field']").value,
            points: row.querySelector("input[name$='.points']").value,
            id: (row.querySelector("input[type=hidden][name$='.id']") || {}).value || "",
        })).filter(row => row.field)"""
    )
    fields = [row["field"] for row in rows]
    assert "company.employee_count" not in fields
    assert {"seniority", "email_domain"} <= set(fields)
    ids = [row["id"] for row in rows]
    assert len(set(ids)) == len(ids), ids


# --- The grid -------------------------------------------------------------------------------


def test_an_mql_grid_with_a_better_cell_left_out_is_refused_naming_the_cell_and_saved_once_it_is_ticked(marketer_page):
    page = marketer_page
    open_draft(page)
    page.check("form#definition-form #f-mql-mode-grid")
    fill_definition(page, {
        "mql.grid.fit_grades.a": "30",
        "mql.grid.fit_grades.b": "20",
        "mql.grid.fit_grades.c": "10",
        "mql.grid.engagement_levels.level_2": "10",
        "mql.grid.engagement_levels.level_3": "30",
        "mql.grid.engagement_levels.level_4": "60",
    })
    tick_grid_cells(page, ("A3",))
    response = save_definition(page)

    assert response.status == 422
    assert path_of(page) == "/lead-definition/draft"
    expect(field_error(page, "mql.grid.cells")).to_have_text(
        "A better grade or a higher level than an MQL cell must be MQL too: tick A4."
    )
    expect(page.locator("form#definition-form #f-mql-mode-grid")).to_be_checked()
    expect(page.locator('form#definition-form input[name="mql.grid.cells"][value="A3"]')).to_be_checked()
    expect(page.locator('form#definition-form input[name="mql.grid.cells"][value="A4"]')).not_to_be_checked()
    expect(definition_field(page, "mql.grid.fit_grades.a")).to_have_value("30")

    tick_grid_cells(page, ("A3", "A4"))
    response = save_definition(page)

    assert response.status == 200
    assert path_of(page) == "/lead-definition"
    expect(notice_of(page)).to_have_text("Saved.")
    expect(page.locator("#draft-problems")).to_have_count(0)
    open_draft(page)
    expect(page.locator("form#definition-form #f-mql-mode-grid")).to_be_checked()
    ticked = page.locator('form#definition-form input[name="mql.grid.cells"]:checked').evaluate_all(
        "boxes => boxes.map(box => box.value)"
    )
    assert sorted(ticked) == ["A3", "A4"]


# --- Score quality and the predictive model -------------------------------------------------


def test_the_model_trained_on_an_imported_outcome_ranks_well_and_its_rules_go_into_the_draft(marketer_page):
    page = marketer_page
    assert BANK_FILE.is_file(), f"the bank data set is missing at {BANK_FILE}"
    import_contacts_file(page, str(BANK_FILE), timeout_ms=IMPORT_TIMEOUT_MS)
    expect(page.locator("#import-counts")).to_contain_text("4,119")

    open_draft(page)
    visit(page, "/lead-definition")
    form = page.locator("form#outcome-form")
    form.locator('select[name="outcome_field"]').select_option("y")
    form.locator('input[name="outcome_values"]').fill("true, yes")
    form.locator('input[name="excluded_fields"]').fill("duration")
    response = submit(page, "form#outcome-form")

    assert response.status == 200
    assert notice_in_url(page) == ["saved"]
    expect(form.locator('select[name="outcome_field"]')).to_have_value("y")
    expect(page.locator("#quality-table tbody tr").first).to_contain_text("4,119")
    expect(page.locator("#quality #lift-chart")).to_be_visible()

    expect(page.locator("form#suggestion-form button[type=submit]")).to_have_text("Train a predictive model")
    response = submit(page, "form#suggestion-form")
    assert response.status == 200
    suggestion = page.locator("#suggestion")
    expect(suggestion).to_have_attribute("data-status", "completed", timeout=TRAINING_TIMEOUT_MS)
    auc_text = page.locator("#suggestion-auc").inner_text()
    found = re.match(r"Cross-validated AUC (\d+(?:\.\d+)?) \(5 folds, 4,119 contacts, 451 conversions\)\.", auc_text)
    assert found, auc_text
    assert float(found.group(1)) >= 0.78, auc_text
    suggested = page.locator("#suggested-rules tbody tr[data-rule]")
    expect(suggested.first).to_be_visible()
    suggested_ids = suggested.evaluate_all("rows => rows.map(row => row.dataset.rule)")
    assert suggested_ids
    expect(page.locator("#suggested-rules")).not_to_contain_text("duration")

    response = submit(page, "form#accept-suggestion-form")

    assert response.status == 200
    assert path_of(page) == "/lead-definition/draft"
    expect(notice_of(page)).to_have_text("Saved.")
    in_draft = page.locator('form#definition-form input[type=hidden][name^="fit_rules["]').evaluate_all(
        "inputs => inputs.map(input => input.value)"
    )
    assert set(suggested_ids) <= set(in_draft)

    visit(page, "/lead-definition")
    expect(page.locator("#quality-table tbody tr")).to_have_count(2)
    expect(page.locator("#quality-table tbody tr").nth(1)).to_contain_text("Draft")
    lift = page.locator("#quality #lift-chart")
    expect(lift).to_be_visible()
    expect(lift.locator("figcaption")).to_have_text("Lift by decile (1 = best-scored tenth)")
    expect(lift.locator("svg rect.chart-bar")).to_have_count(10)


# --- Portuguese -----------------------------------------------------------------------------


def test_a_sales_rep_marks_their_lead_sql_by_answering_the_criteria_both_teams_signed(colleagues, bring_in, page):
    rep = colleagues.get("rita-sales", ("sales",))
    (lead,) = bring_in({"first_name": "Lia", "last_name": "Moraes", "email": "lia.moraes@example.com",
                        "job_title": "Gerente de Compras", "owner_email": rep.email})
    log_in_and_land_home(page, rep)
    visit(page, f"/contacts/{lead}")
    panel = page.locator("#qualification")
    expect(panel.locator("h2")).to_have_text("Sales qualification")
    response = follow(page, "#qualify-link")

    assert response.status == 200
    assert path_of(page) == f"/contacts/{lead}/qualify"
    expect(page.locator("h1")).to_have_text("Qualify Lia Moraes as SQL")
    form = page.locator("form#qualify-form")
    for label in ("Budget", "Authority", "Need", "Timing"):
        expect(form.get_by_label(label, exact=True)).to_be_visible()

    # The need is left out: refused next to its input, the rest kept.
    form.get_by_label("Budget", exact=True).select_option("Approved")
    form.get_by_label("Authority", exact=True).select_option("Decision maker")
    form.get_by_label("Timing", exact=True).select_option("This quarter")
    response = submit(page, "form#qualify-form")

    assert response.status == 422
    expect(page.locator('form#qualify-form .field-error[data-field="cf_need"]')).to_be_visible()
    expect(form.get_by_label("Budget", exact=True)).to_have_value("Approved")

    page.locator("form#qualify-form").get_by_label("Need", exact=True).fill("Replace three spreadsheets")
    response = submit(page, "form#qualify-form")

    assert response.status == 200
    assert path_of(page) == f"/contacts/{lead}"
    assert notice_in_url(page) == ["qualified"]
    expect(notice_of(page)).to_have_text("Marked as SQL.")
    assert facts_of(page)["Stage"] == "SQL"
    answers = page.locator("#qualification #sql-answers")
    expect(answers.locator('dd[data-criterion="budget"]')).to_have_text("Approved")
    expect(answers.locator('dd[data-criterion="need"]')).to_have_text("Replace three spreadsheets")
    expect(page.locator("#qualification p").first).to_contain_text(f"Qualified by {rep.name}")
    expect(page.locator("#qualify-link")).to_have_count(0)
    history = page.locator('#stage-history li[data-to="sql"]')
    expect(history).to_contain_text("→ SQL")
    expect(history).to_contain_text("Budget: Approved")


def test_the_lead_definition_pages_speak_portuguese_to_a_user_who_chose_it(colleagues, page):
    user = colleagues.get("lucia-idioma", ("marketing",))
    log_in_and_land_home(page, user)
    visit(page, "/lead-definition")
    choose_language(page, "pt-BR")

    expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
    expect(page.locator("h1")).to_have_text("Definição de lead")
    expect(page.locator('nav#main-nav a[data-nav="lead-definition"]')).to_have_text("Definição de lead")
    expect(page.locator("#quality h2")).to_have_text("Qualidade da pontuação")
    if page.locator("form#open-draft-form").count():
        expect(page.locator("form#open-draft-form button[type=submit]")).to_have_text("Começar um rascunho")
    else:
        expect(page.locator('#draft-panel a[href="/lead-definition/draft"]')).to_have_text("Editar o rascunho")

    open_draft(page)
    expect(page.locator("h1")).to_have_text(re.compile(r"^Rascunho da versão \d+$"))
    expect(page.locator("#fit-section h2")).to_have_text("Perfil: quem é o contato")
    expect(page.locator("#mql-section h2")).to_have_text("Quando um lead vira MQL")
    expect(page.locator("form#definition-form button[type=submit]")).to_have_text("Salvar o rascunho")
