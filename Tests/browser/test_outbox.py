"""The Outbox: an admin sends a test message from the Outbox page; with the default outbox
transport nothing leaves the machine, and the message shows on the page, held, with its headers,
its text and its HTML in a sandboxed frame. A sales rep has no Outbox."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from actions import follow, log_in_and_land_home, path_of, submit


def test_an_admin_sends_a_test_message_and_sees_it_held_on_the_outbox_page(admin, new_context):
    page = new_context().new_page()
    log_in_and_land_home(page, admin)
    follow(page, 'nav#main-nav a[data-nav="outbox"]')
    assert path_of(page) == "/outbox"
    expect(page.locator("#mail-transport")).to_have_attribute("data-transport", "outbox")

    # A bad address first: refused next to its field, what was typed kept.
    form = "form#test-mail-form"
    page.fill(f'{form} input[name="to"]', "joão at nowhere")
    response = submit(page, form)
    assert response.status == 422
    expect(page.locator('.field-error[data-field="to"]')).to_be_visible()
    expect(page.locator(f'{form} input[name="to"]')).to_have_value("joão at nowhere")

    page.fill(f'{form} input[name="to"]', "João Silva <joao@cliente.com.br>")
    response = submit(page, form)
    assert response.status == 200
    assert re.fullmatch(r"/outbox/[0-9a-f-]{36}", path_of(page)), page.url
    expect(page.locator("#delivery .badge[data-status=held]")).to_be_visible()
    expect(page.locator("#delivery-note")).to_have_text("held – not sent, outbox transport")
    expect(page.locator('#message-headers tr[data-header="to"] td')).to_have_text("João Silva <joao@cliente.com.br>")
    expect(page.locator('#message-headers tr[data-header="list-unsubscribe"]')).to_have_count(1)
    expect(page.locator('#message-headers tr[data-header="message-id"] td')).to_have_text(re.compile(r"^<[0-9a-f-]{36}@"))
    expect(page.locator("#message-text")).to_contain_text("Hello, João Silva!")

    # The HTML body is only in a sandboxed frame: scripts off, never inline in the page.
    frame = page.locator("iframe#message-html")
    expect(frame).to_have_attribute("sandbox", "")
    expect(page.frame_locator("iframe#message-html").locator("p").first).to_have_text("Hello, João Silva!")
    expect(page.locator("main > section p", has_text="Hello, João Silva!")).to_have_count(0)

    follow(page, "a#back-to-outbox")
    row = page.locator("#outbox-table tr[data-status=held]").first
    expect(row).to_contain_text("João Silva <joao@cliente.com.br>")
    expect(row.locator(".badge")).to_have_text("Held")
    follow(page, '#status-filter a[data-status="sent"]')
    expect(page.locator("#outbox-table tr[data-status=held]")).to_have_count(0)


def test_a_sales_rep_has_no_outbox(colleagues, new_context):
    rep = colleagues.get("rita-sales", ("sales",))
    page = new_context().new_page()
    log_in_and_land_home(page, rep)
    expect(page.locator('nav#main-nav a[data-nav="outbox"]')).to_have_count(0)
    response = page.goto("/outbox")
    assert response is not None and response.status == 403
