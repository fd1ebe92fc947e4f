"""The midwife's own forms on the pregnancy card, on a phone: "Ny prøve" (an implausible Hb
is caught with the draft kept, then saved), and "Svangerskapet og bakgrunn" (height, weight
before pregnancy and a lifestyle answer, with a reason). Nora's card has both: the service
says so, and her change history shows who did it."""

from playwright.sync_api import Browser, expect

from e2e.conftest import PHONE
from e2e.helpers import (
    assert_accessible,
    login_citizen,
    login_personnel,
    pid_of,
    wait_for_app,
)


def _nora_sees(database_path, nora_pid: str):
    from digihelse.access.actors import Actor
    from digihelse.core.db import make_engine
    from digihelse.healthcard import service

    engine = make_engine(f"sqlite:///{database_path}")
    try:
        nora = Actor(pid=nora_pid, role="citizen", name="Nora Lie")
        return service.get_card(engine, nora, nora_pid)
    finally:
        engine.dispose()


def test_lise_records_hb_and_updates_noras_background(browser: Browser, base_url: str,
                                                      server):
    lise = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_personnel(lise, "Lise", next_path="/personell/gravide")
    lise.locator("#my-women").get_by_role("button", name="Nora Lie").click()
    expect(lise.get_by_role("heading", level=1)).to_have_text("Nora Lie")

    # --- Ny prøve: an implausible Hb is caught, and nothing typed is lost.
    lise.locator("#new-lab").click()
    expect(lise.get_by_role("heading", level=1)).to_have_text("Ny prøve")
    expect(lise.locator("#whose-card")).to_have_text("Helsekortet til Nora Lie")
    nora_pid = pid_of(lise, "Nora")
    assert nora_pid not in lise.url  # the woman is known to the server, not from the URL
    assert_accessible(lise)
    lise.get_by_label("Prøve", exact=True).select_option(label="Hb, tredje trimester")
    value = lise.get_by_label("Svar (g/dL)")
    value.fill("45")
    lise.get_by_label("Merknad").fill("Tatt ved kontrollen")
    lise.locator("#save-lab").click()
    expect(lise.locator("#form-message")).to_contain_text("Det du skrev er tatt vare på")
    expect(lise.locator("#f-value-error")).to_have_text("Hb må være mellom 5 og 20 g/dL.")
    expect(value).to_have_value("45")
    expect(lise.get_by_label("Merknad")).to_have_value("Tatt ved kontrollen")
    expect(lise.get_by_label("Prøve", exact=True)).to_have_value("hb_third")
    assert_accessible(lise)
    value.fill("11,8")
    lise.locator("#save-lab").click()
    expect(lise.get_by_role("heading", level=1)).to_have_text("Nora Lie")
    expect(lise.locator("#nurse-status")).to_have_text("Prøvesvaret er lagret.")
    assert_accessible(lise)

    # --- Svangerskapet og bakgrunn: prefilled from the card; a reason is needed.
    lise.locator(".nurse-toast-close").click()
    lise.locator("#edit-pregnancy").click()
    expect(lise.get_by_role("heading", level=1)).to_have_text("Svangerskapet og bakgrunn")
    height = lise.get_by_label("Høyde (cm)")
    expect(height).to_have_value("168")
    expect(lise.locator("#due-now")).to_contain_text("Termin nå:")
    assert_accessible(lise)
    height.fill("168")
    weight = lise.get_by_label("Vekt før svangerskapet (kg)")
    weight.fill("63,5")
    weight.blur()
    expect(lise.locator("#bmi")).to_have_text("KMI før svangerskapet: 22,5")
    alcohol_w36 = lise.locator("#f-lifestyle-w36-alcohol")
    alcohol_w36.get_by_label("Nei").check()
    lise.locator("#save-pregnancy").click()
    expect(lise.locator("#f-reason-error")).to_be_visible()
    expect(lise.locator("#form-message").get_by_role("link")).to_contain_text(
        "Hvorfor endres dette?")
    expect(weight).to_have_value("63,5")  # kept
    expect(alcohol_w36.get_by_label("Nei")).to_be_checked()
    assert_accessible(lise)
    lise.get_by_label("Hvorfor endres dette?").fill("Oppdatert ved kontroll uke 27")
    lise.locator("#save-pregnancy").click()
    expect(lise.get_by_role("heading", level=1)).to_have_text("Nora Lie")
    expect(lise.locator("#nurse-status")).to_contain_text(
        "Svangerskap og bakgrunn er lagret. Termin:")
    lise.get_by_text("Endringslogg").click()
    expect(lise.locator("#history")).to_contain_text("Oppdatert ved kontroll uke 27")
    lise.context.close()

    # --- Nora: the result is on her card, and her change history says who wrote it.
    card = _nora_sees(server.database_path, nora_pid)
    hb = [lab for lab in card.lab_results if lab.kind == "hb_third"]
    assert [(lab.value, lab.value_num, lab.unit) for lab in hb] == [("11,8", 11.8, "g/dL")]
    assert card.background.weight_before_kg == 63.5
    assert card.background.lifestyle["w36"] == {"alcohol": "no"}
    nora = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_citizen(nora, "Nora", next_path="/helsekort")
    nora.get_by_text("Endringslogg").click()
    history = nora.locator("#history")
    expect(history).to_contain_text("Oppdatert ved kontroll uke 27")
    expect(history.locator("li").filter(has_text="Prøve: Registrert").first).to_contain_text(
        "Lise Haugen")
    assert_accessible(nora)
    nora.context.close()


def test_the_forms_need_a_woman_opened_first(browser: Browser, base_url: str):
    lise = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_personnel(lise, "Lise", next_path="/personell/helsekort/prove")
    # No woman chosen in this tab: back to the list, never a form for nobody.
    expect(lise.get_by_role("heading", level=1)).to_have_text("Mine gravide")
    wait_for_app(lise)
    lise.context.close()
