"""Sales follow-up: a rep logs a call on their lead, adds a task and ticks it done, opens a deal
and marks it won, and finds all of it on the contact's timeline beside the stage changes; the
tasks and deals pages show the same work; bad input comes back beside its field."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from actions import (
    contact_id_of,
    fill_contact_form,
    follow,
    log_in_and_land_home,
    path_of,
    save_contact_form,
    submit,
    visit,
)


def create_own_lead(page: Page, email: str) -> str:
    visit(page, "/contacts/new")
    fill_contact_form(page, {"first_name": "Lia", "last_name": "Pereira", "email": email, "lifecycle_stage": "sql"})
    response = save_contact_form(page)
    assert response.ok, f"creating the lead answered {response.status}"
    return contact_id_of(page)


def test_a_rep_logs_a_call_adds_and_completes_a_task_and_wins_a_deal_all_on_the_timeline(colleagues, page):
    rep = colleagues.get("sam-sales", ("sales",))
    log_in_and_land_home(page, rep)
    contact = create_own_lead(page, "lia.pereira@globex.example")

    # Log a call from the contact page.
    page.locator("#log-activity > summary").click()
    form = page.locator("form#activity-form")
    form.locator('[name="kind"]').select_option("call")
    form.locator('[name="outcome"]').select_option("connected")
    form.locator('[name="notes"]').fill("Talked budget: approved for Q1")
    form.locator('[name="next_step"]').fill("Send the proposal")
    submit(page, "form#activity-form")
    assert path_of(page) == f"/contacts/{contact}"
    expect(page.locator(".notice")).to_contain_text("Activity logged")
    call = page.locator('#timeline li[data-kind="activity"][data-activity-kind="call"]')
    expect(call).to_contain_text("Connected")
    expect(call).to_contain_text("Sam Sales")
    expect(call).to_contain_text("Next step: Send the proposal")

    # Add a task, then tick it done.
    page.locator("#add-task > summary").click()
    task_form = page.locator("form#task-form")
    task_form.locator('[name="title"]').fill("Send the proposal")
    task_form.locator('[name="due_at"]').fill("2030-01-15T10:00")
    submit(page, "form#task-form")
    expect(page.locator("#contact-tasks")).to_contain_text("Send the proposal")
    follow(page, "#contact-tasks button[data-task-done]")
    expect(page.locator(".notice")).to_contain_text("Task updated")
    expect(page.locator("#contact-tasks")).to_contain_text("No open tasks")

    # A bad amount comes back beside its field; then open the deal and win it.
    follow(page, "a#new-deal")
    deal_form = page.locator("form#deal-form")
    deal_form.locator('[name="name"]').fill("Globex pilot")
    deal_form.locator('[name="amount"]').fill("12,34,5")
    deal_form.locator('[name="stage"]').select_option("proposal")
    deal_form.locator('[name="expected_close_date"]').fill("2030-02-01")
    response = submit(page, "form#deal-form")
    assert response.status == 422
    expect(page.locator('.field-error[data-field="amount"]')).to_be_visible()
    expect(page.locator('form#deal-form [name="name"]')).to_have_value("Globex pilot")
    page.locator('form#deal-form [name="amount"]').fill("12.500,00")
    submit(page, "form#deal-form")
    assert path_of(page).startswith("/deals/")
    expect(page.locator("#deal-stage")).to_have_text("Proposal")
    follow(page, "#mark-won")
    expect(page.locator("#deal-stage")).to_have_text("Won")
    expect(page.locator("#deal-closed")).to_contain_text("Sam Sales")
    expect(page.locator('#deal-history li[data-kind="deal_won"]')).to_have_count(1)

    # Everything is on the contact's timeline, beside the stage changes; the lead is a customer.
    visit(page, f"/contacts/{contact}")
    timeline = page.locator("#timeline")
    for kind in ("activity", "task_created", "task_completed", "deal_created", "deal_won", "updated", "created"):
        expect(timeline.locator(f'li[data-kind="{kind}"]').first).to_be_visible()
    expect(page.locator("#contact-deals")).to_contain_text("Globex pilot")
    expect(page.locator("dl.facts .badge.stage-customer")).to_be_visible()

    # The deals page lists it as won; the tasks page has nothing left open.
    visit(page, "/deals?status=won")
    expect(page.locator("#deals-table")).to_contain_text("Globex pilot")
    expect(page.locator("#pipeline svg.chart").first).to_be_visible()
    visit(page, "/tasks")
    expect(page.locator("nav#main-nav a[data-nav=tasks]")).to_have_attribute("aria-current", "page")
    expect(page.locator("#tasks-overdue")).to_contain_text("Nothing here")
