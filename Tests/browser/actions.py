"""What people do on Smarketing's pages, in the words of the tests: log in, submit a form,
invite a colleague, choose a language, add a custom field, fill in a contact or a company,
filter a list, import a CSV file, open and fill the lead definition's draft. Shared by the
browser tests and their fixtures."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlparse

from playwright.sync_api import Page, Response, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

EXPECT_TIMEOUT_MS = 5_000
ACTION_TIMEOUT_MS = 10_000
# Logging in hashes a password with bcrypt; give form submissions more room than a click.
NAVIGATION_TIMEOUT_MS = 20_000

expect.set_options(timeout=EXPECT_TIMEOUT_MS)


def path_of(page_or_url) -> str:
    url = page_or_url if isinstance(page_or_url, str) else page_or_url.url
    return urlparse(url).path


def lands_on_page(page: Page):
    """Matches the response of the document a navigation ends on (after any redirects)."""

    def matches(response: Response) -> bool:
        return (
            response.request.is_navigation_request()
            and response.frame == page.main_frame
            and not 300 <= response.status < 400
        )

    return matches


def submit(page: Page, form: str) -> Response:
    """Clicks the submit button of `form` (a selector) and returns the page it lands on."""
    with page.expect_response(lands_on_page(page), timeout=NAVIGATION_TIMEOUT_MS) as landed:
        page.locator(f"{form} button[type=submit]").first.click()
    page.wait_for_load_state("domcontentloaded")
    return landed.value


def follow(page: Page, selector: str) -> Response:
    """Clicks a link or button that leads to another page and returns the page it lands on."""
    with page.expect_response(lands_on_page(page), timeout=NAVIGATION_TIMEOUT_MS) as landed:
        page.locator(selector).first.click()
    page.wait_for_load_state("domcontentloaded")
    return landed.value


def visit(page: Page, path: str) -> Response:
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    return response


@dataclass
class Person:
    name: str
    email: str
    password: str
    roles: tuple[str, ...] = ()


def log_in(page: Page, person: Person) -> Response:
    visit(page, "/login")
    page.fill('#login-form input[name="email"]', person.email)
    page.fill('#login-form input[name="password"]', person.password)
    return submit(page, "#login-form")


def log_in_and_land_home(page: Page, person: Person) -> None:
    response = log_in(page, person)
    assert response.status == 200, f"logging in as {person.email} answered {response.status}"
    assert path_of(page) == "/", f"logging in as {person.email} landed on {page.url}"
    expect(page.locator("nav#main-nav")).to_be_visible()


def log_out(page: Page) -> Response:
    with page.expect_response(lands_on_page(page), timeout=NAVIGATION_TIMEOUT_MS) as landed:
        page.click("form#logout-form button#logout")
    page.wait_for_load_state("domcontentloaded")
    return landed.value


def choose_language(page: Page, language: str) -> Response:
    """Picks a language in the top bar's switch, as a person would.

    With JavaScript the choice submits itself; without it, the person presses the button.
    """
    form = page.locator("form#language-form")
    try:
        with page.expect_response(lands_on_page(page), timeout=3_000) as landed:
            form.locator('select[name="language"]').select_option(language)
    except PlaywrightTimeoutError:
        with page.expect_response(lands_on_page(page), timeout=NAVIGATION_TIMEOUT_MS) as landed:
            form.locator("button#language-submit").click()
    page.wait_for_load_state("domcontentloaded")
    return landed.value


def invite(page: Page, email: str, roles: tuple[str, ...]) -> str:
    """As a logged-in admin, invites `email` with `roles`; returns the invitation link."""
    visit(page, "/settings/users")
    form = "form#invite-form"
    page.fill(f'{form} input[name="email"]', email)
    for role in roles:
        page.check(f'{form} input[name="roles"][value="{role}"]')
    response = submit(page, form)
    assert response.ok, f"inviting {email} answered {response.status}"
    link = page.locator("input#invite-link")
    expect(link).to_be_visible()
    return link.input_value()


def accept_invitation(page: Page, link: str, person: Person) -> Response:
    visit(page, link)
    page.fill('form#accept-invite-form input[name="name"]', person.name)
    page.fill('form#accept-invite-form input[name="password"]', person.password)
    return submit(page, "form#accept-invite-form")


def api_call(base_url: str, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    """Calls the REST API with a bearer token and no cookies; returns (status, JSON body)."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base_url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw or b"{}")
    except ValueError:
        return status, {}


def api_get(base_url: str, path: str, token: str) -> tuple[int, dict]:
    return api_call(base_url, "GET", path, token)


def api_post(base_url: str, path: str, token: str, body: dict) -> tuple[int, dict]:
    return api_call(base_url, "POST", path, token, body)


def create_api_token(page: Page, name: str) -> str:
    """As a logged-in user, creates a personal API token on the tokens page; returns its secret."""
    visit(page, "/settings/tokens")
    page.fill('form#token-form input[name="name"]', name)
    response = submit(page, "form#token-form")
    assert response.ok, f"creating the token {name!r} answered {response.status}"
    shown = page.locator("#new-token")
    expect(shown).to_be_visible()
    return shown.inner_text().strip()


# --- Contacts -------------------------------------------------------------------------------


def add_custom_field(
    page: Page, entity: str, label: str, key: str, type: str, options: tuple[str, ...] = ()
) -> Response:
    """As a logged-in admin, defines a custom field on the settings page."""
    visit(page, "/settings/fields")
    form = "form#field-form"
    page.select_option(f'{form} select[name="entity"]', entity)
    page.fill(f'{form} input[name="label"]', label)
    page.fill(f'{form} input[name="key"]', key)
    page.select_option(f'{form} select[name="type"]', type)
    page.fill(f'{form} textarea[name="options"]', "\n".join(options))
    return submit(page, form)


def fill_contact_form(page: Page, values: dict[str, str | list[str]]) -> None:
    """Fills `form#contact-form` by field name: text and date inputs are typed into, selects
    chosen, and a list ticks exactly those checkboxes of a multiple-choice field."""
    form = page.locator("form#contact-form")
    for name, value in values.items():
        if isinstance(value, (list, tuple)):
            for box in form.locator(f'input[type=checkbox][name="{name}"]').all():
                box.set_checked(box.get_attribute("value") in value)
            continue
        field = form.locator(f'[name="{name}"]')
        if field.evaluate("node => node.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def save_contact_form(page: Page) -> Response:
    return submit(page, "form#contact-form")


def contact_id_of(page_or_url) -> str:
    """The id in a contact page's path, `/contacts/<id>`."""
    path = path_of(page_or_url)
    parts = path.strip("/").split("/")
    assert len(parts) >= 2 and parts[0] == "contacts", f"{path} is not a contact page"
    return parts[1]


def add_filter(page: Page, field: str, operation: str, value: str = "") -> Response:
    """On a list (contacts, companies), builds one more filter in the filter form and applies it."""
    form = "form#filter-form"
    page.select_option(f'{form} select[name="f_field"]', field)
    page.select_option(f'{form} select[name="f_op"]', operation)
    page.fill(f'{form} input[name="f_value"]', value)
    return submit(page, form)


def listed_contact_ids(page: Page) -> list[str]:
    """The ids of the rows of the contact list, in the order shown."""
    return page.locator("table#contacts-table tbody tr[data-contact]").evaluate_all(
        "rows => rows.map(row => row.dataset.contact)"
    )


def answer_next_dialog(page: Page, accept: bool) -> list[str]:
    """Answers the next confirm dialog (OK or Cancel); the returned list receives its message."""
    seen: list[str] = []

    def answer(dialog) -> None:
        seen.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.once("dialog", answer)
    return seen


# --- Companies ------------------------------------------------------------------------------


def fill_company_form(page: Page, values: dict[str, str]) -> None:
    """Fills `form#company-form` by field name. A number field given something that is not a
    number takes it as text, as a browser without number inputs would: the server's own
    validation is what reads it."""
    form = page.locator("form#company-form")
    for name, value in values.items():
        field = form.locator(f'[name="{name}"]')
        if field.evaluate("node => node.tagName") == "SELECT":
            field.select_option(value)
            continue
        if field.get_attribute("type") == "number" and value.strip():
            try:
                float(value.replace(",", "."))
            except ValueError:
                field.evaluate("node => { node.type = 'text' }")
        field.fill(value)


def save_company_form(page: Page) -> Response:
    return submit(page, "form#company-form")


def company_id_of(page_or_url) -> str:
    """The id in a company page's path, `/companies/<id>`."""
    path = path_of(page_or_url)
    parts = path.strip("/").split("/")
    assert len(parts) >= 2 and parts[0] == "companies", f"{path} is not a company page"
    return parts[1]


def listed_company_ids(page: Page) -> list[str]:
    """The ids of the rows of the company list, in the order shown."""
    return page.locator("table#companies-table tbody tr[data-company]").evaluate_all(
        "rows => rows.map(row => row.dataset.company)"
    )


# --- Importing contacts ---------------------------------------------------------------------


def import_contacts_file(page: Page, path: str, timeout_ms: int = 180_000) -> None:
    """As a logged-in user who may edit contacts, uploads a CSV file on the import page, keeps
    the column mapping the page suggests, starts the import and waits on the progress page
    (which refreshes itself) until it has completed."""
    visit(page, "/contacts/import")
    page.set_input_files("form#upload-form input[name=file]", path)
    response = submit(page, "form#upload-form")
    assert response.ok, f"uploading {path} answered {response.status}"
    expect(page.locator("form#mapping-form")).to_be_visible()
    response = follow(page, "form#mapping-form button#run-button")
    assert response.ok, f"starting the import of {path} answered {response.status}"
    expect(page.locator("#import-progress")).to_have_attribute("data-status", "completed", timeout=timeout_ms)


# --- The lead definition --------------------------------------------------------------------


def definition_input_id(name: str) -> str:
    """The id of the editor's input named `name`: `fit_rules[0].points` -> `f-fit-rules-0--points`."""
    return "f-" + re.sub(r"[^A-Za-z0-9]", "-", name)


def definition_field(page: Page, name: str):
    return page.locator(f"form#definition-form #{definition_input_id(name)}")


def fill_definition(page: Page, values: dict[str, str | bool]) -> None:
    """Fills the draft editor by input name: texts typed, selects chosen, checkboxes (a bool) ticked or not."""
    for name, value in values.items():
        field = definition_field(page, name)
        if isinstance(value, bool):
            field.set_checked(value)
        elif field.evaluate("node => node.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def tick_grid_cells(page: Page, cells: tuple[str, ...]) -> None:
    """In the editor's MQL grid, ticks exactly these cells (`A4`, `B3`...)."""
    for box in page.locator('form#definition-form input[type=checkbox][name="mql.grid.cells"]').all():
        box.set_checked(box.get_attribute("value") in cells)


def fit_rule_row(page: Page, rule_id: str) -> int:
    """The editor's row (its index in the `fit_rules[i]` names) that holds the fit rule `rule_id`."""
    name = page.locator(
        f'form#definition-form input[type=hidden][name^="fit_rules["][name$="].id"][value="{rule_id}"]'
    ).get_attribute("name")
    return int(name[len("fit_rules["):name.index("]")])


def spare_fit_row(page: Page) -> int:
    """The first empty row at the end of the editor's fit rules, for adding a rule."""
    return page.locator("form#definition-form table#fit-table tbody tr[data-row]").evaluate_all(
        """rows => {
            const spare = rows.find(row => !row.querySelector("select[name$='.field']").value
                && !row.querySelector("input[name$='.points']").value);
            return spare ? Number(spare.dataset.row) : -1;
        }"""
    )


def save_definition(page: Page) -> Response:
    return submit(page, "form#definition-form")


def open_draft(page: Page) -> Response:
    """As a logged-in marketer, opens the draft's editor from the lead definition page,
    starting a draft first when there is none."""
    visit(page, "/lead-definition")
    if page.locator("form#open-draft-form").count():
        response = submit(page, "form#open-draft-form")
    else:
        response = follow(page, '#draft-panel a[href="/lead-definition/draft"]')
    assert response.ok and path_of(page) == "/lead-definition/draft", f"opening the draft landed on {page.url} ({response.status})"
    return response


def draft_digest(page: Page) -> str:
    """The start of the draft's content digest, as the lead definition page shows it."""
    visit(page, "/lead-definition")
    shown = page.locator("#draft-panel p").first.inner_text()
    found = re.search(r"\b([0-9a-f]{12})\b", shown)
    assert found, f"no content digest in {shown!r}"
    return found.group(1)
