"""The handoff from marketing to sales as the two teams live it: a rep hears of a new MQL at
once, answers it in the inbox (a rejection needs an agreed reason), marketing reads the answers
on its feedback page, and another system hears of each MQL by a signed webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from actions import api_post, create_api_token, follow, log_in_and_land_home, path_of, submit, visit

LIVE_TIMEOUT_MS = 10_000
HOOK_TIMEOUT_S = 15


def tag() -> str:
    return uuid.uuid4().hex[:8]


def token_of(new_context, person, name: str) -> str:
    page = new_context().new_page()
    log_in_and_land_home(page, person)
    return create_api_token(page, name)


def new_lead(server, token: str, email: str, first: str, last: str, owner: str, source: str) -> str:
    status, body = api_post(server.url, "/api/v1/contacts", token, {
        "email": email, "first_name": first, "last_name": last, "owner_email": owner, "source": source, "lifecycle_stage": "lead",
    })
    assert status in (200, 201), f"creating {email} answered {status}: {body}"
    return str(body["id"]).lower()


def make_mql(server, token: str, contact_id: str) -> None:
    status, body = api_post(server.url, f"/api/v1/contacts/{contact_id}/stage", token, {"stage": "mql"})
    assert status == 200, f"moving {contact_id} to MQL answered {status}: {body}"


class Receiver:
    """A system of the customer's that listens for webhooks on 127.0.0.1."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/smarketing"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, event_type: str, contact_id: str, timeout: float) -> tuple[dict, bytes]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for headers, body in list(self.received):
                data = json.loads(body)
                if data.get("type") == event_type and str(data["data"]["contact"]["id"]).lower() == contact_id:
                    return headers, body
            time.sleep(0.1)
        raise AssertionError(f"no {event_type} for {contact_id} within {timeout} s; received {len(self.received)} requests")

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    started = Receiver()
    yield started
    started.close()


def test_a_rep_hears_of_a_new_mql_at_once_accepts_one_rejects_another_with_a_reason_and_marketing_sees_why(
    admin, colleagues, new_context, server
):
    rep = colleagues.get("rita-rep", ("sales",))
    marketer = colleagues.get("mario-marketing", ("marketing",))
    run = tag()
    token = token_of(new_context, admin, f"Handoff {run}")
    accepted = new_lead(server, token, f"ana-{run}@initech.example", "Ana", f"Accepted{run}", rep.email, "webinar")
    rejected = new_lead(server, token, f"bruno-{run}@initech.example", "Bruno", f"Rejected{run}", rep.email, "ads")

    # The rep has the inbox open; the first lead qualifies and a notice for them pops up.
    page = new_context().new_page()
    log_in_and_land_home(page, rep)
    visit(page, "/inbox")
    expect(page.locator("#live-region")).to_have_attribute("data-state", "open", timeout=LIVE_TIMEOUT_MS)
    make_mql(server, token, accepted)
    toast = page.locator("#live-region .toast.toast-mine").filter(has=page.locator(f'a[href="/contacts/{accepted}"]'))
    expect(toast.locator("a")).to_have_text(f"New MQL for you: Ana Accepted{run}", timeout=LIVE_TIMEOUT_MS)
    make_mql(server, token, rejected)

    visit(page, "/inbox")
    card = page.locator(f'article.handoff[data-contact="{accepted}"]')
    expect(card).to_contain_text("waiting")
    expect(card).to_contain_text("Why it qualified:")
    submit(page, f'article.handoff[data-contact="{accepted}"] form.accept-form')
    expect(page.locator(".notice")).to_contain_text("Lead accepted")
    expect(page.locator(f'article.handoff[data-contact="{accepted}"]')).to_have_count(0)

    # A rejection without a reason comes back with the error beside the field.
    other = f'article.handoff[data-contact="{rejected}"]'
    page.locator(f"{other} details.reject summary").click()
    response = submit(page, f"{other} form.reject-form")
    assert response.status == 422
    expect(page.locator(f'{other} .field-error[data-field="reason"]')).to_be_visible()
    page.locator(f"{other} select[name=reason]").select_option("too_early")
    page.locator(f"{other} textarea[name=note]").fill("Budget opens in March")
    submit(page, f"{other} form.reject-form")
    expect(page.locator(".notice")).to_contain_text("Lead rejected")
    expect(page.locator(f'#decided tr[data-handoff]').filter(has_text=f"Rejected{run}")).to_contain_text("Too early")

    # The contact page tells the story.
    visit(page, f"/contacts/{rejected}")
    expect(page.locator("#current-stage")).to_have_text("Recycled")
    expect(page.locator("#handoff-status")).to_contain_text("Too early")

    # Marketing reads the answers: the rate, the weekly chart and the reasons.
    marketing_page = new_context().new_page()
    log_in_and_land_home(marketing_page, marketer)
    follow(marketing_page, '#main-nav a[data-nav="feedback"]')
    assert path_of(marketing_page) == "/feedback"
    expect(marketing_page.locator("#weekly svg")).to_be_visible()
    expect(marketing_page.locator("#reasons-chart svg")).to_contain_text("Too early")
    expect(marketing_page.locator('#by-source tr[data-key="webinar"]')).to_be_visible()
    expect(marketing_page.locator("#feedback-rate .stat-value")).not_to_have_text("—")


def test_an_admin_adds_a_webhook_and_the_next_mql_reaches_the_receiver_signed_and_logged(admin, colleagues, new_context, server, receiver):
    rep = colleagues.get("rita-rep", ("sales",))
    run = tag()
    page = new_context().new_page()
    log_in_and_land_home(page, admin)
    visit(page, "/settings/webhooks")
    page.locator("#f-url").fill("ftp://not-a-receiver")
    response = submit(page, "#endpoint-form")
    assert response.status == 422
    expect(page.locator('.field-error[data-field="url"]')).to_be_visible()
    page.locator("#f-url").fill(receiver.url)
    page.locator("#f-description").fill(f"CRM {run}")
    page.locator('input[name=event_types][value="lead.mql"]').check()
    page.locator("#f-active").check()
    submit(page, "#endpoint-form")
    secret = page.locator("#endpoint-secret").inner_text().strip()
    assert secret.startswith("whsec_")
    endpoint_path = path_of(page)

    token = token_of(new_context, admin, f"Webhook {run}")
    lead = new_lead(server, token, f"caio-{run}@initech.example", "Caio", f"Hooked{run}", rep.email, "partner")
    make_mql(server, token, lead)
    headers, body = receiver.wait_for("lead.mql", lead, HOOK_TIMEOUT_S)
    signature = dict(part.split("=", 1) for part in headers["smarketing-signature"].split(","))
    expected = hmac.new(secret.encode(), f"{signature['t']}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature["v1"], expected), "the signature does not match the endpoint's secret"
    assert abs(time.time() - int(signature["t"])) < 60

    visit(page, endpoint_path)
    expect(page.locator('#deliveries tr[data-status="delivered"]').first).to_contain_text("lead.mql")
