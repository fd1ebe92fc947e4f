"""Secure messages on a phone: Ida writes to Kari, Kari sees it arrive in her inbox
without reloading and answers, Ida sees the answer arrive; Per (Sara's father) sees
nothing of Sara's messages, not even by typing the address; Nora writes to her midwife
Lise; an e-mail notification with no content reaches a real local SMTP server. axe
checks every new page. Screenshots land in /tmp/shots-msg."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from playwright.sync_api import Browser, Page, expect

from e2e.booking_steps import new_phone
from e2e.helpers import act_for, assert_accessible, login_citizen, login_personnel, wait_for_app
from e2e.server import E2E_SMTP_PORT

SHOTS = Path("/tmp/shots-msg")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _write(page: Page, text: str, place: str | None = None, topic: str | None = None) -> str:
    """From the list: Ny melding, pick the place and topic, type, send; the conversation's
    address."""
    page.goto("/meldinger")
    wait_for_app(page)
    page.locator("#new-message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny melding")
    if place:
        page.get_by_label(place).check()
    if topic:
        page.get_by_role("button", name=topic, exact=True).click()
    page.locator("#text").fill(text)
    page.locator("#send").click()
    expect(page.locator("#sent")).to_be_visible()
    return page.url


def test_ida_writes_kari_answers_both_live(page: Page, browser: Browser, base_url: str):
    question = f"Kan jeg snakke med deg om noe? {uuid.uuid4().hex[:6]}"
    answer = f"Ja, så klart! Kom innom. {uuid.uuid4().hex[:6]}"

    kari = new_phone(browser, base_url)
    login_personnel(kari, "Kari", "/personell/meldinger")
    expect(kari.get_by_role("heading", level=1)).to_have_text("Meldinger")
    expect(kari.locator("#promise")).to_have_text("Vi lover svar innen 2 skoledager.")
    assert_accessible(kari)

    login_citizen(page, "Ida", "/meldinger")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meldinger")
    assert_accessible(page)
    page.locator("#new-message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny melding")
    # Before sending: who reads it, when she gets an answer, and what to do if it is urgent.
    expect(page.locator("#readers")).to_have_text(
        "Helsesykepleieren på Fjordvik ungdomsskole leser meldingen. "
        "Foreldrene dine kan ikke se den.")
    expect(page.locator("#answer-time")).to_have_text("Du får svar innen 2 skoledager.")
    urgent = page.locator("#urgent")
    for number in ("113", "116 117", "116 111"):
        expect(urgent.get_by_role("link", name=number)).to_be_visible()
    expect(urgent).to_contain_text("Alarmtelefonen for barn og unge")
    page.get_by_role("button", name="Følelser", exact=True).click()
    expect(page.get_by_role("button", name="Følelser", exact=True)).to_have_attribute(
        "aria-pressed", "true")
    assert_accessible(page)
    _shot(page, "1-ida-new-message")
    page.locator("#text").fill(question)
    page.locator("#send").click()
    expect(page.locator("#sent")).to_contain_text("Du får svar innen 2 skoledager.")
    expect(page.locator("#messages")).to_contain_text(question)
    assert_accessible(page)

    # Kari's inbox shows it without a reload: unanswered, who, age and class.
    row = kari.locator("#inbox li").filter(has_text="Ida Berg").first
    expect(row).to_contain_text("Ubesvart")
    expect(row).to_contain_text(re.compile(r"14 år, Fjordvik ungdomsskole, 9B"))
    expect(row).to_contain_text("Følelser")
    _shot(kari, "2-kari-inbox")
    row.get_by_role("link").first.click()
    expect(kari.get_by_role("heading", level=1)).to_have_text("Ida Berg")
    expect(kari.locator("#messages")).to_contain_text(question)
    assert_accessible(kari)
    kari.locator("#reply").fill(answer)
    kari.get_by_label("Foreslå at eleven bestiller time").check()
    kari.locator("#send-reply").click()
    expect(kari.locator("#messages")).to_contain_text(answer)
    _shot(kari, "3-kari-conversation")

    # Ida's open conversation shows the answer without a reload, and offers a booking.
    expect(page.locator("#messages")).to_contain_text(answer)
    expect(page.locator("#book-from-conversation")).to_be_visible()
    _shot(page, "4-ida-answer")
    assert_accessible(page)
    page.locator("#reply").fill("Takk!")
    page.locator("#send-reply").click()
    expect(page.locator("#messages")).to_contain_text("Takk!")
    page.locator("#close").click()
    page.locator("#close-yes").click()
    expect(page.locator("#conv-topic")).to_contain_text("Lukket")
    expect(page.locator("#reply")).to_have_count(0)

    page.locator("#book-from-conversation").click()
    expect(page).to_have_url(re.compile(r"/bestill\?sted=\d+"))
    kari.context.close()


def test_per_sees_nothing_of_saras_messages(page: Page, browser: Browser, base_url: str):
    secret = f"Dette er privat {uuid.uuid4().hex[:6]}"
    sara = new_phone(browser, base_url)
    login_citizen(sara, "Sara", "/meldinger")
    address = _write(sara, secret, place="Fjordvik ungdomsskole")
    sara.context.close()

    login_citizen(page, "Per", "/meldinger")
    act_for(page, "Sara")
    page.goto("/meldinger")
    wait_for_app(page)
    expect(page.locator("#no-conversations")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(secret)
    expect(page.locator("#new-message")).to_have_count(0)
    assert_accessible(page)
    _shot(page, "5-per-for-sara")
    page.goto(address.split("&")[0])
    wait_for_app(page)
    expect(page.locator("main")).to_contain_text("Fant ikke denne samtalen.")
    expect(page.locator("main")).not_to_contain_text(secret)


def test_nora_writes_to_her_midwife(page: Page, browser: Browser, base_url: str):
    question = f"Er det normalt å være så sliten? {uuid.uuid4().hex[:6]}"
    login_citizen(page, "Nora", "/helsekort")
    page.locator("#write-midwife").click()  # from her card, the card's topic chosen
    expect(page.locator("#readers")).to_contain_text("Jordmoren din, Lise Haugen")
    expect(page.get_by_role("button", name="Spørsmål om helsekortet", exact=True)
           ).to_have_attribute("aria-pressed", "true")
    page.locator("#text").fill(question)
    assert_accessible(page)
    page.locator("#send").click()
    expect(page.locator("#messages")).to_contain_text(question)
    expect(page.locator("#share-state")).to_have_text(
        "Bare du og jordmoren din ser denne samtalen.")
    _shot(page, "6-nora-conversation")

    lise = new_phone(browser, base_url)
    login_personnel(lise, "Lise", "/personell/meldinger")
    row = lise.locator("#inbox li").filter(has_text="Nora Lie").first
    expect(row).to_contain_text("Spørsmål om helsekortet")
    row.get_by_role("link").first.click()
    expect(lise.locator("#messages")).to_contain_text(question)
    lise.locator("#reply").fill("Ja, det er vanlig. Vi snakker om det på neste kontroll.")
    lise.locator("#send-reply").click()
    expect(page.locator("#messages")).to_contain_text("Ja, det er vanlig.")
    lise.context.close()


class _Mailbox(MessageHandler):
    def __init__(self) -> None:
        super().__init__()
        self.mails: list = []

    def handle_message(self, message) -> None:
        self.mails.append(message)


def test_an_email_notification_without_content_reaches_the_smtp_server(
        page: Page, browser: Browser, base_url: str):
    mailbox = _Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=E2E_SMTP_PORT)
    smtp.start()
    try:
        question = f"Jeg har vondt i magen {uuid.uuid4().hex[:6]}"
        login_citizen(page, "Emil", "/innstillinger/varsler")
        expect(page.get_by_role("heading", level=1)).to_have_text("Varsler om meldinger")
        page.get_by_label("E-post", exact=True).check()
        page.get_by_label("E-postadresse").fill("emil@example.org")
        page.locator("#save-notify").click()
        expect(page.get_by_text("Lagret.")).to_be_visible()
        assert_accessible(page)
        _shot(page, "7-emil-notify-settings")
        _write(page, question, place="Fjordvik ungdomsskole")
        page.goto("/hjem")  # away from the conversation: an open one would show it as read
        wait_for_app(page)

        kari = new_phone(browser, base_url)
        login_personnel(kari, "Kari", "/personell/meldinger")
        kari.locator("#inbox li").filter(has_text="Emil").first.get_by_role("link").first.click()
        kari.locator("#reply").fill("Kom til meg i friminuttet, så snakker vi om magen.")
        kari.locator("#send-reply").click()
        expect(kari.locator("#messages")).to_contain_text("friminuttet")
        kari.context.close()

        # Home says so first, and the list marks it.
        page.reload()
        wait_for_app(page)
        expect(page.locator("#unread-messages")).to_have_text("Du har 1 ny melding")
        assert_accessible(page)
        page.locator("#unread-messages").click()
        expect(page.locator("#conversations .unread")).to_have_count(1)

        deadline = time.monotonic() + 60
        while not mailbox.mails and time.monotonic() < deadline:
            time.sleep(0.5)
        assert mailbox.mails, "no e-mail reached the SMTP server"
        mail = mailbox.mails[0]
        assert mail["To"] == "emil@example.org"
        assert mail["Subject"] == "Du har en ny melding i DigiHelse"
        raw = mail.as_string()
        for secret in ("magen", "friminuttet", "Kari", "helsesykepleier", "Fjordvik"):
            assert secret not in raw
    finally:
        smtp.stop()


def test_a_class_message_is_information_the_pupils_cannot_answer(page: Page, browser: Browser,
                                                                 base_url: str):
    text = f"Vaksinering for 8. trinn på torsdag {uuid.uuid4().hex[:6]}"
    login_personnel(page, "Kari", "/personell/meldinger")
    page.get_by_text("Melding til en klasse eller et trinn").click()
    page.get_by_label("Klasse eller trinn").select_option("8")
    page.get_by_label("Beskjed", exact=True).fill(text)
    assert_accessible(page)
    _shot(page, "8-kari-class-message")
    page.locator("#send-broadcast").click()
    expect(page.get_by_text(re.compile(r"Sendt til \d+ elever i 8\."))).to_be_visible()

    mia = new_phone(browser, base_url)
    login_citizen(mia, "Mia", "/meldinger")
    row = mia.locator("#conversations li").filter(has_text="Informasjon").first
    expect(row).to_contain_text("Ny")
    row.get_by_role("link").first.click()
    expect(mia.locator("#messages")).to_contain_text(text)
    expect(mia.locator("#info-only")).to_be_visible()
    expect(mia.locator("#reply")).to_have_count(0)
    assert_accessible(mia)
    _shot(mia, "9-mia-class-message")
    mia.context.close()


def test_her_access_log_shows_the_nurse_read_her_message(page: Page, browser: Browser,
                                                         base_url: str):
    login_citizen(page, "Ella", "/meldinger")
    _write(page, f"Et spørsmål {uuid.uuid4().hex[:6]}", place="Fjordvik videregående skole")
    mona = new_phone(browser, base_url)
    login_personnel(mona, "Mona", "/personell/meldinger")
    # A template for the replies she writes often, then used in an answer.
    mona.get_by_text("Maler for svar").click()
    mona.get_by_label("Navn på malen").fill("Kom innom")
    mona.get_by_label("Tekst", exact=True).fill("Kom innom kontoret mitt, rom 105.")
    mona.get_by_role("button", name="Lagre malen").click()
    expect(mona.get_by_text("Malen er lagret.")).to_be_visible()
    mona.locator("#inbox li").filter(has_text="Ella").first.get_by_role("link").first.click()
    expect(mona.locator("#messages")).to_contain_text("Et spørsmål")
    mona.get_by_label("Bruk en mal").select_option(label="Kom innom")
    expect(mona.locator("#reply")).to_have_value("Kom innom kontoret mitt, rom 105.")
    mona.locator("#send-reply").click()
    expect(mona.locator("#messages")).to_contain_text("rom 105")
    mona.locator("#mark-journal").click()
    expect(mona.locator("#journal")).to_contain_text("Dokumentert i journalen av Mona Berge")
    assert_accessible(mona)
    _shot(mona, "10-mona-template-journal")
    mona.context.close()
    page.goto("/innsyn")
    wait_for_app(page)
    page.get_by_label("Hva").select_option(label="Meldinger")
    expect(page.locator("main")).to_contain_text("leste en melding")
    expect(page.locator("main")).to_contain_text("Mona Berge")
    assert_accessible(page)


def test_the_new_message_page_in_nynorsk_and_english(page: Page):
    login_citizen(page, "Noah", "/meldinger/ny")
    expect(page.locator("#readers")).to_contain_text("Helsesykepleieren på Fjordvik videregående")
    page.get_by_label("Språk").select_option("nn")
    expect(page.locator("#readers")).to_have_text(
        "Helsesjukepleiaren på Fjordvik videregående skole les meldinga. "
        "Foreldra dine kan ikkje sjå ho.", timeout=10_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny melding")
    expect(page.locator("#answer-time")).to_have_text("Du får svar innan 2 skuledagar.")
    page.get_by_label("Språk").select_option("en")
    expect(page.locator("#readers")).to_contain_text("reads the message. Your parents cannot",
                                                     timeout=10_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("New message")
    assert_accessible(page)
    page.get_by_label("Language").select_option("nb")
    expect(page.locator("#readers")).to_contain_text("leser meldingen", timeout=10_000)


def test_per_writes_for_jonas_and_the_health_station_nurse_answers(page: Page, browser: Browser,
                                                                    base_url: str):
    question = f"Jonas har hatt vondt i øret i tre dager {uuid.uuid4().hex[:6]}"
    login_citizen(page, "Per", "/hjem")
    act_for(page, "Jonas")
    page.goto("/meldinger/ny")
    wait_for_app(page)
    expect(page.locator("#readers")).to_have_text(
        "Helsesykepleieren på Fjordvik helsestasjon leser meldingen.")
    page.locator("#text").fill(question)
    page.locator("#send").click()
    expect(page.locator("#messages")).to_contain_text(question)

    anders = new_phone(browser, base_url)
    login_personnel(anders, "Anders", "/personell/meldinger")
    anders.get_by_label("Sted").select_option(label="Fjordvik helsestasjon")
    row = anders.locator("#inbox li").filter(has_text="Jonas Hansen").first
    expect(row).to_contain_text("10 år")
    row.get_by_role("link").first.click()
    expect(anders.locator("#messages")).to_contain_text(question)
    anders.locator("#reply").fill("Ring oss i morgen tidlig, så finner vi en time.")
    anders.locator("#send-reply").click()
    expect(page.locator("#messages")).to_contain_text("Ring oss i morgen tidlig")
    assert_accessible(anders)
    anders.context.close()
