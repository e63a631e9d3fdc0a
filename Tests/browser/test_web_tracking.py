"""Web tracking as a site's visitors and a workspace's people live it, in a real browser.

A small web site on another origin than Smarketing's (Python's http.server, on `localhost`
while Smarketing answers on `127.0.0.1`, so the two are different sites and keep different
cookies) pastes the snippet copied from the tracking page. Its visitors' page views reach the
tracking page under a first-party visitor cookie, even when they leave before the batch was
due; Do-Not-Track and a site that asks for consent send nothing until allowed; `identify` and a
tracked email link name the visitor, whose earlier views join the contact's timeline; a site
the workspace did not allow is refused by the browser's own CORS check; the open pixel, the
click and the unsubscribe page of a signed email record what they should; and a contact that
becomes an MQL pops up on an open page of the app without a reload.
"""

from __future__ import annotations

import html
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import BrowserContext, Page, Response, expect

from actions import (
    Person,
    api_call,
    api_get,
    api_post,
    create_api_token,
    follow,
    log_in_and_land_home,
    path_of,
    visit,
)

# t.js sends its batch about a second after a page view; give the answer room on a busy machine.
COLLECT_TIMEOUT_MS = 15_000
# Re-scoring every contact after activating a definition (the whole suite may have imported thousands).
RUN_TIMEOUT_S = 180
LIVE_TIMEOUT_MS = 10_000


# --- The web site that embeds the snippet ---------------------------------------------------


class StaticSite:
    """A tiny web site served from memory by Python's http.server in a thread, on a free port."""

    def __init__(self, host: str):
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                body = pages.get(urlparse(self.path).path)
                data = (body or "Not found").encode()
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):  # quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.origin = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name=f"site-{self.port}", daemon=True)
        self.thread.start()

    def add_page(self, path: str, title: str, snippet: str, body: str = "") -> str:
        """Publishes a page with `snippet` in its head; returns its address."""
        self.pages[path] = (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            '<link rel="icon" href="data:,">'
            f"<title>{html.escape(title)}</title>\n{snippet}\n</head>\n"
            f"<body><h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n"
        )
        return self.origin + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def site():
    """The workspace's own web site, on `localhost` (Smarketing is on 127.0.0.1: another site)."""
    started = StaticSite("localhost")
    yield started
    started.close()


@pytest.fixture(scope="module")
def foreign_site():
    """Somebody else's site that copied the snippet; the workspace never allowed it."""
    started = StaticSite("localhost")
    yield started
    started.close()


# --- What people do ---------------------------------------------------------------------------


def copy_snippet(page: Page) -> str:
    """As a logged-in member, copies the tracking snippet from the tracking page."""
    visit(page, "/settings/tracking")
    return page.locator("#tracking-snippet").inner_text().strip()


def allow_site(page: Page, origin: str) -> None:
    """As a logged-in admin, adds `origin` to the sites allowed to send page views (if missing)."""
    visit(page, "/settings/tracking")
    field = page.locator('#origins-form textarea[name="allowed_origins"]')
    origins = field.input_value().split()
    if origin in origins:
        return
    field.fill("\n".join(origins + [origin]))
    response = follow(page, "#origins-form #save-origins")
    assert response.ok and path_of(page) == "/settings/tracking", f"saving the allowed sites landed on {page.url} ({response.status})"
    expect(page.locator('.notice[role="status"]')).to_be_visible()
    assert origin in page.locator('#origins-form textarea[name="allowed_origins"]').input_value().split()


def sends_events(response: Response) -> bool:
    """Matches t.js's answer from Smarketing (`POST /t/collect`)."""
    return urlparse(response.url).path == "/t/collect" and response.request.method == "POST"


def watch_for_errors(page: Page) -> list[str]:
    """Collects the page's console errors and uncaught exceptions as they come."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text} at {message.location}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    return problems


def wait_for_tracker(page: Page) -> None:
    """Waits until t.js (loaded with `async`) has run on the page."""
    page.wait_for_function("() => window.__smarketing === true && typeof window.smarketing === 'function'")


def visit_and_send(page: Page, url: str) -> Response:
    """Opens a page of the site and waits for t.js to send its page view; returns Smarketing's answer."""
    with page.expect_response(sends_events, timeout=COLLECT_TIMEOUT_MS) as sent:
        visit(page, url)
    return sent.value


def visitor_cookie(context: BrowserContext, url: str) -> dict | None:
    return next((cookie for cookie in context.cookies(url) if cookie["name"] == "smk_aid"), None)


def visitor_id(context: BrowserContext, site: StaticSite) -> str:
    cookie = visitor_cookie(context, site.origin)
    assert cookie, f"no smk_aid cookie on {site.origin}: {context.cookies()}"
    return cookie["value"]


def events_of(page: Page, visitor: str):
    """The tracking page's rows of the events one visitor's browser sent (t.js ids start with it)."""
    return page.locator(f'#events-table tbody tr[data-event^="{visitor}-"]')


def rows_showing(page: Page, text: str):
    return page.locator("#events-table tbody tr[data-event]", has_text=text)


def reload_until(page: Page, locator, count: int, timeout_s: float = 15) -> None:
    """Reloads a page until `locator` matches `count` elements (what arrives in the background)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            expect(locator).to_have_count(count, timeout=1_000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.reload()


def timeline_events(page: Page):
    return page.locator('#timeline [data-kind="event"]')


def tag() -> str:
    return uuid.uuid4().hex[:8]


@dataclass
class Tracked:
    """The admin's page (logged in) and the snippet of a site the workspace allows."""

    admin_page: Page
    snippet: str
    site: StaticSite


@pytest.fixture
def tracked(admin, new_context, site) -> Tracked:
    page = new_context().new_page()
    log_in_and_land_home(page, admin)
    allow_site(page, site.origin)
    return Tracked(admin_page=page, snippet=copy_snippet(page), site=site)


def new_contact(server, token: str, **fields) -> str:
    status, body = api_post(server.url, "/api/v1/contacts", token, fields)
    assert status in (200, 201), f"creating the contact {fields} answered {status}: {body}"
    return str(body["id"]).lower()


# --- Page views from a real browser -----------------------------------------------------------


def test_a_site_that_pastes_the_snippet_sends_its_page_views_from_a_real_browser_and_they_show_on_the_tracking_page(
    admin, new_context, site, server
):
    admin_page = new_context().new_page()
    log_in_and_land_home(admin_page, admin)
    snippet = copy_snippet(admin_page)
    public_key = admin_page.locator("#public-key").inner_text().strip()
    assert public_key, "the tracking page shows no public key"
    assert snippet == f'<script async src="{server.url}/t.js" data-key="{public_key}"></script>', snippet

    # Something that is not a web address is refused next to the input, what was typed kept.
    field = admin_page.locator('#origins-form textarea[name="allowed_origins"]')
    kept = field.input_value()
    field.fill(kept + "\nftp://files.example")
    response = follow(admin_page, "#origins-form #save-origins")
    assert response.status == 422, f"an ftp address was answered {response.status}"
    expect(admin_page.locator('.field-error[data-field="allowed_origins"]')).to_be_visible()
    expect(field).to_have_value(re.compile(r"ftp://files\.example"))

    # The admin allows the site's address.
    allow_site(admin_page, site.origin)
    expect(admin_page.locator("#no-origins")).to_have_count(0)

    page_tag = tag()
    home = site.add_page(
        f"/home-{page_tag}.html", "Acme Home", snippet,
        f'<a id="to-pricing" href="/pricing-{page_tag}.html?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=spring">Pricing</a>',
    )
    site.add_page(f"/pricing-{page_tag}.html", "Acme Pricing", snippet, f'<a id="to-home" href="/home-{page_tag}.html">Home</a>')

    visitor_context = new_context()
    visitor = visitor_context.new_page()
    problems = watch_for_errors(visitor)
    answer = visit_and_send(visitor, home)
    assert answer.status == 202, f"t.js's page view was answered {answer.status}"
    # The browser let the page read the answer: Smarketing named the site's origin.
    assert answer.header_value("access-control-allow-origin") == site.origin
    with visitor.expect_response(sends_events, timeout=COLLECT_TIMEOUT_MS) as sent:
        follow(visitor, "#to-pricing")
    assert sent.value.status == 202
    assert parse_qs(urlparse(visitor.url).query)["utm_source"] == ["newsletter"]

    # The visitor's id lives in a first-party cookie of the site, not of Smarketing.
    cookie = visitor_cookie(visitor_context, site.origin)
    assert cookie and re.fullmatch(r"[0-9a-f]{32}", cookie["value"]), visitor_context.cookies()
    assert cookie["domain"] == "localhost" and cookie["sameSite"] == "Lax", cookie
    assert cookie["expires"] > time.time() + 300 * 86400, f"the visitor cookie lasts too little: {cookie}"
    assert visitor_cookie(visitor_context, server.url) is None, "Smarketing's own site got a visitor cookie"
    aid = cookie["value"]

    visit(admin_page, "/settings/tracking")
    rows = events_of(admin_page, aid)
    expect(rows).to_have_count(2)
    home_row = rows.filter(has_text=f"path=/home-{page_tag}.html")
    expect(home_row).to_contain_text("page_view")
    expect(home_row).to_contain_text("title=Acme Home")
    expect(home_row).to_contain_text(f"Visitor {aid}")
    pricing_row = rows.filter(has_text=f"path=/pricing-{page_tag}.html")
    expect(pricing_row).to_contain_text("title=Acme Pricing")
    expect(pricing_row).to_contain_text("utm_source=newsletter")
    expect(pricing_row).to_contain_text("utm_medium=email")
    expect(pricing_row).to_contain_text("utm_campaign=spring")
    expect(pricing_row).to_contain_text(f"referrer={home}")
    assert problems == [], f"the site's pages reported errors: {problems}"


def test_a_visitor_who_leaves_a_page_before_its_batch_is_due_still_has_the_view_recorded(tracked, new_context):
    page_tag = tag()
    snippet, site = tracked.snippet, tracked.site
    article = site.add_page(f"/blog-{page_tag}.html", "Acme Blog", snippet, f'<a id="leave" href="/bye-{page_tag}.html">Leave</a>')
    site.add_page(f"/bye-{page_tag}.html", "Untracked page", "")

    visitor_context = new_context()
    # The browser's clock stands still: t.js's one-second batch timer never fires, so only the
    # page hiding can send the view (navigator.sendBeacon).
    visitor_context.clock.install()
    visitor = visitor_context.new_page()
    visitor.clock.pause_at(datetime.now() + timedelta(seconds=1))
    problems = watch_for_errors(visitor)
    sent: list[str] = []
    visitor_context.on("request", lambda request: sent.append(request.url) if "/t/collect" in request.url else None)
    visit(visitor, article)
    wait_for_tracker(visitor)
    aid = visitor_id(visitor_context, site)
    assert sent == [], f"t.js sent before its batch was due: {sent}"
    follow(visitor, "#leave")

    admin_page = tracked.admin_page
    visit(admin_page, "/settings/tracking")
    reload_until(admin_page, events_of(admin_page, aid), 1)
    expect(events_of(admin_page, aid)).to_contain_text(f"path=/blog-{page_tag}.html")
    assert problems == [], f"the site's pages reported errors: {problems}"


# --- Privacy: Do-Not-Track and consent --------------------------------------------------------


def test_a_visitor_with_do_not_track_or_on_a_site_that_requires_consent_sends_nothing_until_allowed(tracked, new_context):
    page_tag = tag()
    snippet, site, admin_page = tracked.snippet, tracked.site, tracked.admin_page
    consent_snippet = snippet.replace("></script>", ' data-consent="required"></script>')
    assert 'data-consent="required"' in consent_snippet
    private = site.add_page(f"/private-{page_tag}.html", "Private reader", snippet, f'<a id="leave" href="/bye-{page_tag}.html">Leave</a>')
    site.add_page(f"/bye-{page_tag}.html", "Untracked page", "")
    asking = site.add_page(f"/asks-consent-{page_tag}.html", "Cookie banner", consent_snippet)
    control = site.add_page(f"/control-{page_tag}.html", "Control", snippet)

    # A browser that says Do-Not-Track: t.js sets no cookie and sends nothing, not even as the page hides.
    dnt_context = new_context()
    dnt_context.add_init_script("Object.defineProperty(navigator, 'doNotTrack', { get: () => '1' })")
    sent: list[str] = []
    dnt_context.on("request", lambda request: sent.append(request.url) if "/t/collect" in request.url else None)
    reader = dnt_context.new_page()
    problems = watch_for_errors(reader)
    visit(reader, private)
    wait_for_tracker(reader)
    assert reader.evaluate("navigator.doNotTrack") == "1"
    follow(reader, "#leave")
    assert visitor_cookie(dnt_context, site.origin) is None, "t.js set a visitor cookie despite Do-Not-Track"
    # Another visitor's view, sent after the Do-Not-Track page hid, arrives; the private one never does.
    other_context = new_context()
    visit_and_send(other_context.new_page(), control)
    assert sent == [], f"t.js sent despite Do-Not-Track: {sent}"
    visit(admin_page, "/settings/tracking")
    expect(rows_showing(admin_page, f"path=/control-{page_tag}.html")).to_have_count(1)
    expect(rows_showing(admin_page, f"path=/private-{page_tag}.html")).to_have_count(0)

    # A site that needs consent first: nothing (no cookie either) until the site says yes.
    consent_context = new_context()
    asked = consent_context.new_page()
    problems += watch_for_errors(asked)
    consent_sent: list[str] = []
    consent_context.on("request", lambda request: consent_sent.append(request.url) if "/t/collect" in request.url else None)
    visit(asked, asking)
    wait_for_tracker(asked)
    assert visitor_cookie(consent_context, site.origin) is None, "t.js set a visitor cookie before consent"
    with asked.expect_response(sends_events, timeout=COLLECT_TIMEOUT_MS) as answer:
        asked.evaluate("() => smarketing('consent', true)")
    assert answer.value.status == 202
    assert len(consent_sent) == 1, f"t.js sent more than one batch: {consent_sent}"
    aid = visitor_id(consent_context, site)
    assert any(cookie["name"] == "smk_consent" and cookie["value"] == "1" for cookie in consent_context.cookies(site.origin))
    visit(admin_page, "/settings/tracking")
    # Exactly one view: the one before consent was never queued to go out with it.
    rows = events_of(admin_page, aid)
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(f"path=/asks-consent-{page_tag}.html")
    expect(rows).to_contain_text("page_view")
    assert problems == [], f"the site's pages reported errors: {problems}"


# --- Naming the visitor ----------------------------------------------------------------------


def test_identify_links_the_visitors_earlier_page_views_to_the_contact(tracked, new_context, server):
    page_tag = tag()
    snippet, site, admin_page = tracked.snippet, tracked.site, tracked.admin_page
    token = create_api_token(admin_page, f"Identify test {page_tag}")
    email = f"ida-{page_tag}@initech.example"
    contact_id = new_contact(server, token, email=email, first_name="Ida", last_name="Identified")
    features = site.add_page(f"/features-{page_tag}.html", "Features", snippet)
    signup = site.add_page(f"/signup-{page_tag}.html", "Sign up", snippet)

    visitor_context = new_context()
    visitor = visitor_context.new_page()
    problems = watch_for_errors(visitor)
    visit_and_send(visitor, features)
    visit_and_send(visitor, signup)
    aid = visitor_id(visitor_context, site)
    with visitor.expect_response(sends_events, timeout=COLLECT_TIMEOUT_MS) as answer:
        visitor.evaluate("email => smarketing('identify', { email })", email.upper())
    assert answer.value.status == 202

    visit(admin_page, f"/contacts/{contact_id}")
    expect(admin_page.locator("h1")).to_contain_text("Ida Identified")
    views = timeline_events(admin_page).filter(has_text="Page view")
    expect(views.filter(has_text=f"path=/features-{page_tag}.html")).to_have_count(1)
    expect(views.filter(has_text=f"path=/signup-{page_tag}.html")).to_have_count(1)
    expect(timeline_events(admin_page).filter(has_text="Identified on the site")).to_have_count(1)
    # Every event this browser sent is now the contact's.
    expect(admin_page.locator(f'#timeline [data-event^="{aid}-"]')).to_have_count(3)
    # And the tracking page names the contact instead of an anonymous visitor.
    visit(admin_page, "/settings/tracking")
    expect(events_of(admin_page, aid).filter(has_text=f"path=/signup-{page_tag}.html")).to_contain_text("Ida Identified")
    assert problems == [], f"the site's pages reported errors: {problems}"


# --- A site the workspace did not allow ------------------------------------------------------


def test_a_site_not_in_the_allowed_list_is_refused_by_the_browsers_cors_check_and_stores_nothing(
    tracked, foreign_site, new_context
):
    page_tag = tag()
    admin_page = tracked.admin_page
    visit(admin_page, "/settings/tracking")
    assert foreign_site.origin not in admin_page.locator('#origins-form textarea[name="allowed_origins"]').input_value().split()
    copied = foreign_site.add_page(f"/copycat-{page_tag}.html", "Copycat", tracked.snippet)

    visitor = new_context().new_page()
    failed: list[str] = []
    visitor.on("requestfailed", lambda request: failed.append(request.url) if "/t/collect" in request.url else None)
    with visitor.expect_console_message(
        lambda message: message.type == "error" and "CORS policy" in message.text, timeout=COLLECT_TIMEOUT_MS
    ) as refused:
        visit(visitor, copied)
    assert "/t/collect" in refused.value.text and foreign_site.origin in refused.value.text, refused.value.text
    # The page itself goes on: t.js swallowed the failure.
    expect(visitor.locator("h1")).to_have_text("Copycat")
    assert visitor.evaluate("typeof smarketing") == "function"
    visit(admin_page, "/settings/tracking")
    expect(rows_showing(admin_page, f"path=/copycat-{page_tag}.html")).to_have_count(0)


# --- Email links -----------------------------------------------------------------------------


def test_email_links_record_the_open_pixel_and_a_click_and_the_unsubscribe_page_asks_then_confirms(
    tracked, new_context, server
):
    page_tag = tag()
    snippet, site, admin_page = tracked.snippet, tracked.site, tracked.admin_page
    token = create_api_token(admin_page, f"Email links test {page_tag}")
    email = f"eli-{page_tag}@umbrella.example"
    contact_id = new_contact(server, token, email=email, first_name="Eli", last_name="Emailed")
    offer = site.add_page(f"/offer-{page_tag}.html", "Spring offer", snippet)
    message_id = f"spring-{page_tag}"
    status, links = api_post(server.url, "/api/v1/email-links", token, {
        "contact_id": contact_id, "message_id": message_id, "urls": [offer + "?ref=email#details"],
    })
    assert status == 200, f"signing the links answered {status}: {links}"
    assert len(links["click_urls"]) == 1 and links["open_url"].startswith(server.url + "/e/o/"), links

    # The reader's mail client shows the message: the pixel loads.
    reader_context = new_context()
    mail = reader_context.new_page()
    mail.set_content(f'<p>Our spring offer</p><img id="pixel" alt="" src="{html.escape(links["open_url"])}">')
    mail.wait_for_function("() => { const img = document.getElementById('pixel'); return img.complete && img.naturalWidth === 1; }")

    # The reader clicks the link: Smarketing records it and sends the browser on to the site.
    reader = reader_context.new_page()
    problems = watch_for_errors(reader)
    with reader.expect_response(sends_events, timeout=COLLECT_TIMEOUT_MS) as answer:
        response = visit(reader, links["click_urls"][0])
    assert response.ok and answer.value.status == 202
    assert answer.value.json()["received"] == 2, answer.value.json()
    landed = urlparse(reader.url)
    assert f"{landed.scheme}://{landed.netloc}" == site.origin and landed.path == f"/offer-{page_tag}.html", reader.url
    # t.js took the signed link out of the address bar and kept the rest.
    assert "smk_c" not in reader.url and parse_qs(landed.query) == {"ref": ["email"]} and landed.fragment == "details", reader.url
    aid = visitor_id(reader_context, site)

    visit(admin_page, f"/contacts/{contact_id}")
    events = timeline_events(admin_page)
    opened = events.filter(has_text="Email opened")
    expect(opened).to_have_count(1)
    expect(opened).to_contain_text(f"message_id={message_id}")
    clicked = events.filter(has_text="Email link clicked")
    expect(clicked).to_have_count(1)
    expect(clicked).to_contain_text(f"url={offer}?ref=email#details")
    # The visitor the click named is the contact: its view of the offer is on the timeline.
    expect(admin_page.locator(f'#timeline [data-event^="{aid}-"]').filter(has_text=f"path=/offer-{page_tag}.html")).to_have_count(1)
    expect(admin_page.locator(f'#timeline [data-event^="{aid}-"]').filter(has_text="Identified on the site")).to_have_count(1)

    # The unsubscribe link asks first, then confirms.
    unsubscribe = reader_context.new_page()
    response = visit(unsubscribe, links["unsubscribe_url"])
    assert response.status == 200
    expect(unsubscribe.locator("nav#main-nav")).to_have_count(0)
    expect(unsubscribe.locator("main")).to_contain_text(email)
    expect(unsubscribe.locator("#unsubscribe-done")).to_have_count(0)
    response = follow(unsubscribe, "#unsubscribe")
    assert response.status == 200, f"unsubscribing answered {response.status}"
    expect(unsubscribe.locator("#unsubscribe-done")).to_contain_text(email)
    # Coming back says it is done, without asking again.
    visit(unsubscribe, links["unsubscribe_url"])
    expect(unsubscribe.locator("#unsubscribe-done")).to_contain_text(email)
    expect(unsubscribe.locator("#unsubscribe")).to_have_count(0)
    visit(admin_page, f"/contacts/{contact_id}")
    expect(timeline_events(admin_page).filter(has_text="Unsubscribed from email")).to_have_count(1)
    assert problems == [], f"the site's pages reported errors: {problems}"


# --- Live: a new MQL pops up -----------------------------------------------------------------

LIVE_DEFINITION = {
    "version": 1,
    "fit_rules": [{"id": "live_heads", "field": "job_title", "op": "contains", "values": ["Head of"], "points": 40}],
    "engagement_rules": [
        {"id": "live_pricing_visit", "event_type": "page_view",
         "conditions": [{"property": "path", "op": "starts_with", "value": "/pricing"}], "points": 10},
        {"id": "live_form_submitted", "event_type": "form_submitted", "points": 25},
    ],
    "mql": {"thresholds": {"fit": 30, "engagement": 30}},
}


def token_of(new_context, person: Person, name: str) -> str:
    page = new_context().new_page()
    log_in_and_land_home(page, person)
    return create_api_token(page, name)


def activate_live_definition(server, admin_token: str, marketing_token: str, sales_token: str) -> None:
    """Drafts LIVE_DEFINITION, has both managers approve it and activates it, through the API;
    waits for the re-scoring to finish."""
    status, draft = api_call(server.url, "PUT", "/api/v1/lead-definition/draft", admin_token, LIVE_DEFINITION)
    assert status == 200 and not draft.get("problems"), f"saving the draft answered {status}: {draft}"
    for side, token in (("marketing", marketing_token), ("sales", sales_token)):
        status, body = api_post(server.url, "/api/v1/lead-definition/draft/approve", token, {"side": side, "digest": draft["digest"]})
        assert status == 200, f"the {side} approval answered {status}: {body}"
    status, run = api_post(server.url, "/api/v1/lead-definition/draft/activate", admin_token, {})
    assert status == 202, f"activating answered {status}: {run}"
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while run.get("status") == "running" and time.monotonic() < deadline:
        time.sleep(0.5)
        status, run = api_get(server.url, f"/api/v1/scoring-runs/{run['id']}", admin_token)
    assert run.get("status") == "completed", f"the re-scoring did not complete: {run}"


def qualify(server, token: str, email: str, page_tag: str) -> None:
    """Another system reports what a contact did: a pricing visit and a form, enough to qualify."""
    status, body = api_post(server.url, "/api/v1/events", token, {"events": [
        {"id": f"live-{page_tag}-pricing", "type": "page_view", "email": email, "properties": {"path": "/pricing"}},
        {"id": f"live-{page_tag}-form", "type": "form_submitted", "email": email, "properties": {"form": "demo"}},
    ]})
    assert status == 202 and body["accepted"] == 2, f"the events of {email} answered {status}: {body}"


def toast_of(page: Page, contact_id: str):
    return page.locator("#live-region .toast").filter(has=page.locator(f'a[href="/contacts/{contact_id}"]'))


def expect_toast(page: Page, server, contact_id: str, text: str):
    """Waits for the toast of a contact that became an MQL; when none comes, says whether the
    server is still there (a server that died telling the pages is the likelier cause)."""
    toast = toast_of(page, contact_id)
    try:
        expect(toast.locator("a")).to_have_text(text, timeout=LIVE_TIMEOUT_MS)
    except AssertionError:
        assert_server_answers(server, f"being asked for a toast saying {text!r}")
        raise
    return toast


def assert_server_answers(server, after: str) -> None:
    try:
        with urllib.request.urlopen(server.url + "/health", timeout=10) as response:
            problem = None if response.status == 200 else f"status {response.status}"
    except (urllib.error.URLError, OSError) as error:
        problem = str(error)
    assert problem is None, f"the server stopped answering after {after} ({problem}); its log ends with:\n{server.log_tail(6)}"


def test_a_contact_that_becomes_an_mql_pops_up_live_on_an_open_page_and_the_next_one_on_the_page_it_leads_to(
    admin, colleagues, new_context, server
):
    marketing_manager = colleagues.get("marina-marketing-manager", ("marketing_manager",))
    sales_manager = colleagues.get("sergio-sales-manager", ("sales_manager",))
    page_tag = tag()
    admin_token = token_of(new_context, admin, f"Live test {page_tag}")
    activate_live_definition(
        server, admin_token,
        token_of(new_context, marketing_manager, f"Live test {page_tag}"),
        token_of(new_context, sales_manager, f"Live test {page_tag}"),
    )
    lena = new_contact(server, admin_token, email=f"lena-{page_tag}@hooli.example", first_name="Lena", last_name="Live",
                       job_title="Head of Growth")
    max_ = new_contact(server, admin_token, email=f"max-{page_tag}@hooli.example", first_name="Max", last_name="Moved",
                       job_title="Head of Sales")

    # The admin has the contact list open, listening.
    page = new_context().new_page()
    log_in_and_land_home(page, admin)
    visit(page, "/contacts")
    live = page.locator("#live-region")
    expect(live).to_have_attribute("data-state", "open", timeout=LIVE_TIMEOUT_MS)
    page.evaluate("() => { window.__sameDocument = true }")

    qualify(server, admin_token, f"lena-{page_tag}@hooli.example", page_tag + "-lena")
    toast = expect_toast(page, server, lena, "Lena Live became an MQL")
    expect(toast).to_have_attribute("role", "status")
    expect(toast.locator(".toast-cause")).to_contain_text("fit 40 >= 30 and engagement 35 >= 30")
    assert page.evaluate("() => window.__sameDocument === true"), "the contact list reloaded to show the toast"
    assert path_of(page) == "/contacts"
    # Pages the admin had left were told too, on connections the browser had closed: that must
    # not take the server down.
    assert_server_answers(server, "telling pages that had gone away of a new MQL")

    # The toast leads to Lena; the next contact to qualify pops up there too.
    follow(page, f'#live-region .toast a[href="/contacts/{lena}"]')
    assert path_of(page) == f"/contacts/{lena}"
    expect(page.locator("h1")).to_contain_text("Lena Live")
    expect(live).to_have_attribute("data-state", "open", timeout=LIVE_TIMEOUT_MS)
    qualify(server, admin_token, f"max-{page_tag}@hooli.example", page_tag + "-max")
    expect_toast(page, server, max_, "Max Moved became an MQL")
    assert_server_answers(server, "telling a page that had gone away of a new MQL")
    follow(page, f'#live-region .toast a[href="/contacts/{max_}"]')
    expect(page.locator("h1")).to_contain_text("Max Moved")
