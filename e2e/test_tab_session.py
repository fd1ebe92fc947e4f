"""The seam between a tab's Reflex state and the server-side session, tried as an
attacker would: a tab token alone is never a credential, a tab never outlives its
session, and the next person in the same tab starts from nothing."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import httpx
import pytest

from e2e.helpers import sara_booking_day
from e2e.reflex_ws import Tab, cookie_header, latest_var, login

NURSE_DAY = ("reflex___state____state.digihelse___ui___state___session____session_state"
             ".digihelse___ui___state___nurse____nurse_day_state")


def _free_slot(tab: Tab) -> dict:
    rows = latest_var(tab, "nurse_day_state", "rows") or []
    free = [row for row in rows if row.get("kind") == "free" and row.get("slot_id")]
    assert free, f"the nurse's day has no free slot to try: {rows}"
    return free[0]


def _pupils(tab: Tab) -> list[str]:
    names = [row["pupil"] for row in latest_var(tab, "nurse_day_state", "rows") or []
             if row.get("pupil")]
    assert names, "Kari's day should name pupils for this test to mean anything"
    return names


def _slot_status(db: str, slot_id: int) -> str:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT status FROM slot WHERE id = ?", (slot_id,)).fetchone()[0]


def _log_rows_after(db: str, last_id: int) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT id, action, actor_pid, outcome FROM access_log "
                           "WHERE id > ? ORDER BY id", (last_id,)).fetchall()


def _last_log_id(db: str) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT COALESCE(MAX(id), 0) FROM access_log").fetchone()[0]


@pytest.fixture
def nurse_tab(server):
    """Kari's tab on her day with Sara's booking, and her logged-in HTTP client."""
    client = login(server.base_url, "Kari", personnel=True, next_path="/personell")
    tab = Tab(server.base_url, cookie=cookie_header(client)).connect(
        "/personell", query={"dag": sara_booking_day(str(server.database_path))})
    rows = latest_var(tab, "nurse_day_state", "rows")
    assert rows, "the nurse's day did not load"
    yield tab, client
    tab.close()
    client.close()


def test_after_logout_the_old_token_alone_cannot_block_a_slot(nurse_tab, server):
    tab, client = nurse_tab
    slot = _free_slot(tab)
    tab.close()
    assert client.post("/auth/logout").status_code == 303
    after_logout = _last_log_id(str(server.database_path))

    attacker = Tab(server.base_url, token=tab.token).connect("/personell", hydrate=False)
    attacker.send(f"{NURSE_DAY}.block", {"slot_id": slot["slot_id"]}, settle=1.0)
    attacker.close()

    assert _slot_status(str(server.database_path), slot["slot_id"]) == "open"
    written = _log_rows_after(str(server.database_path), after_logout)
    assert not [row for row in written if row[1] != "logout"], written


def test_after_logout_the_old_token_alone_reads_no_day_list(nurse_tab, server):
    tab, client = nurse_tab
    names = _pupils(tab)
    tab.close()
    client.post("/auth/logout")

    attacker = Tab(server.base_url, token=tab.token).connect("/personell", hydrate=False)
    attacker.send(f"{NURSE_DAY}.load", query={"dag": sara_booking_day(str(server.database_path))},
                  settle=1.0)
    attacker.close()
    seen = attacker.text()
    assert not any(name in seen for name in names), seen[:2000]


def test_a_stale_tab_is_sent_to_a_page_that_says_the_session_ended(nurse_tab, server):
    tab, client = nurse_tab
    tab.close()
    client.post("/auth/logout")
    attacker = Tab(server.base_url, token=tab.token).connect("/personell", hydrate=False)
    attacker.send(f"{NURSE_DAY}.dismiss", settle=1.0)
    attacker.close()
    assert "/auth/session-ended" in attacker.text()


def test_an_open_tab_is_sent_away_the_moment_its_session_is_logged_out(nurse_tab):
    tab, client = nurse_tab
    names = _pupils(tab)
    client.post("/auth/logout")
    tab.settle(0.5, after=len(tab.updates))
    assert "/auth/session-ended" in json.dumps(tab.updates[-1:])
    assert not any(name in json.dumps(tab.updates[-1:]) for name in names)


def test_after_logout_a_cookieless_hydrate_of_the_old_token_gets_an_empty_tab(nurse_tab, server):
    tab, client = nurse_tab
    names = _pupils(tab)
    tab.close()
    client.post("/auth/logout")
    again = Tab(server.base_url, token=tab.token).connect(
        "/personell", query={"dag": sara_booking_day(str(server.database_path))})
    again.close()
    seen = again.text()
    assert again.updates and not any(name in seen for name in names), seen[:2000]
    assert "Kari" not in seen


def test_after_the_idle_timeout_the_token_acts_no_more(nurse_tab, server):
    tab, _client = nurse_tab
    slot = _free_slot(tab)
    db = str(server.database_path)
    with sqlite3.connect(db) as con:  # as if she left the tab 31 minutes ago
        con.execute("UPDATE user_session SET last_seen = ? WHERE ended_at IS NULL AND pid = "
                    "(SELECT nin FROM person WHERE given_name = 'Kari')",
                    ((dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31))
                     .replace(tzinfo=None).isoformat(" "),))
    tab.send(f"{NURSE_DAY}.block", {"slot_id": slot["slot_id"]}, settle=1.0)
    assert _slot_status(db, slot["slot_id"]) == "open"
    assert "/auth/session-ended?next=%2Fpersonell" in tab.text()


def test_a_front_channel_logout_sends_her_open_tab_away_too(nurse_tab, server):
    tab, _client = nurse_tab
    names = _pupils(tab)
    with sqlite3.connect(str(server.database_path)) as con:
        sid = con.execute("SELECT sid FROM user_session WHERE ended_at IS NULL AND provider = "
                          "'personnel' ORDER BY created_at DESC LIMIT 1").fetchone()[0]
    start = len(tab.updates)
    answer = httpx.get(f"{server.base_url}/auth/personnel/frontchannel-logout",
                       params={"iss": f"{server.base_url}/helseid", "sid": sid})
    assert answer.status_code == 200
    tab.settle(0.5, after=start)
    assert "/auth/session-ended" in json.dumps(tab.updates[start:])
    tab.send(f"{NURSE_DAY}.load", query={"dag": sara_booking_day(str(server.database_path))})
    assert not any(name in json.dumps(tab.updates[start:]) for name in names)
