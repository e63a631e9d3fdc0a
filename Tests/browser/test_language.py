"""The interface speaks English and Brazilian Portuguese: the browser's language until a user
chooses one, and the user's choice from then on, on every device."""

from playwright.sync_api import expect

from actions import choose_language, log_in_and_land_home, log_out, visit

NAV_TEXTS = {
    "en": {"home": "Home", "contacts": "Contacts", "companies": "Companies", "settings": "Settings"},
    "pt-BR": {"home": "Início", "contacts": "Contatos", "companies": "Empresas", "settings": "Configurações"},
}


def expect_navigation_in(page, language):
    expect(page.locator("html")).to_have_attribute("lang", language)
    nav = page.locator("nav#main-nav")
    for area, text in NAV_TEXTS[language].items():
        expect(nav.locator(f'a[data-nav="{area}"]')).to_have_text(text)


def test_a_visitor_whose_browser_prefers_portuguese_sees_the_login_page_in_portuguese(workspace, new_context):
    page = new_context(locale="pt-BR").new_page()
    visit(page, "/login")
    expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
    expect(page.locator("form#login-form button[type=submit]")).to_have_text("Entrar")


def test_a_visitor_whose_browser_prefers_english_sees_the_login_page_in_english(workspace, new_context):
    page = new_context(locale="en-US").new_page()
    visit(page, "/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("form#login-form button[type=submit]")).to_have_text("Log in")


def test_a_visitor_can_switch_the_login_page_to_portuguese(workspace, new_context):
    page = new_context(locale="en-US").new_page()
    visit(page, "/login")
    expect(page.locator("form#language-form")).to_be_visible()

    choose_language(page, "pt-BR")

    expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
    expect(page.locator("form#login-form button[type=submit]")).to_have_text("Entrar")


def test_a_user_who_switches_to_portuguese_sees_the_navigation_in_portuguese(colleagues, page):
    user = colleagues.get("fabio-language", ("sales",))
    log_in_and_land_home(page, user)
    expect_navigation_in(page, "en")

    choose_language(page, "pt-BR")

    expect_navigation_in(page, "pt-BR")


def test_the_chosen_language_stays_after_logging_out_and_in_again(colleagues, page):
    user = colleagues.get("gabi-language", ("marketing",))
    log_in_and_land_home(page, user)
    choose_language(page, "pt-BR")
    expect_navigation_in(page, "pt-BR")

    log_out(page)
    log_in_and_land_home(page, user)

    expect_navigation_in(page, "pt-BR")


def test_the_chosen_language_follows_the_user_to_a_browser_that_prefers_english(colleagues, new_context):
    user = colleagues.get("gabi-language", ("marketing",))
    first = new_context(locale="en-US").new_page()
    log_in_and_land_home(first, user)
    choose_language(first, "pt-BR")

    elsewhere = new_context(locale="en-US").new_page()
    visit(elsewhere, "/login")
    expect(elsewhere.locator("form#login-form button[type=submit]")).to_have_text("Log in")
    log_in_and_land_home(elsewhere, user)

    expect_navigation_in(elsewhere, "pt-BR")


def test_switching_back_to_english_restores_the_english_navigation(colleagues, page):
    user = colleagues.get("fabio-language", ("sales",))
    log_in_and_land_home(page, user)
    choose_language(page, "pt-BR")
    expect_navigation_in(page, "pt-BR")

    choose_language(page, "en")

    expect_navigation_in(page, "en")
