"""State for the pregnancy card, as the woman (or her fullmakt receiver) sees it, and as
her midwife or GP sees and writes it."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

import reflex as rx

from digihelse.access.actors import Actor
from digihelse.core.db import get_engine
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t, tn
from digihelse.core.i18n.formatting import day_month
from digihelse.core.settings import get_settings
from digihelse.core.timeutil import today_oslo, utcnow
from digihelse.healthcard import service as card
from digihelse.healthcard.page import card_page_async
from digihelse.healthcard.validation import (
    NO_FINDINGS,
    ConsultationDraft,
    FetusDraft,
    PregnancyDraft,
)
from digihelse.people.nin import is_valid_nin
from digihelse.ui.presenters.carer_forms import error_text, expected_version
from digihelse.ui.routes import CARER_CARD, CARER_LIST
from digihelse.ui.state.card_display import (
    BookBox,
    CardDisplay,
    ChartBlock,
    ConsultationRow,
    HistoryRow,
    LabRow,
    NoteRow,
    ScheduleRow,
    SectionBlock,
    book_box,
    display,
    history_rows,
)
from digihelse.ui.state.changes import assign
from digihelse.ui.state.client_actions import focus_on
from digihelse.ui.state.guard import CITIZEN, PERSONNEL, audience
from digihelse.ui.state.session import SessionState


async def attempt_save(save: Callable[[], Any]
                       ) -> tuple[Any, dict[str, str], ServiceError | None]:
    """One blocking save on the card, run in a thread: (its result, {}, None), or the
    draft's problems by field (ValidationFailed), or the service's refusal of the whole."""
    try:
        return await asyncio.to_thread(save), {}, None
    except card.ValidationFailed as exc:
        return None, dict(exc.errors), None
    except ServiceError as exc:
        return None, {}, exc


_NUMBER_FIELDS = {"weight_kg": float, "bp_systolic": int, "bp_diastolic": int, "oedema": int,
                  "sf_height_cm": float, "heart_rate": int}


def form_values(c: card.ConsultationView) -> dict[str, str]:
    """A recorded check-up as the form's strings, to correct it."""
    def text(value: object) -> str:
        return "" if value is None else str(value)

    fetus = c.fetuses[0] if c.fetuses else None
    movements = "" if fetus is None or fetus.movements is None else (
        "yes" if fetus.movements else "no")
    return {
        "held_on": c.held_on.isoformat(), "weight_kg": text(c.weight_kg),
        "bp_systolic": text(c.bp_systolic), "bp_diastolic": text(c.bp_diastolic),
        "urine_protein": text(c.urine_protein), "oedema": text(c.oedema),
        "sf_height_cm": text(c.sf_height_cm), "heart_rate": text(fetus and fetus.heart_rate),
        "presentation": text(fetus and fetus.presentation), "movements": movements,
        "note": c.note or "", "version": str(c.version),
    }


def _load(actor: Actor, woman_pid: str, lang: str
          ) -> tuple[CardDisplay, dict[int, dict[str, str]]]:
    view = card.get_card(get_engine(), actor, woman_pid)
    raw = {c.id: form_values(c) for c in view.timeline} if view.can_edit else {}
    return display(view, lang, today_oslo()), raw


async def _load_page(actor: Actor, woman_pid: str, lang: str
                     ) -> tuple[CardDisplay, dict[int, dict[str, str]], BookBox]:
    """The citizen's card and its booking box, read and logged as one (card_page)."""
    view, options = await card_page_async(get_engine(), actor, woman_pid, utcnow(),
                                          settings=get_settings().booking)
    raw = {c.id: form_values(c) for c in view.timeline} if view.can_edit else {}
    shown = display(view, lang, today_oslo())
    book = BookBox() if options is None else book_box(
        options, lang, own=actor.pid == woman_pid, name=shown.woman_name)
    return shown, raw, book


def _load_history(actor: Actor, woman_pid: str, lang: str) -> list[HistoryRow]:
    return history_rows(card.history(get_engine(), actor, woman_pid), lang)


def parse_consultation(form: dict) -> tuple[ConsultationDraft | None, dict[str, str]]:
    """The form's strings as a draft; unreadable numbers and dates become field errors."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for name, kind in _NUMBER_FIELDS.items():
        raw = str(form.get(name, "")).strip().replace(",", ".")
        if raw == "":
            values[name] = None
            continue
        try:
            values[name] = kind(float(raw)) if kind is int else kind(raw)
        except ValueError:
            errors[name] = "card.error.invalid"
    raw_day = str(form.get("held_on", "")).strip()
    try:
        held_on = dt.date.fromisoformat(raw_day)
    except ValueError:
        errors["held_on"] = "card.error.invalid" if raw_day else "card.error.held_on_missing"
        held_on = None
    if errors:
        return None, errors
    movements = {"yes": True, "no": False}.get(str(form.get("movements", "")))
    fetus = FetusDraft(1, values.pop("heart_rate"), form.get("presentation") or None, movements)
    has_fetus = any(v is not None for v in (fetus.heart_rate, fetus.presentation, movements))
    draft = ConsultationDraft(
        held_on=held_on, weight_kg=values["weight_kg"], bp_systolic=values["bp_systolic"],
        bp_diastolic=values["bp_diastolic"], urine_protein=form.get("urine_protein") or None,
        oedema=values["oedema"], sf_height_cm=values["sf_height_cm"],
        fetuses=(fetus,) if has_fetus else (), note=str(form.get("note", "")).strip(),
        hidden_from_proxy=bool(form.get("hidden_from_proxy")),
    )
    return draft, errors


@audience(CITIZEN)
class CardState(SessionState):
    """The card of whom the citizen acts for (herself, or the woman who gave fullmakt)."""

    woman_name: str = ""
    born: str = ""  # her birth date, on the printout only
    ga_line: str = ""
    due_line: str = ""
    dating_line: str = ""
    next_line: str = ""
    carers: list[str] = []
    consultations: list[ConsultationRow] = []
    schedule: list[ScheduleRow] = []
    notes: list[NoteRow] = []
    editing_note_id: int = 0  # the note she is rewriting, 0 when writing a new one
    confirm_delete_id: int = 0  # the note she asked to delete, awaiting "Ja, slett"
    charts: list[ChartBlock] = []
    labs: list[LabRow] = []
    background: list[SectionBlock] = []
    rhd_lines: list[str] = []
    history: list[HistoryRow] = []  # read when the reader opens "Endringslogg"
    _history_shown: bool = False
    _raw: dict[int, dict[str, str]] = {}
    can_write_notes: bool = False
    can_edit: bool = False
    error: str = ""
    message: str = ""
    loaded: bool = False
    note_text: str = ""
    note_error: str = ""
    # The form for personnel: per-field messages, and the draft's date default.
    field_errors: dict[str, str] = {}
    form_message: str = ""
    today_iso: str = ""
    saving: bool = False
    book: BookBox = BookBox()  # the next consultation: book it, or the booked time
    # When the pregnancy ended (healthcard/ending.py): "" while it goes on.
    ending_line: str = ""
    ending_kind: str = ""
    ending_termination: bool = False
    ending_may_show: bool = False
    ending_shown: bool = False
    _woman_pid: str = ""

    def _show(self, shown: CardDisplay) -> None:
        assign(self, woman_name=shown.woman_name, born=shown.born,
               ga_line=shown.ga_line,
               due_line=shown.due_line, dating_line=shown.dating_line,
               next_line=shown.next_line, carers=shown.carers,
               consultations=shown.consultations, schedule=shown.schedule,
               notes=shown.notes, charts=shown.charts, labs=shown.labs,
               background=shown.background, rhd_lines=shown.rhd_lines,
               can_write_notes=shown.can_write_notes, can_edit=shown.can_edit,
               ending_line=shown.ending_line, ending_kind=shown.ending_kind,
               ending_termination=shown.ending_termination,
               ending_may_show=shown.ending_may_show, ending_shown=shown.ending_shown)

    async def _refresh(self, session: SessionState) -> None:
        """The card again; the history only when it is open. A history read earlier in
        this visit stays on screen: the reader may have opened it before the page's load
        event arrived."""
        assign(self, error="")
        try:
            shown, raw = await asyncio.to_thread(
                _load, session._actor(), self._woman_pid, session.lang)
            if self._history_shown:
                assign(self, history=await asyncio.to_thread(
                    _load_history, session._actor(), self._woman_pid, session.lang))
        except ServiceError as exc:
            assign(self, error=t(exc.message_key, session.lang), charts=[], consultations=[],
                   history=[])
        else:
            assign(self, _raw=raw)
            self._show(shown)

    def _set_woman(self, pid: str) -> None:
        """Whose card the tab shows; another woman's history is never left on screen."""
        if pid != self._woman_pid:
            assign(self, _woman_pid=pid, history=[], _history_shown=False)

    @rx.event
    async def show_history(self):
        """The change history, read (and logged as read) when the reader opens it."""
        await self._show_history()

    async def _show_history(self) -> None:
        if self._history_shown or not self._woman_pid:
            return
        session = await self.get_state(SessionState)
        try:
            history = await asyncio.to_thread(_load_history, session._actor(),
                                              self._woman_pid, session.lang)
        except ServiceError as exc:
            assign(self, error=t(exc.message_key, session.lang))
            return
        assign(self, history=history, _history_shown=True)

    @rx.event
    async def load(self):
        """Citizen: the card of whom she acts for. Only what changed is assigned, so
        coming back to the card re-sends nothing that is the same."""
        session = await self.get_state(SessionState)
        assign(self, message="", note_error="", _history_shown=False)
        if not session.logged_in or session.is_personnel:
            assign(self, loaded=False)
            return
        self._set_woman(session._actor().subject_pid)
        # The card and its booking box in one read (without the box when that is refused,
        # logged: the card itself still shows); the history only when it is open.
        assign(self, error="")
        book = BookBox()
        try:
            shown, raw, book = await _load_page(session._actor(), self._woman_pid,
                                                session.lang)
            if self._history_shown:
                assign(self, history=await asyncio.to_thread(
                    _load_history, session._actor(), self._woman_pid, session.lang))
        except ServiceError as exc:
            assign(self, error=t(exc.message_key, session.lang), charts=[], consultations=[],
                   history=[])
        else:
            assign(self, _raw=raw)
            self._show(shown)
        assign(self, book=book, loaded=True)

    @rx.event
    def set_note_text(self, value: str):
        self.note_text = value[:2000]

    @rx.event
    async def add_note(self):
        session = await self.get_state(SessionState)
        text = self.note_text.strip()
        if not text:
            self.note_error = t("card.error.note_empty", session.lang)
            return
        try:
            if self.editing_note_id:
                await asyncio.to_thread(card.edit_own_note, get_engine(), session._actor(),
                                        self._woman_pid, self.editing_note_id, text,
                                        now=utcnow())
            else:
                await asyncio.to_thread(card.add_own_note, get_engine(), session._actor(),
                                        self._woman_pid, text, now=utcnow())
        except ServiceError as exc:
            self.note_error = t(exc.message_key, session.lang)
            return
        self.note_text, self.note_error, self.editing_note_id = "", "", 0
        self.message = t("card.notes.saved", session.lang)
        await self._refresh(session)

    @rx.event
    def edit_note(self, note_id: int):
        """Her note's text into the field, to rewrite it; Lagre saves the change."""
        found = next((n for n in self.notes if n.note_id == note_id), None)
        if found is not None:
            self.editing_note_id, self.note_text, self.note_error = note_id, found.text, ""
            self.confirm_delete_id = 0
            focus_on(self, "own-note")

    @rx.event
    def cancel_note_edit(self):
        self.editing_note_id, self.note_text, self.note_error = 0, "", ""

    @rx.event
    def ask_delete_note(self, note_id: int):
        self.confirm_delete_id, self.editing_note_id = note_id, 0

    @rx.event
    def keep_note(self):
        self.confirm_delete_id = 0

    @rx.event
    async def delete_note(self):
        session = await self.get_state(SessionState)
        note_id, self.confirm_delete_id = self.confirm_delete_id, 0
        if not note_id:
            return
        try:
            await asyncio.to_thread(card.delete_own_note, get_engine(), session._actor(),
                                    self._woman_pid, note_id, now=utcnow())
        except ServiceError as exc:
            self.message = t(exc.message_key, session.lang)
            return
        self.message = t("card.notes.deleted", session.lang)
        await self._refresh(session)

    @rx.event
    async def toggle_hidden(self, consultation_id: int, hidden: bool):
        """The woman hides a check-up from those she gave fullmakt, or shows it again."""
        session = await self.get_state(SessionState)
        try:
            await asyncio.to_thread(card.set_hidden_from_proxy, get_engine(), session._actor(),
                                    self._woman_pid, "consultation", consultation_id, hidden,
                                    now=utcnow())
        except ServiceError as exc:
            self.error = t(exc.message_key, session.lang)
            return
        await self._refresh(session)


    @rx.event
    async def show_ending(self, shown: bool):
        """She lets those she gave fullmakt see that the pregnancy ended, or hides it."""
        session = await self.get_state(SessionState)
        try:
            await asyncio.to_thread(card.show_ending_to_proxy, get_engine(), session._actor(),
                                    self._woman_pid, shown, now=utcnow())
        except ServiceError as exc:
            self.error = t(exc.message_key, session.lang)
            return
        await self._refresh(session)


@audience(PERSONNEL)
class CarerState(CardState):
    """Personnel: "Mine gravide", and one woman's card with the consultation form."""

    women: list[dict[str, str]] = []
    create_error: str = ""
    editing_id: int = 0  # the check-up being corrected, 0 for a new one
    form_key: int = 0  # bumped to re-create the form with other starting values
    values: dict[str, str] = {}
    _women_pids: list[str] = []

    @rx.event
    async def load_list(self):
        session = await self.get_state(SessionState)
        self.loaded = False
        if not session._may_open("women"):
            return
        rows = await asyncio.to_thread(card.my_women, get_engine(), session._actor())
        lang = session.lang
        self._women_pids = [row.pid for row in rows]
        self.women = [{
            "key": str(index),
            "name": row.name,
            "line": t("card.end.listed", lang, date=day_month(row.ended_on, lang))
            if row.ended_on else " · ".join(part for part in (
                t("card.overview.ga_today", lang, ga=row.ga_text) if row.ga_text else "",
                f"{t('card.overview.due_date', lang)} {day_month(row.due_date, lang)}"
                if row.due_date else "",
            ) if part),
            "questions": tn("card.mine.questions", row.open_questions, lang)
            if row.open_questions else "",
        } for index, row in enumerate(rows)]
        self.loaded = True

    @rx.event
    async def create_card(self, form: dict):
        """Open a card for a woman by her national id number and last period."""
        session = await self.get_state(SessionState)
        lang = session.lang
        self.create_error = ""
        pid = str(form.get("pid", "")).replace(" ", "")
        if not is_valid_nin(pid):
            self.create_error = t("card.create.bad_pid", lang)
            return
        try:
            last_period = dt.date.fromisoformat(str(form.get("last_period", "")))
        except ValueError:
            self.create_error = t("card.error.invalid", lang)
            return
        try:
            await asyncio.to_thread(card.create_card, get_engine(), session._actor(), pid,
                                    PregnancyDraft(last_period=last_period), now=utcnow())
        except card.ValidationFailed as exc:
            self.create_error = " ".join(t(key, lang) for key in exc.errors.values())
            return
        except ServiceError as exc:
            self.create_error = t(exc.message_key, lang)
            return
        self._set_woman(pid)
        return rx.redirect(CARER_CARD)

    @rx.event
    def open_card(self, key: str):
        if key.isdigit() and int(key) < len(self._women_pids):
            self._set_woman(self._women_pids[int(key)])
            return rx.redirect(CARER_CARD)

    def _new_form(self) -> None:
        self.editing_id, self.values = 0, {"held_on": today_oslo().isoformat()}
        self.form_key += 1

    @rx.event
    def start_edit(self, consultation_id: int):
        if consultation_id in self._raw:
            self.editing_id, self.values = consultation_id, dict(self._raw[consultation_id])
            self.field_errors, self.form_message = {}, ""
            self.form_key += 1
            return rx.scroll_to("consultation-form")

    @rx.event
    def cancel_edit(self):
        self._new_form()
        self.field_errors, self.form_message = {}, ""

    @rx.event
    async def show_history(self):
        """Her change history for the carer (a handler of this state, for its audience)."""
        await self._show_history()

    @rx.event
    async def load_card(self):
        session = await self.get_state(SessionState)
        self.loaded, self.field_errors, self.form_message = False, {}, ""
        self.today_iso = today_oslo().isoformat()
        self._history_shown = False
        self._new_form()
        if not session._may_open("card"):
            return
        if not self._woman_pid:
            return rx.redirect(CARER_LIST)
        await self._refresh(session)
        self.loaded = True

    @rx.event
    async def save_consultation(self, form: dict):
        session = await self.get_state(SessionState)
        lang = session.lang
        draft, errors = parse_consultation(form)
        if draft is not None:
            self.saving = True
            yield
            reason = str(form.get("reason", "")).strip()
            if self.editing_id:
                save = partial(card.edit_consultation, get_engine(), session._actor(),
                               self._woman_pid, self.editing_id, draft, reason, now=utcnow(),
                               expected_version=expected_version(self.values))
            else:
                save = partial(card.record_consultation, get_engine(), session._actor(),
                               self._woman_pid, draft, utcnow())
            try:
                _, errors, refused = await attempt_save(save)
            finally:
                self.saving = False
            if refused is not None:
                self.form_message = t(refused.message_key, lang)
                return
        if errors:
            # Nothing typed is lost: the form keeps its values, we only add the messages.
            # Per-fetus fields come as "fetus.1.heart_rate"; the form has one fetus block.
            self.field_errors = {field.rsplit(".", 1)[-1]: error_text(key, lang)
                                 for field, key in errors.items()}
            # A check-up with nothing in it is the form's problem, not one field's.
            self.form_message = self.field_errors.pop(NO_FINDINGS, None) \
                or t("card.error.validation", lang)
            return
        self.field_errors = {}
        self.form_message = t("card.consultation.saved", lang)
        await self._refresh(session)
        self._new_form()
