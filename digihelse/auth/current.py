"""Who is logged in, resolved from the session cookie, as a plain view for the pages."""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass

from sqlmodel import Session

from digihelse.auth.sessions import SessionInfo, SessionStore, cookie_value
from digihelse.core.db import session as db_session
from digihelse.core.settings import Settings, get_settings
from digihelse.people.registry import person_by_pid, personnel_by_pid


@dataclass(frozen=True)
class CurrentUser:
    pid: str
    name: str
    given_name: str
    role: str  # "citizen" or a StaffRole value
    provider: str
    acr: str | None
    hpr_number: str | None = None
    organisation: str | None = None
    assurance: str = "eid"  # an access.policy.Assurance value

    @property
    def is_personnel(self) -> bool:
        return self.provider == "personnel"


@functools.lru_cache(maxsize=1)
def session_store() -> SessionStore:
    settings = get_settings()
    return SessionStore(idle_seconds=settings.session_idle_seconds,
                        absolute_seconds=settings.session_absolute_seconds)


def user_for(info: SessionInfo, session: Session | None = None) -> CurrentUser:
    """The user of a live session; in the caller's session when given (one read)."""
    with contextlib.nullcontext(session) if session is not None else db_session() as s:
        if info.provider == "personnel":
            found = personnel_by_pid(s, info.pid)
            if found is not None:
                person, staff = found
                return CurrentUser(info.pid, person.full_name, person.given_name, staff.role,
                                   info.provider, info.acr, staff.hpr_number, staff.organisation,
                                   info.assurance)
        person = person_by_pid(s, info.pid)
    if person is None:
        # A valid synthetic id number that is not in our registry: a person we know nothing of.
        return CurrentUser(info.pid, "", "", info.role, info.provider, info.acr, info.hpr_number,
                           assurance=info.assurance)
    return CurrentUser(info.pid, person.full_name, person.given_name, info.role, info.provider,
                       info.acr, info.hpr_number, assurance=info.assurance)


def current_user(cookie_header: str | None, settings: Settings | None = None,
                 *, touch: bool = True) -> CurrentUser | None:
    """The user behind the request's session cookie, or None."""
    settings = settings or get_settings()
    session_id = cookie_value(cookie_header, settings.session_cookie_name)
    info = session_store().resolve(session_id, touch=touch)
    return None if info is None else user_for(info)
