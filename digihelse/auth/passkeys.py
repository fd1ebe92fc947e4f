"""Passkeys (WebAuthn): a pupil without MinID gets in through her school nurse, and anyone
who logged in with MinID/BankID may add one for quicker logins.

The life of a nurse's activation code: the nurse (personnel login, a care relation with
the pupil in the youth service) confirms she verified the pupil in person and gets a short
code bound to the pupil's national id number; only its keyed hash is stored, it expires
(Settings.passkey_code_minutes) and the first passkey registered with it spends it, in
the same transaction that stores the passkey, so a replay finds it used. A wrong, used or
expired code gets one answer ("wrong_code"), never which; one client address may try
Settings.passkey_code_max_failures wrong codes in that time.

Every WebAuthn challenge is a database row (any worker may answer), hashed, single use and
expiring. The ceremonies themselves, CBOR and attestation included, are the `webauthn`
package's. What a passkey login may do is the policy's (access.policy.ASSURANCE_LIMITS).

Synchronous SQLModel (callers run it in a worker thread); no UI imports."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from digihelse.access import enforcement
from digihelse.access.actors import Action, Actor, Service
from digihelse.access.policy import Assurance, onboards_pupils
from digihelse.audit import log as audit_log
from digihelse.auth.attempts import as_utc, sha256_hex
from digihelse.auth.models import (
    AuthSecret,
    Passkey,
    PasskeyActivation,
    PasskeyChallenge,
    PasskeyCodeFailure,
    UserSession,
)
from digihelse.core import db
from digihelse.core.errors import ServiceError
from digihelse.core.i18n.families import keyed
from digihelse.core.timeutil import utcnow
from digihelse.people.kinds import PlaceKind
from digihelse.people.models import Enrollment, Person, Personnel, Place, StaffAssignment
from digihelse.people.registry import person_by_pid

# Eight characters from 31 that cannot be mistaken for each other (no 0/O, 1/I/L): about
# 40 bits, against at most a handful of guesses per address in a code's life.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
VERIFIED_HOW = ("known", "id_card")  # how the nurse verified the pupil in person
CEREMONY_MS = 120_000
PEPPER = "passkey:code-pepper"
PURPOSES = ("activate", "add", "login")


class PasskeyError(ServiceError):
    """A refusal; `code` says which, and its text is passkey.error.<code>."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.message_key = keyed("passkey.error", code)


# Every code a PasskeyError can carry, for the test that each has a text.
ERROR_CODES = ("wrong_code", "too_many", "failed", "expired", "not_allowed", "eid_again",
               "unknown_passkey", "not_verified", "login_level")


@dataclass(frozen=True)
class PasskeyConfig:
    """The relying party and the limits, from the settings."""

    rp_id: str
    origin: str
    code_minutes: int = 15
    max_failures: int = 5
    eid_days: int = 90
    rp_name: str = "DigiHelse"

    @classmethod
    def from_settings(cls, settings) -> PasskeyConfig:
        return cls(rp_id=urlsplit(settings.public_url).hostname or "localhost",
                   origin=settings.public_url, code_minutes=settings.passkey_code_minutes,
                   max_failures=settings.passkey_code_max_failures,
                   eid_days=settings.passkey_eid_days)

    @property
    def lifetime(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.code_minutes)


# --- codes ---------------------------------------------------------------------------------

def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str | None) -> str:
    """What she typed, as a code: upper case, spaces and dashes gone (the page shows
    "ABCD-EFGH")."""
    if not isinstance(raw, str):
        return ""
    return re.sub(r"[\s\-]", "", raw).upper()[:32]


def shown_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _pepper(engine: Engine | None) -> bytes:
    """A random key made once for every worker: the codes' hashes are keyed with it, so a
    copy of the table alone does not let anyone try the 40-bit codes offline."""
    with db.session(engine) as s:
        row = s.get(AuthSecret, PEPPER)
        if row is not None:
            return row.value.encode()
    try:
        with db.write_session(engine) as s:
            s.add(AuthSecret(name=PEPPER, value=secrets.token_urlsafe(32)))
    except IntegrityError:
        pass  # another worker made it first
    with db.session(engine) as s:
        row = s.get(AuthSecret, PEPPER)
        assert row is not None
        return row.value.encode()


def code_hash(engine: Engine | None, code: str) -> str:
    return hmac.new(_pepper(engine), normalise_code(code).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    code: str  # shown once, to the nurse; never stored
    expires_at: dt.datetime
    pupil_name: str

    @property
    def shown(self) -> str:
        return shown_code(self.code)


@dataclass(frozen=True)
class PupilChoice:
    pid: str
    name: str
    school: str
    school_class: str


def _is_nurse(actor: Actor) -> bool:
    """A school or youth-clinic nurse (the policy says which roles onboard pupils)."""
    return actor.is_personnel and onboards_pupils(actor.role)


def pupils_for(engine: Engine | None, nurse: Actor) -> list[PupilChoice]:
    """The pupils enrolled at the nurse's schools (a youth-clinic nurse: at her clinic's
    municipality's schools) whom she may serve in the youth service."""
    if not _is_nurse(nurse):
        return []
    with db.session(engine) as s:
        rows = _enrolled_at_my_places(s, nurse)
        out, seen = [], set()
        for person, school, school_class in rows:
            if person.nin in seen:
                continue
            if not enforcement.decide(s, nurse, person.nin, Service.YOUTH).allows(
                    Action.MANAGE_SCHEDULE):
                continue
            seen.add(person.nin)
            out.append(PupilChoice(person.nin, person.full_name, school, school_class or ""))
    return sorted(out, key=lambda p: (p.school, p.school_class, p.name))


def _enrolled_at_my_places(s: Session, nurse: Actor):
    me = person_by_pid(s, nurse.pid)
    if me is None:
        return []
    staff = s.exec(select(Personnel).where(Personnel.person_id == me.id)).first()
    if staff is None:
        return []
    mine = s.exec(select(Place).join(StaffAssignment, StaffAssignment.place_id == Place.id)
                  .where(StaffAssignment.personnel_id == staff.id)).all()
    places = {place.id for place in mine}
    # A youth clinic serves the young people of its municipality, wherever they go to school.
    clinic_towns = {place.municipality_id for place in mine
                    if place.kind == PlaceKind.YOUTH_CLINIC}
    if clinic_towns:
        places |= set(s.exec(select(Place.id).where(Place.municipality_id.in_(clinic_towns)))
                      .all())
    return s.exec(select(Person, Place.name, Enrollment.school_class)
                  .join(Enrollment, Enrollment.person_id == Person.id)
                  .join(Place, Place.id == Enrollment.place_id)
                  .where(Enrollment.place_id.in_(places))).all()


def issue_code(engine: Engine | None, nurse: Actor, pupil_pid: str, verified_how: str,
               config: PasskeyConfig, now: dt.datetime | None = None) -> IssuedCode:
    """A one-time activation code for a pupil the nurse verified in person, logged with
    her name and HPR number. Refused (and the refusal logged) without a care relation."""
    now = now or utcnow()
    if verified_how not in VERIFIED_HOW:
        raise PasskeyError("not_verified")
    if not _is_nurse(nurse):
        raise PasskeyError("not_allowed")
    code = new_code()
    hashed = code_hash(engine, code)
    expires = now + config.lifetime
    with db.write_session(engine) as s:
        enforcement.require(s, nurse, pupil_pid, Service.YOUTH, Action.MANAGE_SCHEDULE,
                            object_type="passkey_activation")
        pupil = person_by_pid(s, pupil_pid)
        assert pupil is not None  # require() refuses an unknown person
        # Sweep what is long dead here, so no job is needed.
        s.exec(delete(PasskeyChallenge).where(PasskeyChallenge.expires_at < now))
        s.exec(delete(PasskeyCodeFailure).where(PasskeyCodeFailure.at < now - config.lifetime))
        s.add(PasskeyActivation(code_hash=hashed, pupil_pid=pupil_pid, nurse_pid=nurse.pid,
                                nurse_name=nurse.name, nurse_hpr=nurse.hpr_number or "",
                                verified_how=verified_how, created_at=now, expires_at=expires))
        s.flush()
        audit_log.append(s, audit_log.Entry(
            action="create", object_type="passkey_activation", channel=str(nurse.channel),
            actor_pid=nurse.pid, actor_role=nurse.role, actor_name=nurse.name or None,
            actor_hpr=nurse.hpr_number, organisation=nurse.organisation,
            subject_pid=pupil_pid, detail=f"verified_in_person:{verified_how}",
            hidden_from_parents=True))
        name = pupil.full_name
    return IssuedCode(code, expires, name)


def _failures(s: Session, client_hash: str, since: dt.datetime) -> int:
    return s.exec(select(func.count()).select_from(PasskeyCodeFailure).where(
        PasskeyCodeFailure.client_hash == client_hash, PasskeyCodeFailure.at >= since)).one()


def check_code(engine: Engine | None, raw_code: str | None, client: str,
               config: PasskeyConfig, now: dt.datetime | None = None) -> PasskeyActivation:
    """The live activation a code names. A wrong, used or expired code counts against the
    client and gets "wrong_code"; over the limit every try gets "too_many" (the code is then
    not even looked up, so guessing learns nothing)."""
    now = now or utcnow()
    client_hash = sha256_hex(client)
    code = normalise_code(raw_code)
    hashed = code_hash(engine, code) if code else ""
    with db.write_session(engine) as s:
        if _failures(s, client_hash, now - config.lifetime) >= config.max_failures:
            raise PasskeyError("too_many")
        row = s.exec(select(PasskeyActivation).where(
            PasskeyActivation.code_hash == hashed)).first() if hashed else None
        if row is None or row.used_at is not None or as_utc(row.expires_at) <= now:
            s.add(PasskeyCodeFailure(client_hash=client_hash, at=now))
            wrong = True
        else:
            s.expunge(row)
            wrong = False
    if wrong:
        raise PasskeyError("wrong_code")
    return row


# --- challenges ----------------------------------------------------------------------------

def _store_challenge(engine: Engine | None, challenge: bytes, purpose: str,
                     config: PasskeyConfig, now: dt.datetime, **fields) -> None:
    with db.write_session(engine) as s:
        s.exec(delete(PasskeyChallenge).where(PasskeyChallenge.expires_at < now))
        s.add(PasskeyChallenge(challenge_hash=hashlib.sha256(challenge).hexdigest(),
                               purpose=purpose, expires_at=now + config.lifetime, **fields))


def _take_challenge(engine: Engine | None, client_data_json: bytes, purpose: str,
                    now: dt.datetime) -> tuple[PasskeyChallenge, bytes]:
    """The challenge a ceremony's answer carries, taken once in a transaction of its own:
    spent whatever the answer turns out to be, and two answers to one challenge cannot
    both go on (only the DELETE that removed the row does)."""
    try:
        challenge = parse_client_data_json(client_data_json).challenge
    except (WebAuthnException, ValueError, TypeError) as exc:
        raise PasskeyError("failed") from exc
    key = hashlib.sha256(challenge).hexdigest()
    with db.write_session(engine) as s:
        row = s.get(PasskeyChallenge, key)
        if row is None:
            raise PasskeyError("expired")
        s.expunge(row)
        taken = s.exec(delete(PasskeyChallenge).where(PasskeyChallenge.challenge_hash == key))
    if taken.rowcount != 1 or row.purpose != purpose or as_utc(row.expires_at) <= now:
        raise PasskeyError("expired")
    return row, challenge


# --- registration --------------------------------------------------------------------------

def _user_handle(s: Session, pid: str) -> str:
    """One random WebAuthn user handle per person (never her id number)."""
    existing = s.exec(select(Passkey.user_handle).where(Passkey.pid == pid)).first()
    return existing or bytes_to_base64url(secrets.token_bytes(32))


def _registration_options(s: Session, pid: str, config: PasskeyConfig) -> tuple[str, bytes, str]:
    person = person_by_pid(s, pid)
    handle = _user_handle(s, pid)
    exclude = [PublicKeyCredentialDescriptor(id=_b64(row)) for row in s.exec(
        select(Passkey.credential_id).where(Passkey.pid == pid, Passkey.revoked_at.is_(None)))]
    name = person.full_name if person else "DigiHelse"
    options = generate_registration_options(
        rp_id=config.rp_id, rp_name=config.rp_name, user_name=name,
        user_id=_b64(handle), user_display_name=name, timeout=CEREMONY_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=exclude)
    return options_to_json(options), options.challenge, handle


def _b64(value: str) -> bytes:
    from webauthn import base64url_to_bytes

    return base64url_to_bytes(value)


def start_activation(engine: Engine | None, raw_code: str | None, client: str,
                     config: PasskeyConfig, now: dt.datetime | None = None) -> str:
    """The registration options for the pupil a live code names (JSON for the browser)."""
    now = now or utcnow()
    activation = check_code(engine, raw_code, client, config, now)
    with db.session(engine) as s:
        options, challenge, handle = _registration_options(s, activation.pupil_pid, config)
    _store_challenge(engine, challenge, "activate", config, now, pid=activation.pupil_pid,
                     activation_id=activation.id, user_handle=handle)
    return options


def start_adding(engine: Engine | None, user: Actor, config: PasskeyConfig,
                 now: dt.datetime | None = None) -> str:
    """Registration options for a passkey added in a MinID/BankID session (not in a
    passkey session: a passkey's assurance comes from an eID or a nurse, never another
    passkey)."""
    now = now or utcnow()
    if user.is_personnel or user.assurance != Assurance.EID:
        raise PasskeyError("not_allowed")
    with db.session(engine) as s:
        options, challenge, handle = _registration_options(s, user.pid, config)
    _store_challenge(engine, challenge, "add", config, now, pid=user.pid, user_handle=handle,
                     acr=user.acr)
    return options


@dataclass(frozen=True)
class Registered:
    passkey_id: int
    pid: str
    assurance: str
    acr: str | None
    next_path: str


def finish_registration(engine: Engine | None, credential: str | dict, purpose: str,
                        config: PasskeyConfig, *, device: str = "",
                        user: Actor | None = None,
                        now: dt.datetime | None = None) -> Registered:
    """Verify the browser's answer to navigator.credentials.create() and store the passkey.
    "activate" spends the nurse's code in the same transaction; "add" needs the same
    person's live eID session (`user`)."""
    now = now or utcnow()
    if purpose not in ("activate", "add"):
        raise PasskeyError("failed")
    try:
        parsed = parse_registration_credential_json(credential)
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise PasskeyError("failed") from exc
    row, challenge = _take_challenge(engine, parsed.response.client_data_json, purpose, now)
    if purpose == "add" and (user is None or user.pid != row.pid
                             or user.assurance != Assurance.EID):
        raise PasskeyError("not_allowed")
    with db.write_session(engine) as s:
        try:
            verified = verify_registration_response(
                credential=parsed, expected_challenge=challenge,
                expected_rp_id=config.rp_id, expected_origin=config.origin,
                require_user_verification=True)
        except WebAuthnException as exc:
            raise PasskeyError("failed") from exc
        activation = None
        if purpose == "activate":
            # Spent here or not at all: a second registration with the code finds it used.
            spent = s.exec(update(PasskeyActivation).where(
                PasskeyActivation.id == row.activation_id, PasskeyActivation.used_at.is_(None),
                PasskeyActivation.expires_at > now).values(used_at=now))
            if spent.rowcount != 1:
                raise PasskeyError("wrong_code")
            activation = s.get(PasskeyActivation, row.activation_id)
        credential_id = bytes_to_base64url(verified.credential_id)
        if s.exec(select(Passkey.id).where(Passkey.credential_id == credential_id)).first():
            raise PasskeyError("failed")
        transports = parsed.response.transports or []
        key = Passkey(
            pid=row.pid or "", credential_id=credential_id,
            public_key=bytes_to_base64url(verified.credential_public_key),
            sign_count=verified.sign_count, user_handle=row.user_handle or "",
            assurance=Assurance.PASSKEY_NURSE if activation else Assurance.PASSKEY_EID,
            device=device[:80], transports=",".join(str(getattr(t, "value", t))
                                                    for t in transports)[:120],
            onboarded_by_pid=activation.nurse_pid if activation else None,
            onboarded_by_name=activation.nurse_name if activation else None,
            onboarded_by_hpr=activation.nurse_hpr if activation else None,
            eid_acr=None if activation else row.acr,
            eid_verified_at=None if activation else now, created_at=now, last_used_at=now)
        s.add(key)
        s.flush()
        audit_log.append(s, audit_log.Entry(
            action="create", object_type="passkey", actor_pid=key.pid, actor_role="citizen",
            subject_pid=key.pid, object_id=str(key.id), detail=key.assurance,
            hidden_from_parents=True))
        return Registered(key.id, key.pid, key.assurance, key.eid_acr, row.next_path)


# --- login ---------------------------------------------------------------------------------

def start_login(engine: Engine | None, next_path: str, config: PasskeyConfig,
                now: dt.datetime | None = None) -> str:
    """Options for navigator.credentials.get(): any of her discoverable passkeys, with
    user verification."""
    now = now or utcnow()
    options = generate_authentication_options(
        rp_id=config.rp_id, timeout=CEREMONY_MS,
        user_verification=UserVerificationRequirement.REQUIRED)
    _store_challenge(engine, options.challenge, "login", config, now, next_path=next_path)
    return options_to_json(options)


@dataclass(frozen=True)
class LoggedIn:
    pid: str
    passkey_id: int
    assurance: str
    acr: str | None
    next_path: str


def finish_login(engine: Engine | None, credential: str | dict, config: PasskeyConfig,
                 now: dt.datetime | None = None) -> LoggedIn:
    """Verify the browser's answer to navigator.credentials.get(): a live passkey (not
    removed), its signature, user verification, and for an eID-derived one that its eID
    login is recent enough."""
    now = now or utcnow()
    try:
        parsed = parse_authentication_credential_json(credential)
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise PasskeyError("failed") from exc
    row, challenge = _take_challenge(engine, parsed.response.client_data_json, "login", now)
    with db.write_session(engine) as s:
        key = s.exec(select(Passkey).where(Passkey.credential_id == parsed.id,
                                           Passkey.revoked_at.is_(None))).first()
        if key is None:
            raise PasskeyError("unknown_passkey")
        handle = parsed.response.user_handle
        if handle is not None and bytes_to_base64url(handle) != key.user_handle:
            raise PasskeyError("unknown_passkey")
        try:
            verified = verify_authentication_response(
                credential=parsed, expected_challenge=challenge, expected_rp_id=config.rp_id,
                expected_origin=config.origin, credential_public_key=_b64(key.public_key),
                credential_current_sign_count=key.sign_count, require_user_verification=True)
        except WebAuthnException as exc:
            raise PasskeyError("failed") from exc
        if key.assurance == Assurance.PASSKEY_EID:
            since = as_utc(key.eid_verified_at or key.created_at)
            if now - since > dt.timedelta(days=config.eid_days):
                raise PasskeyError("eid_again")
        key.sign_count = verified.new_sign_count
        key.last_used_at = now
        s.add(key)
        return LoggedIn(key.pid, key.id, key.assurance, key.eid_acr, row.next_path)


def eid_login_seen(engine: Engine | None, pid: str, acr: str | None,
                   now: dt.datetime | None = None) -> int:
    """She logged in with MinID/BankID again: her eID-derived passkeys keep its assurance
    for another period from now. Returns how many."""
    now = now or utcnow()
    with db.write_session(engine) as s:
        result = s.exec(update(Passkey).where(
            Passkey.pid == pid, Passkey.assurance == Assurance.PASSKEY_EID,
            Passkey.revoked_at.is_(None)).values(eid_verified_at=now, eid_acr=acr))
        return result.rowcount or 0


# --- her passkeys, and the nurse's --------------------------------------------------------

@dataclass(frozen=True)
class PasskeyView:
    id: int
    device: str
    assurance: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    onboarded_by: str  # the nurse's name, or ""
    owner_name: str = ""  # for the nurse's list
    eid_until: dt.datetime | None = None  # eID-derived: when it asks for the eID again


def _view(key: Passkey, config: PasskeyConfig | None, owner: str = "") -> PasskeyView:
    until = None
    if key.assurance == Assurance.PASSKEY_EID and config is not None:
        until = as_utc(key.eid_verified_at or key.created_at) + dt.timedelta(days=config.eid_days)
    return PasskeyView(key.id, key.device, key.assurance, as_utc(key.created_at),
                       as_utc(key.last_used_at) if key.last_used_at else None,
                       key.onboarded_by_name or "", owner, until)


def my_passkeys(engine: Engine | None, user: Actor,
                config: PasskeyConfig | None = None) -> list[PasskeyView]:
    with db.session(engine) as s:
        rows = s.exec(select(Passkey).where(Passkey.pid == user.pid, Passkey.revoked_at.is_(None))
                      .order_by(Passkey.created_at)).all()
        return [_view(row, config) for row in rows]


def onboarded_by(engine: Engine | None, nurse: Actor) -> list[PasskeyView]:
    """The live passkeys this nurse set up, with their owners' names."""
    if not _is_nurse(nurse):
        return []
    with db.session(engine) as s:
        rows = s.exec(select(Passkey, Person.given_name, Person.family_name)
                      .join(Person, Person.nin == Passkey.pid)
                      .where(Passkey.onboarded_by_pid == nurse.pid, Passkey.revoked_at.is_(None))
                      .order_by(Passkey.created_at.desc())).all()
        return [_view(row, None, f"{given} {family}") for row, given, family in rows]


def notice_keys(engine: Engine | None, user: Actor, age: int | None,
                adult_from: int = 16) -> list[str]:
    """What changed for her, said rather than done silently: MinID is here (her nurse's
    passkey stays, for the youth service), or she turned 16 on a nurse's passkey (the
    family service needs MinID). Message keys, for the home page."""
    if user.is_personnel or user.on_behalf_of_pid is not None:
        return []
    if user.assurance == Assurance.PASSKEY_NURSE:
        return ["passkeys.notice.sixteen"] if age is not None and age >= adult_from else []
    with db.session(engine) as s:
        nurse_key = s.exec(select(Passkey.id).where(
            Passkey.pid == user.pid, Passkey.assurance == Assurance.PASSKEY_NURSE,
            Passkey.revoked_at.is_(None))).first()
    return ["passkeys.notice.minid"] if nurse_key is not None else []


def _revoke(s: Session, key: Passkey, by: str, actor: Actor, now: dt.datetime) -> None:
    key.revoked_at, key.revoked_by = now, by
    s.add(key)
    # Its sessions end with it, at once: the guard finds them ended at the next event.
    s.exec(update(UserSession).where(UserSession.passkey_id == key.id,
                                     UserSession.ended_at.is_(None))
           .values(ended_at=now, end_reason="passkey_removed", id_token=None))
    audit_log.append(s, audit_log.Entry(
        action="revoke", object_type="passkey", channel=str(actor.channel), actor_pid=actor.pid,
        actor_role=actor.role, actor_name=actor.name or None, actor_hpr=actor.hpr_number,
        organisation=actor.organisation, subject_pid=key.pid, object_id=str(key.id),
        detail=by, hidden_from_parents=True))


def remove_mine(engine: Engine | None, user: Actor, passkey_id: int,
                now: dt.datetime | None = None) -> bool:
    """She removes one of her passkeys; its sessions end. False if it is not hers."""
    now = now or utcnow()
    with db.write_session(engine) as s:
        key = s.get(Passkey, passkey_id)
        if key is None or key.pid != user.pid or key.revoked_at is not None or user.is_personnel:
            return False
        _revoke(s, key, "self", user, now)
    return True


def revoke_onboarded(engine: Engine | None, nurse: Actor, passkey_id: int,
                     now: dt.datetime | None = None) -> bool:
    """The nurse revokes a passkey she set up; its sessions end. False otherwise."""
    now = now or utcnow()
    if not _is_nurse(nurse):
        return False
    with db.write_session(engine) as s:
        key = s.get(Passkey, passkey_id)
        if key is None or key.onboarded_by_pid != nurse.pid or key.revoked_at is not None:
            return False
        _revoke(s, key, "nurse", nurse, now)
    return True


def device_name(user_agent: str | None) -> str:
    """A plain name for the device a passkey was made on, from its User-Agent."""
    agent = user_agent or ""
    for needle, name in (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
                         ("Windows", "Windows"), ("Macintosh", "Mac"), ("CrOS", "Chromebook"),
                         ("Linux", "Linux")):
        if needle in agent:
            return name
    return ""


def parse_json_body(body: bytes) -> dict:
    try:
        value = json.loads(body or b"{}")
    except ValueError as exc:
        raise PasskeyError("failed") from exc
    if not isinstance(value, dict):
        raise PasskeyError("failed")
    return value

