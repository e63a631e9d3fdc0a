"""Setting up a new installation, logging in and out, and the brake on password guessing."""

from playwright.sync_api import expect

from actions import Person, log_in, log_in_and_land_home, log_out, path_of, visit

def test_the_first_visit_to_a_new_installation_opens_the_setup_page(workspace):
    assert workspace.first_visit_path == "/setup"


def test_setup_explains_a_short_password_next_to_the_field_and_keeps_what_was_typed(workspace):
    assert workspace.invalid_status in (400, 422)
    assert "admin_password" in workspace.invalid_errors
    kept = {name: value for name, value in workspace.kept_values.items() if name != "admin_password"}
    assert kept == {
        "workspace_name": "Acme Analytics",
        "time_zone": "America/Sao_Paulo",
        "currency": "BRL",
        "language": "en",
        "admin_name": "Ana Admin",
        "admin_email": "admin@example.com",
    }


def test_setup_logs_the_admin_in_and_lands_on_home(workspace):
    assert workspace.success_status == 200
    assert workspace.landing_path == "/"
    assert workspace.landing_headings >= 1
    assert workspace.landing_nav_areas[:11] == [
        "home", "contacts", "companies", "tasks", "deals", "inbox", "feedback", "forms", "lead-definition", "routing", "settings"
    ]
    assert "settings-users" in workspace.landing_nav_areas
    assert "settings-audit" in workspace.landing_nav_areas


def test_after_setup_the_setup_page_sends_visitors_to_login(workspace, page):
    visit(page, "/setup")
    assert path_of(page) == "/login"
    expect(page.locator("form#login-form")).to_be_visible()
    expect(page.locator("form#setup-form")).to_have_count(0)


def test_after_setup_the_setup_page_sends_the_logged_in_admin_home(admin, page):
    log_in_and_land_home(page, admin)
    visit(page, "/setup")
    assert path_of(page) == "/"
    expect(page.locator("nav#main-nav")).to_be_visible()


def test_the_admin_logs_in_and_sees_the_whole_navigation(admin, page):
    log_in_and_land_home(page, admin)
    expect(page.locator("h1").first).to_be_visible()
    nav = page.locator("nav#main-nav")
    for area, label in [("home", "Home"), ("contacts", "Contacts"), ("companies", "Companies"), ("settings", "Settings")]:
        expect(nav.locator(f'a[data-nav="{area}"]')).to_have_text(label)
    expect(nav.locator('a[data-nav="settings-users"]')).to_be_visible()
    expect(nav.locator('a[data-nav="settings-audit"]')).to_be_visible()


def test_a_wrong_password_keeps_the_person_on_the_login_page_with_an_error(admin, page):
    response = log_in(page, Person(name=admin.name, email=admin.email, password="not the password at all"))
    assert response.status == 401
    assert path_of(page) == "/login"
    expect(page.locator(".form-error")).to_be_visible()
    expect(page.locator("form#login-form")).to_be_visible()
    expect(page.locator("nav#main-nav")).to_have_count(0)


def test_logging_out_lands_on_the_login_page_and_ends_the_session(admin, page):
    log_in_and_land_home(page, admin)
    response = log_out(page)
    assert response.status == 200
    assert path_of(page) == "/login"
    expect(page.locator("form#login-form")).to_be_visible()

    visit(page, "/")
    assert path_of(page) == "/login"
    expect(page.locator("nav#main-nav")).to_have_count(0)


def test_after_five_failed_logins_for_one_email_further_attempts_are_refused(workspace, page):
    stranger = Person(name="Nobody", email="nobody@example.com", password="wrong password 1")
    for attempt in range(1, 6):
        response = log_in(page, stranger)
        assert response.status == 401, f"attempt {attempt} answered {response.status}"
        expect(page.locator(".form-error")).to_be_visible()

    response = log_in(page, stranger)
    assert response.status == 429
    assert path_of(page) == "/login"
    expect(page.locator(".form-error")).to_be_visible()
    expect(page.locator(".form-error")).not_to_be_empty()


def test_the_refusal_does_not_lock_out_anyone_else(admin, page):
    log_in_and_land_home(page, admin)

