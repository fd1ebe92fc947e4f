"""What the carer's own forms on the pregnancy card share, each form on its own page
("Ny prøve": state/lab_form.py; "Svangerskapet og bakgrunn": state/pregnancy_form.py): the
woman, the form's values and problems, saving, and the confirmation the card view shows
after a save.

The woman is the one open on the carer's card view (CarerState keeps her national id number
in a backend var; it never reaches the browser or a URL). The rules are the service's: a
refused draft comes back as {field: message key}, and the form keeps what was typed (its
inputs are uncontrolled and are not re-created on an error)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import reflex as rx

from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t
from digihelse.core.timeutil import today_oslo
from digihelse.healthcard import service as card
from digihelse.ui.presenters.carer_forms import error_list, error_text
from digihelse.ui.routes import CARER_CARD
from digihelse.ui.state.card import CarerState, attempt_save
from digihelse.ui.state.guard import PERSONNEL, audience
from digihelse.ui.state.session import SessionState


@audience(PERSONNEL)
class CarerFormsState(SessionState):
    """The forms' common part, and the confirmation the card view shows after a save."""

    woman_name: str = ""
    loaded: bool = False
    error: str = ""  # the page cannot be shown (no card, refused)
    form_message: str = ""
    field_errors: dict[str, str] = {}
    errors: list[dict[str, str]] = []  # the same problems as links to their fields
    values: dict[str, str] = {}
    form_key: int = 0  # bumped to re-create a form with other starting values
    saving: bool = False
    stale: bool = False  # somebody else saved first; the draft is still in the form
    today_iso: str = ""
    # The confirmation on the card view after a save.
    saved_message: str = ""
    _saved_fresh: bool = False
    _saved_pid: str = ""
    _woman_pid: str = ""

    async def _start(self) -> SessionState | None:
        """Reset the page; the session when a personnel login is here."""
        session = await self.get_state(SessionState)
        self.loaded, self.error, self.stale, self.saving = False, "", False, False
        self.form_message, self.field_errors, self.errors = "", {}, []
        self.saved_message, self._saved_fresh = "", False
        self.today_iso = today_oslo().isoformat()
        if not session._may_open("card"):
            return None
        carer = await self.get_state(CarerState)
        self._woman_pid = carer._woman_pid
        return session

    def _clear_errors(self) -> None:
        self.field_errors, self.errors, self.form_message = {}, [], ""

    def _show_errors(self, errors: Mapping[str, str], order: tuple[str, ...],
                     lang: str) -> rx.event.EventSpec:
        """Every problem by its field and as a list of links; the page scrolls to the list."""
        self.field_errors = {name: error_text(key, lang) for name, key in errors.items()}
        self.errors = error_list(errors, order, lang)
        self.form_message = t("card.error.validation", lang)
        return rx.scroll_to("form-message")

    def _refused(self, exc: ServiceError, lang: str) -> rx.event.EventSpec:
        """A save refused as a whole: somebody else saved first (the draft stays in the
        form), or the service said no."""
        if isinstance(exc, card.StaleEdit):
            self.stale, self.field_errors, self.errors = True, {}, []
            self.form_message = t("cforms.stale", lang)
        else:
            self.form_message = t(exc.message_key, lang)
        return rx.scroll_to("form-message")

    async def _attempt(self, save: Callable[[], Any], lang: str
                       ) -> tuple[Any, dict[str, str], rx.event.EventSpec | None]:
        """attempt_save() for this form: (its result, the draft's problems, or the refusal
        shown, as the event to yield); the save button is back either way."""
        try:
            result, errors, refused = await attempt_save(save)
        finally:
            self.saving = False
        return result, errors, None if refused is None else self._refused(refused, lang)

    def _saved(self, message: str):
        self.saved_message, self._saved_fresh = message, True
        self._saved_pid = self._woman_pid
        self._clear_errors()
        return rx.redirect(CARER_CARD)

    # --- On the card view -------------------------------------------------------------

    @rx.event
    async def card_shown(self):
        """on_load of the card view: the confirmation shows once, for the woman saved."""
        carer = await self.get_state(CarerState)
        if not (self._saved_fresh and carer._woman_pid == self._saved_pid):
            self.saved_message = ""
        self._saved_fresh = False

    @rx.event
    def dismiss_saved(self):
        self.saved_message = ""
