"""The embedded test providers' flow state in the database, so that every hop of a login
may land on any worker: authorization requests, codes, provider sessions, single-use
markers, signing keys and secrets.

Single use holds across processes: a row is taken by the transaction whose DELETE (or
conditional UPDATE) changed it, and a marker by the one whose INSERT went in. Secrets
are stored only as SHA-256 where the provider never needs them back (codes, request ids,
request_uris, browser cookies). Expired rows are swept on the way and by sweep_expired()."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from digihelse.auth.models import (
    AuthSecret,
    ProviderCode,
    ProviderMarker,
    ProviderRequest,
    ProviderSession,
    SigningKey,
)
from digihelse.core import db

KEPT_GENERATIONS = 4  # published active + next, and two retired that still verify
_FLOW_TABLES = (ProviderRequest, ProviderCode, ProviderSession, ProviderMarker)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SpentCode:
    """The outcome of redeeming a code: "ok" with its data, or why not."""

    status: str  # "ok", "unknown", "other_client" or "reused"
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class EndedSession:
    sid: str | None  # the session the request named, even when it had already ended
    clients: list[str] | None  # the clients it was given to; None when nothing ended


class FlowStore:
    """One provider's rows (by issuer). `engine` None means the app's database, looked up
    at each call so that no connection is made at import or before a worker forks."""

    def __init__(self, issuer: str, engine: Engine | None = None) -> None:
        self.issuer = issuer
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine or db.get_engine()

    def _sweep(self, s, table, now: float) -> None:
        s.exec(delete(table).where(col(table.issuer) == self.issuer,
                                   col(table.expires) <= now))

    # -- authorization requests (pushed, or with the login page open) --------------------

    def put_request(self, key: str, kind: str, data: dict[str, Any], expires: float,
                    now: float) -> None:
        with db.write_session(self.engine) as s:
            self._sweep(s, ProviderRequest, now)
            s.add(ProviderRequest(key_hash=_hash(key), issuer=self.issuer, kind=kind,
                                  data=json.dumps(data), expires=expires))

    def get_request(self, key: str, kind: str, now: float) -> dict[str, Any] | None:
        with db.session(self.engine) as s:
            row = s.get(ProviderRequest, _hash(key))
            if row is None or row.issuer != self.issuer or row.kind != kind:
                return None
            return json.loads(row.data) if row.expires > now else None

    def take_request(self, key: str, kind: str, now: float) -> dict[str, Any] | None:
        """The request, removed so that nobody else gets it; None when it is unknown,
        expired, or another transaction took it first."""
        key_hash = _hash(key)
        with db.write_session(self.engine) as s:
            row = s.get(ProviderRequest, key_hash)
            if row is None or row.issuer != self.issuer or row.kind != kind:
                return None
            data, alive = json.loads(row.data), row.expires > now
            s.expunge(row)
            taken = s.exec(delete(ProviderRequest).where(
                col(ProviderRequest.key_hash) == key_hash)).rowcount == 1
        return data if taken and alive else None

    # -- authorization codes -------------------------------------------------------------

    def put_code(self, code: str, client_id: str, data: dict[str, Any], expires: float,
                 now: float) -> None:
        with db.write_session(self.engine) as s:
            self._sweep(s, ProviderCode, now)
            s.add(ProviderCode(code_hash=_hash(code), issuer=self.issuer, client_id=client_id,
                               data=json.dumps(data), expires=expires))

    def spend_code(self, code: str, client_id: str, now: float) -> SpentCode:
        """Redeem a code once. Any attempt by its own client spends it; a second one
        revokes the access token the first one got (RFC 6749 section 4.1.2)."""
        code_hash = _hash(code)
        with db.write_session(self.engine) as s:
            row = s.get(ProviderCode, code_hash)
            if row is None or row.issuer != self.issuer or row.expires <= now:
                return SpentCode("unknown")
            if row.client_id != client_id:
                return SpentCode("other_client")
            data, revoke = json.loads(row.data), (row.access_jti, row.access_expires)
            spent = row.spent
            s.expunge(row)
            if not spent:
                spent = s.exec(update(ProviderCode)
                               .where(col(ProviderCode.code_hash) == code_hash,
                                      col(ProviderCode.spent).is_(False))
                               .values(spent=True)).rowcount != 1
            if not spent:
                return SpentCode("ok", data)
        access_jti, access_expires = revoke
        if access_jti:
            self.mark_once("revoked", access_jti, access_expires or now, now)
        return SpentCode("reused")

    def note_access_token(self, code: str, jti: str, expires: float) -> None:
        """Remember the access token a code gave, so that reusing the code revokes it."""
        with db.write_session(self.engine) as s:
            s.exec(update(ProviderCode).where(col(ProviderCode.code_hash) == _hash(code))
                   .values(access_jti=jti, access_expires=expires))

    # -- the provider's own sessions -----------------------------------------------------

    def session_for(self, browser_key: str | None, pid: str, client_id: str, now: float,
                    lifetime: float) -> tuple[str, str]:
        """(sid, cookie value) of the browser's session, extended to the client; a new
        session when the browser has none, or when another person logs in there."""
        with db.write_session(self.engine) as s:
            self._sweep(s, ProviderSession, now)
            row = None
            if browser_key:
                row = s.exec(select(ProviderSession)
                             .where(ProviderSession.browser_hash == _hash(browser_key),
                                    ProviderSession.issuer == self.issuer)
                             .with_for_update()).first()
            if row is not None and row.pid == pid and row.expires > now:
                clients = set(json.loads(row.clients)) | {client_id}
                row.clients = json.dumps(sorted(clients))
                s.add(row)
                return row.sid, browser_key or ""
            if row is not None:
                s.delete(row)  # another person in the same browser: that session ends
                s.flush()
            sid, new_key = secrets.token_urlsafe(24), secrets.token_urlsafe(32)
            s.add(ProviderSession(sid=sid, issuer=self.issuer, browser_hash=_hash(new_key),
                                  pid=pid, auth_time=int(now), expires=now + lifetime,
                                  clients=json.dumps([client_id])))
            return sid, new_key

    def end_session(self, browser_key: str | None, sid: str | None,
                    now: float) -> EndedSession:
        """End the session named by sid (from an id_token_hint) or else by the cookie."""
        with db.write_session(self.engine) as s:
            if not sid and browser_key:
                sid = s.exec(select(ProviderSession.sid)
                             .where(ProviderSession.browser_hash == _hash(browser_key),
                                    ProviderSession.issuer == self.issuer)).first()
            if not sid:
                return EndedSession(None, None)
            row = s.get(ProviderSession, sid)
            if row is None or row.issuer != self.issuer:
                return EndedSession(sid, None)
            clients, alive = json.loads(row.clients), row.expires > now
            s.expunge(row)
            ended = s.exec(delete(ProviderSession)
                           .where(col(ProviderSession.sid) == sid)).rowcount == 1
        return EndedSession(sid, clients if ended and alive else None)

    # -- single-use markers --------------------------------------------------------------

    def mark_once(self, kind: str, value: str, expires: float, now: float) -> bool:
        """True for the first caller to mark the value, False for every later one."""
        try:
            with db.write_session(self.engine) as s:
                self._sweep(s, ProviderMarker, now)
                s.add(ProviderMarker(issuer=self.issuer, kind=kind, value_hash=_hash(value),
                                     expires=expires))
        except IntegrityError:
            return False  # the primary key was taken: by an earlier or concurrent caller
        return True

    def is_marked(self, kind: str, value: str, now: float) -> bool:
        with db.session(self.engine) as s:
            row = s.get(ProviderMarker, (self.issuer, kind, _hash(value)))
            return row is not None and row.expires > now

    # -- keys and secrets ----------------------------------------------------------------

    def signing_keys(self, make_pem: Callable[[], tuple[str, str]]) -> list[tuple[str, str]]:
        """(kid, private PEM) of the provider's keys, newest generation first; the first
        start anywhere makes two (active and next)."""
        rows = signing_key_rows(self.engine, self.issuer)
        if len(rows) < 2:
            _insert_generations(self.engine, self.issuer, [1, 2], make_pem)
            rows = signing_key_rows(self.engine, self.issuer)
        return rows

    def rotate_keys(self, make_pem: Callable[[], tuple[str, str]]) -> None:
        """Publish a new next key; the old next becomes active, the old active retires.
        Two workers rotating at once make one rotation, not two."""
        self.signing_keys(make_pem)
        with db.session(self.engine) as s:
            newest = s.exec(select(SigningKey.generation).where(SigningKey.owner == self.issuer)
                            .order_by(col(SigningKey.generation).desc())).first() or 0
        kid, pem = make_pem()
        _insert_generations(self.engine, self.issuer, [newest + 1], lambda: (kid, pem))
        with db.write_session(self.engine) as s:
            s.exec(delete(SigningKey).where(
                col(SigningKey.owner) == self.issuer,
                col(SigningKey.generation) <= newest + 1 - KEPT_GENERATIONS))

    def secret(self, name: str, make: Callable[[], str]) -> str:
        return stored_secret(self.engine, f"{self.issuer}:{name}", make)


def signing_key_rows(engine: Engine, owner: str) -> list[tuple[str, str]]:
    with db.session(engine) as s:
        rows = s.exec(select(SigningKey.kid, SigningKey.private_pem)
                      .where(SigningKey.owner == owner)
                      .order_by(col(SigningKey.generation).desc())
                      .limit(KEPT_GENERATIONS)).all()
    return [(kid, pem) for kid, pem in rows]


def _insert_generations(engine: Engine, owner: str, generations: list[int],
                        make_pem: Callable[[], tuple[str, str]]) -> bool:
    """Insert the keys unless another process was first (then theirs stand)."""
    made = [(generation, *make_pem()) for generation in generations]  # slow: outside
    try:
        with db.write_session(engine) as s:
            for generation, kid, pem in made:
                s.add(SigningKey(owner=owner, generation=generation, kid=kid, private_pem=pem))
    except IntegrityError:
        return False
    return True


def stored_key(engine: Engine | None, owner: str,
               make_pem: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    """(kid, private PEM) of a key made once for every worker: insert if absent, then
    read back, so two processes starting at once end with one key."""
    engine = engine or db.get_engine()
    rows = signing_key_rows(engine, owner)
    if not rows:
        _insert_generations(engine, owner, [1], make_pem)
        rows = signing_key_rows(engine, owner)
    return rows[-1]


def stored_secret(engine: Engine | None, name: str, make: Callable[[], str]) -> str:
    """A random value made once for every worker (insert if absent, then read back)."""
    engine = engine or db.get_engine()
    with db.session(engine) as s:
        row = s.get(AuthSecret, name)
        if row is not None:
            return row.value
    try:
        with db.write_session(engine) as s:
            s.add(AuthSecret(name=name, value=make()))
    except IntegrityError:
        pass  # another worker made it first; theirs counts
    with db.session(engine) as s:
        row = s.get(AuthSecret, name)
        assert row is not None
        return row.value


def sweep_expired(now: float, engine: Engine | None = None) -> int:
    """Delete every expired flow row of every provider; for the background job."""
    removed = 0
    with db.write_session(engine or db.get_engine()) as s:
        for table in _FLOW_TABLES:
            removed += s.exec(delete(table).where(col(table.expires) <= now)).rowcount
    return removed
