"""Lead routing: an admin puts a rep in a team, a sales manager writes a routing rule on the
routing page and tests it on a contact, seeing which rule, team and rep would get the lead,
without assigning it; a bad rule comes back with its errors next to its inputs."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from actions import fill_contact_form, follow, log_in_and_land_home, path_of, save_contact_form, submit, visit

TEAM = "Brazil desk"
RULE = "Brazilian leads"
CONTACT_EMAIL = "lia.routing@example.com"


def put_in_team(page: Page, team: str, member_name: str) -> None:
    """As an admin: creates the team and ticks the member on its page."""
    visit(page, "/settings/teams")
    page.fill('form#team-form input[name="name"]', team)
    submit(page, "form#team-form")
    follow(page, f'#teams-table tr[data-team="{team}"] a')
    page.locator("form#team-edit-form label.checkbox", has_text=member_name).locator("input").check()
    response = submit(page, "form#team-edit-form")
    assert response.ok, f"saving the team answered {response.status}"


def test_a_sales_manager_creates_a_rule_and_sees_which_rep_would_get_a_contact(admin, colleagues, new_context):
    manager = colleagues.get("sara-sales-manager", ("sales_manager",))
    rep = colleagues.get("rita-sales", ("sales",))

    admin_page = new_context().new_page()
    log_in_and_land_home(admin_page, admin)
    put_in_team(admin_page, TEAM, rep.name)
    visit(admin_page, "/contacts/new")
    fill_contact_form(admin_page, {"first_name": "Lia", "last_name": "Routing", "email": CONTACT_EMAIL, "country": "BR"})
    assert save_contact_form(admin_page).ok

    page = new_context().new_page()
    log_in_and_land_home(page, manager)
    follow(page, 'nav#main-nav a[data-nav="routing"]')
    assert path_of(page) == "/routing"

    # A rule without a name or a value is refused next to its inputs, and nothing is saved.
    follow(page, "#add-rule")
    form = "form#rule-form"
    page.select_option(f'{form} select[name="team_id"]', label=TEAM)
    page.select_option(f'{form} select[name="conditions[0].field"]', "country")
    page.select_option(f'{form} select[name="conditions[0].op"]', "equals")
    response = submit(page, form)
    assert response.status == 422
    expect(page.locator('.field-error[data-field="name"]')).to_be_visible()
    expect(page.locator('.field-error[data-field="conditions[0].value"]')).to_be_visible()

    page.fill(f'{form} input[name="name"]', RULE)
    page.fill(f'{form} input[name="conditions[0].value"]', "BR")
    response = submit(page, form)
    assert response.ok and path_of(page) == "/routing"
    expect(page.locator(f'#rules-table tr[data-rule="{RULE}"]')).to_contain_text(TEAM)

    page.fill("#f-test", CONTACT_EMAIL)
    submit(page, "form#test-form")
    result = page.locator("#test-result")
    expect(result).to_have_attribute("data-reason", "round_robin")
    expect(page.locator("#test-rule")).to_have_text(RULE)
    expect(page.locator("#test-team")).to_have_text(TEAM)
    expect(page.locator("#test-owner")).to_have_text(rep.name)

    # Testing assigns nobody: the log is still empty of this contact.
    visit(page, "/routing/assignments")
    expect(page.locator("main")).not_to_contain_text("Lia Routing")


def test_people_outside_sales_management_cannot_open_routing(colleagues, page):
    marketer = colleagues.get("mila-marketing", ("marketing",))
    log_in_and_land_home(page, marketer)
    expect(page.locator('nav#main-nav a[data-nav="routing"]')).to_have_count(0)
    assert visit(page, "/routing").status == 403
