"""A pupil without MinID gets in through her school nurse, with a passkey (issue 14), in
Chromium with a virtual WebAuthn authenticator (Chrome DevTools Protocol): Kari onboards
Emil, Emil activates on his phone, logs out, logs in with the passkey and books a time;
the passkey login reaches neither a pregnancy card nor anyone else; a used or an expired
code is refused; a revoked passkey cannot log in. And a parent adds a passkey after MinID
and removes it again, which ends that login at once."""

from __future__ import annotations

import re
import sqlite3

from playwright.sync_api import Browser, Page, expect

from e2e.booking_steps import new_phone
from e2e.helpers import assert_accessible, at_path, login_citizen, login_personnel, wait_for_app

CODE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$")
WRONG_CODE = "Koden stemmer ikke."
_CDP: list = []


def with_authenticator(page: Page) -> str:
    """A platform authenticator with user verification on this phone; returns its id."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    found = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True}})
    _CDP.append(cdp)  # kept alive: the keys live in this session
    return found["authenticatorId"]


def make_code(page: Page, pupil: str, *, check_page: bool = False) -> str:
    """On Aktivering: pick the pupil, say how she was recognised, confirm, get the code."""
    page.goto("/personell/aktivering")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktivering for elever uten MinID")
    if check_page:
        assert_accessible(page)
    select = page.get_by_label("Elev", exact=True)
    label = next(text for text in select.locator("option").all_inner_texts()
                 if text.startswith(pupil))
    select.select_option(label=label)
    page.get_by_label("Jeg kjenner eleven godt fra før.").check()
    page.get_by_label("Jeg har bekreftet hvem eleven er, i dag, ansikt til ansikt.").check()
    page.locator("#make-code").click()
    shown = page.locator("#activation-code-shown")
    expect(shown).to_have_text(CODE)
    expect(page.locator("#activation-qr")).to_be_visible()
    page.wait_for_function("() => { const qr = document.getElementById('activation-qr');"
                           " return qr && qr.complete && qr.naturalWidth > 0; }")  # it drew
    expect(page.locator("#activation-expiry")).to_contain_text("Gyldig til kl.")
    if check_page:
        assert_accessible(page)
    code = shown.inner_text()
    page.get_by_role("button", name="Ferdig").click()
    return code


def activate(phone: Page, code: str) -> None:
    phone.goto("/aktiver")
    wait_for_app(phone)
    phone.locator("#activation-code").fill(code)
    phone.locator("#activate-button").click()


def passkey_login(phone: Page, next_path: str = "/hjem") -> None:
    phone.goto(f"/auth/passkey/login?next={next_path}")
    phone.locator("#passkey-login").click()


def logout(page: Page) -> None:
    page.get_by_role("button", name="Logg ut").first.click()
    page.wait_for_url(at_path("/auth/logged-out"))


def test_kari_onboards_emil_who_logs_in_with_his_passkey_and_books(page: Page, browser: Browser,
                                                                  base_url: str, server):
    login_personnel(page, "Kari", "/personell/aktivering")
    code = make_code(page, "Emil Larsen", check_page=True)
    with sqlite3.connect(server.database_path) as con:
        nurse, hpr, used = con.execute(
            "SELECT nurse_name, nurse_hpr, used_at FROM passkey_activation "
            "ORDER BY id DESC LIMIT 1").fetchone()
        logged = con.execute("SELECT actor_name, actor_hpr FROM access_log WHERE object_type = "
                             "'passkey_activation' ORDER BY id DESC LIMIT 1").fetchone()
    assert (nurse, hpr, used) == ("Kari Lund", "9100001", None)
    assert logged == ("Kari Lund", "9100001")

    # Emil, on his own phone: the code, then a passkey, and he is in.
    phone = new_phone(browser, base_url)
    with_authenticator(phone)
    phone.goto(f"/aktiver?kode={code.replace('-', '')}")  # the QR code's link
    wait_for_app(phone)
    expect(phone.locator("#activation-code")).to_have_value(code.replace("-", ""))
    assert_accessible(phone)
    phone.locator("#activate-button").click()
    phone.wait_for_url(at_path("/hjem"))
    wait_for_app(phone)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hei, Emil")

    # His passkeys, with who set it up.
    phone.goto("/innstillinger/passnokler")
    wait_for_app(phone)
    expect(phone.locator("#passkey-list li")).to_have_count(1)
    expect(phone.locator("#passkey-list")).to_contain_text("Satt opp av Kari Lund")
    expect(phone.locator("#passkey-nurse-note")).to_be_visible()
    assert_accessible(phone)

    # Out, and in again with the passkey; then a time in three taps.
    logout(phone)
    phone.goto("/auth/passkey/login?next=/hjem")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Logg inn med passnøkkel")
    assert_accessible(phone)
    phone.locator("#passkey-login").click()
    phone.wait_for_url(at_path("/hjem"))
    wait_for_app(phone)
    phone.locator("#book-card").click()
    phone.locator("#free-times .time-btn").first.click()
    phone.locator("#confirm").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Timen er bestilt")

    # Nothing beyond the youth service: no one to act for, no access log, no card.
    phone.goto("/hjem")
    wait_for_app(phone)
    expect(phone.locator("#acting-select")).to_have_count(0)
    expect(phone.locator("#card-link")).to_have_count(0)
    phone.goto("/innsyn")
    wait_for_app(phone)
    expect(phone.locator("main")).to_contain_text("passnøkkelen fra helsesykepleieren")

    # The code is spent: on another phone it is refused, with the one plain answer.
    other = new_phone(browser, base_url)
    with_authenticator(other)
    activate(other, code.lower())
    expect(other.locator("#passkey-message")).to_contain_text(WRONG_CODE)
    assert_accessible(other)

    # Kari revokes the passkey: his session ends, and the passkey no longer logs in.
    page.goto("/personell/aktivering")
    wait_for_app(page)
    page.locator("#onboarded li").filter(has_text="Emil Larsen").get_by_role(
        "button", name="Trekk tilbake").first.click()
    expect(page.locator("#nurse-status")).to_contain_text("trukket tilbake")
    with sqlite3.connect(server.database_path) as con:
        live = con.execute("SELECT count(*) FROM user_session WHERE passkey_id IS NOT NULL "
                           "AND ended_at IS NULL AND end_reason IS NULL AND pid = "
                           "(SELECT pupil_pid FROM passkey_activation WHERE nurse_hpr = "
                           "'9100001' ORDER BY id LIMIT 1)").fetchone()[0]
    assert live == 0
    phone.goto("/timer")
    expect(phone.get_by_text("TEST-innlogging").first).to_be_visible()  # asked to log in
    passkey_login(phone)
    expect(phone.locator("#passkey-message")).to_contain_text("virker ikke lenger")
    assert "/auth/passkey/login" in phone.url


def test_an_expired_code_is_refused(page: Page, browser: Browser, base_url: str, server):
    login_personnel(page, "Kari", "/personell/aktivering")
    code = make_code(page, "Sara Hansen")
    with sqlite3.connect(server.database_path) as con:  # fifteen minutes on, in a moment
        con.execute("UPDATE passkey_activation SET expires_at = created_at "
                    "WHERE id = (SELECT max(id) FROM passkey_activation)")
    phone = new_phone(browser, base_url)
    with_authenticator(phone)
    activate(phone, code)
    expect(phone.locator("#passkey-message")).to_contain_text(WRONG_CODE)
    assert "/aktiver" in phone.url


def test_majas_passkey_login_cannot_open_her_pregnancy_card(page: Page, browser: Browser,
                                                            base_url: str):
    login_personnel(page, "Mona", "/personell/aktivering")
    code = make_code(page, "Maja Eriksen")
    phone = new_phone(browser, base_url)
    with_authenticator(phone)
    activate(phone, code)
    phone.wait_for_url(at_path("/hjem"))
    wait_for_app(phone)
    expect(phone.locator("#card-link")).to_have_count(0)
    phone.goto("/helsekort")
    wait_for_app(phone)
    expect(phone.locator("main")).to_contain_text("passnøkkelen fra helsesykepleieren")
    expect(phone.locator("main")).not_to_contain_text("Uke 20")


def test_per_adds_a_passkey_after_minid_and_removing_it_ends_that_login(page: Page):
    with_authenticator(page)
    login_citizen(page, "Per", "/innstillinger/passnokler")
    expect(page.locator("#passkey-none")).to_be_visible()
    page.locator("#add-passkey").click()
    expect(page.locator("#passkey-list li")).to_have_count(1)
    expect(page.locator("#passkey-list")).to_contain_text("Lagt til etter MinID/BankID")
    assert_accessible(page)

    logout(page)
    passkey_login(page, "/innstillinger/passnokler")
    page.wait_for_url(at_path("/innstillinger/passnokler"))
    wait_for_app(page)
    # An eID-derived passkey keeps Per's MinID level: he still acts for his children.
    expect(page.get_by_label("Du bruker DigiHelse for")).to_be_visible()
    page.locator("#passkey-list li").first.get_by_role("button", name="Fjern").click()
    page.locator("#confirm-remove-passkey").click()
    page.wait_for_url(at_path("/auth/logged-out"))
    passkey_login(page)
    expect(page.locator("#passkey-message")).to_contain_text("virker ikke lenger")


def test_the_minid_page_is_plain_and_accessible(page: Page):
    page.goto("/minid")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Slik får du MinID")
    expect(page.locator("main")).to_contain_text("13 år")
    assert_accessible(page)
