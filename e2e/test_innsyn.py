"""Innsyn as a pupil reads it: entries under day headings, narrowed by who and what, and
older ones a page at a time with Vis eldre."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine

from digihelse.audit.log import Entry, append
from digihelse.core import db
from e2e.helpers import assert_accessible, login_citizen, pid_of, wait_for_app

SHOTS = Path("/tmp/shots-innsyn")


def _seed_reads(database: Path, pid: str, n: int) -> None:
    """n reads of her appointments by her school nurse, three days ago. The access log is
    append-only by law and in the database, so these rows stay (in this run's own data)."""
    engine = create_engine(f"sqlite:///{database}")
    at = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    with db.write_session(engine) as s:
        for i in range(n):
            append(s, Entry(action="read", object_type="appointment", object_id=str(900 + i),
                            actor_pid="01017012345", actor_role="school_nurse",
                            actor_name="Kari Lund", organisation="Fjordvik kommune",
                            subject_pid=pid, detail="basic"),
                   at=at - dt.timedelta(minutes=i))
    engine.dispose()


def test_innsyn_by_day_filtered_and_paged(page: Page, server):
    SHOTS.mkdir(exist_ok=True)
    pid = pid_of(page, "Emil")
    _seed_reads(server.database_path, pid, 25)
    login_citizen(page, "Emil")
    page.get_by_role("link", name="Innsyn").click()
    wait_for_app(page)
    log = page.locator("#access-log")
    expect(log.get_by_role("heading", level=2, name="I dag")).to_be_visible()
    expect(log).to_contain_text("Du logget inn")
    expect(log).to_contain_text("Kari Lund (helsesykepleier) så en time")
    expect(page.locator("#log-count")).to_have_text("Viser de 20 nyeste")
    page.screenshot(path=str(SHOTS / "innsyn-nb.png"), full_page=True)
    assert_accessible(page)

    # Vis eldre: the next page, added below; the count follows.
    before = log.locator(".log-row").count()
    page.get_by_role("button", name="Vis eldre").click()
    expect(page.locator("#log-count")).not_to_have_text("Viser de 20 nyeste")
    assert log.locator(".log-row").count() > before
    assert log.locator(".log-day").count() >= 2  # today, and three days ago

    # Who: only herself. What: only logging in.
    page.get_by_label("Hvem").select_option(label="Meg selv")
    expect(log).not_to_contain_text("Kari Lund")
    page.get_by_label("Hva").select_option(label="Innlogging")
    expect(log).to_contain_text("Du logget inn")
    expect(log).not_to_contain_text("hvem som har sett")
    page.get_by_label("Hvem").select_option(label="Helsepersonell")
    expect(page.get_by_text("Ingen hendelser passer med valget ditt.")).to_be_visible()
    assert_accessible(page)

    # In English, with the filters back to everything.
    page.locator("#lang-select").select_option("en")
    page.get_by_label("Who").select_option(label="Everyone")
    page.get_by_label("What").select_option(label="Everything")
    expect(log.get_by_role("heading", level=2, name="Today")).to_be_visible()
    page.screenshot(path=str(SHOTS / "innsyn-en.png"), full_page=True)
    assert_accessible(page)
    page.locator("#lang-select").select_option("nb")
