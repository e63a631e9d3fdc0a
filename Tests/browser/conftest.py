"""Browser tests: a real Smarketing server on a fresh SQLite database, driven by Chromium.

One server is started for the whole run and the workspace is set up once, through the setup
page, by the `workspace` fixture; each test then opens its own browser context (its own cookies)
and logs in as it needs. A failing test leaves a full-page screenshot of each of its pages in
Tests/browser/artifacts/, next to the server's log (server.log).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from actions import (
    ACTION_TIMEOUT_MS,
    NAVIGATION_TIMEOUT_MS,
    Person,
    accept_invitation,
    invite,
    log_in_and_land_home,
    path_of,
    submit,
    visit,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
ARTIFACTS = HERE / "artifacts"

# Tests run in this order (the order of the files, then the order inside each file).
FILE_ORDER = [
    "test_setup_and_login.py", "test_invite_and_roles.py", "test_language.py", "test_contacts.py", "test_companies.py",
    "test_lead_definition.py",
]

def pytest_collection_modifyitems(items):
    def position(item):
        name = Path(str(item.fspath)).name
        return FILE_ORDER.index(name) if name in FILE_ORDER else len(FILE_ORDER)

    items.sort(key=position)  # a stable sort keeps the order inside each file


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


# --- The server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def server_binary() -> Path:
    binary = Path(os.environ.get("SMARKETING_BIN", ".build/debug/smarketing"))
    if not binary.is_absolute():
        binary = REPO / binary
    return binary


@pytest.fixture(scope="session")
def server():
    binary = server_binary()
    if not os.access(binary, os.X_OK):
        pytest.exit(
            f"no server executable at {binary}: build it with `swift build --product smarketing` "
            "or point SMARKETING_BIN at it",
            returncode=3,
        )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / "server.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="smarketing-browser-") as data_dir:
        env = dict(os.environ)
        # A fresh SQLite database, so the first visit goes to the setup page.
        env.pop("DATABASE_URL", None)
        # Invitation links are built from the request's host.
        env.pop("PUBLIC_URL", None)
        env["SQLITE_PATH"] = str(Path(data_dir) / "browser.sqlite")
        env["LOG_LEVEL"] = "warning"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [str(binary), "serve", "--hostname", "127.0.0.1", "--port", str(port)],
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        started = Server(url=url, process=process, log_path=log_path)
        try:
            wait_until_healthy(started, timeout=60)
            yield started
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def wait_until_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_error = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"the server exited with code {server.process.returncode} before answering /health:\n"
                + server.log_tail()
            )
        try:
            with urllib.request.urlopen(server.url + "/health", timeout=2) as response:
                if response.status == 200:
                    return
                last_error = f"status {response.status}"
        except (urllib.error.URLError, OSError) as error:
            last_error = str(error)
        time.sleep(0.25)
    raise RuntimeError(
        f"the server did not answer GET /health with 200 within {timeout:.0f} s ({last_error}):\n"
        + server.log_tail()
    )


# --- The browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright) -> Browser:
    browser = playwright.chromium.launch(
        executable_path=shutil.which("chromium") or "/usr/bin/chromium",
        args=["--no-sandbox"],
    )
    yield browser
    browser.close()


def open_context(browser: Browser, server: Server, locale: str = "en-US") -> BrowserContext:
    """A new browser profile (no cookies) whose Accept-Language follows `locale`."""
    context = browser.new_context(base_url=server.url, locale=locale)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    return context


def screenshot_name(test_name: str, index: int) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name).strip("_")
    return f"{base}.png" if index == 0 else f"{base}-{index + 1}.png"


@pytest.fixture
def new_context(request, browser, server):
    """Opens browser contexts for one test; on failure, screenshots every page they hold."""
    contexts: list[BrowserContext] = []

    def open_one(locale: str = "en-US") -> BrowserContext:
        context = open_context(browser, server, locale)
        contexts.append(context)
        return context

    yield open_one

    failed = any(
        getattr(request.node, f"report_{when}", None) is not None
        and getattr(request.node, f"report_{when}").failed
        for when in ("setup", "call")
    )
    if failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pages = [page for context in contexts for page in context.pages if not page.is_closed()]
        for index, page in enumerate(pages):
            try:
                page.screenshot(path=str(ARTIFACTS / screenshot_name(request.node.name, index)), full_page=True)
            except Exception as error:  # a screenshot must never hide the real failure
                print(f"could not save a screenshot of {page.url}: {error}")
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context) -> Page:
    return context.new_page()


# --- The workspace, set up once through the setup page --------------------------------------


@dataclass
class SetupRecord:
    """What a person saw while setting up the workspace (the setup test asserts on it)."""

    admin: Person
    workspace_name: str
    first_visit_path: str = ""
    invalid_status: int = 0
    invalid_errors: list[str] = field(default_factory=list)
    kept_values: dict[str, str] = field(default_factory=dict)
    success_status: int = 0
    landing_path: str = ""
    landing_headings: int = 0
    landing_nav_areas: list[str] = field(default_factory=list)


SETUP_VALUES = {
    "workspace_name": "Acme Analytics",
    "time_zone": "America/Sao_Paulo",
    "currency": "BRL",
    "language": "en",
    "admin_name": "Ana Admin",
    "admin_email": "admin@example.com",
}
ADMIN_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def workspace(browser, server) -> SetupRecord:
    """Sets the workspace up through the setup page, once: first with a password that is too
    short (the form must say so and keep what was typed), then correctly."""
    admin = Person(
        name=SETUP_VALUES["admin_name"], email=SETUP_VALUES["admin_email"], password=ADMIN_PASSWORD, roles=("admin",)
    )
    record = SetupRecord(admin=admin, workspace_name=SETUP_VALUES["workspace_name"])
    context = open_context(browser, server)
    page = context.new_page()
    try:
        visit(page, "/")
        record.first_visit_path = path_of(page)
        if record.first_visit_path != "/setup":
            visit(page, "/setup")

        form = "form#setup-form"

        def fill(password: str) -> None:
            for name in ("workspace_name", "admin_name", "admin_email"):
                page.fill(f'{form} [name="{name}"]', SETUP_VALUES[name])
            for name in ("time_zone", "currency", "language"):
                page.select_option(f'{form} select[name="{name}"]', SETUP_VALUES[name])
            page.fill(f'{form} [name="admin_password"]', password)

        fill("short")
        # The server's own validation is under test here, not the browser's.
        page.locator(form).evaluate("form => { form.noValidate = true }")
        response = submit(page, form)
        record.invalid_status = response.status
        record.invalid_errors = page.locator(".field-error[data-field]").evaluate_all(
            "nodes => nodes.map(node => node.dataset.field)"
        )
        for name in SETUP_VALUES:
            fields = page.locator(f'{form} [name="{name}"]')
            if fields.count():
                record.kept_values[name] = fields.first.input_value()

        fill(ADMIN_PASSWORD)
        response = submit(page, form)
        record.success_status = response.status
        record.landing_path = path_of(page)
        record.landing_headings = page.locator("h1").count()
        record.landing_nav_areas = page.locator("nav#main-nav a[data-nav]").evaluate_all(
            "links => links.map(link => link.dataset.nav)"
        )
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(ARTIFACTS / "workspace_setup.png"), full_page=True)
        except Exception:
            pass
        raise
    finally:
        context.close()
    return record


@pytest.fixture(scope="session")
def admin(workspace) -> Person:
    return workspace.admin


class Colleagues:
    """People invited by the admin and signed up through their invitation link, once each."""

    def __init__(self, browser: Browser, server: Server, admin: Person):
        self.browser, self.server, self.admin = browser, server, admin
        self.people: dict[str, Person] = {}

    def get(self, key: str, roles: tuple[str, ...]) -> Person:
        if key not in self.people:
            person = Person(
                name=key.replace("-", " ").title(),
                email=f"{key}@example.com",
                password=f"{key} password 2024",
                roles=roles,
            )
            admin_context = open_context(self.browser, self.server)
            person_context = open_context(self.browser, self.server)
            try:
                admin_page = admin_context.new_page()
                log_in_and_land_home(admin_page, self.admin)
                link = invite(admin_page, person.email, roles)
                person_page = person_context.new_page()
                response = accept_invitation(person_page, link, person)
                assert response.ok and path_of(person_page) == "/", (
                    f"accepting the invitation of {person.email} landed on {person_page.url} ({response.status})"
                )
            finally:
                admin_context.close()
                person_context.close()
            self.people[key] = person
        return self.people[key]


@pytest.fixture(scope="session")
def colleagues(browser, server, admin) -> Colleagues:
    return Colleagues(browser, server, admin)
