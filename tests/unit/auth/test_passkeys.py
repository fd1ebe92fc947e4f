"""Passkeys over the seeded registry: the nurse's activation code (bound to the pupil,
logged with her name and HPR number, single use, expiring, rate-limited, one answer for
every wrong code), the WebAuthn ceremonies against a software authenticator (replays
refused), removal ending the passkey's sessions, and the eID-derived passkey's 90 days."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from digihelse.access.actors import AccessDenied, Actor
from digihelse.access.policy import Assurance
from digihelse.audit.models import AccessLog
from digihelse.auth import passkeys
from digihelse.auth.models import Passkey, PasskeyActivation
from digihelse.auth.passkeys import PasskeyConfig, PasskeyError
from digihelse.auth.sessions import SessionStore
from digihelse.core import db
from digihelse.core.i18n import t
from digihelse.core.i18n.families import keyed
from tests.factories import citizen, staff
from tests.soft_authenticator import SoftAuthenticator

ORIGIN = "http://localhost:8000"
CONFIG = PasskeyConfig(rp_id="localhost", origin=ORIGIN, code_minutes=15, max_failures=5,
                       eid_days=90)
T0 = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
PHONE = "10.0.0.7"


def at(minutes: float = 0, days: float = 0) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes, days=days)


def issue(engine, seeded, pupil="emil", nurse="kari", how="known", now=T0):
    return passkeys.issue_code(engine, staff(engine, seeded[nurse]), seeded[pupil].nin, how,
                               CONFIG, now)


def activate(engine, code: str, device: SoftAuthenticator, now=T0, client=PHONE):
    options = passkeys.start_activation(engine, code, client, CONFIG, now)
    answer = device.create(options)
    return passkeys.finish_registration(engine, answer, "activate", CONFIG, device="iPhone",
                                        now=now)


def login(engine, device: SoftAuthenticator, now=T0, next_path="/hjem"):
    options = passkeys.start_login(engine, next_path, CONFIG, now)
    return passkeys.finish_login(engine, device.get(options), CONFIG, now)


def refused(code: str):
    return pytest.raises(PasskeyError, match=code)


# --- the nurse's code ---------------------------------------------------------------------

def test_kari_sees_the_pupils_of_her_school_only(engine, seeded):
    names = {p.name for p in passkeys.pupils_for(engine, staff(engine, seeded["kari"]))}
    assert {"Emil Larsen", "Sara Hansen", "Mia Johansen", "Ida Berg"} <= names
    assert "Noah Pedersen" not in names and "Nora Lie" not in names


def test_the_youth_clinic_nurse_sees_the_pupils_of_her_municipality(engine, seeded):
    names = {p.name for p in passkeys.pupils_for(engine, staff(engine, seeded["anders"]))}
    assert {"Emil Larsen", "Noah Pedersen"} <= names


def test_a_midwife_or_a_citizen_gets_no_pupils_and_no_code(engine, seeded):
    assert passkeys.pupils_for(engine, staff(engine, seeded["lise"])) == []
    with refused("not_allowed"):
        issue(engine, seeded, nurse="lise")
    with refused("not_allowed"):
        passkeys.issue_code(engine, citizen(seeded["per"]), seeded["emil"].nin, "known", CONFIG)


def test_the_code_is_bound_to_the_pupil_expires_and_is_logged_with_the_nurse(engine, seeded):
    issued = issue(engine, seeded, how="id_card")
    assert len(issued.code) == passkeys.CODE_LENGTH and issued.shown[4] == "-"
    assert issued.expires_at == at(15) and issued.pupil_name == "Emil Larsen"
    with db.session(engine) as s:
        row = s.exec(select(PasskeyActivation)).one()
        log = s.exec(select(AccessLog).where(
            AccessLog.object_type == "passkey_activation")).one()
    assert row.pupil_pid == seeded["emil"].nin and row.nurse_hpr == "9100001"
    assert row.code_hash != issued.code and issued.code not in row.code_hash
    assert (log.actor_name, log.actor_hpr, log.subject_pid) == (
        "Kari Lund", "9100001", seeded["emil"].nin)
    assert log.detail == "verified_in_person:id_card" and log.hidden_from_parents


def test_no_code_without_the_in_person_check(engine, seeded):
    with refused("not_verified"):
        issue(engine, seeded, how="")


def test_no_code_for_a_pupil_outside_her_care(engine, seeded):
    with pytest.raises(AccessDenied):
        issue(engine, seeded, pupil="noah")  # at the upper secondary school, Mona's
    with db.session(engine) as s:
        denied = s.exec(select(AccessLog).where(AccessLog.outcome == "denied",
                                                AccessLog.object_type == "passkey_activation"))
        assert denied.first() is not None


# --- the code's life ------------------------------------------------------------------------

def test_the_pupil_activates_and_gets_a_nurse_verified_passkey(engine, seeded):
    issued = issue(engine, seeded)
    done = activate(engine, issued.shown.lower(), SoftAuthenticator(ORIGIN), now=at(3))
    assert done.pid == seeded["emil"].nin and done.assurance == Assurance.PASSKEY_NURSE
    with db.session(engine) as s:
        key = s.get(Passkey, done.passkey_id)
        activation = s.exec(select(PasskeyActivation)).one()
    assert key.onboarded_by_name == "Kari Lund" and key.onboarded_by_hpr == "9100001"
    assert key.device == "iPhone" and activation.used_at is not None


def test_a_used_code_is_refused(engine, seeded):
    issued = issue(engine, seeded)
    activate(engine, issued.code, SoftAuthenticator(ORIGIN))
    with refused("wrong_code"):
        passkeys.start_activation(engine, issued.code, PHONE, CONFIG, at(1))


def test_two_ceremonies_with_one_code_make_one_passkey(engine, seeded):
    issued = issue(engine, seeded)
    first, second = SoftAuthenticator(ORIGIN), SoftAuthenticator(ORIGIN)
    options_a = passkeys.start_activation(engine, issued.code, PHONE, CONFIG, T0)
    options_b = passkeys.start_activation(engine, issued.code, PHONE, CONFIG, T0)
    passkeys.finish_registration(engine, first.create(options_a), "activate", CONFIG, now=T0)
    with refused("wrong_code"):
        passkeys.finish_registration(engine, second.create(options_b), "activate", CONFIG,
                                     now=T0)
    with db.session(engine) as s:
        assert len(s.exec(select(Passkey)).all()) == 1


def test_a_replayed_registration_is_refused(engine, seeded):
    issued = issue(engine, seeded)
    device = SoftAuthenticator(ORIGIN)
    options = passkeys.start_activation(engine, issued.code, PHONE, CONFIG, T0)
    answer = device.create(options)
    passkeys.finish_registration(engine, answer, "activate", CONFIG, now=T0)
    with refused("expired"):  # its challenge is spent
        passkeys.finish_registration(engine, answer, "activate", CONFIG, now=T0)


def test_an_expired_code_is_refused(engine, seeded):
    issued = issue(engine, seeded)
    with refused("wrong_code"):
        passkeys.start_activation(engine, issued.code, PHONE, CONFIG, at(15))


def test_a_code_that_expires_during_the_ceremony_is_refused(engine, seeded):
    issued = issue(engine, seeded)
    options = passkeys.start_activation(engine, issued.code, PHONE, CONFIG, at(14))
    answer = SoftAuthenticator(ORIGIN).create(options)
    with refused("wrong_code"):
        passkeys.finish_registration(engine, answer, "activate", CONFIG, now=at(15.5))


def test_unknown_used_and_expired_codes_get_one_answer(engine, seeded):
    used, expired = issue(engine, seeded), issue(engine, seeded, pupil="sara")
    activate(engine, used.code, SoftAuthenticator(ORIGIN))
    answers = []
    for code, now in ((used.code, at(1)), (expired.code, at(16)), ("ZZZZZZZZ", at(1))):
        with pytest.raises(PasskeyError) as caught:
            passkeys.start_activation(engine, code, PHONE, CONFIG, now)
        answers.append(caught.value.code)
    assert answers == ["wrong_code"] * 3
    text = t(keyed("passkey.error", "wrong_code"), "nb")
    assert "finnes" not in text and "brukt" not in text and "utløpt" not in text


def test_wrong_codes_are_rate_limited_per_address_for_the_codes_lifetime(engine, seeded):
    issued = issue(engine, seeded)
    for n in range(CONFIG.max_failures):
        with refused("wrong_code"):
            passkeys.start_activation(engine, f"WRONG{n:03d}", PHONE, CONFIG, at(n * 0.1))
    with refused("too_many"):  # even the right code, so guessing on learns nothing
        passkeys.start_activation(engine, issued.code, PHONE, CONFIG, at(1))
    passkeys.start_activation(engine, issued.code, "10.0.0.8", CONFIG, at(1))  # another phone
    fresh = issue(engine, seeded, now=at(20))
    passkeys.start_activation(engine, fresh.code, PHONE, CONFIG, at(20))  # the window passed


def test_user_verification_is_required(engine, seeded):
    issued = issue(engine, seeded)
    device = SoftAuthenticator(ORIGIN, user_verified=False)
    with refused("failed"):
        activate(engine, issued.code, device)
    passkeys.start_activation(engine, issued.code, PHONE, CONFIG, at(1))  # not spent


def test_another_origin_is_refused(engine, seeded):
    issued = issue(engine, seeded)
    options = passkeys.start_activation(engine, issued.code, PHONE, CONFIG, T0)
    answer = SoftAuthenticator(ORIGIN).create(options, origin="https://evil.example")
    with refused("failed"):
        passkeys.finish_registration(engine, answer, "activate", CONFIG, now=T0)


# --- logging in -----------------------------------------------------------------------------

def test_login_with_the_passkey_and_a_replay_is_refused(engine, seeded):
    device = SoftAuthenticator(ORIGIN)
    registered = activate(engine, issue(engine, seeded).code, device)
    options = passkeys.start_login(engine, "/bestill", CONFIG, at(5))
    answer = device.get(options)
    done = passkeys.finish_login(engine, answer, CONFIG, at(5))
    assert (done.pid, done.passkey_id, done.assurance, done.next_path) == (
        seeded["emil"].nin, registered.passkey_id, Assurance.PASSKEY_NURSE, "/bestill")
    with refused("expired"):
        passkeys.finish_login(engine, answer, CONFIG, at(5))
    with db.session(engine) as s:
        key = s.get(Passkey, registered.passkey_id)
    assert key.sign_count == 1 and key.last_used_at is not None


def test_removing_the_passkey_ends_its_sessions_and_its_logins(engine, seeded):
    device = SoftAuthenticator(ORIGIN)
    registered = activate(engine, issue(engine, seeded).code, device)
    store = SessionStore(engine, idle_seconds=1800, absolute_seconds=7200)
    emil = Actor(seeded["emil"].nin, "citizen", "Emil Larsen",
                 assurance=Assurance.PASSKEY_NURSE)
    cookie = store.create(provider="citizen", pid=emil.pid, role="citizen", issuer="passkey",
                          sid=None, acr=None, assurance=Assurance.PASSKEY_NURSE,
                          passkey_id=registered.passkey_id)
    assert store.resolve(cookie).assurance == Assurance.PASSKEY_NURSE
    assert passkeys.my_passkeys(engine, emil)[0].onboarded_by == "Kari Lund"
    assert not passkeys.remove_mine(engine, citizen(seeded["sara"]), registered.passkey_id)
    assert passkeys.remove_mine(engine, emil, registered.passkey_id)
    assert store.resolve(cookie) is None
    assert passkeys.my_passkeys(engine, emil) == []
    with refused("unknown_passkey"):
        login(engine, device, at(1))


def test_the_nurse_revokes_only_the_passkeys_she_onboarded(engine, seeded):
    device = SoftAuthenticator(ORIGIN)
    registered = activate(engine, issue(engine, seeded).code, device)
    kari, mona = staff(engine, seeded["kari"]), staff(engine, seeded["mona"])
    assert [v.owner_name for v in passkeys.onboarded_by(engine, kari)] == ["Emil Larsen"]
    assert passkeys.onboarded_by(engine, mona) == []
    assert not passkeys.revoke_onboarded(engine, mona, registered.passkey_id)
    assert passkeys.revoke_onboarded(engine, kari, registered.passkey_id)
    with refused("unknown_passkey"):
        login(engine, device, at(1))
    with db.session(engine) as s:
        row = s.exec(select(AccessLog).where(AccessLog.action == "revoke",
                                             AccessLog.object_type == "passkey")).one()
    assert row.actor_hpr == "9100001" and row.detail == "nurse"


# --- passkeys after MinID -------------------------------------------------------------------

def _eid(person) -> Actor:
    return Actor(person.nin, "citizen", person.full_name, acr="idporten-loa-substantial")


def test_a_passkey_added_after_minid_keeps_its_assurance_for_90_days(engine, seeded):
    per, device = _eid(seeded["per"]), SoftAuthenticator(ORIGIN)
    options = passkeys.start_adding(engine, per, CONFIG, T0)
    added = passkeys.finish_registration(engine, device.create(options), "add", CONFIG,
                                         user=per, now=T0)
    assert added.assurance == Assurance.PASSKEY_EID
    done = login(engine, device, at(days=89))
    assert done.assurance == Assurance.PASSKEY_EID and done.acr == "idporten-loa-substantial"
    with refused("eid_again"):
        login(engine, device, at(days=91))
    passkeys.eid_login_seen(engine, per.pid, "idporten-loa-high", at(days=92))
    assert login(engine, device, at(days=93)).acr == "idporten-loa-high"


def test_no_passkey_is_added_in_a_passkey_session_or_for_someone_else(engine, seeded):
    emil = Actor(seeded["emil"].nin, "citizen", assurance=Assurance.PASSKEY_NURSE)
    with refused("not_allowed"):
        passkeys.start_adding(engine, emil, CONFIG, T0)
    per, sara = _eid(seeded["per"]), _eid(seeded["sara"])
    options = passkeys.start_adding(engine, per, CONFIG, T0)
    with refused("not_allowed"):
        passkeys.finish_registration(engine, SoftAuthenticator(ORIGIN).create(options), "add",
                                     CONFIG, user=sara, now=T0)


# --- the code's shape -----------------------------------------------------------------------

@given(st.integers(min_value=0, max_value=50))
def test_a_code_reads_back_however_it_is_typed(_n):
    code = passkeys.new_code()
    assert set(code) <= set(passkeys.CODE_ALPHABET) and len(code) == passkeys.CODE_LENGTH
    shown = passkeys.shown_code(code)
    for typed in (shown, shown.lower(), f" {shown[:4]} {shown[5:]} ", code):
        assert passkeys.normalise_code(typed) == code


def test_the_alphabet_has_no_look_alikes():
    assert not set("0O1IL") & set(passkeys.CODE_ALPHABET)


@pytest.mark.parametrize("code", passkeys.ERROR_CODES)
@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_every_refusal_has_a_text(code, lang):
    key = keyed("passkey.error", code)
    assert t(key, lang) != key


# --- told, not done silently ----------------------------------------------------------------

def test_she_is_told_what_changes_when_minid_comes_or_she_turns_16(engine, seeded):
    activate(engine, issue(engine, seeded).code, SoftAuthenticator(ORIGIN))
    emil = seeded["emil"]
    on_passkey = Actor(emil.nin, "citizen", assurance=Assurance.PASSKEY_NURSE)
    assert passkeys.notice_keys(engine, on_passkey, 15) == []
    assert passkeys.notice_keys(engine, on_passkey, 16) == ["passkeys.notice.sixteen"]
    assert passkeys.notice_keys(engine, _eid(emil), 15) == ["passkeys.notice.minid"]
    assert passkeys.notice_keys(engine, _eid(seeded["sara"]), 13) == []
    assert len(passkeys.my_passkeys(engine, _eid(emil))) == 1  # nothing removed


def test_a_challenge_is_spent_even_by_an_answer_that_fails(engine, seeded):
    issued = issue(engine, seeded)
    options = passkeys.start_activation(engine, issued.code, PHONE, CONFIG, T0)
    device = SoftAuthenticator(ORIGIN)
    with refused("failed"):
        passkeys.finish_registration(engine, device.create(options, origin="https://x.example"),
                                     "activate", CONFIG, now=T0)
    with refused("expired"):  # the same challenge again, now from the right origin
        passkeys.finish_registration(engine, device.create(options), "activate", CONFIG, now=T0)


def test_the_qr_code_is_an_svg_image_a_browser_can_show():
    from urllib.parse import unquote

    from digihelse.ui.state.passkeys import qr_data_uri

    uri = qr_data_uri("http://localhost:8000/aktiver?kode=ABCDEFGH")
    assert uri.startswith("data:image/svg+xml")
    assert "xmlns='http://www.w3.org/2000/svg'" in unquote(uri)  # an <img> needs the namespace
