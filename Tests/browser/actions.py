"""What people do on Smarketing's pages, in the words of the tests: log in, submit a form,
invite a colleague, choose a language. Shared by the browser tests and their fixtures."""

from __future__ import annotations

import json
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


def api_get(base_url: str, path: str, token: str) -> tuple[int, dict]:
    """Calls the REST API with a bearer token and no cookies; returns (status, JSON body)."""
    request = urllib.request.Request(
        base_url + path, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    try:
        return status, json.loads(body or b"{}")
    except ValueError:
        return status, {}
