"""Behaviour events sent by another system: the tracking page shows how to send them and the
latest ones received, each with the contact it was matched to; refused events never show."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from actions import api_post, create_api_token, log_in_and_land_home, visit


def test_events_sent_through_the_api_show_on_the_tracking_page_and_the_contacts_timeline_and_refused_ones_never_show(admin, new_context, server):
    page = new_context().new_page()
    log_in_and_land_home(page, admin)
    token = create_api_token(page, "Tracking test")
    email = f"tracked-{uuid.uuid4().hex[:8]}@globex.example"
    status, body = api_post(server.url, "/api/v1/contacts", token, {"email": email, "first_name": "Tracy", "last_name": "Tracked"})
    assert status in (200, 201), body
    contact_id = str(body["id"]).lower()
    event_id = f"crm-{uuid.uuid4().hex[:8]}"
    events = [
        {"id": event_id, "type": "form_submitted", "email": email, "properties": {"form": "demo", "step": 2}},
        {"id": event_id + "-v", "type": "page_view", "anonymous_id": "visitor-42", "properties": {"path": "/pricing"}},
        {"id": event_id + "-x", "type": "fax_sent", "email": email},
    ]
    status, body = api_post(server.url, "/api/v1/events", token, {"events": events})
    assert status == 202, body
    assert body["accepted"] == 2 and body["duplicates"] == 0, body
    assert [item["index"] for item in body["rejected"]] == [2], body
    assert [field["field"] for field in body["rejected"][0]["fields"]] == ["type"], body

    status, body = api_post(server.url, "/api/v1/events", token, {"events": events[:2]})
    assert status == 202 and body["accepted"] == 0 and body["duplicates"] == 2, "a retry stores nothing twice"

    visit(page, "/settings/tracking")
    expect(page.locator("#ingest-example")).to_contain_text("/api/v1/events")
    row = page.locator(f'#events-table tr[data-event="{event_id}"]')
    expect(row).to_contain_text("form_submitted")
    expect(row).to_contain_text("form=demo · step=2")
    expect(page.locator(f'#events-table tr[data-event="{event_id}-v"]')).to_contain_text("Visitor visitor-42")
    expect(page.locator(f'#events-table tr[data-event="{event_id}-x"]')).to_have_count(0)
    row.get_by_role("link", name="Tracy Tracked").click()
    expect(page).to_have_url(re.compile(f"/contacts/{contact_id}$"))
    # The contact's timeline shows what it did beside what changed.
    timeline_event = page.locator(f'#timeline [data-event="{event_id}"]')
    expect(timeline_event).to_contain_text("Form submitted")
    expect(timeline_event).to_contain_text("form=demo")
    expect(page.locator('#timeline [data-kind="created"]')).to_have_count(1)


def chart_rows(page, chart_id):
    """The (label, value) rows of a chart's table on the page; none when the page has no such chart."""
    rows = page.locator(f"#{chart_id} details.chart-table tbody tr")
    return [
        (row.locator("td").nth(0).text_content().strip(), int(re.sub(r"\D", "", row.locator("td").nth(1).text_content())))
        for row in rows.all()
    ]


def test_the_tracking_page_charts_the_events_received_each_day_and_by_type(admin, new_context, server):
    page = new_context().new_page()
    log_in_and_land_home(page, admin)
    token = create_api_token(page, "Activity chart test")
    visit(page, "/settings/tracking")
    before_days = dict(chart_rows(page, "received-by-day"))
    before_types = dict(chart_rows(page, "received-by-type"))

    run = uuid.uuid4().hex[:8]
    events = [{"id": f"chart-{run}-{n}", "type": "page_view", "anonymous_id": f"visitor-{run}", "properties": {"path": f"/p{n}"}} for n in range(3)]
    events.append({"id": f"chart-{run}-open", "type": "email_opened", "anonymous_id": f"visitor-{run}"})
    status, body = api_post(server.url, "/api/v1/events", token, {"events": events})
    assert status == 202 and body["accepted"] == 4, body

    visit(page, "/settings/tracking")
    by_day = page.locator("#received-by-day")
    expect(by_day.locator("figcaption")).to_have_text("Events received each day")
    expect(by_day.locator("svg.chart")).to_be_visible()
    expect(by_day.locator("svg rect.chart-bar")).to_have_count(14)
    days = chart_rows(page, "received-by-day")
    assert len(days) == 14, days
    today, count = days[-1]
    assert count == before_days.get(today, 0) + 4, f"today's bar ({today}) counted {count}, before {before_days}"
    types = dict(chart_rows(page, "received-by-type"))
    assert types["page_view"] == before_types.get("page_view", 0) + 3, types
    assert types["email_opened"] == before_types.get("email_opened", 0) + 1, types
    # The numbers are also there to read, as a table under the chart.
    by_day.locator("details.chart-table summary").click()
    expect(by_day.locator("details.chart-table tbody tr").last).to_be_visible()
