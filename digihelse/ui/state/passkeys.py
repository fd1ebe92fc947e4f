"""States for passkeys: the nurse's activation page, the pupil's /aktiver, and the
settings page where a person sees and removes her passkeys. Thin: the rules and the
ceremonies are digihelse/auth/passkeys.py's; the ceremonies' browser side is
assets/passkey.js, which talks to /auth/passkey/* directly."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import quote

import reflex as rx
import segno

from digihelse.access.policy import Assurance
from digihelse.auth import passkeys
from digihelse.auth.runtime import LOGGED_OUT_PATH
from digihelse.core.db import get_engine
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t
from digihelse.core.i18n.formatting import clock, day_month
from digihelse.core.settings import get_settings
from digihelse.core.timeutil import to_oslo, today_oslo
from digihelse.ui import routes
from digihelse.ui.state.changes import assign
from digihelse.ui.state.client_actions import page_load
from digihelse.ui.state.guard import CITIZEN, PERSONNEL, audience, live_session
from digihelse.ui.state.session import SessionState


def _config() -> passkeys.PasskeyConfig:
    return passkeys.PasskeyConfig.from_settings(get_settings())


def _when(moment, lang: str) -> str:
    local = to_oslo(moment)
    day = day_month(local.date(), lang)
    if local.year != today_oslo().year:
        day = f"{day} {local.year}"
    return f"{day} {clock(local)}"


def qr_data_uri(text: str) -> str:
    """The text as a QR code, an SVG image in a data: URI (segno draws and encodes it)."""
    return segno.make(text, error="m").svg_data_uri(scale=4, border=4, dark="#000",
                                                   light="#fff")


@dataclass
class PupilOption:
    key: str
    label: str


@dataclass
class PasskeyRow:
    id: int
    title: str  # the device, or "Passnøkkel"
    lines: list[str]
    remove_label: str


def _rows(views: list[passkeys.PasskeyView], lang: str, *, nurse: bool) -> list[PasskeyRow]:
    out = []
    for view in views:
        title = view.owner_name if nurse else (view.device or t("passkeys.device_unknown", lang))
        lines = []
        if nurse and view.device:
            lines.append(view.device)
        lines.append(t("passkeys.added", lang, when=_when(view.created_at, lang)))
        if view.last_used_at:
            lines.append(t("passkeys.last_used", lang, when=_when(view.last_used_at, lang)))
        if view.assurance == Assurance.PASSKEY_NURSE:
            lines.append(t("passkeys.kind_nurse", lang, name=view.onboarded_by)
                         if view.onboarded_by else t("passkeys.kind_nurse_plain", lang))
        elif view.eid_until is not None:
            lines.append(t("passkeys.kind_eid", lang, when=day_month(
                to_oslo(view.eid_until).date(), lang)))
        label = (t("activation.revoke_label", lang, name=view.owner_name) if nurse
                 else t("passkeys.remove_label", lang, name=title))
        out.append(PasskeyRow(view.id, title, lines, label))
    return out


@audience(PERSONNEL)
class NurseActivationState(SessionState):
    """Aktivering: pick an enrolled pupil, confirm the in-person check, get a code."""

    loaded: bool = False
    pupils: list[PupilOption] = []
    pupil_key: str = ""
    verified_how: str = ""
    confirmed: bool = False
    form_error: str = ""
    code: str = ""  # shown once; "" when none is showing
    code_for: str = ""
    code_until: str = ""
    qr: str = ""
    message: str = ""
    onboarded: list[PasskeyRow] = []
    _pupil_pids: list[str] = []

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        assign(self, form_error="", message="", code="", qr="", code_for="", code_until="")
        if not session._may_open("activation"):
            return
        actor = session._actor()
        pupils = await asyncio.to_thread(passkeys.pupils_for, get_engine(), actor)
        assign(self, _pupil_pids=[p.pid for p in pupils],
               pupils=[PupilOption(str(i), " · ".join(filter(None, (
                   p.name, p.school_class, p.school)))) for i, p in enumerate(pupils)])
        await self._refresh_onboarded(session)
        assign(self, loaded=True)

    async def _refresh_onboarded(self, session: SessionState) -> None:
        views = await asyncio.to_thread(passkeys.onboarded_by, get_engine(), session._actor())
        assign(self, onboarded=_rows(views, session.lang, nurse=True))

    @rx.event
    def set_pupil(self, key: str):
        assign(self, pupil_key=key, form_error="")

    @rx.event
    def set_verified_how(self, how: str):
        assign(self, verified_how=how if how in passkeys.VERIFIED_HOW else "", form_error="")

    @rx.event
    def set_confirmed(self, checked: bool):
        assign(self, confirmed=bool(checked), form_error="")

    @rx.event
    async def make_code(self):
        session = await self.get_state(SessionState)
        lang = session.lang
        if not session._may_open("activation"):
            return
        if not self.pupil_key.isdigit() or int(self.pupil_key) >= len(self._pupil_pids):
            assign(self, form_error=t("activation.err.pupil", lang))
            return
        if not self.verified_how or not self.confirmed:
            assign(self, form_error=t("activation.err.confirm", lang))
            return
        pid = self._pupil_pids[int(self.pupil_key)]
        try:
            issued = await asyncio.to_thread(passkeys.issue_code, get_engine(),
                                             session._actor(), pid, self.verified_how, _config())
        except ServiceError as exc:
            assign(self, form_error=t(getattr(exc, "message_key", "access.denied"), lang))
            return
        link = f"{get_settings().public_url}{routes.ACTIVATE}?kode={quote(issued.code)}"
        assign(self, code=issued.shown, code_for=issued.pupil_name,
               code_until=clock(to_oslo(issued.expires_at)), qr=qr_data_uri(link),
               confirmed=False, verified_how="", form_error="")

    @rx.event
    def dismiss(self):
        assign(self, message="")

    @rx.event
    def done(self):
        assign(self, code="", qr="", code_for="", code_until="", pupil_key="")

    @rx.event
    async def revoke(self, passkey_id: int):
        session = await self.get_state(SessionState)
        if not session._may_open("activation"):
            return
        ok = await asyncio.to_thread(passkeys.revoke_onboarded, get_engine(), session._actor(),
                                     int(passkey_id))
        assign(self, message=t("activation.revoked", session.lang) if ok
               else t("activation.revoke_failed", session.lang))
        await self._refresh_onboarded(session)


@audience(CITIZEN)
class PasskeysState(SessionState):
    """Innstillinger › Passnøkler: hers, with Remove; a new one in an eID session."""

    loaded: bool = False
    rows: list[PasskeyRow] = []
    can_add: bool = False  # an eID session: she may add a passkey on this device
    nurse_note: bool = False  # she has a nurse-verified passkey: say what it reaches
    message: str = ""
    confirm_id: int = 0

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        assign(self, message="", confirm_id=0)
        if not session.logged_in or session.is_personnel:
            return
        await self._refresh(session)
        assign(self, loaded=True)

    async def _refresh(self, session: SessionState) -> None:
        actor = session._actor()
        views = await asyncio.to_thread(passkeys.my_passkeys, get_engine(), actor, _config())
        assign(self, rows=_rows(views, session.lang, nurse=False),
               can_add=actor.assurance == Assurance.EID and actor.on_behalf_of_pid is None,
               nurse_note=any(v.assurance == Assurance.PASSKEY_NURSE for v in views)
               or actor.assurance == Assurance.PASSKEY_NURSE)

    @rx.event
    def ask_remove(self, passkey_id: int):
        assign(self, confirm_id=int(passkey_id), message="")

    @rx.event
    def cancel_remove(self):
        assign(self, confirm_id=0)

    @rx.event
    async def remove(self, passkey_id: int):
        session = await self.get_state(SessionState)
        actor = session._actor()
        ok = await asyncio.to_thread(passkeys.remove_mine, get_engine(), actor, int(passkey_id))
        assign(self, confirm_id=0, message=t("passkeys.removed", session.lang) if ok
               else t("passkeys.remove_failed", session.lang))
        if ok and live_passkey() == int(passkey_id):
            # Her own session ended with it: the logged-out page says so.
            page_load(self, LOGGED_OUT_PATH)
            return
        await self._refresh(session)


def live_passkey() -> int | None:
    live = live_session()
    return live.passkey_id if live else None
