"""The pregnancy card on a phone: the midwife records a check-up, the woman sees it and
its point on the symphysis-fundus chart; implausible values keep the draft."""

from playwright.sync_api import Browser, expect

from e2e.conftest import PHONE
from e2e.helpers import assert_accessible, login_citizen, login_personnel, wait_for_app


def _sf_points(page) -> int:
    return page.locator("#chart-sf svg circle").count()


def test_midwife_records_a_checkup_and_nora_sees_it(browser: Browser, base_url: str):
    nora = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_citizen(nora, "Nora")
    expect(nora.locator("#card-link")).to_contain_text("Uke 27+3 i dag")
    nora.get_by_role("link", name="Helsekort").first.click()
    expect(nora.get_by_role("heading", level=1)).to_have_text("Helsekort for gravide")
    expect(nora.locator("#ga-today")).to_have_text("uke 27+3 i dag")
    # When to call whom: 113 first, her birth institution, her midwife for what can wait.
    call = nora.locator("#when-to-call")
    expect(call.get_by_role("heading", level=2)).to_have_text("Når bør du ringe?")
    expect(nora.locator("#call-113")).to_have_attribute("href", "tel:113")
    expect(call).to_contain_text("kjenner mindre liv enn vanlig")
    expect(nora.locator("#birth-contact")).to_have_text("Fødestedet ditt står under Kontakter")
    expect(nora.locator("#section-contacts")).to_contain_text("Fjordvik sykehus")
    call.screenshot(path="/tmp/shots/when-to-call.png")
    # Her test results and background, as on the paper card; earlier pregnancies are
    # hidden from a partner until she chooses otherwise, and the card says so.
    expect(nora.locator("#lab-results")).to_contain_text("Hb, første trimester")
    expect(nora.locator("#lab-results")).to_contain_text("12,4 g/dL")
    expect(nora.locator("#section-before_pregnancy")).to_contain_text("Høyde (cm): 168")
    expect(nora.locator("#section-previous_pregnancies")).to_contain_text(
        "Skjult for dem med fullmakt")
    before = _sf_points(nora)
    # The charts explain themselves, and the printout says whose card it is and when.
    expect(nora.locator("#chart-bp .chart-legend")).to_contain_text("systolisk")
    expect(nora.locator("#chart-sf .chart-legend")).to_contain_text("8 av 10")
    nora.emulate_media(media="print")
    expect(nora.locator("#print-head")).to_be_visible()
    expect(nora.locator("#print-head")).to_contain_text("Født")
    expect(nora.locator("#print-head")).to_contain_text("Skrevet ut")
    nora.emulate_media(media="screen")
    nora.get_by_text("Hva betyr verdiene?").click()
    expect(nora.locator("#values-explained")).to_contain_text("ikke noe protein")
    assert_accessible(nora)

    lise = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_personnel(lise, "Lise", next_path="/personell/gravide")
    expect(lise.get_by_role("heading", level=1)).to_have_text("Mine gravide")
    assert_accessible(lise)
    lise.locator("#my-women").get_by_role("button", name="Nora Lie").click()
    expect(lise.get_by_role("heading", name="Ny kontroll")).to_be_visible()
    assert_accessible(lise)

    # Implausible values: clear messages per field, and nothing typed is lost.
    lise.get_by_label("Vekt (kg)").fill("5")
    lise.get_by_label("Øvre blodtrykk").fill("300")
    lise.get_by_label("Nedre blodtrykk").fill("20")
    lise.get_by_label("Symfyse-fundus-mål (cm)").fill("80")
    lise.locator("#save-consultation").click()
    expect(lise.locator("#form-message")).to_contain_text("Det du skrev er tatt vare på")
    expect(lise.locator("#f-weight_kg-error")).to_be_visible()
    expect(lise.locator("#f-sf_height_cm-error")).to_be_visible()
    expect(lise.get_by_label("Vekt (kg)")).to_have_value("5")
    assert_accessible(lise)

    lise.get_by_label("Vekt (kg)").fill("71,5")
    lise.get_by_label("Øvre blodtrykk").fill("118")
    lise.get_by_label("Nedre blodtrykk").fill("76")
    lise.get_by_label("Symfyse-fundus-mål (cm)").fill("27")
    lise.get_by_label("Fosterlyd (slag/min)").fill("142")
    lise.locator("#save-consultation").click()
    expect(lise.locator("#form-message")).to_have_text("Kontrollen er lagret.")
    expect(lise.locator("#timeline li").first).to_contain_text("27+3")
    expect(lise.locator("#timeline li").first).to_contain_text("Lise Haugen")

    nora.reload()
    wait_for_app(nora)
    first = nora.locator("#timeline li").first
    expect(first).to_contain_text("27+3")
    expect(first).to_contain_text("118/76")
    expect(first).to_contain_text("27,0")
    expect(nora.locator("#chart-sf svg circle")).to_have_count(before + 1)
    assert_accessible(nora)
    for page in (nora, lise):
        page.context.close()


def test_nora_writes_a_question_for_the_midwife(browser: Browser, base_url: str):
    nora = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_citizen(nora, "Nora", next_path="/helsekort")
    nora.get_by_label("Skriv et spørsmål eller notat til neste kontroll").fill(
        "Er det normalt å ha vondt i ryggen?")
    nora.get_by_role("button", name="Lagre spørsmålet").click()
    expect(nora.locator("#notes")).to_contain_text("vondt i ryggen")
    # The midwife sees it on her card.
    lise = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_personnel(lise, "Lise", next_path="/personell/gravide")
    lise.locator("#my-women").get_by_role("button", name="Nora Lie").click()
    expect(lise.locator("#notes")).to_contain_text("vondt i ryggen")
    lise.context.close()
    # She rewrites it, then deletes it (asked once more); nothing else on the card goes.
    row = nora.locator("#notes li").filter(has_text="vondt i ryggen").first
    row.get_by_role("button", name="Endre").click()
    field = nora.get_by_label("Skriv et spørsmål eller notat til neste kontroll")
    expect(field).to_be_focused()
    field.fill("Er det normalt å ha vondt i korsryggen?")
    nora.get_by_role("button", name="Lagre endringen").click()
    expect(nora.locator("#notes")).to_contain_text("vondt i korsryggen")
    row = nora.locator("#notes li").filter(has_text="vondt i korsryggen").first
    row.get_by_role("button", name="Slett").click()
    expect(row).to_contain_text("Vil du slette notatet?")
    assert_accessible(nora)
    row.get_by_role("button", name="Ja, slett").click()
    expect(nora.get_by_role("status")).to_have_text("Notatet er slettet.")
    expect(nora.locator("main")).not_to_contain_text("vondt i korsryggen")
    nora.context.close()


def test_a_parent_never_sees_a_17_year_olds_card(browser: Browser, base_url: str):
    tor = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_citizen(tor, "Tor")
    expect(tor.get_by_role("link", name="Helsekort", exact=True)).to_have_count(0)
    tor.goto("/helsekort")
    wait_for_app(tor)
    expect(tor.get_by_role("alert")).to_be_visible()
    expect(tor.locator("main")).not_to_contain_text("Maja")
    expect(tor.locator("#ga-today")).to_have_count(0)
    tor.context.close()


def test_history_hiding_and_opening_a_card(browser: Browser, base_url: str):
    lise = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_personnel(lise, "Lise", next_path="/personell/gravide")
    lise.locator("#my-women").get_by_role("button", name="Maja Eriksen").click()
    lise.get_by_text("Endringslogg").click()
    expect(lise.locator("#history")).to_contain_text("Lise Haugen")
    expect(lise.locator("#history")).to_contain_text("HPR 9100004")

    # Opening a card: a clear message for a bad number, then Ella's card.
    lise.get_by_role("link", name="Tilbake til listen").click()
    lise.get_by_text("Opprett helsekort").click()
    lise.get_by_label("Fødselsnummer (11 siffer)").fill("12345678901")
    lise.get_by_label("Første dag i siste menstruasjon").fill("2026-09-01")
    lise.get_by_role("button", name="Opprett").click()
    expect(lise.get_by_role("alert")).to_contain_text("ikke gyldig")
    ella = next(u["pid"] for u in lise.request.get("/idp/testusers").json()
                if u["name"].startswith("Ella"))
    lise.get_by_label("Fødselsnummer (11 siffer)").fill(ella)
    lise.get_by_label("Hun har samtykket til helsekort i appen hos meg nå").check()
    lise.get_by_role("button", name="Opprett").click()
    expect(lise.get_by_role("heading", level=1)).to_have_text("Ella Kristiansen")
    expect(lise.get_by_role("heading", name="Ny kontroll")).to_be_visible()
    lise.context.close()

    maja = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_citizen(maja, "Maja", next_path="/helsekort")
    first = maja.locator("#timeline li").first
    first.get_by_role("button", name="Skjul for dem med fullmakt").click()
    expect(maja.locator("#timeline li").first).to_contain_text("Skjult for dem med fullmakt")
    maja.locator("#timeline li").first.get_by_role(
        "button", name="Vis for dem med fullmakt").click()
    expect(maja.locator("#timeline li").first).not_to_contain_text("Skjult for")
    maja.context.close()


def test_midwife_corrects_a_checkup_with_a_reason(browser: Browser, base_url: str):
    lise = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_personnel(lise, "Lise", next_path="/personell/gravide")
    lise.locator("#my-women").get_by_role("button", name="Maja Eriksen").click()
    lise.get_by_text("Rett en kontroll").click()
    lise.get_by_role("button", name="Rett").first.click()
    expect(lise.get_by_role("heading", name="Rett kontroll")).to_be_visible()
    weight = lise.get_by_label("Vekt (kg)")
    expect(weight).not_to_have_value("")
    weight.fill("57,5")
    lise.locator("#save-consultation").click()
    expect(lise.locator("#f-reason-error")).to_be_visible()  # a reason is required
    expect(weight).to_have_value("57,5")  # and nothing typed was lost
    lise.get_by_label("Hvorfor endres dette?").fill("Feil vekt ført")
    lise.locator("#save-consultation").click()
    expect(lise.locator("#form-message")).to_have_text("Kontrollen er lagret.")
    expect(lise.locator("#timeline")).to_contain_text("57,5")
    lise.get_by_text("Endringslogg").click()
    expect(lise.locator("#history")).to_contain_text("Feil vekt ført")
    assert_accessible(lise)
    lise.context.close()


def test_a_checkup_with_only_a_date_is_not_saved_and_an_empty_date_is_named(browser: Browser,
                                                                            base_url: str):
    lise = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_personnel(lise, "Lise", next_path="/personell/gravide")
    lise.locator("#my-women").get_by_role("button", name="Nora Lie").click()
    expect(lise.get_by_role("heading", name="Ny kontroll")).to_be_visible()
    entries = lise.locator("#timeline li").count()
    lise.locator("#save-consultation").click()  # today's date, nothing else
    expect(lise.locator("#form-message")).to_contain_text("Kontrollen har ingen funn")
    expect(lise.locator("#timeline li")).to_have_count(entries)
    assert_accessible(lise)
    lise.get_by_label("Dato").fill("")
    lise.get_by_label("Vekt (kg)").fill("72")
    lise.locator("#save-consultation").click()
    expect(lise.locator("#f-held_on-error")).to_have_text("Skriv inn datoen for kontrollen.")
    expect(lise.get_by_label("Vekt (kg)")).to_have_value("72")
    expect(lise.locator("#timeline li")).to_have_count(entries)
    lise.context.close()
