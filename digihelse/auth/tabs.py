"""Browser tabs and the sessions they act for: the rule that a tab's state belongs to
exactly one session, and the bookkeeping that lets any worker drop a tab's state when
its session ends. Plain Python: the Reflex side (digihelse/ui/state/guard.py) applies it."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable, Iterable

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from digihelse.auth.models import TabBinding, UserSession
from digihelse.core.db import session as db_session
from digihelse.core.db import write_session


class Verdict(enum.Enum):
    """What to do with a tab's state before an event runs."""

    KEEP = "keep"  # the tab and the event belong to the same session (or to none)
    BIND = "bind"  # a fresh tab meets a live session: it now belongs to it
    RESET = "reset"  # the tab belongs to a session that ended or to someone else


def verdict(bound: str, live: str | None) -> Verdict:
    """`bound`: the session hash the tab's state belongs to ("" for none); `live`: the
    hash of the live session the socket's cookie names, or None."""
    if bound:
        return Verdict.KEEP if live == bound else Verdict.RESET
    return Verdict.BIND if live else Verdict.KEEP


def bind(token: str, session_hash: str, engine: Engine | None = None) -> None:
    """Remember that the tab `token` acts for the session."""
    with write_session(engine) as s:
        row = s.get(TabBinding, token)
        if row is None:
            s.add(TabBinding(token=token, session_hash=session_hash))
        elif row.session_hash != session_hash:
            row.session_hash = session_hash
            s.add(row)


def tabs_of_ended_sessions(limit: int = 500, engine: Engine | None = None) -> list[str]:
    """Tokens of tabs whose session has ended (logout, timeout, front-channel logout)."""
    with db_session(engine) as s:
        ended = select(TabBinding.token).join(
            UserSession, col(UserSession.id_hash) == col(TabBinding.session_hash),
            isouter=True).where(col(UserSession.ended_at).is_not(None)
                                | col(UserSession.id_hash).is_(None)).limit(limit)
        return list(s.exec(ended).all())


def tabs_of(session_hashes: Iterable[str], engine: Engine | None = None) -> list[str]:
    hashes = list(session_hashes)
    if not hashes:
        return []
    with db_session(engine) as s:
        return list(s.exec(select(TabBinding.token)
                           .where(col(TabBinding.session_hash).in_(hashes))).all())


def forget(tokens: Iterable[str], engine: Engine | None = None) -> None:
    tokens = list(tokens)
    if tokens:
        with write_session(engine) as s:
            s.exec(delete(TabBinding).where(col(TabBinding.token).in_(tokens)))


# Whoever keeps tab states (the Reflex app) registers here how to drop them; the login
# routes call `drop_tabs` when a session ends, without knowing about Reflex.
TabDropper = Callable[[list[str]], Awaitable[None]]
_droppers: list[TabDropper] = []


def on_drop(dropper: TabDropper) -> None:
    if dropper not in _droppers:
        _droppers.append(dropper)


async def drop_tabs(tokens: list[str]) -> None:
    """Drop the states of these tabs wherever they are kept, then forget the tabs."""
    if not tokens:
        return
    for dropper in _droppers:
        await dropper(tokens)
    await asyncio.to_thread(forget, tokens)
