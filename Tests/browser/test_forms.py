"""Forms: a marketer builds a form on the builder page, a visitor fills it on its hosted page,
and the contact it made shows on its page with the form event on its timeline."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from actions import follow, log_in_and_land_home, path_of, submit, visit


def test_a_marketer_builds_a_form_a_visitor_submits_it_and_the_contact_shows_its_form_event(colleagues, new_context):
    marketer = colleagues.get("mila-marketing", ("marketing",))
    page = new_context().new_page()
    log_in_and_land_home(page, marketer)
    follow(page, 'nav#main-nav a[data-nav="forms"]')
    assert path_of(page) == "/forms"
    follow(page, "a#new-form")
    assert path_of(page) == "/forms/new"

    name = f"Webinar signup {uuid.uuid4().hex[:6]}"
    builder = "form#form-builder"
    page.fill(f'{builder} input[name="name"]', name)
    page.fill(f'{builder} input[name="submit_label"]', "Save my seat")
    # Email, first and last name come ticked; the marketer adds the job title and requires a first name.
    expect(page.locator(f'{builder} input[name="fields.email.include"]')).to_have_count(1)
    page.check(f'{builder} input[name="fields.first_name.required"]')
    page.check(f'{builder} input[name="fields.job_title.include"]')
    page.fill(f'{builder} input[name="fields.job_title.label"]', "Your role")
    page.fill(f'{builder} input[name="fields.job_title.position"]', "2")
    page.fill(f'{builder} input[name="fields.first_name.position"]', "3")
    page.fill(f'{builder} input[name="fields.last_name.position"]', "4")
    page.fill(f'{builder} textarea[name="consents[0].label"]', "I agree to receive the webinar's emails.")
    page.check(f'{builder} input[name="consents[0].required"]')
    # First a redirect to an address that is not a web page: refused next to its input, the rest kept.
    page.check(f'{builder} input#f-after_submit-redirect')
    page.fill(f'{builder} input[name="redirect_url"]', "ftp://files.example/thanks")
    page.locator(builder).evaluate("form => { form.noValidate = true }")
    response = submit(page, builder)
    assert response.status == 422
    expect(page.locator('.field-error[data-field="redirect_url"]')).to_be_visible()
    expect(page.locator(f'{builder} input[name="name"]')).to_have_value(name)
    expect(page.locator(f'{builder} input[name="fields.job_title.label"]')).to_have_value("Your role")

    page.check(f'{builder} input#f-after_submit-message')
    page.fill(f'{builder} textarea[name="thank_you_message"]', "See you at the webinar!")
    response = submit(page, builder)
    assert response.status == 200
    assert re.fullmatch(r"/forms/[0-9a-f-]{36}", path_of(page)), page.url
    expect(page.locator("#embed-code")).to_contain_text('name="website"')
    expect(page.locator("#embed-code")).to_contain_text('name="smk_aid"')
    hosted = page.locator("a#hosted-url").get_attribute("href")
    assert hosted and "/f/" in hosted

    # A visitor, without any session, opens the hosted page and fills it in.
    visitor = new_context().new_page()
    visit(visitor, hosted)
    expect(visitor.locator("nav#main-nav")).to_have_count(0)
    expect(visitor.locator("h1")).to_have_text(name)
    labels = visitor.locator("form#hosted-form label").all_inner_texts()
    assert labels.index("Email *") < labels.index("Your role") < labels.index("First name *"), labels
    email = f"webinar-{uuid.uuid4().hex[:8]}@globex.example"
    visitor.fill('form#hosted-form input[name="email"]', email.upper())
    visitor.fill('form#hosted-form input[name="first_name"]', "Wanda")
    visitor.fill('form#hosted-form input[name="job_title"]', "Head of Growth")
    # The consent is required: without it the page says so and keeps what was typed.
    visitor.locator("form#hosted-form").evaluate("form => { form.noValidate = true }")
    response = submit(visitor, "form#hosted-form")
    assert response.status == 422
    expect(visitor.locator('.field-error[data-field="consent_1"]')).to_be_visible()
    expect(visitor.locator('form#hosted-form input[name="first_name"]')).to_have_value("Wanda")
    visitor.check('form#hosted-form input[name="consent_1"]')
    response = submit(visitor, "form#hosted-form")
    assert response.status == 200
    expect(visitor.locator("#thank-you")).to_have_text("See you at the webinar!")

    # The marketer finds the contact it made, with the form's event on its timeline.
    visit(page, "/forms")
    row = page.locator("#forms-table tr", has_text=name)
    expect(row.locator("td").nth(2)).to_have_text("1")
    visit(page, "/contacts?q=" + email)
    follow(page, "table#contacts-table tbody tr[data-contact] a")
    expect(page.locator("h1")).to_contain_text("Wanda")
    event = page.locator('#timeline [data-kind="event"]', has_text="Form submitted")
    expect(event).to_have_count(1)
    expect(event).to_contain_text(f"form={name}")
    expect(event).to_contain_text("consents=consent_1")
    expect(page.locator('#timeline [data-kind="created"]')).to_contain_text(f"Form: {name}")
