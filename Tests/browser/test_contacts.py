"""Contacts: the workspace's own fields, creating and editing a contact, its timeline, the list
with its search, filters, sort, pages, CSV export and bulk actions, merging duplicates, and
what a sales rep may do with contacts that are not theirs."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from playwright.sync_api import Page, expect

from actions import (
    ACTION_TIMEOUT_MS,
    NAVIGATION_TIMEOUT_MS,
    add_custom_field,
    add_filter,
    answer_next_dialog,
    api_post,
    choose_language,
    contact_id_of,
    create_api_token,
    fill_contact_form,
    follow,
    listed_contact_ids,
    log_in_and_land_home,
    path_of,
    save_contact_form,
    submit,
    visit,
)

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@dataclass(frozen=True)
class FieldSpec:
    entity: str
    label: str
    key: str
    type: str
    options: tuple[str, ...] = ()


CUSTOM_FIELDS = [
    FieldSpec("contact", "Segment", "segment", "choice", ("Retail", "Banking", "Health")),
    FieldSpec("contact", "NPS", "nps", "number"),
    FieldSpec("contact", "Renewal date", "renewal", "date"),
    FieldSpec("contact", "Interests", "interests", "multi_choice", ("Analytics", "Automation", "Events")),
    FieldSpec("contact", "Newsletter", "newsletter", "boolean"),
    FieldSpec("contact", "Referral code", "referral", "text"),
    FieldSpec("company", "Plan", "plan", "choice", ("Free", "Pro")),
]

TYPE_NAMES = {
    "text": "Text",
    "number": "Number",
    "date": "Date",
    "choice": "Choice",
    "multi_choice": "Several choices",
    "boolean": "Yes or no",
}

CSV_HEADER = [
    "first_name", "last_name", "email", "phone", "job_title", "seniority", "birth_date", "age", "country",
    "source", "campaign", "last_source", "last_campaign", "company", "company_domain", "owner_email",
    "lifecycle_stage",
]


# --- Set up once for this file --------------------------------------------------------------


def open_page(browser, server, locale: str = "en-US") -> Page:
    context = browser.new_context(base_url=server.url, locale=locale)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    return context.new_page()


@dataclass
class FieldsRecord:
    """What the admin saw while adding the custom fields (a test asserts on it)."""

    statuses: dict[str, int]
    landing_paths: dict[str, str]


@pytest.fixture(scope="module")
def custom_fields(browser, server, admin) -> FieldsRecord:
    """The admin defines the workspace's custom fields on the settings page, once."""
    page = open_page(browser, server)
    record = FieldsRecord(statuses={}, landing_paths={})
    try:
        log_in_and_land_home(page, admin)
        for spec in CUSTOM_FIELDS:
            response = add_custom_field(page, spec.entity, spec.label, spec.key, spec.type, spec.options)
            record.statuses[spec.key] = response.status
            record.landing_paths[spec.key] = page.url
    finally:
        page.context.close()
    return record


@pytest.fixture(scope="module")
def admin_token(browser, server, admin) -> str:
    """A personal API token of the admin, to bring many contacts in quickly."""
    page = open_page(browser, server)
    try:
        log_in_and_land_home(page, admin)
        return create_api_token(page, "Contact test data")
    finally:
        page.context.close()


@pytest.fixture
def bring_in(server, admin_token, custom_fields):
    """Creates contacts through the REST API as the admin; returns their ids as the pages show them."""

    def create(*contacts: dict) -> list[str]:
        ids = []
        for contact in contacts:
            status, body = api_post(server.url, "/api/v1/contacts", admin_token, contact)
            assert status in (200, 201), f"creating {contact} through the API answered {status}: {body}"
            ids.append(str(body["id"]).lower())
        return ids

    return create


@pytest.fixture
def admin_page(admin, custom_fields, page) -> Page:
    log_in_and_land_home(page, admin)
    return page


# --- Reading the pages ----------------------------------------------------------------------


def facts_of(page: Page) -> dict[str, str]:
    """The contact's profile, `dl.facts`, as label -> shown value."""
    return page.locator("dl.facts").evaluate(
        """list => {
            const facts = {};
            for (const term of list.querySelectorAll("dt")) {
                const value = term.nextElementSibling;
                facts[term.textContent.trim()] = value ? value.textContent.trim() : "";
            }
            return facts;
        }"""
    )


def field_errors(page: Page) -> set[str]:
    return set(page.locator(".field-error[data-field]").evaluate_all("nodes => nodes.map(node => node.dataset.field)"))


def filters_in_url(page: Page) -> list[str]:
    """The filters the page's URL holds, as `field:op:value`: the `f` parameters, then the one
    the filter form's three inputs (`f_field`, `f_op`, `f_value`) add when it was just applied."""
    params = parse_qs(urlparse(page.url).query, keep_blank_values=True)
    filters = params.get("f", [])
    field, operation = params.get("f_field", [""])[0], params.get("f_op", [""])[0]
    if field and operation:
        filters = filters + [f"{field}:{operation}:{params.get('f_value', [''])[0]}"]
    return filters


def names_listed(page: Page) -> list[str]:
    return [
        text.strip()
        for text in page.locator("table#contacts-table tbody tr[data-contact] td:nth-child(2) a").all_inner_texts()
    ]


def list_path(**params: str | list[str]) -> str:
    return "/contacts?" + urlencode(params, doseq=True)


# --- Custom fields --------------------------------------------------------------------------


def test_an_admin_adds_custom_fields_of_every_type_in_settings(custom_fields, admin_page):
    for spec in CUSTOM_FIELDS:
        assert custom_fields.statuses[spec.key] == 200, spec
        assert path_of(custom_fields.landing_paths[spec.key]) == "/settings/fields", spec

    visit(admin_page, "/settings/fields")
    table = admin_page.locator("#fields-table")
    for spec in CUSTOM_FIELDS:
        row = table.locator(f'tr[data-field="{spec.key}"]')
        expect(row).to_be_visible()
        expect(row.locator("code")).to_have_text(f"cf_{spec.key}")
        expect(row).to_contain_text(TYPE_NAMES[spec.type])
        expect(row).to_contain_text("Contacts" if spec.entity == "contact" else "Companies")
        expect(row.locator('input[name="label"]')).to_have_value(spec.label)
        if spec.options:
            expect(row.locator('textarea[name="options"]')).to_have_value("\n".join(spec.options))


def test_a_custom_field_key_that_is_not_lower_case_or_names_a_built_in_field_is_refused_next_to_the_key(admin_page):
    response = add_custom_field(admin_page, "contact", "Account tier", "Account Tier", "text")
    assert response.status == 422
    assert field_errors(admin_page) == {"key"}
    form = admin_page.locator("form#field-form")
    expect(form.locator('input[name="label"]')).to_have_value("Account tier")
    expect(form.locator('input[name="key"]')).to_have_value("Account Tier")

    response = add_custom_field(admin_page, "contact", "Email again", "email", "text")
    assert response.status == 422
    assert field_errors(admin_page) == {"key"}

    response = add_custom_field(admin_page, "contact", "Tier", "tier", "choice")
    assert response.status == 422
    assert field_errors(admin_page) == {"options"}
    expect(admin_page.locator('#fields-table tr[data-field="tier"]')).to_have_count(0)


def test_only_an_admin_may_open_the_custom_field_settings(colleagues, custom_fields, page):
    rep = colleagues.get("rita-sales", ("sales",))
    log_in_and_land_home(page, rep)

    response = visit(page, "/settings/fields")

    assert response.status == 403
    expect(page.locator("form#field-form")).to_have_count(0)


# --- One contact: create, edit, delete ------------------------------------------------------


def test_an_admin_creates_a_contact_with_custom_fields_and_lands_on_its_profile(admin_page, admin):
    page = admin_page
    visit(page, "/contacts")
    follow(page, 'a[href="/contacts/new"]')
    assert path_of(page) == "/contacts/new"
    form = page.locator("form#contact-form")
    expect(form.locator('select[name="cf_segment"]')).to_be_visible()
    expect(form.locator('select[name="cf_newsletter"]')).to_be_visible()
    expect(form.locator('input[name="cf_renewal"]')).to_have_attribute("type", "date")
    expect(form.locator('input[type=checkbox][name="cf_interests"]')).to_have_count(3)
    expect(form.locator('[name="cf_plan"]')).to_have_count(0)  # a company field, not a contact one
    expect(form.locator('select[name="lifecycle_stage"]')).to_have_value("lead")

    fill_contact_form(page, {
        "first_name": "Lia",
        "last_name": "Moreira",
        "email": "lia.moreira@example.com",
        "phone": "+55 11 99876-5432",
        "job_title": "Head of Growth",
        "seniority": "Director",
        "birth_date": "1988-04-12",
        "country": "Brasil",
        "company": "Moreira Labs",
        "company_domain": "moreiralabs.example",
        "owner_email": admin.email,
        "lifecycle_stage": "mql",
        "source": "Webinar",
        "campaign": "Spring launch",
        "cf_segment": "Retail",
        "cf_nps": "9",
        "cf_renewal": "2026-03-01",
        "cf_interests": ["Analytics", "Events"],
        "cf_newsletter": "true",
        "cf_referral": "LIA-2024",
    })
    response = save_contact_form(page)

    assert response.status == 200
    assert path_of(page).startswith("/contacts/")
    assert parse_qs(urlparse(page.url).query).get("notice") == ["created"]
    contact_id = contact_id_of(page)
    expect(page.locator(".notice")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Lia Moreira")
    facts = facts_of(page)
    expected = {
        "Email": "lia.moreira@example.com",
        "Phone": "+55 11 99876-5432",
        "Job title": "Head of Growth",
        "Seniority": "Director",
        "Company": "Moreira Labs",
        "Country": "BR",
        "Stage": "MQL",
        "Owner": admin.name,
        "Segment": "Retail",
        "NPS": "9",
        "Renewal date": "2026-03-01",
        "Interests": "Analytics; Events",
        "Referral code": "LIA-2024",
    }
    assert {label: facts.get(label) for label in expected} == expected
    assert "Webinar" in facts["First touch"] and "Spring launch" in facts["First touch"]
    assert facts["Newsletter"] in ("true", "Yes")

    expect(page.locator('ol#timeline li[data-kind="created"]')).to_have_count(1)
    expect(page.locator(f'a[href="/contacts/{contact_id}/edit"]')).to_be_visible()
    expect(page.locator(f'a[href="/contacts/{contact_id}/merge"]')).to_be_visible()
    expect(page.locator("form#contact-delete-form")).to_be_visible()

    visit(page, "/contacts")
    row = page.locator(f'table#contacts-table tr[data-contact="{contact_id}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("lia.moreira@example.com")
    expect(row).to_contain_text("Moreira Labs")
    expect(row).to_contain_text("MQL")
    expect(row).to_contain_text(admin.name)


def test_the_contact_form_explains_each_bad_value_next_to_its_field_and_keeps_what_was_typed(admin_page):
    page = admin_page
    visit(page, "/contacts/new")
    fill_contact_form(page, {
        "first_name": "Otto",
        "email": "otto at example",
        "phone": "call me maybe",
        "age": "200",
        "country": "Atlantis",
        "cf_nps": "lots",
        "cf_segment": "Banking",
        "cf_interests": ["Automation"],
    })
    response = save_contact_form(page)

    assert response.status == 422
    assert path_of(page) == "/contacts"
    assert {"email", "phone", "age", "country", "cf_nps"} <= field_errors(page)
    for name in ("email", "phone", "age", "country", "cf_nps"):
        expect(page.locator(f'.field-error[data-field="{name}"]')).not_to_be_empty()
    form = page.locator("form#contact-form")
    expect(form.locator('input[name="first_name"]')).to_have_value("Otto")
    expect(form.locator('input[name="email"]')).to_have_value("otto at example")
    expect(form.locator('input[name="country"]')).to_have_value("Atlantis")
    expect(form.locator('select[name="cf_segment"]')).to_have_value("Banking")
    expect(form.locator('input[name="cf_interests"][value="Automation"]')).to_be_checked()
    expect(form.locator('input[name="cf_interests"][value="Events"]')).not_to_be_checked()


def test_a_contact_with_nothing_that_says_who_it_is_is_refused(admin_page):
    page = admin_page
    visit(page, "/contacts/new")
    fill_contact_form(page, {"lifecycle_stage": "sql"})

    response = save_contact_form(page)

    assert response.status == 422
    expect(page.locator('.field-error[data-field="email"]')).to_be_visible()
    expect(page.locator("form#contact-form select[name=lifecycle_stage]")).to_have_value("sql")


def test_a_new_contact_with_an_email_already_known_updates_that_contact_instead_of_duplicating_it(admin_page):
    page = admin_page
    visit(page, "/contacts/new")
    fill_contact_form(page, {"first_name": "Noa", "last_name": "Duarte", "email": "noa.duarte@example.com"})
    save_contact_form(page)
    first_id = contact_id_of(page)

    visit(page, "/contacts/new")
    fill_contact_form(page, {
        "first_name": "Noa", "last_name": "Duarte", "email": "Noa.Duarte@Example.com", "job_title": "CFO",
    })
    response = save_contact_form(page)

    assert response.status == 200
    assert contact_id_of(page) == first_id
    assert parse_qs(urlparse(page.url).query).get("notice") == ["existing_updated"]
    expect(page.locator(".notice")).to_contain_text("already existed")
    assert facts_of(page)["Job title"] == "CFO"
    expect(page.locator('ol#timeline li[data-kind="updated"]')).to_have_count(1)
    expect(page.locator('ol#timeline li[data-kind="created"]')).to_have_count(1)

    visit(page, list_path(q="noa.duarte@example.com"))
    assert listed_contact_ids(page) == [first_id]


def test_editing_a_contact_shows_the_change_in_its_timeline(admin_page):
    page = admin_page
    visit(page, "/contacts/new")
    fill_contact_form(page, {"first_name": "Edu", "last_name": "Prado", "email": "edu.prado@example.com",
                             "job_title": "Analyst", "cf_segment": "Health"})
    save_contact_form(page)
    contact_id = contact_id_of(page)

    follow(page, f'a[href="/contacts/{contact_id}/edit"]')
    assert path_of(page) == f"/contacts/{contact_id}/edit"
    form = page.locator("form#contact-form")
    expect(form.locator('input[name="job_title"]')).to_have_value("Analyst")
    expect(form.locator('select[name="cf_segment"]')).to_have_value("Health")
    fill_contact_form(page, {"job_title": "Marketing Manager", "cf_segment": "Banking"})
    response = save_contact_form(page)

    assert response.status == 200
    assert path_of(page) == f"/contacts/{contact_id}"
    assert parse_qs(urlparse(page.url).query).get("notice") == ["saved"]
    facts = facts_of(page)
    assert facts["Job title"] == "Marketing Manager"
    assert facts["Segment"] == "Banking"
    change = page.locator('ol#timeline li[data-kind="updated"]')
    expect(change).to_have_count(1)
    expect(change).to_contain_text("Job title")
    expect(change).to_contain_text("Analyst → Marketing Manager")
    expect(change).to_contain_text("Health → Banking")
    expect(page.locator('ol#timeline li[data-kind="created"]')).to_have_count(1)


def test_deleting_a_contact_asks_first_and_then_removes_it(admin_page):
    page = admin_page
    visit(page, "/contacts/new")
    fill_contact_form(page, {"first_name": "Dora", "last_name": "Apagada", "email": "dora.apagada@example.com"})
    save_contact_form(page)
    contact_id = contact_id_of(page)

    asked = answer_next_dialog(page, accept=False)
    page.locator("form#contact-delete-form button[type=submit]").click()
    page.wait_for_timeout(300)
    assert len(asked) == 1 and "cannot be undone" in asked[0]
    assert path_of(page) == f"/contacts/{contact_id}"
    assert visit(page, f"/contacts/{contact_id}").status == 200

    asked = answer_next_dialog(page, accept=True)
    response = submit(page, "form#contact-delete-form")
    assert len(asked) == 1

    assert response.status == 200
    assert path_of(page) == "/contacts"
    assert parse_qs(urlparse(page.url).query).get("notice") == ["deleted"]
    expect(page.locator(f'tr[data-contact="{contact_id}"]')).to_have_count(0)
    assert visit(page, f"/contacts/{contact_id}").status == 404


# --- The list -------------------------------------------------------------------------------


def test_the_search_finds_contacts_by_name_email_or_company(admin_page, bring_in):
    rui, sol, _ = bring_in(
        {"first_name": "Rui", "last_name": "Quintela", "email": "rui@quintela.example", "campaign": "search-test"},
        {"first_name": "Sol", "last_name": "Barreto", "email": "sol@barreto.example", "company": "Quintela Foods",
         "campaign": "search-test"},
        {"first_name": "Tais", "last_name": "Nunes", "email": "tais@nunes.example", "campaign": "search-test"},
    )
    page = admin_page

    visit(page, "/contacts")
    page.fill('form#filter-form input[name="q"]', "quintela")
    submit(page, "form#filter-form")

    assert parse_qs(urlparse(page.url).query).get("q") == ["quintela"]
    assert sorted(listed_contact_ids(page)) == sorted([rui, sol])
    expect(page.locator('form#filter-form input[name="q"]')).to_have_value("quintela")

    visit(page, list_path(q="tais@nunes.example"))
    assert len(listed_contact_ids(page)) == 1

    visit(page, list_path(q="nobody-is-called-this"))
    expect(page.locator("p#contacts-table")).to_be_visible()


def test_a_filter_built_in_the_form_shows_as_a_chip_and_lives_in_the_shareable_url(admin_page, bring_in, colleagues, new_context):
    retail = bring_in(
        {"first_name": "Ana", "last_name": "Varejo", "campaign": "chips-test", "cf_segment": "Retail"},
        {"first_name": "Bia", "last_name": "Varejo", "campaign": "chips-test", "cf_segment": "retail"},
    )
    bring_in(
        {"first_name": "Caio", "last_name": "Banco", "campaign": "chips-test", "cf_segment": "Banking"},
        {"first_name": "Duda", "last_name": "Semsegmento", "campaign": "chips-test"},
    )
    page = admin_page
    visit(page, list_path(f="campaign:eq:chips-test"))
    assert len(listed_contact_ids(page)) == 4

    add_filter(page, "cf_segment", "eq", "Retail")

    assert filters_in_url(page) == ["campaign:eq:chips-test", "cf_segment:eq:Retail"]
    assert sorted(listed_contact_ids(page)) == sorted(retail)
    chips = page.locator("ul#active-filters li")
    expect(chips).to_have_count(2)
    expect(chips.nth(1)).to_contain_text("Segment is Retail")
    expect(page.locator(".subtitle")).to_contain_text("2 contacts")
    shared = page.url

    marketer = colleagues.get("mila-marketing", ("marketing",))
    other = new_context().new_page()
    log_in_and_land_home(other, marketer)
    visit(other, shared)
    assert sorted(listed_contact_ids(other)) == sorted(retail)
    expect(other.locator("ul#active-filters li")).to_have_count(2)

    follow(page, "ul#active-filters li:nth-child(2) a.chip-remove")
    assert filters_in_url(page) == ["campaign:eq:chips-test"]
    expect(page.locator("ul#active-filters li")).to_have_count(1)
    assert len(listed_contact_ids(page)) == 4

    follow(page, "ul#active-filters li a.chip-remove")
    expect(page.locator("ul#active-filters")).to_have_count(0)
    assert filters_in_url(page) == []


def test_the_stage_in_the_url_filters_the_list_by_lifecycle_stage(admin_page, bring_in):
    mql, sql = bring_in(
        {"first_name": "Eli", "last_name": "Estagio", "campaign": "stage-test", "lifecycle_stage": "mql"},
        {"first_name": "Fia", "last_name": "Estagio", "campaign": "stage-test", "lifecycle_stage": "sql"},
    )
    bring_in({"first_name": "Gil", "last_name": "Estagio", "campaign": "stage-test", "lifecycle_stage": "customer"})
    page = admin_page

    visit(page, list_path(f="campaign:eq:stage-test", stage="mql"))
    assert listed_contact_ids(page) == [mql]
    expect(page.locator("ul#active-filters")).to_contain_text("MQL")

    visit(page, list_path(f="campaign:eq:stage-test", stage=["mql", "sql"]))
    assert sorted(listed_contact_ids(page)) == sorted([mql, sql])


def test_number_filters_compare_numbers_not_text(admin_page, bring_in):
    low, mid, high = bring_in(
        {"first_name": "Hugo", "last_name": "Nota", "campaign": "nps-test", "cf_nps": 2},
        {"first_name": "Iara", "last_name": "Nota", "campaign": "nps-test", "cf_nps": 9},
        {"first_name": "Joel", "last_name": "Nota", "campaign": "nps-test", "cf_nps": 10},
    )
    page = admin_page
    visit(page, list_path(f="campaign:eq:nps-test"))

    add_filter(page, "cf_nps", "gte", "9")
    assert sorted(listed_contact_ids(page)) == sorted([mid, high])

    follow(page, "ul#active-filters li:nth-child(2) a.chip-remove")
    add_filter(page, "cf_nps", "between", "1..9")
    assert filters_in_url(page)[-1] == "cf_nps:between:1..9"
    assert sorted(listed_contact_ids(page)) == sorted([low, mid])
    expect(page.locator("ul#active-filters li").nth(1)).to_contain_text("NPS is between 1 – 9")

    follow(page, "ul#active-filters li:nth-child(2) a.chip-remove")
    add_filter(page, "cf_nps", "unset")
    expect(page.locator("p#contacts-table")).to_be_visible()


def test_a_filter_the_list_cannot_read_falls_back_to_the_whole_list_with_a_notice(admin_page):
    page = admin_page

    response = visit(page, list_path(f="no_such_field:eq:x"))

    assert response.status == 200
    assert path_of(page) == "/contacts"
    assert parse_qs(urlparse(page.url).query).get("notice") == ["bad_filter"]
    expect(page.locator(".notice")).to_be_visible()
    expect(page.locator("ul#active-filters")).to_have_count(0)


def test_the_name_header_sorts_by_last_name_and_a_second_click_reverses_the_order(admin_page, bring_in):
    bring_in(
        {"first_name": "Zeca", "last_name": "Moura", "campaign": "sort-test"},
        {"first_name": "Bruna", "last_name": "Alves", "campaign": "sort-test"},
        {"first_name": "Caio", "last_name": "Torres", "campaign": "sort-test"},
        {"first_name": "Ada", "last_name": "Moura", "campaign": "sort-test"},
    )
    page = admin_page
    visit(page, list_path(f="campaign:eq:sort-test"))

    follow(page, 'table#contacts-table th a:text-is("Name")')
    assert parse_qs(urlparse(page.url).query).get("sort") == ["name"]
    assert filters_in_url(page) == ["campaign:eq:sort-test"]
    assert names_listed(page) == ["Bruna Alves", "Ada Moura", "Zeca Moura", "Caio Torres"]
    expect(page.locator('table#contacts-table th[aria-sort="ascending"]')).to_have_count(1)

    follow(page, 'table#contacts-table th[aria-sort="ascending"] a')
    assert parse_qs(urlparse(page.url).query).get("sort") == ["name_desc"]
    assert names_listed(page) == ["Caio Torres", "Zeca Moura", "Ada Moura", "Bruna Alves"]
    expect(page.locator('table#contacts-table th[aria-sort="descending"]')).to_have_count(1)


def test_a_long_list_comes_fifty_contacts_a_page(admin_page, bring_in):
    created = bring_in(*[
        {"first_name": f"Pagina{number:02d}", "last_name": "Longa", "campaign": "paging-test"}
        for number in range(55)
    ])
    page = admin_page

    visit(page, list_path(f="campaign:eq:paging-test"))
    first_page = listed_contact_ids(page)
    assert len(first_page) == 50
    expect(page.locator(".subtitle")).to_contain_text("55 contacts")

    follow(page, "nav.pager a[rel=next]")
    assert filters_in_url(page) == ["campaign:eq:paging-test"]
    second_page = listed_contact_ids(page)
    assert len(second_page) == 5
    assert set(first_page).isdisjoint(second_page)
    assert sorted(first_page + second_page) == sorted(created)
    expect(page.locator("nav.pager a[rel=next]")).to_have_count(0)

    follow(page, 'nav.pager a:text-is("First page")')
    assert listed_contact_ids(page) == first_page


def test_the_csv_export_holds_only_the_filtered_contacts_under_the_standard_header(admin_page, bring_in):
    bring_in(
        {"first_name": "Kai", "last_name": "Exporta", "email": "kai@export.example", "campaign": "export-test",
         "cf_segment": "Retail", "cf_interests": ["Analytics", "Events"], "country": "PT"},
        {"first_name": "Lu", "last_name": "Exporta", "email": "lu@export.example", "campaign": "export-test",
         "cf_segment": "Banking"},
    )
    page = admin_page
    visit(page, list_path(f=["campaign:eq:export-test", "cf_segment:eq:Retail"]))

    link = page.locator('a[href^="/contacts/export.csv"]')
    expect(link).to_have_text("Export CSV")
    href = link.get_attribute("href")
    assert parse_qs(urlparse(href).query).get("f") == ["campaign:eq:export-test", "cf_segment:eq:Retail"]
    response = page.request.get(href)

    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text().lstrip("\ufeff"))))
    header = rows[0]
    assert header[: len(CSV_HEADER)] == CSV_HEADER
    assert {"cf_segment", "cf_nps", "cf_interests"} <= set(header)
    assert "cf_plan" not in header
    records = [dict(zip(header, row)) for row in rows[1:] if row]
    assert [record["email"] for record in records] == ["kai@export.example"]
    assert records[0]["cf_segment"] == "Retail"
    assert records[0]["country"] == "PT"
    assert records[0]["cf_interests"] == "Analytics; Events"


# --- Bulk actions ---------------------------------------------------------------------------


def test_assigning_an_owner_in_bulk_changes_only_the_ticked_contacts(admin_page, bring_in, colleagues):
    rep = colleagues.get("rita-sales", ("sales",))
    first, second, untouched = bring_in(*[
        {"first_name": name, "last_name": "Lote", "campaign": "bulk-owner-test"} for name in ("Mia", "Nil", "Oto")
    ])
    page = admin_page
    visit(page, list_path(f="campaign:eq:bulk-owner-test"))

    for contact_id in (first, second):
        page.check(f'table#contacts-table input[name="ids"][value="{contact_id}"]')
    form = page.locator("form#bulk-form")
    form.locator('select[name="action"]').select_option("assign_owner")
    form.locator('select[name="owner_id"]').select_option(label=rep.name)
    response = submit(page, "form#bulk-form")

    assert response.status == 200
    assert path_of(page) == "/contacts"
    assert parse_qs(urlparse(page.url).query).get("notice") == ["bulk_done"]
    assert filters_in_url(page) == ["campaign:eq:bulk-owner-test"]
    for contact_id in (first, second):
        expect(page.locator(f'tr[data-contact="{contact_id}"] td').last).to_have_text(rep.name)
    expect(page.locator(f'tr[data-contact="{untouched}"] td').last).to_have_text("—")


def test_adding_all_results_of_a_filter_to_a_list_shows_in_each_timeline(admin_page, bring_in):
    ids = bring_in(*[
        {"first_name": name, "last_name": "Lista", "campaign": "bulk-list-test"} for name in ("Pia", "Rai")
    ])
    page = admin_page
    visit(page, list_path(f="campaign:eq:bulk-list-test"))

    form = page.locator("form#bulk-form")
    form.locator('select[name="action"]').select_option("add_to_list")
    form.locator('input[name="list"]').fill("Webinar follow-up")
    expect(form.locator('label:has(input[name="all"])')).to_contain_text("All 2 results")
    form.locator('input[name="all"]').check()
    response = submit(page, "form#bulk-form")

    assert response.status == 200
    assert parse_qs(urlparse(page.url).query).get("notice") == ["bulk_done"]
    for contact_id in ids:
        visit(page, f"/contacts/{contact_id}")
        entry = page.locator('ol#timeline li[data-kind="added_to_list"]')
        expect(entry).to_have_count(1)
        expect(entry).to_contain_text("Webinar follow-up")


def test_deleting_all_results_of_a_filter_in_bulk_leaves_the_rest(admin_page, bring_in):
    doomed = bring_in(*[
        {"first_name": name, "last_name": "Sai", "campaign": "bulk-delete-test", "cf_segment": "Health"}
        for name in ("Quim", "Rosa", "Sara")
    ])
    (kept,) = bring_in({"first_name": "Teo", "last_name": "Fica", "campaign": "bulk-delete-test", "cf_segment": "Retail"})
    page = admin_page
    visit(page, list_path(f=["campaign:eq:bulk-delete-test", "cf_segment:eq:Health"]))
    assert sorted(listed_contact_ids(page)) == sorted(doomed)

    form = page.locator("form#bulk-form")
    form.locator('select[name="action"]').select_option("delete")
    form.locator('input[name="all"]').check()
    response = submit(page, "form#bulk-form")

    assert response.status == 200
    assert parse_qs(urlparse(page.url).query).get("notice") == ["bulk_done"]
    expect(page.locator("p#contacts-table")).to_be_visible()
    visit(page, list_path(f="campaign:eq:bulk-delete-test"))
    assert listed_contact_ids(page) == [kept]
    assert visit(page, f"/contacts/{doomed[0]}").status == 404


# --- Merging duplicates ---------------------------------------------------------------------


def test_merging_a_duplicate_keeps_the_survivor_with_its_history_and_retires_the_duplicate(admin_page, bring_in):
    survivor, duplicate = bring_in(
        {"first_name": "Vera", "last_name": "Lima", "email": "vera.lima@example.com", "cf_segment": "Retail"},
        {"first_name": "Vera", "last_name": "Lima", "email": "vera@lima-consulting.example", "phone": "+55 21 3333-4444",
         "job_title": "Partner", "cf_nps": 8},
    )
    page = admin_page
    visit(page, f"/contacts/{survivor}")
    follow(page, f'a[href="/contacts/{survivor}/merge"]')
    assert path_of(page) == f"/contacts/{survivor}/merge"

    page.fill('form#merge-form input[name="other"]', "vera@lima-consulting.example")
    asked = answer_next_dialog(page, accept=True)
    response = submit(page, "form#merge-form")
    assert len(asked) == 1 and asked[0]

    assert response.status == 200
    assert path_of(page) == f"/contacts/{survivor}"
    assert parse_qs(urlparse(page.url).query).get("notice") == ["merged"]
    merged = page.locator('ol#timeline li[data-kind="merged"]')
    expect(merged).to_have_count(1)
    expect(merged).to_contain_text("vera@lima-consulting.example")
    expect(page.locator('ol#timeline li[data-kind="created"]')).to_have_count(2)
    facts = facts_of(page)
    assert facts["Email"] == "vera.lima@example.com"
    assert facts["Phone"] == "+55 21 3333-4444"
    assert facts["Job title"] == "Partner"
    assert facts["Segment"] == "Retail"
    assert facts["NPS"] == "8"

    assert visit(page, f"/contacts/{duplicate}").status == 404


def test_merging_with_a_contact_that_does_not_exist_is_refused_next_to_the_field(admin_page, bring_in):
    (contact,) = bring_in({"first_name": "Yara", "last_name": "Sozinha", "email": "yara@example.com"})
    page = admin_page
    visit(page, f"/contacts/{contact}/merge")

    page.fill('form#merge-form input[name="other"]', "nobody-here@example.com")
    answer_next_dialog(page, accept=True)
    response = submit(page, "form#merge-form")

    assert response.status == 422
    expect(page.locator('.field-error[data-field="other"]')).to_be_visible()
    expect(page.locator('form#merge-form input[name="other"]')).to_be_visible()

    page.fill('form#merge-form input[name="other"]', "yara@example.com")
    answer_next_dialog(page, accept=True)
    response = submit(page, "form#merge-form")
    assert response.status == 422
    assert visit(page, f"/contacts/{contact}").status == 200


# --- What a sales rep may do ----------------------------------------------------------------


def test_a_sales_rep_reads_any_contact_but_may_not_change_one_they_do_not_own(colleagues, bring_in, page):
    rep = colleagues.get("rita-sales", ("sales",))
    (someone_elses,) = bring_in({"first_name": "Ugo", "last_name": "Alheio", "email": "ugo@example.com"})
    log_in_and_land_home(page, rep)

    assert visit(page, "/contacts").status == 200
    expect(page.locator(f'tr[data-contact="{someone_elses}"]')).to_be_visible()
    assert visit(page, f"/contacts/{someone_elses}").status == 200
    expect(page.locator("dl.facts")).to_be_visible()
    expect(page.locator(f'a[href="/contacts/{someone_elses}/edit"]')).to_have_count(0)
    expect(page.locator(f'a[href="/contacts/{someone_elses}/merge"]')).to_have_count(0)
    expect(page.locator("form#contact-delete-form")).to_have_count(0)

    assert visit(page, f"/contacts/{someone_elses}/edit").status == 403
    expect(page.locator("form#contact-form")).to_have_count(0)
    assert visit(page, f"/contacts/{someone_elses}/merge").status == 403


def test_a_sales_rep_creates_a_contact_that_is_theirs_and_may_then_edit_it(colleagues, custom_fields, page):
    rep = colleagues.get("rita-sales", ("sales",))
    log_in_and_land_home(page, rep)
    visit(page, "/contacts")
    expect(page.locator('a[href="/contacts/new"]')).to_be_visible()
    expect(page.locator("form#bulk-form")).to_be_visible()

    follow(page, 'a[href="/contacts/new"]')
    expect(page.locator('form#contact-form select[name="owner_email"]')).to_have_value(rep.email)
    fill_contact_form(page, {"first_name": "Wal", "last_name": "Proprio", "email": "wal@example.com"})
    response = save_contact_form(page)

    assert response.status == 200
    contact_id = contact_id_of(page)
    assert facts_of(page)["Owner"] == rep.name
    expect(page.locator(f'a[href="/contacts/{contact_id}/edit"]')).to_be_visible()
    assert visit(page, f"/contacts/{contact_id}/edit").status == 200


def test_a_sales_rep_may_not_give_a_contact_to_someone_else(admin, colleagues, custom_fields, page):
    rep = colleagues.get("rita-sales", ("sales",))
    log_in_and_land_home(page, rep)
    visit(page, "/contacts/new")

    fill_contact_form(page, {"first_name": "Xu", "last_name": "Alheio", "email": "xu@example.com", "owner_email": admin.email})
    response = save_contact_form(page)

    assert response.status == 422
    expect(page.locator('.field-error[data-field="owner_email"]')).to_be_visible()
    expect(page.locator('form#contact-form input[name="first_name"]')).to_have_value("Xu")
    visit(page, list_path(q="xu@example.com"))
    assert listed_contact_ids(page) == []


def test_a_sales_reps_bulk_action_on_all_results_touches_only_their_own_contacts(colleagues, bring_in, page):
    rep = colleagues.get("rita-sales", ("sales",))
    (admins,) = bring_in({"first_name": "Zoe", "last_name": "Alheia", "campaign": "rep-bulk-test"})
    (reps,) = bring_in({"first_name": "Zico", "last_name": "Meu", "campaign": "rep-bulk-test", "owner_email": rep.email})
    log_in_and_land_home(page, rep)
    visit(page, list_path(f="campaign:eq:rep-bulk-test"))

    form = page.locator("form#bulk-form")
    form.locator('select[name="action"]').select_option("delete")
    form.locator('input[name="all"]').check()
    submit(page, "form#bulk-form")

    assert listed_contact_ids(page) == [admins]
    assert visit(page, f"/contacts/{reps}").status == 404


# --- Language and looks ---------------------------------------------------------------------


def test_the_contact_list_speaks_portuguese_to_a_user_who_chose_it(colleagues, custom_fields, page):
    user = colleagues.get("paula-idioma", ("marketing",))
    log_in_and_land_home(page, user)
    visit(page, "/contacts")
    choose_language(page, "pt-BR")

    expect(page.locator("h1")).to_have_text("Contatos")
    form = page.locator("form#filter-form")
    expect(form.locator('label[for="f-q"]')).to_have_text("Buscar")
    expect(form.locator('label[for="f-field"]')).to_have_text("Campo")
    expect(form.locator('label[for="f-op"]')).to_have_text("Condição")
    expect(form.locator('label[for="f-value"]')).to_have_text("Valor")
    expect(form.locator('select[name="f_op"] option[value="eq"]')).to_have_text("é")


def fits_the_window_width(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_the_contact_list_and_a_contact_page_fit_a_desktop_window(admin_page, bring_in):
    """Also leaves contacts-list.png and contact-page.png in artifacts/ for a person to look at."""
    (contact,) = bring_in({
        "first_name": "Beatriz", "last_name": "Albuquerque de Vasconcelos", "email": "beatriz.vasconcelos@example.com",
        "job_title": "Vice President of Revenue Operations", "company": "Vasconcelos & Filhos Comércio Internacional",
        "country": "BR", "lifecycle_stage": "sql", "source": "LinkedIn", "campaign": "look-test",
        "cf_segment": "Retail", "cf_nps": 7, "cf_interests": ["Analytics", "Automation"], "cf_newsletter": True,
    })
    page = admin_page
    page.set_viewport_size({"width": 1280, "height": 900})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    visit(page, "/contacts")
    expect(page.locator(f'tr[data-contact="{contact}"]')).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "contacts-list.png"), full_page=True)
    assert fits_the_window_width(page)

    visit(page, f"/contacts/{contact}")
    expect(page.locator("dl.facts")).to_be_visible()
    expect(page.locator("ol#timeline")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "contact-page.png"), full_page=True)
    assert fits_the_window_width(page)
