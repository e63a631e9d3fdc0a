"""Companies: creating one from the left navigation (its domain typed as a web address, one
company per domain), the form's errors, the list with its search, filters, sort and count, a
company's contacts, deleting a company, what a sales rep may do, the contact search by words,
and the company pages in Portuguese."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from playwright.sync_api import Page, expect

from actions import (
    ACTION_TIMEOUT_MS,
    NAVIGATION_TIMEOUT_MS,
    add_filter,
    answer_next_dialog,
    api_post,
    choose_language,
    company_id_of,
    contact_id_of,
    create_api_token,
    fill_company_form,
    fill_contact_form,
    follow,
    listed_company_ids,
    listed_contact_ids,
    log_in_and_land_home,
    path_of,
    save_company_form,
    save_contact_form,
    submit,
    visit,
)


# --- Set up once for this file --------------------------------------------------------------


def open_page(browser, server, locale: str = "en-US") -> Page:
    context = browser.new_context(base_url=server.url, locale=locale)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    return context.new_page()


@pytest.fixture(scope="module")
def admin_token(browser, server, admin) -> str:
    """A personal API token of the admin, to bring companies and contacts in quickly."""
    page = open_page(browser, server)
    try:
        log_in_and_land_home(page, admin)
        return create_api_token(page, "Company test data")
    finally:
        page.context.close()


@pytest.fixture
def bring_in_companies(server, admin_token):
    """Creates companies through the REST API as the admin; returns their ids as the pages show them."""

    def create(*companies: dict) -> list[str]:
        ids = []
        for company in companies:
            status, body = api_post(server.url, "/api/v1/companies", admin_token, company)
            assert status in (200, 201), f"creating {company} through the API answered {status}: {body}"
            ids.append(str(body["id"]).lower())
        return ids

    return create


@pytest.fixture
def bring_in_contacts(server, admin_token):
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
def admin_page(admin, page) -> Page:
    log_in_and_land_home(page, admin)
    return page


@pytest.fixture
def marketer_page(colleagues, page) -> Page:
    log_in_and_land_home(page, colleagues.get("mila-marketing", ("marketing",)))
    return page


# --- Reading the pages ----------------------------------------------------------------------


def facts_of(page: Page) -> dict[str, str]:
    """The company's profile, `dl.facts`, as label -> shown value."""
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


def notice_of(page: Page):
    return page.locator('.notice[role="status"]')


def notice_in_url(page: Page) -> list[str]:
    return parse_qs(urlparse(page.url).query).get("notice", [])


def filters_in_url(page: Page) -> list[str]:
    """The filters the page's URL holds, as `field:op:value`: the `f` parameters, then the one
    the filter form's three inputs (`f_field`, `f_op`, `f_value`) add when it was just applied."""
    params = parse_qs(urlparse(page.url).query, keep_blank_values=True)
    filters = params.get("f", [])
    field, operation = params.get("f_field", [""])[0], params.get("f_op", [""])[0]
    if field and operation:
        filters = filters + [f"{field}:{operation}:{params.get('f_value', [''])[0]}"]
    return filters


def company_names_listed(page: Page) -> list[str]:
    return [
        text.strip()
        for text in page.locator("table#companies-table tbody tr[data-company] td:nth-child(1) a").all_inner_texts()
    ]


def company_list_path(**params: str | list[str]) -> str:
    return "/companies?" + urlencode(params, doseq=True)


def contact_list_path(**params: str | list[str]) -> str:
    return "/contacts?" + urlencode(params, doseq=True)


def list_count(page: Page):
    """The count under the list's heading ("3 companies")."""
    return page.locator(".page-header .subtitle")


def search_companies(page: Page, words: str) -> None:
    """Types words into the company list's search box and applies them."""
    page.fill("form#filter-form input#f-q", words)
    submit(page, "form#filter-form")


# --- Creating a company ---------------------------------------------------------------------


def test_a_marketer_creates_a_company_from_the_navigation_and_a_second_one_with_its_domain_updates_it(marketer_page):
    page = marketer_page
    follow(page, 'nav#main-nav a[data-nav="companies"]')
    assert path_of(page) == "/companies"
    expect(page.locator("h1")).to_have_text("Companies")
    new_company = page.locator('.page-header a[href="/companies/new"]')
    expect(new_company).to_have_text("New company")

    follow(page, '.page-header a[href="/companies/new"]')
    assert path_of(page) == "/companies/new"
    expect(page.locator("h1")).to_have_text("New company")
    fill_company_form(page, {
        "name": "Globex",
        "domain": "https://www.globex.com.br/",
        "industry": "Manufacturing",
        "employee_count": "1250",
        "revenue_band": "R$ 10–50 mi",
        "country": "Brasil",
    })
    response = save_company_form(page)

    assert response.status == 200
    company_id = company_id_of(page)
    assert path_of(page) == f"/companies/{company_id}"
    assert notice_in_url(page) == ["created"]
    expect(notice_of(page)).to_have_text("Created.")
    expect(page.locator("h1")).to_have_text("Globex")
    expect(page.locator(".page-header .subtitle")).to_have_text("Manufacturing · globex.com.br")
    facts = facts_of(page)
    expected = {
        "Domain": "globex.com.br",
        "Industry": "Manufacturing",
        "Employees": "1,250",
        "Revenue band": "R$ 10–50 mi",
        "Country": "BR",
    }
    assert {label: facts.get(label) for label in expected} == expected
    expect(page.locator("dl.facts a", has_text="globex.com.br")).to_have_attribute("href", "https://globex.com.br")
    expect(page.locator('ol#timeline li[data-kind="created"]')).to_have_count(1)
    expect(page.locator(f'a[href="/companies/{company_id}/edit"]')).to_be_visible()
    expect(page.locator("form#company-delete-form")).to_be_visible()

    visit(page, "/companies")
    follow(page, '.page-header a[href="/companies/new"]')
    fill_company_form(page, {"name": "Globex", "domain": "globex.com.br", "employee_count": "1300"})
    response = save_company_form(page)

    assert response.status == 200
    assert company_id_of(page) == company_id
    assert notice_in_url(page) == ["existing_company_updated"]
    expect(notice_of(page)).to_have_text(
        "A company with this domain already existed: it was updated instead of duplicated."
    )
    facts = facts_of(page)
    assert facts["Employees"] == "1,300"
    assert facts["Industry"] == "Manufacturing"  # what the second form left empty is kept
    assert facts["Country"] == "BR"
    expect(page.locator('ol#timeline li[data-kind="created"]')).to_have_count(1)
    change = page.locator('ol#timeline li[data-kind="updated"]')
    expect(change).to_have_count(1)
    expect(change).to_contain_text("Employees")

    visit(page, "/companies")
    search_companies(page, "globex.com.br")
    assert listed_company_ids(page) == [company_id]
    expect(list_count(page)).to_have_text("1 company")


def test_the_company_form_explains_each_bad_value_next_to_its_field_keeps_what_was_typed_and_saves_nothing(marketer_page):
    page = marketer_page
    visit(page, "/companies/new")
    fill_company_form(page, {
        "name": "",
        "domain": "not a domain",
        "industry": "Ceramics",
        "employee_count": "many",
        "country": "Brasil",
    })
    response = save_company_form(page)

    assert response.status == 422
    assert path_of(page) == "/companies"
    assert field_errors(page) == {"name", "domain", "employee_count"}
    expect(page.locator('.field-error[data-field="name"]')).to_have_text("This field is required.")
    expect(page.locator('.field-error[data-field="domain"]')).to_have_text("Enter a web domain like acme.com.br.")
    expect(page.locator('.field-error[data-field="employee_count"]')).to_have_text("Enter a whole number, 0 or more.")
    form = page.locator("form#company-form")
    for name in ("name", "domain", "employee_count"):
        expect(form.locator(f'input[name="{name}"]')).to_have_attribute("aria-invalid", "true")
    expect(form.locator('input[name="domain"]')).to_have_value("not a domain")
    expect(form.locator('input[name="industry"]')).to_have_value("Ceramics")
    expect(form.locator('input[name="country"]')).to_have_value("Brasil")
    # A number input cannot show "many", but the page sends back what was typed.
    expect(form.locator('input[name="employee_count"]')).to_have_attribute("value", "many")

    visit(page, company_list_path(f="industry:eq:Ceramics"))
    expect(page.locator("p#companies-table")).to_have_text("No company matches this search or these filters.")


# --- The list -------------------------------------------------------------------------------


AEROSPACE = [
    {"name": "Wayne Aerospace", "domain": "wayne-enterprises.example", "industry": "Aerospace", "employee_count": 5000,
     "country": "US"},
    {"name": "Stark Avionics", "domain": "stark-avionics.example", "industry": "Aerospace", "employee_count": 800,
     "country": "US"},
    {"name": "Cyberdyne Orbital", "domain": "cyberdyne.example", "industry": "Aerospace", "employee_count": 120,
     "country": "BR"},
    {"name": "Blue Sun Rockets", "domain": "bluesun.example", "industry": "Aerospace", "employee_count": 40,
     "country": "PT"},
]


@pytest.fixture
def aerospace(bring_in_companies) -> dict[str, str]:
    """Four companies of one industry, by name -> id."""
    ids = bring_in_companies(*AEROSPACE)
    return {company["name"]: company_id for company, company_id in zip(AEROSPACE, ids)}


def test_the_company_search_finds_companies_by_name_or_domain_and_the_count_speaks_of_one_or_many(admin_page, aerospace):
    page = admin_page
    visit(page, "/companies")

    search_companies(page, "cyberdyne")
    assert parse_qs(urlparse(page.url).query).get("q") == ["cyberdyne"]
    assert listed_company_ids(page) == [aerospace["Cyberdyne Orbital"]]
    expect(page.locator("form#filter-form input#f-q")).to_have_value("cyberdyne")
    expect(list_count(page)).to_have_text("1 company")
    row = page.locator(f'table#companies-table tr[data-company="{aerospace["Cyberdyne Orbital"]}"]')
    expect(row).to_contain_text("cyberdyne.example")
    expect(row).to_contain_text("Aerospace")
    expect(row).to_contain_text("120")

    search_companies(page, "wayne-enterprises.example")
    assert listed_company_ids(page) == [aerospace["Wayne Aerospace"]]
    expect(list_count(page)).to_have_text("1 company")

    visit(page, company_list_path(f="industry:eq:Aerospace"))
    assert sorted(listed_company_ids(page)) == sorted(aerospace.values())
    expect(list_count(page)).to_have_text("4 companies")

    search_companies(page, "nobody-is-called-this")
    expect(page.locator("p#companies-table")).to_be_visible()
    expect(list_count(page)).to_have_text("0 companies")


def test_a_search_or_a_filter_value_of_several_words_typed_in_the_form_finds_the_company(admin_page, aerospace):
    """The filter form is a GET form: the browser sends the spaces of what was typed as `+`."""
    page = admin_page
    visit(page, "/companies")

    search_companies(page, "Blue Sun")
    assert listed_company_ids(page) == [aerospace["Blue Sun Rockets"]]
    expect(page.locator("form#filter-form input#f-q")).to_have_value("Blue Sun")

    visit(page, "/companies")
    add_filter(page, "name", "eq", "Blue Sun Rockets")
    expect(page.locator("ul#active-filters li").first).to_contain_text("Name is Blue Sun Rockets")
    assert listed_company_ids(page) == [aerospace["Blue Sun Rockets"]]


def test_an_employees_filter_built_in_the_form_shows_as_a_chip_that_removes_it(admin_page, aerospace):
    page = admin_page
    visit(page, "/companies")
    add_filter(page, "industry", "eq", "Aerospace")
    assert filters_in_url(page) == ["industry:eq:Aerospace"]
    expect(list_count(page)).to_have_text("4 companies")

    add_filter(page, "employee_count", "gte", "800")
    assert filters_in_url(page) == ["industry:eq:Aerospace", "employee_count:gte:800"]
    assert sorted(listed_company_ids(page)) == sorted([aerospace["Wayne Aerospace"], aerospace["Stark Avionics"]])
    chips = page.locator("ul#active-filters li")
    expect(chips).to_have_count(2)
    expect(chips.nth(0)).to_contain_text("Industry is Aerospace")
    expect(chips.nth(1)).to_contain_text("Employees is at least 800")
    expect(list_count(page)).to_have_text("2 companies")

    follow(page, "ul#active-filters li:nth-child(2) a.chip-remove")
    assert filters_in_url(page) == ["industry:eq:Aerospace"]
    expect(page.locator("ul#active-filters li")).to_have_count(1)
    assert sorted(listed_company_ids(page)) == sorted(aerospace.values())

    add_filter(page, "employee_count", "between", "100..1000")
    assert filters_in_url(page)[-1] == "employee_count:between:100..1000"
    assert sorted(listed_company_ids(page)) == sorted([aerospace["Stark Avionics"], aerospace["Cyberdyne Orbital"]])
    expect(page.locator("ul#active-filters li").nth(1)).to_contain_text("Employees is between 100 – 1000")
    expect(list_count(page)).to_have_text("2 companies")

    follow(page, "ul#active-filters li:nth-child(2) a.chip-remove")
    follow(page, "ul#active-filters li a.chip-remove")
    expect(page.locator("ul#active-filters")).to_have_count(0)
    assert filters_in_url(page) == []


def test_the_name_header_sorts_the_companies_and_a_second_click_reverses_the_order(admin_page, aerospace):
    page = admin_page
    visit(page, company_list_path(f="industry:eq:Aerospace"))

    follow(page, 'table#companies-table th a:text-is("Name")')
    assert parse_qs(urlparse(page.url).query).get("sort") == ["name"]
    assert filters_in_url(page) == ["industry:eq:Aerospace"]
    assert company_names_listed(page) == ["Blue Sun Rockets", "Cyberdyne Orbital", "Stark Avionics", "Wayne Aerospace"]
    expect(page.locator('table#companies-table th[aria-sort="ascending"]')).to_have_count(1)

    follow(page, 'table#companies-table th[aria-sort="ascending"] a')
    assert parse_qs(urlparse(page.url).query).get("sort") == ["name_desc"]
    assert filters_in_url(page) == ["industry:eq:Aerospace"]
    assert company_names_listed(page) == ["Wayne Aerospace", "Stark Avionics", "Cyberdyne Orbital", "Blue Sun Rockets"]
    expect(page.locator('table#companies-table th[aria-sort="descending"]')).to_have_count(1)

    follow(page, 'table#companies-table th[aria-sort="descending"] a')
    assert parse_qs(urlparse(page.url).query).get("sort") == ["name"]
    assert company_names_listed(page) == ["Blue Sun Rockets", "Cyberdyne Orbital", "Stark Avionics", "Wayne Aerospace"]


# --- A company's contacts, and deleting a company -------------------------------------------


def test_a_company_lists_its_contacts_links_to_them_and_deleting_it_keeps_them_without_a_company(
    admin_page, bring_in_companies, bring_in_contacts
):
    (company_id,) = bring_in_companies({"name": "Globex", "domain": "globex-logistica.example", "industry": "Logistics"})
    page = admin_page
    visit(page, "/contacts/new")
    fill_contact_form(page, {
        "first_name": "Hank", "last_name": "Scorpio", "email": "hank@globex-logistica.example", "job_title": "CEO",
        "company": "Globex", "company_domain": "https://www.globex-logistica.example/",
    })
    save_contact_form(page)
    hank = contact_id_of(page)
    (homer,) = bring_in_contacts({
        "first_name": "Homer", "last_name": "Simpson", "email": "homer@globex-logistica.example",
        "company": "Globex", "company_domain": "globex-logistica.example",
    })
    (elsewhere,) = bring_in_contacts({
        "first_name": "Frank", "last_name": "Grimes", "email": "frank@initrode.example",
        "company": "Initrode", "company_domain": "initrode.example",
    })

    visit(page, company_list_path(q="globex-logistica.example"))
    follow(page, f'table#companies-table tr[data-company="{company_id}"] a')
    assert path_of(page) == f"/companies/{company_id}"
    section = page.locator("section#company-contacts")
    expect(section.locator("h2")).to_have_text("Contacts at this company (2)")
    listed = section.locator("tr[data-contact]").evaluate_all("rows => rows.map(row => row.dataset.contact)")
    assert sorted(listed) == sorted([hank, homer])
    expect(section.locator(f'tr[data-contact="{elsewhere}"]')).to_have_count(0)
    expect(section.locator(f'tr[data-contact="{hank}"]')).to_contain_text("Hank Scorpio")
    expect(section.locator(f'tr[data-contact="{hank}"]')).to_contain_text("CEO")
    all_of_them = section.locator('a[href^="/contacts?"]')
    expect(all_of_them).to_have_text("All 2 in the contact list")

    follow(page, 'section#company-contacts a[href^="/contacts?"]')
    assert path_of(page) == "/contacts"
    assert filters_in_url(page) == [f"company_id:eq:{company_id}"]
    assert sorted(listed_contact_ids(page)) == sorted([hank, homer])
    chips = page.locator("ul#active-filters li")
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("Company is Globex")

    visit(page, f"/companies/{company_id}")
    asked = answer_next_dialog(page, accept=True)
    response = submit(page, "form#company-delete-form")
    assert asked == ["Delete this company? Its contacts stay, without a company."]

    assert response.status == 200
    assert path_of(page) == "/companies"
    assert notice_in_url(page) == ["deleted"]
    expect(notice_of(page)).to_have_text("Deleted.")
    expect(page.locator(f'tr[data-company="{company_id}"]')).to_have_count(0)
    assert visit(page, f"/companies/{company_id}").status == 404

    for contact_id in (hank, homer):
        assert visit(page, f"/contacts/{contact_id}").status == 200
        assert facts_of(page)["Company"] == "—"
        expect(page.locator('ol#timeline li[data-kind="updated"]').first).to_contain_text("Globex")
    visit(page, contact_list_path(q="hank@globex-logistica.example"))
    assert listed_contact_ids(page) == [hank]
    visit(page, f"/contacts/{elsewhere}")
    assert facts_of(page)["Company"] == "Initrode"


def test_cancelling_the_delete_question_keeps_the_company(admin_page, bring_in_companies):
    (company_id,) = bring_in_companies({"name": "Vandelay Industries", "domain": "vandelay.example"})
    page = admin_page
    visit(page, f"/companies/{company_id}")

    asked = answer_next_dialog(page, accept=False)
    page.locator("form#company-delete-form button[type=submit]").click()
    page.wait_for_timeout(300)

    assert len(asked) == 1
    assert path_of(page) == f"/companies/{company_id}"
    assert visit(page, f"/companies/{company_id}").status == 200


# --- What a sales rep may do ----------------------------------------------------------------


def test_a_sales_rep_reads_a_company_but_may_not_create_edit_or_delete_one(colleagues, bring_in_companies, page):
    rep = colleagues.get("rita-sales", ("sales",))
    (company_id,) = bring_in_companies({"name": "Soylent Corp", "domain": "soylent.example", "industry": "Food"})
    log_in_and_land_home(page, rep)

    follow(page, 'nav#main-nav a[data-nav="companies"]')
    assert path_of(page) == "/companies"
    expect(page.locator('a[href="/companies/new"]')).to_have_count(0)
    visit(page, company_list_path(q="soylent.example"))
    assert listed_company_ids(page) == [company_id]

    assert visit(page, f"/companies/{company_id}").status == 200
    expect(page.locator("h1")).to_have_text("Soylent Corp")
    assert facts_of(page)["Industry"] == "Food"
    expect(page.locator(f'a[href="/companies/{company_id}/edit"]')).to_have_count(0)
    expect(page.locator("form#company-delete-form")).to_have_count(0)

    response = visit(page, "/companies/new")
    assert response.status == 403
    expect(page.locator(".error-page h1")).to_have_text("Not allowed")
    expect(page.locator("form#company-form")).to_have_count(0)
    assert visit(page, f"/companies/{company_id}/edit").status == 403
    expect(page.locator("form#company-form")).to_have_count(0)


# --- The contact search, by words -----------------------------------------------------------


def test_the_contact_search_matches_the_beginning_of_words_and_ignores_accents(admin_page, bring_in_contacts):
    joao, ana = bring_in_contacts(
        {"first_name": "João", "last_name": "Conceição", "email": "joao.conceicao@acme.com.br"},
        {"first_name": "Ana", "last_name": "Souza", "email": "ana.souza@example.org"},
    )
    ours = {joao: "João Conceição", ana: "Ana Souza"}
    page = admin_page

    def found(words: str) -> list[str]:
        visit(page, contact_list_path(q=words))
        return sorted(ours[contact_id] for contact_id in listed_contact_ids(page) if contact_id in ours)

    visit(page, "/contacts")
    page.fill('form#filter-form input[name="q"]', "joao")
    submit(page, "form#filter-form")
    assert parse_qs(urlparse(page.url).query).get("q") == ["joao"]
    assert [contact_id for contact_id in listed_contact_ids(page) if contact_id in ours] == [joao]

    assert found("conceicao") == ["João Conceição"]
    assert found("Conceição") == ["João Conceição"]
    assert found("JOÃO") == ["João Conceição"]
    assert found("acme") == ["João Conceição"]
    assert found("souza") == ["Ana Souza"]
    assert found("sou") == ["Ana Souza"]
    assert found("ana souza") == ["Ana Souza"]
    assert found("ouza") == []
    assert found("ceicao") == []


# --- Portuguese -----------------------------------------------------------------------------


def test_the_company_pages_speak_portuguese_to_a_user_who_chose_it(colleagues, bring_in_companies, page):
    user = colleagues.get("paulo-empresas", ("marketing",))
    aurora, _ = bring_in_companies(
        {"name": "Tecelagem Aurora", "domain": "tecelagem-aurora.example", "industry": "Tecidos", "employee_count": 1250},
        {"name": "Fiação Boa Vista", "domain": "boavista-fios.example", "industry": "Tecidos", "employee_count": 90},
    )
    log_in_and_land_home(page, user)
    visit(page, "/companies")
    choose_language(page, "pt-BR")

    expect(page.locator("h1")).to_have_text("Empresas")
    expect(page.locator('.page-header a[href="/companies/new"]')).to_have_text("Nova empresa")
    visit(page, company_list_path(f="industry:eq:Tecidos"))
    expect(list_count(page)).to_have_text("2 empresas")
    add_filter(page, "employee_count", "gte", "1000")
    expect(page.locator("ul#active-filters li").nth(1)).to_contain_text("Funcionários é no mínimo 1000")
    assert listed_company_ids(page) == [aurora]
    expect(list_count(page)).to_have_text("1 empresa")
    expect(page.locator(f'tr[data-company="{aurora}"]')).to_contain_text("1.250")

    visit(page, "/companies/new")
    expect(page.locator("h1")).to_have_text("Nova empresa")
    fill_company_form(page, {"name": "", "domain": "not a domain", "employee_count": "many"})
    response = save_company_form(page)

    assert response.status == 422
    expect(page.locator('.field-error[data-field="name"]')).to_have_text("Este campo é obrigatório.")
    expect(page.locator('.field-error[data-field="domain"]')).to_have_text("Digite um domínio como acme.com.br.")
    expect(page.locator('.field-error[data-field="employee_count"]')).to_have_text("Digite um número inteiro, 0 ou mais.")
    expect(page.locator('form#company-form input[name="domain"]')).to_have_value("not a domain")
