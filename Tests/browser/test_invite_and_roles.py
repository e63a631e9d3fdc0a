"""Inviting colleagues, what each role may open, and personal API tokens."""

import re

from playwright.sync_api import expect

from actions import (
    Person,
    accept_invitation,
    api_get,
    follow,
    invite,
    log_in_and_land_home,
    path_of,
    submit,
    visit,
)


def test_an_admin_invites_a_colleague_and_gets_a_link_to_send(admin, page, server):
    log_in_and_land_home(page, admin)

    link = invite(page, "bia.marketing@example.com", ("marketing", "marketing_manager"))

    expect(page.locator("input#invite-link")).not_to_be_editable()
    assert re.fullmatch(r"https?://[^/]+/invite/[^/?#\s]+", link), link
    assert link.startswith(server.url + "/invite/"), link
    expect(page.locator('#invitations-table tr[data-email="bia.marketing@example.com"]')).to_be_visible()


def test_an_invited_colleague_sets_a_password_and_is_logged_in(admin, new_context):
    admin_page = new_context().new_page()
    log_in_and_land_home(admin_page, admin)
    link = invite(admin_page, "caio.sales@example.com", ("sales",))
    caio = Person(name="Caio Vendas", email="caio.sales@example.com", password="caio password 2024", roles=("sales",))

    caio_page = new_context().new_page()
    response = accept_invitation(caio_page, link, caio)

    assert response.status == 200
    assert path_of(caio_page) == "/"
    expect(caio_page.locator("h1").first).to_be_visible()
    expect(caio_page.locator("nav#main-nav")).to_be_visible()
    visit(admin_page, "/settings/users")
    expect(admin_page.locator('#users-table tr[data-email="caio.sales@example.com"]')).to_be_visible()


def test_an_invited_colleague_can_log_in_again_later(admin, colleagues, page):
    rep = colleagues.get("dani-sales", ("sales",))
    log_in_and_land_home(page, rep)


def test_an_invitation_link_that_does_not_exist_shows_not_found(workspace, page):
    response = visit(page, "/invite/this-token-was-never-issued")
    assert response.status == 404
    expect(page.locator("h1").first).to_be_visible()
    expect(page.locator("form#accept-invite-form")).to_have_count(0)


def test_a_sales_rep_cannot_open_user_management(colleagues, page):
    rep = colleagues.get("dani-sales", ("sales",))
    log_in_and_land_home(page, rep)

    nav = page.locator("nav#main-nav")
    expect(nav.locator('a[data-nav="settings"]')).to_be_visible()
    expect(nav.locator('a[data-nav="settings-users"]')).to_have_count(0)

    response = visit(page, "/settings/users")
    assert response.status == 403
    expect(page.locator("h1").first).to_be_visible()
    expect(page.locator("#users-table")).to_have_count(0)
    expect(page.locator("form#invite-form")).to_have_count(0)


def test_a_marketing_user_cannot_open_user_management_either(colleagues, page):
    marketer = colleagues.get("eva-marketing", ("marketing",))
    log_in_and_land_home(page, marketer)

    expect(page.locator('nav#main-nav a[data-nav="settings-users"]')).to_have_count(0)
    response = visit(page, "/settings/users")
    assert response.status == 403
    expect(page.locator("h1").first).to_be_visible()
    expect(page.locator("#users-table")).to_have_count(0)


def test_the_admin_opens_user_management_from_the_navigation(admin, colleagues, page):
    rep = colleagues.get("dani-sales", ("sales",))
    log_in_and_land_home(page, admin)

    follow(page, 'nav#main-nav a[data-nav="settings-users"]')
    assert path_of(page) == "/settings/users"

    users = page.locator("#users-table")
    expect(users.locator(f'tr[data-email="{admin.email}"]')).to_be_visible()
    expect(users.locator(f'tr[data-email="{rep.email}"]')).to_be_visible()
    expect(page.locator("form#invite-form")).to_be_visible()


def test_every_user_reaches_their_settings_from_the_navigation(colleagues, page):
    rep = colleagues.get("dani-sales", ("sales",))
    log_in_and_land_home(page, rep)

    response = follow(page, 'nav#main-nav a[data-nav="settings"]')

    assert response.status == 200
    assert path_of(page).startswith("/settings")
    expect(page.locator("h1").first).to_be_visible()


def test_a_sales_rep_creates_an_api_token_that_the_api_accepts_until_it_is_revoked(colleagues, page, server):
    rep = colleagues.get("dani-sales", ("sales",))
    log_in_and_land_home(page, rep)
    visit(page, "/settings/tokens")

    page.fill('form#token-form input[name="name"]', "CRM sync")
    submit(page, "form#token-form")
    shown = page.locator("#new-token")
    expect(shown).to_have_text(re.compile(r"^\s*smk_\S+\s*$"))
    token = shown.inner_text().strip()

    status, me = api_get(server.url, "/api/v1/me", token)
    assert status == 200
    assert me.get("email") == rep.email

    visit(page, "/settings/tokens")
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(token)

    page.once("dialog", lambda dialog: dialog.accept())
    follow(page, 'tr[data-token-name="CRM sync"] button.revoke')
    expect(page.locator('tr[data-token-name="CRM sync"] button.revoke')).to_have_count(0)

    status, _ = api_get(server.url, "/api/v1/me", token)
    assert status == 401


def test_the_api_refuses_a_made_up_token(workspace, server):
    status, _ = api_get(server.url, "/api/v1/me", "smk_made_up_token_that_was_never_issued")
    assert status == 401
