"""Acting for one's children, and reading who has seen one's information."""

from playwright.sync_api import Page, expect

from e2e.helpers import act_for, assert_accessible, login_citizen


def test_pupil_reads_her_own_access_log(page: Page):
    login_citizen(page, "Emil")
    page.get_by_role("link", name="Innsyn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvem har sett opplysningene mine")
    rows = page.locator("#access-log li")
    expect(rows.first).to_be_visible()
    expect(page.locator("#access-log")).to_contain_text("Du logget inn")
    assert_accessible(page)


def test_parent_sees_whom_he_may_act_for_and_switches(page: Page):
    login_citizen(page, "Per")
    switcher = page.get_by_label("Du bruker DigiHelse for")
    expect(switcher).to_be_visible()
    options = switcher.locator("option")
    texts = options.all_inner_texts()
    assert texts[0] == "Per Hansen (deg selv)"
    assert any(text.startswith("Jonas, 10 år – full tilgang") for text in texts)
    assert any(text.startswith("Emma, 3 år – full tilgang") for text in texts)
    assert any(text.startswith("Sara, 13 år – begrenset innsyn") for text in texts)
    act_for(page, "Jonas, 10 år – full tilgang")
    expect(page.get_by_label("Du bruker DigiHelse for")).to_have_value("2")
    expect(page.locator("#acting-explain")).to_contain_text("Jonas")
    assert_accessible(page)


def test_quick_exit_is_there_for_pupils_not_for_parents(page: Page, browser, base_url):
    login_citizen(page, "Noah")
    exit_link = page.get_by_role("link", name="Lukk DigiHelse raskt")
    expect(exit_link).to_be_visible()
    assert exit_link.get_attribute("href").startswith("https://")
    from e2e.conftest import PHONE

    other = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_citizen(other, "Lene")
    expect(other.get_by_role("link", name="Lukk DigiHelse raskt")).to_have_count(0)
    other.context.close()


def test_quick_exit_ends_the_session_and_leaves_nothing_of_hers(page: Page):
    """"Lukk" takes her to a neutral site and logs her out on the way: the app opened again,
    or Back, asks for a login and shows nothing of hers."""
    page.route("https://www.yr.no/**", lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8",
        body="<title>Yr</title><h1>Været</h1>"))
    login_citizen(page, "Noah")
    page.get_by_role("navigation").get_by_role("link", name="Timer").click()
    page.wait_for_url("**/timer")
    page.get_by_role("link", name="Lukk DigiHelse raskt").click()
    page.wait_for_url("https://www.yr.no/**")
    expect(page.get_by_role("heading", name="Været")).to_be_visible()
    page.go_back()  # to /hjem: the session is gone, so it asks her to log in
    page.wait_for_url("**/idp/authorize**")
    expect(page.locator("main#main")).to_have_count(0)  # none of DigiHelse's pages
    page.goto("/hjem")
    page.wait_for_url("**/idp/authorize**")


def test_the_home_hint_names_only_those_she_may_act_for(page: Page, browser, base_url):
    """Per has young children: the hint is about them. Tor's only child is 17: he may act
    for nobody, so no hint and no switcher."""
    login_citizen(page, "Per")
    expect(page.get_by_text("Du kan også bruke DigiHelse for barna dine")).to_be_visible()
    from e2e.conftest import PHONE

    other = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_citizen(other, "Tor")
    expect(other.get_by_role("heading", level=1)).to_contain_text("Tor")
    expect(other.locator("main")).not_to_contain_text("barna dine")
    expect(other.locator("main")).not_to_contain_text("fullmakt")
    other.context.close()
