"""Logging in and out through the embedded providers, on a phone, and session expiry."""

import datetime as dt
import sqlite3

from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, login_citizen, login_personnel, wait_for_app


def test_pupil_logs_in_with_testid_sees_her_name_and_logs_out(page: Page, context):
    page.goto("/")
    wait_for_app(page)
    page.get_by_role("link", name="Logg inn", exact=True).click()
    expect(page.get_by_text("TEST-innlogging").first).to_be_visible()
    assert_accessible(page)  # the provider's login page too
    login_citizen(page, "Ida")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hei, Ida")
    expect(page.locator("#acting-for")).to_have_text("Ida Berg")
    assert_accessible(page)

    cookies = {c["name"]: c for c in context.cookies()}
    session = cookies["digihelse_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert len(session["value"]) >= 43  # 256 bits, base64url

    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url("**/auth/logged-out")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du er logget ut")
    assert "digihelse_session" not in {c["name"] for c in context.cookies()}

    # The old session is over on the server too: the protected page sends us to login.
    page.goto("/hjem")
    expect(page.get_by_text("TEST-innlogging").first).to_be_visible()


def test_the_old_cookie_is_dead_after_logout(page: Page, context, base_url):
    login_citizen(page, "Emil")
    stolen = next(c for c in context.cookies() if c["name"] == "digihelse_session")
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url("**/auth/logged-out")
    context.add_cookies([stolen])
    page.goto("/hjem")
    expect(page.get_by_text("TEST-innlogging").first).to_be_visible()


def test_nurse_logs_in_through_the_personnel_provider(page: Page):
    login_personnel(page, "Kari")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hei, Kari")
    expect(page.get_by_text("9100001")).to_be_visible()
    assert_accessible(page)


def test_a_citizen_login_does_not_open_personnel_pages(page: Page):
    login_citizen(page, "Noah")
    page.goto("/personell")
    page.wait_for_url("**/helseid/authorize**")
    expect(page.get_by_text("TEST-innlogging").first).to_be_visible()


def test_idle_session_sends_the_user_back_to_login(page: Page, server):
    login_citizen(page, "Mia")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hei, Mia")
    # Move the session's clock: last seen 31 minutes ago, beyond the 30-minute idle limit.
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(server.database_path) as db:
        db.execute("UPDATE user_session SET last_seen = ? WHERE ended_at IS NULL", (past,))
    page.goto("/hjem")
    page.wait_for_url("**/idp/authorize**")
    expect(page.get_by_text("TEST-innlogging").first).to_be_visible()
    with sqlite3.connect(server.database_path) as db:
        reasons = {r[0] for r in db.execute("SELECT end_reason FROM user_session")}
    assert "idle" in reasons


def test_a_forged_callback_fails_clearly_and_sets_no_cookie(page: Page, context):
    response = page.goto("/auth/callback?state=forged&code=stolen")
    assert response.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("Innloggingen virket ikke")
    expect(page.get_by_role("link", name="Prøv igjen")).to_be_visible()
    assert "digihelse_session" not in {c["name"] for c in context.cookies()}
    assert_accessible(page)


def test_cancelled_login_explains_itself(page: Page):
    page.goto("/auth/login?next=/hjem")
    page.get_by_role("button", name="Avbryt innloggingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Innloggingen virket ikke")
    expect(page.get_by_text("Du avbrøt innloggingen")).to_be_visible()


def test_login_next_may_only_be_a_local_path(page: Page):
    login_citizen(page, "Ella", next_path="/hjem")
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url("**/auth/logged-out")
    page.goto("/auth/login?next=https://evil.example/steal")
    pid_field = page.locator("input[name=pid]")
    expect(pid_field).to_be_visible()
