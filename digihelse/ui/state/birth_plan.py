"""State for "Ønsker for fødselen": her form on /helsekort/onsker, and the same wishes
read-only on her midwife's or GP's view of the card. The rules are in
digihelse.healthcard.birth_plan."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

import reflex as rx

from digihelse.access.actors import Actor
from digihelse.core.db import get_engine
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import day_month
from digihelse.core.timeutil import to_oslo, utcnow
from digihelse.healthcard.birth_plan import (
    TEXT_FIELDS,
    BirthPlanDraft,
    BirthPlanView,
    birth_plan,
    save_birth_plan,
)
from digihelse.healthcard.errors import ValidationFailed
from digihelse.healthcard.models import Feeding, PainRelief
from digihelse.ui.state.changes import assign
from digihelse.ui.state.client_actions import focus_on
from digihelse.ui.state.session import SessionState

PAIN_KEYS = {p.value: keyed("birth.pain", p) for p in PainRelief}
FEEDING_KEYS = {f.value: keyed("birth.feeding", f) for f in Feeding}


@dataclass
class PlanRow:
    """One line of the read-only plan: what was asked, what she answered."""

    label: str
    value: str


def plan_rows(draft: BirthPlanDraft, lang: str) -> list[PlanRow]:
    """Her answers in her words, each under its question; what she left empty is left out."""
    pain = [t(PAIN_KEYS[p], lang) for p in draft.pain_relief]
    if draft.pain_relief_text:
        pain.append(draft.pain_relief_text)
    language = draft.language
    if draft.interpreter:
        language = f"{language} ({t('birth.interpreter_needed', lang)})" if language \
            else t("birth.interpreter_needed", lang)
    answers = (("birth.pain.title", ", ".join(pain)), ("birth.companions", draft.companions),
               ("birth.language", language), ("birth.fears", draft.fears),
               ("birth.feeding.title",
                t(FEEDING_KEYS[draft.feeding], lang) if draft.feeding else ""),
               ("birth.other", draft.other))
    return [PlanRow(t(key, lang), value) for key, value in answers if value]


def _load(actor: Actor, woman_pid: str) -> BirthPlanView:
    return birth_plan(get_engine(), actor, woman_pid)


class BirthPlanState(SessionState):
    loaded: bool = False
    error: str = ""
    may_edit: bool = False
    written: bool = False
    updated: str = ""
    rows: list[PlanRow] = []
    # The form's starting values (uncontrolled inputs, re-created by form_key).
    pain: list[str] = []
    texts: dict[str, str] = {}
    interpreter: bool = False
    feeding: str = ""
    hidden: bool = False
    form_key: str = ""
    field_errors: dict[str, str] = {}
    message: str = ""
    saving: bool = False
    _woman_pid: str = ""

    @rx.event
    async def load(self):
        """Her own page: the plan of whom she acts for (herself, or a partner's view)."""
        session = await self.get_state(SessionState)
        assign(self, message="", field_errors={}, saving=False)
        if not session.logged_in or session.is_personnel:
            assign(self, loaded=False)
            return
        self._woman_pid = session._actor().subject_pid
        await self._refresh(session)

    @rx.event
    async def load_for_carer(self):
        """On the midwife's or GP's card of the woman she opened."""
        from digihelse.ui.state.card import CarerState  # it builds on this module's base

        session = await self.get_state(SessionState)
        carer = await self.get_state(CarerState)
        assign(self, message="", field_errors={})
        if not (session.logged_in and session.is_personnel and carer._woman_pid):
            assign(self, loaded=False)
            return
        self._woman_pid = carer._woman_pid
        await self._refresh(session)

    async def _refresh(self, session: SessionState) -> None:
        lang = session.lang
        try:
            view = await asyncio.to_thread(_load, session._actor(), self._woman_pid)
        except ServiceError as exc:
            assign(self, error=t(exc.message_key, lang), rows=[], written=False,
                   may_edit=False, loaded=True)
            return
        draft = view.draft
        assign(
            self, error="", may_edit=view.may_edit, written=view.written,
            updated=t("birth.updated", lang, day=day_month(to_oslo(view.updated_at).date(),
                                                             lang)) if view.updated_at else "",
            rows=plan_rows(draft, lang), pain=list(draft.pain_relief),
            texts={name: getattr(draft, name) for name in TEXT_FIELDS},
            interpreter=draft.interpreter, feeding=draft.feeding,
            hidden=draft.hidden_from_proxy, form_key=uuid.uuid4().hex[:8], loaded=True)

    @rx.event
    async def save(self, form: dict):
        session = await self.get_state(SessionState)
        lang = session.lang
        draft = BirthPlanDraft(
            pain_relief=tuple(p for p in PAIN_KEYS if form.get(f"pain_{p}")),
            **{name: str(form.get(name, "")).strip() for name in TEXT_FIELDS},
            interpreter=bool(form.get("interpreter")), feeding=str(form.get("feeding", "")),
            hidden_from_proxy=bool(form.get("hidden")))
        self.saving, self.message, self.field_errors = True, "", {}
        yield
        try:
            await asyncio.to_thread(save_birth_plan, get_engine(), session._actor(),
                                    self._woman_pid, draft, now=utcnow())
        except ValidationFailed as exc:
            # What she wrote stays in the fields (the form is not re-created).
            self.field_errors = {name: t(key, lang) for name, key in exc.errors.items()}
            self.saving = False
            focus_on(self, f"birth-{next(iter(exc.errors))}")
            return
        except ServiceError as exc:
            self.saving, self.message = False, t(exc.message_key, lang)
            return
        self.saving = False
        await self._refresh(session)
        self.message = t("birth.saved", lang)
